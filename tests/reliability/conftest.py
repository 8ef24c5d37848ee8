"""Servers of the fault tests' own, which they may stop, restart and kill.

A PostgreSQL cluster (initdb'd here; restarted by the tests), a Redis (stopped by the tests) and
subprocesses of the project's own commands and Celery worker pointed at them. Each is skipped
only when its server binaries are absent. FAULT_PG_PORT and FAULT_REDIS_PORT pick the ports (a
free one otherwise).
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from tests.actionplan.conftest import (  # noqa: F401 (the plan's personas, for the form fuzzing)
    action_owner,
    group_member,
    loaded_plan,
    plan,
    plan_roles,
    review,
)
from tests.conftest import _free_port

MANAGE = str(settings.BASE_DIR / "manage.py")
START_SECONDS = 60
INITDB_OPTIONS = ["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"]
WORKER_OPTIONS = [
    "--pool",
    "prefork",
    "--concurrency",
    "1",
    "--loglevel",
    "INFO",
    "--without-gossip",
    "--without-mingle",
    "--without-heartbeat",
]


def wait_for(condition, timeout: float, what: str, interval: float = 0.05):
    """Poll `condition` until it returns something true; fail naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def _port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def app_env(**overrides: str) -> dict[str, str]:
    """The environment of a subprocess running the project's code against the given servers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CELERY_"))}
    env.pop("REDIS_URL", None)
    env.update({"DJANGO_SETTINGS_MODULE": "imr_dashboard.settings", "PYTHONUNBUFFERED": "1"})
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, MANAGE, *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class OwnPostgres:
    bin: Path
    data: Path
    port: int
    as_postgres: list[str]

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres", *, autocommit: bool = True):
        import psycopg2

        conn = psycopg2.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, connect_timeout=5
        )
        conn.autocommit = autocommit
        return conn

    def pg_ctl(self, *args: str) -> None:
        # The server's output goes to its log file: a pipe held open by it would never close.
        subprocess.run(
            [*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=START_SECONDS + 10,
        )

    def restart(self) -> None:
        """Restart the server as an operator would: fast shutdown, sessions cut, then up again."""
        log = str(self.data.parent / "log")
        self.pg_ctl("restart", "-m", "fast", "-w", "-t", str(START_SECONDS), "-l", log)
        wait_for(lambda: _port_open(self.port), START_SECONDS, "PostgreSQL to accept connections")


@pytest.fixture(scope="session")
def own_postgres():
    """A PostgreSQL cluster of the fault tests' own, which they may restart."""
    pg_bin = _postgres_bin()
    if pg_bin is None:
        pytest.skip("needs PostgreSQL's server binaries (initdb, pg_ctl)")
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        as_postgres = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="imr-faults-pg-"))
    root.chmod(0o755)
    data = root / "data"
    if as_postgres:
        shutil.chown(root, "postgres", "postgres")
    port = int(os.environ.get("FAULT_PG_PORT") or _free_port())
    subprocess.run(
        [*as_postgres, str(pg_bin / "initdb"), "-D", str(data), *INITDB_OPTIONS],
        check=True,
        capture_output=True,
        timeout=120,
    )
    server = OwnPostgres(pg_bin, data, port, as_postgres)
    options = f"-p {port} -h 127.0.0.1 -k {root} -c fsync=off -c full_page_writes=off"
    server.pg_ctl("start", "-w", "-t", str(START_SECONDS), "-l", str(root / "log"), "-o", options)
    try:
        yield server
    finally:
        subprocess.run(
            [*as_postgres, str(pg_bin / "pg_ctl"), "-D", str(data), "stop", "-m", "immediate"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def fault_template(own_postgres) -> str:
    """A database migrated and loaded with the bundled snapshot, copied for each test."""
    conn = own_postgres.connect()
    with conn.cursor() as cursor:
        cursor.execute("CREATE DATABASE faults_template")
    conn.close()
    env = app_env(DATABASE_URL=own_postgres.url("faults_template"))
    for command in (("migrate", "--no-input", "-v", "0"), ("load_snapshot",)):
        done = manage(*command, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
    return "faults_template"


@pytest.fixture
def fault_db(own_postgres, fault_template) -> str:
    """A fresh copy of the loaded database; its name."""
    name = f"faults_{uuid.uuid4().hex[:10]}"
    conn = own_postgres.connect()
    with conn.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name} TEMPLATE {fault_template}")
    conn.close()
    yield name
    conn = own_postgres.connect()
    with conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    conn.close()


# ---------------------------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------------------------


@dataclass
class OwnRedis:
    port: int
    process: subprocess.Popen | None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        wait_for(lambda: not _port_open(self.port), 10, "Redis to stop")


@pytest.fixture
def own_redis(tmp_path):
    """A Redis of this test's own, which it may stop."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("needs redis-server")
    port = int(os.environ.get("FAULT_REDIS_PORT") or _free_port())
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    redis = OwnRedis(port, process)
    wait_for(lambda: _port_open(port), 10, "Redis to start")
    try:
        yield redis
    finally:
        redis.stop()


# ---------------------------------------------------------------------------------------------
# Celery workers
# ---------------------------------------------------------------------------------------------


class Workers:
    """Real Celery workers (the project's own `celery worker` command), killed at the end."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen] = []

    def start(self, env: dict[str, str]) -> subprocess.Popen:
        log_path = self.tmp_path / f"worker-{len(self.processes)}.log"
        # The worker writes to its own copy of the file descriptor: ours is closed at once.
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "imr_dashboard", "worker", *WORKER_OPTIONS],
                env=env,
                cwd=settings.BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: one signal reaches every process
            )
        process.log_path = str(log_path)
        self.processes.append(process)
        return process

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        """SIGKILL the worker and its pool's processes at once, as the kernel's OOM killer would."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)


@pytest.fixture
def workers(tmp_path):
    started = Workers(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
