"""The page cache is bounded and evicts; the broker never evicts: two Redis servers, as shipped.

Memory limits and eviction are set per Redis instance, not per database, so the cache has an
instance of its own. Both real `redis-server` processes here are started with the very files the
deployment mounts (deploy/redis-cache.conf, deploy/redis-broker.conf, included as
docker-compose.yml includes them); only the cache's size is made smaller, so that filling it
takes a moment. The cache is filled through Django's cache, as pages fill it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import redis
import yaml
from django.conf import settings

from imr_dashboard.celery import app
from tests.conftest import _free_port
from tests.indicators.test_celery_refresh import _drop_connections

DEPLOY = settings.BASE_DIR / "deploy"
CACHE_CONF = DEPLOY / "redis-cache.conf"
BROKER_CONF = DEPLOY / "redis-broker.conf"
COMPOSE = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text(encoding="utf-8"))
TASK = "indicators.tasks.refresh_fingertips"
TEST_MAXMEMORY = 8 * 1024 * 1024  # the shipped limit is hundreds of MB; the policy is the same
PAGE_BYTES = 83_000  # a whole indicator page, as cached


def directives(path: Path) -> dict[str, str]:
    """A Redis config file's directives, as redis-server reads them (later lines win)."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition(" ")
            found[name.lower()] = value.strip()
    return found


def megabytes(value: str) -> int:
    units = {"kb": 1024, "mb": 1024**2, "gb": 1024**3, "k": 1000, "m": 1000**2, "g": 1000**3}
    for unit, factor in units.items():
        if value.lower().endswith(unit):
            return int(value[: -len(unit)]) * factor // 1024**2
    return int(value) // 1024**2


class Server:
    """A redis-server of this test's own, started with a shipped config file included."""

    def __init__(self, conf: Path, directory: Path, *overrides: str):
        self.port = _free_port()
        command = [shutil.which("redis-server"), "--port", str(self.port)]
        command += ["--bind", "127.0.0.1", "--dir", str(directory), "--appendonly", "no"]
        self.process = subprocess.Popen(
            [*command, "--include", str(conf), *overrides], stdout=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while not self._answers():
            assert self.process.poll() is None, f"redis-server would not start with {conf.name}"
            assert time.monotonic() < deadline, f"redis-server with {conf.name} did not start"
            time.sleep(0.05)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.client = redis.Redis.from_url(self.url)

    def _answers(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            return True
        except OSError:
            return False

    def setting(self, name: str) -> str:
        return self.client.config_get(name)[name]

    def stop(self) -> None:
        self.client.close()
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def servers(tmp_path):
    """The broker and the cache as shipped: each its own redis-server."""
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server")
    (tmp_path / "broker").mkdir()
    (tmp_path / "cache").mkdir()
    broker = Server(BROKER_CONF, tmp_path / "broker")
    try:
        cache = Server(CACHE_CONF, tmp_path / "cache", "--maxmemory", str(TEST_MAXMEMORY))
    except BaseException:
        broker.stop()
        raise
    try:
        yield broker, cache
    finally:
        cache.stop()
        broker.stop()


@pytest.fixture
def celery_on(request):
    """The project's Celery app sending to a given broker, on a queue of the test's own."""
    saved = {}

    def point_at(url: str) -> str:
        queue = f"imr-test-{uuid.uuid4().hex[:12]}"
        changed = {"broker_url": url, "task_always_eager": False, "task_default_queue": queue}
        saved.update({name: app.conf[name] for name in changed if name not in saved})
        app.conf.update(changed)
        _drop_connections()
        return queue

    yield point_at
    if saved:
        app.conf.update(saved)
        _drop_connections()


def redis_cache(url: str) -> dict:
    """The settings' Redis cache (imr_dashboard/settings.py) at this server."""
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


def fill(count: int) -> list[str]:
    """Write `count` page-sized, incompressible entries through Django's cache."""
    from django.core.cache import cache

    keys = []
    for i in range(count):
        key = f"response:fill-{i}"
        cache.set(key, os.urandom(PAGE_BYTES), timeout=3600)  # raises if Redis refuses it
        keys.append(key)
    return keys


def queued(broker: Server, queue: str) -> list[str]:
    return [json.loads(m)["headers"]["task"] for m in broker.client.lrange(queue, 0, -1)]


# --- What is shipped ----------------------------------------------------------------------------


def test_the_shipped_cache_is_bounded_and_evicts_and_the_broker_never_evicts():
    cache, broker = directives(CACHE_CONF), directives(BROKER_CONF)
    assert 64 <= megabytes(cache["maxmemory"]) <= 4096
    assert cache["maxmemory-policy"] == "allkeys-lru"
    assert broker["maxmemory-policy"] == "noeviction"


def test_compose_runs_the_cache_and_the_broker_on_separate_redis_with_the_shipped_files():
    services = COMPOSE["services"]
    for service, conf in (("cache", CACHE_CONF), ("redis", BROKER_CONF)):
        mounts = [v.split(":") for v in services[service]["volumes"] if isinstance(v, str)]
        (target,) = [m[1] for m in mounts if m[0] == f"./deploy/{conf.name}"]
        assert f"--include {target}" in " ".join(services[service]["command"]), service
    environment = COMPOSE["x-app"]["environment"]
    assert "@cache:6379/" in environment["REDIS_URL"]
    assert "@redis:6379/" in environment["CELERY_BROKER_URL"]


# --- As they run --------------------------------------------------------------------------------


def test_filling_the_cache_past_its_limit_evicts_old_pages_and_never_touches_a_queued_task(
    servers, celery_on, settings
):
    broker, cache = servers
    assert cache.setting("maxmemory-policy") == directives(CACHE_CONF)["maxmemory-policy"]
    assert broker.setting("maxmemory-policy") == "noeviction"
    queue = celery_on(broker.url)
    app.send_task(TASK)
    assert queued(broker, queue) == [TASK]
    settings.CACHES = redis_cache(cache.url)
    from django.core.cache import cache as django_cache

    # Four times what the cache may hold: every write is taken, the oldest pages give way.
    keys = fill(4 * TEST_MAXMEMORY // PAGE_BYTES)

    stats = cache.client.info()
    assert stats["evicted_keys"] > 0
    assert stats["used_memory"] <= TEST_MAXMEMORY + 2 * PAGE_BYTES
    assert cache.client.dbsize() < len(keys)
    assert django_cache.get(keys[-1]) is not None  # the page written last is kept
    assert django_cache.get(keys[0]) is None  # the first has gone
    # The broker lost nothing and still takes tasks.
    assert broker.client.info()["evicted_keys"] == 0
    assert queued(broker, queue) == [TASK]
    app.send_task(TASK)
    assert queued(broker, queue) == [TASK, TASK]


def test_on_one_shared_instance_the_same_fill_would_evict_the_queued_task(
    servers, celery_on, settings
):
    """Why the cache has its own instance: the cache's policy applies to every key of a server."""
    _broker, shared = servers
    queue = celery_on(shared.url.replace("/0", "/1"))  # the broker in another database
    app.send_task(TASK)
    assert queued(shared, queue) == []  # db 0's client does not see db 1
    in_db1 = redis.Redis.from_url(shared.url.replace("/0", "/1"))
    assert in_db1.llen(queue) == 1
    settings.CACHES = redis_cache(shared.url)

    fill(10 * TEST_MAXMEMORY // PAGE_BYTES)

    assert in_db1.llen(queue) == 0, "the queued task survived; the test no longer shows the risk"
    in_db1.close()


def test_the_deploy_check_warns_when_the_cache_and_the_broker_name_one_server(settings):
    from imr_dashboard.checks import check_cache_is_not_the_broker

    settings.CELERY_BROKER_URL = "redis://:secret@redis:6379/0"
    settings.REDIS_URL = "redis://:secret@redis:6379/1"
    assert [w.id for w in check_cache_is_not_the_broker(None)] == ["imr.W001"]
    settings.REDIS_URL = "redis://:secret@cache:6379/0"
    assert check_cache_is_not_the_broker(None) == []
