"""Faults made to happen for real; after each, nothing stored is lost or half-written.

The Fingertips API misbehaving (a real HTTP server, or no server at all), Redis stopped under
the pages and the task queue, PostgreSQL restarted in the middle of an import, and a Celery
worker killed with SIGKILL in the middle of a refresh. Faults already covered in
tests/indicators/test_refresh.py (a slow answer past the timeout, a 500 then success, a 503
that persists, an HTML page, a body cut short with and without Content-Length, a bad value) are
not repeated here; docs/RELIABILITY.md lists them all.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import subprocess
import sys
import time

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from imr_dashboard.celery import app as celery_app
from indicators import caching
from indicators import import_runs as runs
from indicators.models import ImportRun, Observation
from indicators.refresh import refresh_from_api
from tests.conftest import EXPORTS, _free_port, observation_state
from tests.indicators.test_refresh import (
    COUNTIES,
    DATA_PATH,
    DISTRICTS,
    ChildAreaType,
    assert_previous_data_in_use,
    calls,
    next_release,
    serve,
)
from tests.reliability.conftest import MANAGE, app_env, manage, wait_for

pytestmark = pytest.mark.faults

LARGE_EXPORT = EXPORTS / "raw" / "dfe_csc_90284_utla502_parent15_2010-11_to_2023-24.csv"


def data_page_section(client) -> str:
    html = client.get("/data/").content.decode()
    return html.split("Fingertips API refresh</h3>", 1)[1].split("</section>", 1)[0]


# ---------------------------------------------------------------------------------------------
# The Fingertips API: down, failing, or answering something that is not an export
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_api_that_is_down_fails_the_run_with_the_reason_on_the_data_page(
    client, fast_refresh, snapshot
):
    closed_port = _free_port()  # nothing listens there: every connection is refused
    before = observation_state()
    assert "Fingertips API refresh</h3>" not in client.get("/data/").content.decode()

    outcome = refresh_from_api(base_url=f"http://127.0.0.1:{closed_port}/api/")

    assert outcome.status == "failed"
    run = ImportRun.objects.get(pk=outcome.run_id)
    assert run.status == ImportRun.Status.FAILED
    assert f"127.0.0.1:{closed_port}/api/all_data/csv/by_indicator_id" in run.error
    assert "cannot connect" in run.error
    assert "Connection refused" in run.error
    assert run.finished_at is not None
    assert_previous_data_in_use(before, run)
    section = data_page_section(client)
    assert "Failed" in section
    assert "cannot connect" in section
    assert "still in use" in section


WRONG_COLUMNS = (
    b"Area,Indicator,Year,Rate\nE07000117,Infant mortality rate,2022,4.1\n"
    b"E07000118,Infant mortality rate,2022,3.9\n"
)
# A real export with its Value column renamed, as a changed API layout would look.
RENAMED_VALUE = DISTRICTS.replace(b",Value,", b",Indicator value,", 1)
JSON_ERROR = b'{"Message":"An error has occurred.","ExceptionMessage":"Timeout expired"}'
NOT_UTF8 = bytes(range(128, 256)) * 4 + b"\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status_code", "body", "status", "reason"),
    [
        pytest.param(500, b"Internal Server Error", "failed", "too many 500 error", id="500"),
        pytest.param(200, b"", "rejected", "the file is empty", id="empty-body"),
        pytest.param(200, b"\r\n \n", "rejected", "the file is empty", id="blank-lines"),
        pytest.param(
            200,
            WRONG_COLUMNS,
            "rejected",
            "the header lacks the column(s) Indicator ID, Area Code, Sex, Age, Time period, Value",
            id="wrong-columns",
        ),
        pytest.param(
            200, RENAMED_VALUE, "rejected", "the header lacks the column(s) Value", id="renamed"
        ),
        pytest.param(200, JSON_ERROR, "failed", "the answer is not a CSV export", id="json"),
        pytest.param(200, NOT_UTF8, "rejected", "not UTF-8 text (byte 0)", id="binary"),
        pytest.param(
            200,
            DISTRICTS.split(b"\n", 1)[0] + b"\n",
            "rejected",
            "the file has a header but no data rows",
            id="header-only",
        ),
    ],
)
def test_a_failing_or_garbage_answer_fails_the_refresh_and_keeps_the_previous_data(
    client, httpserver, fast_refresh, snapshot, status_code, body, status, reason
):
    httpserver.expect_request(DATA_PATH, query_string=ChildAreaType(501)).respond_with_data(
        body, status=status_code, content_type="text/csv"
    )
    before = observation_state()

    # The counties call would succeed with new values: it must not be imported on its own.
    outcome = refresh_from_api(base_url=serve(httpserver, counties=next_release(COUNTIES)))

    assert outcome.status == status
    run = ImportRun.objects.get(pk=outcome.run_id)
    assert run.status == status
    assert reason in run.error
    assert "child_area_type_id=501" in run.error
    assert_previous_data_in_use(before, run)
    section = data_page_section(client)
    assert reason in section.replace("&#x27;", "'")
    assert "still in use" in section


# ---------------------------------------------------------------------------------------------
# Redis stopped: pages come from the database, a task that cannot be queued says so
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def redis_cache(own_redis):
    """The page cache on a Redis of this test's own; the tolerant cache's memory reset after."""
    cache_settings = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": own_redis.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    caching.cache._down_until = 0.0
    with override_settings(CACHES=cache_settings):
        yield own_redis
    caching.cache._down_until = 0.0


PAGES = ["/", "/indicators/92196/", "/areas/E07000117/", "/inequalities/", "/api/v1/indicators/"]


@pytest.mark.django_db
def test_pages_are_served_from_the_database_when_redis_stops(client, snapshot, redis_cache, caplog):
    import redis

    first = {path: client.get(path) for path in PAGES}
    assert {path: r.status_code for path, r in first.items()} == dict.fromkeys(PAGES, 200)
    keys = redis.Redis.from_url(redis_cache.url).keys("*")
    assert keys, "the pages were not cached in Redis"
    redis_cache.stop()
    caching.cache._down_until = 0.0  # as if the last failure were long ago
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="indicators.caching"):
        again = {path: client.get(path) for path in PAGES}

    assert {path: r.status_code for path, r in again.items()} == dict.fromkeys(PAGES, 200)
    for path in PAGES:
        assert again[path].content == first[path].content, path
    assert time.monotonic() - started < 10
    warnings = [r.getMessage() for r in caplog.records if r.name == "indicators.caching"]
    assert warnings and "Cache unavailable, serving from the database" in warnings[0]
    assert "Connection refused" in warnings[0] or "Error 111" in warnings[0]
    # One warning, then the cache is left alone for a while instead of failing on every call.
    assert len(warnings) == 1


@pytest.fixture
def celery_on_stopped_redis(own_redis):
    """The project's Celery app sending to a Redis that has been stopped."""
    from tests.indicators.test_celery_refresh import _drop_connections

    changed = {"broker_url": own_redis.url, "task_always_eager": False}
    saved = {name: celery_app.conf[name] for name in changed}
    celery_app.conf.update(changed)
    _drop_connections()
    own_redis.stop()
    try:
        yield own_redis
    finally:
        celery_app.conf.update(saved)
        _drop_connections()


@pytest.mark.django_db
def test_a_refresh_that_cannot_be_queued_says_so_and_fails_the_command(celery_on_stopped_redis):
    out = io.StringIO()
    started = time.monotonic()

    with pytest.raises(CommandError) as failure:
        call_command("refresh_fingertips", "--queue", stdout=out)

    assert failure.value.returncode == 1
    message = str(failure.value)
    assert message.startswith("the refresh was not queued: the task broker ")
    assert f"127.0.0.1:{celery_on_stopped_redis.port}" in message
    assert "Connection refused" in message or "Error 111" in message
    assert "nothing was refreshed" in message
    assert out.getvalue() == ""  # no task id is printed for a task that was never sent
    assert ImportRun.objects.count() == 0
    assert time.monotonic() - started < 30


def test_the_queue_command_run_as_a_process_prints_the_reason(own_redis):
    own_redis.stop()
    env = app_env(CELERY_BROKER_URL=own_redis.url, DATABASE_URL="sqlite:///:memory:")

    done = manage("refresh_fingertips", "--queue", env=env, timeout=60)

    assert done.returncode == 1
    assert done.stdout == ""
    assert "CommandError: the refresh was not queued: the task broker" in done.stderr
    assert f"127.0.0.1:{own_redis.port}" in done.stderr
    assert "Traceback" not in done.stderr


# ---------------------------------------------------------------------------------------------
# PostgreSQL restarted in the middle of an import
# ---------------------------------------------------------------------------------------------


def table_state(conn) -> dict[str, object]:
    """Every table the importer writes, as counts and the observations' values."""
    with conn.cursor() as cursor:
        state: dict[str, object] = {}
        for table in ("indicators_area", "indicators_indicator", "indicators_observation"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            state[table] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT id, value, lower_ci_95, upper_ci_95, count, denominator, import_run_id "
            "FROM indicators_observation ORDER BY id"
        )
        state["observations"] = cursor.fetchall()
        cursor.execute("SELECT scope, number FROM indicators_dataversion ORDER BY 1")
        state["versions"] = cursor.fetchall()
    return state


def import_runs(conn) -> list[tuple]:
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT id, source, status, error, owner FROM indicators_importrun ORDER BY id"
        )
        return cursor.fetchall()


def hold_data_versions(conn) -> None:
    """Block every writer of the data versions, which an import writes as its last step.

    An import that reaches that step has written its observations in its open transaction and
    waits there: a fault made then happens in the middle of the import, every time.
    """
    with conn.cursor() as cursor:
        cursor.execute("LOCK TABLE indicators_dataversion IN EXCLUSIVE MODE")


def importer_waiting_with_rows_written(conn) -> int | None:
    """The backend of an import blocked at the data versions after writing observations."""
    with conn.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.pid FROM pg_stat_activity a
            WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
              AND a.wait_event_type = 'Lock' AND a.query ILIKE '%%indicators_dataversion%%'
              AND EXISTS (
                SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                WHERE l.pid = a.pid AND c.relname = 'indicators_observation'
                  AND l.mode = 'RowExclusiveLock' AND l.granted)
            """
        )
        row = cursor.fetchone()
    return row[0] if row else None


# What psycopg2 says when the server goes away: at the next statement, or at reconnecting.
SERVER_GONE = (
    "terminating connection due to administrator command",
    "server closed the connection unexpectedly",
    "the database system is shutting down",
)


def rows_in_file(path) -> int:
    return sum(1 for _ in csv.reader(io.StringIO(path.read_text("utf-8-sig"), newline=""))) - 1


def test_a_database_restart_mid_import_fails_the_import_and_writes_nothing(own_postgres, fault_db):
    env = app_env(DATABASE_URL=own_postgres.url(fault_db))
    watcher = own_postgres.connect(fault_db)
    before = table_state(watcher)
    runs_before = import_runs(watcher)
    blocker = own_postgres.connect(fault_db, autocommit=False)
    hold_data_versions(blocker)

    importer = manage_in_background(env, "import_fingertips", str(LARGE_EXPORT))
    try:
        backend = wait_for(
            lambda: importer_waiting_with_rows_written(watcher), 120, "the import to write rows"
        )
        assert importer.poll() is None
        running = [r for r in import_runs(watcher) if r not in runs_before]
        assert [(r[1], r[2]) for r in running] == [("file", "running")]

        own_postgres.restart()  # fast shutdown: every session is cut, the open transaction lost

        _, stderr = importer.communicate(timeout=60)
    finally:
        if importer.poll() is None:
            importer.kill()
        blocker.close()
    assert backend
    assert importer.returncode == 1, stderr
    assert "django.db.utils.OperationalError" in stderr, stderr

    watcher = own_postgres.connect(fault_db)
    assert table_state(watcher) == before
    (run,) = [r for r in import_runs(watcher) if r not in runs_before and r[0] == running[0][0]]
    # The importer saves its run as failed on a new connection once the server is back; if the
    # server took longer than the importer waits, the next run closes it instead (below).
    closed_by_importer = run[2] == "failed"
    if closed_by_importer:
        assert run[3].startswith("OperationalError: ")
        assert any(lost in run[3] for lost in SERVER_GONE), run[3]
    else:
        assert run[2] == "running"

    again = manage("import_fingertips", str(LARGE_EXPORT), env=env, timeout=300)

    assert again.returncode == 0, again.stderr
    result = json.loads(again.stdout.splitlines()[-1])
    assert result["status"] == "ok"
    assert result["rows"] == rows_in_file(LARGE_EXPORT)
    after = table_state(watcher)
    assert after["indicators_observation"] == before["indicators_observation"] + result["created"]
    assert result["created"] > 0
    new_runs = [r for r in import_runs(watcher) if r not in runs_before]
    assert [r[2] for r in new_runs] == ["failed", "succeeded"]
    if not closed_by_importer:
        assert new_runs[0][3] == runs.STOPPED + "; nothing it read was saved"
    watcher.close()


def manage_in_background(env, *args):
    return subprocess.Popen(
        [sys.executable, MANAGE, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# ---------------------------------------------------------------------------------------------
# A Celery worker killed in the middle of a refresh
# ---------------------------------------------------------------------------------------------


def test_a_worker_killed_mid_refresh_changes_nothing_and_the_next_worker_succeeds(
    own_postgres, fault_db, own_redis, workers, httpserver
):
    base_url = serve(httpserver, districts=next_release(DISTRICTS), counties=next_release(COUNTIES))
    env = app_env(
        DATABASE_URL=own_postgres.url(fault_db),
        CELERY_BROKER_URL=own_redis.url,
        FINGERTIPS_TIMEOUT_SECONDS="10",
        FINGERTIPS_RETRIES="1",
        FINGERTIPS_BACKOFF_SECONDS="0.1",
    )
    watcher = own_postgres.connect(fault_db)
    before = table_state(watcher)
    runs_before = import_runs(watcher)
    blocker = own_postgres.connect(fault_db, autocommit=False)
    hold_data_versions(blocker)
    first = workers.start(env)

    queued = manage("refresh_fingertips", "--queue", "--base-url", base_url, env=env, timeout=60)
    assert queued.returncode == 0, queued.stderr
    assert "queued" in json.loads(queued.stdout)

    backend = wait_for(
        lambda: importer_waiting_with_rows_written(watcher), 120, "the worker to write rows"
    )
    (killed_run,) = [r for r in import_runs(watcher) if r not in runs_before]
    assert killed_run[1:3] == ("api", "running")
    _, _, pid = killed_run[4].rpartition(":")
    assert int(pid) != first.pid  # the pool's process ran it, not the worker's main process

    workers.kill(first)
    # The dead worker's session takes the lock, finds its client gone and rolls back.
    blocker.rollback()
    wait_for(lambda: not backend_alive(watcher, backend), 30, "the killed worker's session to end")

    assert table_state(watcher) == before
    assert import_runs(watcher)[-1][2] == "running"  # nobody was left to close it
    blocker.close()

    workers.start(env)
    queued = manage("refresh_fingertips", "--queue", "--base-url", base_url, env=env, timeout=60)
    assert queued.returncode == 0, queued.stderr

    def finished_runs():
        new = [r for r in import_runs(watcher) if r not in runs_before and r[0] != killed_run[0]]
        return new if new and all(r[2] != "running" for r in new) else None

    new_runs = wait_for(finished_runs, 120, "the new worker's refresh", interval=0.2)
    assert [r[2] for r in new_runs][-1] == "succeeded", new_runs
    closed = next(r for r in import_runs(watcher) if r[0] == killed_run[0])
    assert closed[2] == "failed"
    assert closed[3] == runs.STOPPED + "; nothing it read was saved"
    after = table_state(watcher)
    assert after["indicators_observation"] == before["indicators_observation"]
    assert after["observations"] != before["observations"]  # the new release's values landed
    assert len(calls(httpserver)) >= 4  # both calls by the killed worker, both by the new one
    watcher.close()


def backend_alive(conn, pid: int) -> bool:
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


# ---------------------------------------------------------------------------------------------
# Stale runs on SQLite and for runs of another host
# ---------------------------------------------------------------------------------------------


def dead_owner() -> str:
    """An import run's owner (this host, a process id) whose process has ended."""
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    return f"{runs.owner().rpartition(':')[0]}:{dead.stdout.strip()}"


@pytest.mark.django_db
def test_a_run_of_a_live_process_is_left_alone_and_one_of_a_dead_process_is_closed(snapshot):
    alive = ImportRun.objects.create(source="file", location="alive.csv", owner=runs.owner())
    runs.hold(alive)
    gone = ImportRun.objects.create(source="file", location="gone.csv", owner=dead_owner())

    closed = runs.close_stale_runs()

    alive.refresh_from_db()
    gone.refresh_from_db()
    assert alive.status == "running"
    assert closed == [gone.pk]  # SQLite: by the process id; PostgreSQL: by the advisory lock
    assert gone.status == "failed"
    assert gone.error.startswith(runs.STOPPED)
    assert Observation.objects.count() > 0
    runs.release(alive)


@pytest.mark.django_db
def test_the_data_page_shows_a_run_whose_worker_stopped_as_failed(client, snapshot):
    gone = ImportRun.objects.create(source="file", location="gone.csv", owner=dead_owner())
    html = client.get("/data/").content.decode()
    gone.refresh_from_db()
    assert gone.status == "failed"
    assert runs.STOPPED in html
