"""The shipped gunicorn.conf.py under a burst of requests, for real: gunicorn runs with the
repository's own config file (only its address, worker count and database given here) and the
web service's production settings, and four clients send requests back to back, as the TLS proxy
forwards them (X-Forwarded-Proto: https). No request may fail or wait for a worker to restart.
"""

from __future__ import annotations

import http.client
import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.processes import free_port, stop, wait_for_port

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
CLIENTS = 4
# More requests than the old config's `max_requests = 1000` (jitter 100) let each of the two
# workers serve: under it both were recycled during the burst.
REQUESTS = 3_000
# A worker that is restarted or answers its first request stalls whoever it took: 1-3 s.
SLOWEST_ALLOWED = 1.0
PATHS = ("/healthz/", "/")
# The web service's production settings, as .env.example and docker-compose.yml give them behind
# the shipped TLS proxy (deploy/nginx/), which sets X-Forwarded-Proto: https on every request.
PRODUCTION = {
    "DEBUG": "0",
    "HTTPS": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    "TRUSTED_PROXY_COUNT": "1",
    "FORWARDED_ALLOW_IPS": "127.0.0.1,::1",
}


def database_url(work: Path) -> str:
    """SQLite in `work`, or with DATABASE_URL on PostgreSQL (as CI runs), a database of its own
    beside the test database on that server, made afresh: gunicorn's workers must each open
    their own connections, never share one opened before the fork."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{work / 'db.sqlite3'}"
    import psycopg2

    server, name = url.rsplit("/", 1)
    name = f"{name.split('?')[0]}_gunicorn"
    if not (work / "database").exists():
        connection = psycopg2.connect(f"{server}/postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()
        (work / "database").touch()
    return f"{server}/{name}"


def start_gunicorn(work: Path, *extra: str) -> tuple[subprocess.Popen, int, Path]:
    port = free_port(HOST)
    environ = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        **PRODUCTION,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url(work),
        "ALLOWED_HOSTS": HOST,
        "GUNICORN_BIND": f"{HOST}:{port}",
        "WEB_CONCURRENCY": "2",
        "STATIC_ROOT": str(work / "static"),
        "FINGERTIPS_API_URL": "http://127.0.0.1:9/api/",
        "LOG_LEVEL": "INFO",
    }
    if not (work / "migrated").exists():
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=BASE_DIR,
            env=environ,
            check=True,
            capture_output=True,
            timeout=300,
        )
        (work / "migrated").touch()
    log = work / f"gunicorn-{port}.log"
    with log.open("wb") as out:
        # gunicorn reads ./gunicorn.conf.py: the project's own, as the image runs it.
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "imr_dashboard.wsgi:application", *extra],
            cwd=BASE_DIR,
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    wait_for_port(HOST, port, process, log, 90)
    return process, port, log


def burst(port: int, total: int, timeout: float = 10) -> tuple[list[float], list[str]]:
    """`total` GETs from CLIENTS threads, each back to back; every latency, every failure."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        for i in range(total // CLIENTS):
            path = PATHS[(n + i) % len(PATHS)]
            start = time.perf_counter()
            try:
                connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
                connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
                response = connection.getresponse()
                response.read()
                connection.close()
                outcome = None if response.status == 200 else f"{path}: {response.status}"
            except OSError as exc:
                outcome = f"{path}: {exc!r}"
            with lock:
                latencies.append(time.perf_counter() - start)
                if outcome:
                    failures.append(outcome)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return latencies, failures


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("gunicorn")


def warm(port: int) -> None:
    # The workers' first answers (a busy machine may take its time to start them) before the
    # burst, as the healthcheck asks after a deploy.
    for _ in range(6):
        _, failures = burst(port, CLIENTS, timeout=120)
        assert not failures, failures


def test_no_request_waits_for_a_worker_restart_under_the_shipped_config(work):
    process, port, log = start_gunicorn(work)
    try:
        warm(port)
        latencies, failures = burst(port, REQUESTS)
    finally:
        stop(process)
    assert not failures, failures[:10]
    assert len(latencies) == REQUESTS
    slow = sorted(latencies)[-5:]
    assert max(latencies) < SLOWEST_ALLOWED, (
        f"slowest requests {[round(s, 2) for s in slow]} s; gunicorn log:\n"
        + "\n".join(
            line for line in log.read_text(errors="replace").splitlines() if "GET" not in line
        )
    )


def test_a_recycled_worker_answers_at_once_when_the_limit_is_lowered(work):
    """An operator may lower max_requests (e.g. GUNICORN_CMD_ARGS), even to both workers at once:
    the app is loaded in the master, so a new worker forks ready to answer instead of importing
    the dashboard again, and the old one leaves at once instead of tearing the app down."""
    process, port, log = start_gunicorn(work, "--max-requests", "300", "--max-requests-jitter", "0")
    try:
        warm(port)
        latencies, failures = burst(port, 1_600)
    finally:
        stop(process)
    restarts = log.read_text(errors="replace").count("Autorestarting")
    assert restarts >= 4, f"only {restarts} worker restarts: the burst did not test them"
    assert not failures, failures[:10]
    slow = sorted(latencies)[-5:]
    assert max(latencies) < SLOWEST_ALLOWED, f"slowest requests {[round(s, 2) for s in slow]} s"
