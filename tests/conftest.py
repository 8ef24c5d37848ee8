"""Shared fixtures: real export files, a real Redis when a test needs one, the loaded snapshot."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.replay import load_once

EXPORTS = settings.BASE_DIR / "fixtures" / "exports"
REAL_EXPORTS = sorted((EXPORTS / "raw").glob("*.csv")) + sorted(
    (EXPORTS / "snapshot").glob("*.csv")
)


def _found(program: str, configured: str | None = None) -> str:
    path = configured or shutil.which(program)
    return f"found ({path})" if path and os.access(path, os.X_OK) else "not found: those tests skip"


def pytest_report_header(config):
    """What this run has, so that nobody is surprised by what was skipped (README: make test)."""
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return [
        f"database: {database} ({'DATABASE_URL' if os.environ.get('DATABASE_URL') else 'default'})",
        "redis: "
        + ("TEST_REDIS_URL" if os.environ.get("TEST_REDIS_URL") else _found("redis-server")),
        "chromium (browser tests): "
        + _found("chromium", os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"),
        "postgresql server (fault tests): "
        + (_found("initdb", str(pg_bin[-1])) if pg_bin else "not found: those tests skip"),
        f"nginx (proxy test): {_found('nginx')}",
    ]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: data versions restart with every test database."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def snapshot(db) -> str:
    """The bundled snapshot, loaded as `make run` loads it (once a run: see `load_once`)."""
    return load_once("load_snapshot")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> str:
    """A real Redis: CI's (TEST_REDIS_URL), else one started here, else the test is skipped."""
    if url := os.environ.get("TEST_REDIS_URL"):
        yield url
        return
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("needs Redis: set TEST_REDIS_URL or install redis-server")
    port = _free_port()
    directory = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", directory],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


def observation_state() -> list[tuple]:
    """Every stored observation as plain values, to prove that a failure changed nothing."""
    from indicators.models import Observation

    return list(
        Observation.objects.order_by("pk").values_list(
            "pk", "value", "lower_ci_95", "upper_ci_95", "count", "denominator", "import_run_id"
        )
    )


@pytest.fixture
def fast_refresh(settings):
    """Short timeouts and back-off so failure tests finish in seconds."""
    settings.FINGERTIPS_TIMEOUT_SECONDS = 1.0
    settings.FINGERTIPS_RETRIES = 2
    settings.FINGERTIPS_BACKOFF_SECONDS = 0.01
    return settings


@pytest.fixture
def export_file(tmp_path):
    """Write a small export in a given layout and return its path."""

    def write(name: str, text: str, *, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write
