"""Who is running an import, and closing runs whose process stopped before it could say so.

A run is recorded as `running` before any data is read, and closed as it ends. A process killed
during an import (a worker stopped with SIGKILL, a machine restarted) or a database connection
lost mid-import cannot close its own run. So each run records its owner (host and process id) and,
on PostgreSQL, holds an advisory lock on its id for as long as its database session lives. Every
new run first closes the runs whose owner is gone: on PostgreSQL, a run whose lock is free; on
SQLite, a run of this host whose process no longer exists. A run of another host that cannot be
checked is closed once it is older than any import could take.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import DatabaseError, connection
from django.utils import timezone

from indicators.models import ImportRun

logger = logging.getLogger(__name__)

#: The first key of every import run's advisory lock ("IMR" in ASCII); the second is the run id.
LOCK_NAMESPACE = 0x494D52
#: No import or refresh takes this long; a run of another host older than this is over.
STALE_AFTER = timedelta(hours=6)
STOPPED = "the worker stopped during the run (its process or database connection ended)"
#: The second key of the lock a refresh holds from start to end: -1, never a run's (0 and up).
ONE_REFRESH_KEY = -1
# Runs this process holds the lock of (a session's advisory locks are re-entrant to itself).
_held: set[int] = set()


def owner() -> str:
    """This process, as recorded on a run: host name and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def hold(run: ImportRun) -> None:
    """Take the run's lock for the life of this database session (PostgreSQL only)."""
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_NAMESPACE, _key(run.pk)])
        _held.add(run.pk)


def release(run: ImportRun) -> None:
    if _postgres() and run.pk in _held:
        _held.discard(run.pk)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, _key(run.pk)])


@contextmanager
def one_refresh_at_a_time() -> Iterator[None]:
    """Hold the refresh lock (PostgreSQL, session level) for the block: a second refresh waits.

    Two worker copies, a task redelivered while its first delivery still runs, or a refresh
    started by hand beside beat's would otherwise write the same new rows at once, and one of them
    would fail on the unique keys. Waiting, the second finds the first's figures there and
    changes nothing. The lock goes with the session, so a worker killed mid-refresh frees it.
    """
    if not _postgres():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_NAMESPACE, ONE_REFRESH_KEY])
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, ONE_REFRESH_KEY]
                )
        except DatabaseError:
            pass  # the connection was lost, and the lock with it


def _key(pk: int) -> int:
    return pk % 2**31


def close_stale_runs() -> list[int]:
    """Mark failed every running import whose owner has stopped; return their ids."""
    closed = []
    for run in ImportRun.objects.filter(status=ImportRun.Status.RUNNING):
        if _owner_gone(run):
            updated = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.RUNNING).update(
                status=ImportRun.Status.FAILED,
                error=STOPPED + "; nothing it read was saved",
                finished_at=timezone.now(),
            )
            if updated:
                logger.warning("Import run %s marked failed: %s (%s)", run.pk, STOPPED, run.owner)
                closed.append(run.pk)
    return closed


def _owner_gone(run: ImportRun) -> bool:
    if run.pk in _held:
        return False
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, _key(run.pk)])
            free = cursor.fetchone()[0]
            if free:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, _key(run.pk)])
        return free
    host, _, pid = run.owner.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return not _process_exists(int(pid))
    return run.started_at < timezone.now() - STALE_AFTER


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def save_after_failure(run: ImportRun, *, attempts: int = 5, pause: float = 1.0) -> None:
    """Save a failed run even when the failure was the database connection itself.

    A connection lost mid-import (the server restarted) cannot save anything; outside a
    transaction, a new connection can. A few tries span a server restart.
    """
    for attempt in range(attempts):
        try:
            run.save()
        except DatabaseError as exc:
            if connection.in_atomic_block or attempt == attempts - 1:
                logger.error("Import run %s could not be closed: %s", run.pk, exc)
                _held.discard(run.pk)
                return
            _held.discard(run.pk)  # a lost connection took the lock with it
            connection.close()
            time.sleep(pause)
        else:
            try:
                release(run)
            except DatabaseError:
                _held.discard(run.pk)
            return
