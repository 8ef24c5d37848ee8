"""The refresh task run by a real Celery worker that takes it from a real Redis broker."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid

import kombu.pools
import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.result import AsyncResult, EagerResult
from celery.signals import task_postrun
from django.db import connections

from imr_dashboard.celery import app
from indicators.models import ImportRun, Observation, Origin
from indicators.tasks import refresh_fingertips
from tests.indicators.test_refresh import DATA_PATH, calls, rows_of, serve, stored

TASK = "indicators.tasks.refresh_fingertips"
WAIT_SECONDS = 20


def _drop_connections() -> None:
    """Forget the app's broker connections and routing, so that the next use reads the conf."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.__dict__.pop("amqp", None)
    # kombu keeps one producer pool per broker URL for the whole process: a pool closed here
    # would be handed to the next test that sends to the same Redis. Close and forget them all.
    kombu.pools.reset()


@pytest.fixture
def celery_on_redis(redis_url):
    """The project's Celery app sending to Redis, on a queue of this test's own; then as it was."""
    queue = f"imr-test-{uuid.uuid4().hex[:12]}"
    changed = {
        "broker_url": redis_url,
        "task_always_eager": False,
        "task_default_queue": queue,
        "worker_hijack_root_logger": False,
    }
    saved = {name: app.conf[name] for name in changed}
    app.conf.update(changed)
    _drop_connections()
    client = redis.Redis.from_url(redis_url)
    try:
        yield queue, client
    finally:
        client.delete(queue)
        client.close()
        app.conf.update(saved)
        _drop_connections()


@pytest.fixture
def finished_tasks():
    """Each task the worker finishes, as (task id, state, return value), and an event per finish."""
    finished: list[tuple[str, str, object]] = []
    done = threading.Event()

    def on_postrun(sender=None, task_id=None, state=None, retval=None, **kwargs):
        # Runs in the worker's thread: close its database connection before the test reads on.
        connections.close_all()
        finished.append((task_id, state, retval))
        done.set()

    task_postrun.connect(on_postrun, weak=False)
    try:
        yield finished, done
    finally:
        task_postrun.disconnect(on_postrun)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_takes_the_refresh_from_redis_and_imports_the_files(
    httpserver, fast_refresh, celery_on_redis, finished_tasks
):
    queue, broker = celery_on_redis
    finished, done = finished_tasks
    base_url = serve(httpserver)
    assert app.conf.broker_url.startswith("redis://")
    assert app.connection_for_write().as_uri().startswith("redis://")

    result = refresh_fingertips.delay(base_url)

    # Sent, not run: the message waits in Redis, on the queue's list, until a worker takes it.
    assert isinstance(result, AsyncResult)
    assert not isinstance(result, EagerResult)
    assert broker.llen(queue) == 1
    message = json.loads(broker.lindex(queue, 0))
    assert message["headers"]["task"] == TASK
    assert message["headers"]["id"] == result.id
    assert json.loads(base64.b64decode(message["body"]))[0] == [base_url]
    assert ImportRun.objects.count() == 0
    assert calls(httpserver) == []

    started = time.monotonic()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=WAIT_SECONDS):
        assert done.wait(WAIT_SECONDS), f"the worker did not finish the task in {WAIT_SECONDS} s"
        deadline = started + WAIT_SECONDS
        while ImportRun.objects.filter(status=ImportRun.Status.RUNNING).exists():
            assert time.monotonic() < deadline, "the import run never finished"
            time.sleep(0.1)

    assert broker.llen(queue) == 0
    run = ImportRun.objects.get()
    assert run.source == ImportRun.Source.API
    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    assert finished == [(result.id, "SUCCESS", {"status": "ok", "run_id": run.pk, "error": ""})]
    assert [c["child_area_type_id"] for c in calls(httpserver)] == ["501", "502"]
    assert run.created == Observation.objects.filter(origin=Origin.PUBLISHED).count() > 0
    assert Observation.objects.filter(import_run=run).count() == run.created
    row = rows_of(httpserver.log[0][1].get_data())[0]
    assert stored(row).value == float(row["Value"])
    assert httpserver.log[0][0].path == DATA_PATH
