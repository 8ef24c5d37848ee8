"""The smoke tests run against a running stack (.ci/smoke starts it); `make test` skips them.

Without SMOKE_PORT (set by .ci/smoke) nothing in this folder is collected. With it, the tests
talk to the running gunicorn over HTTP and read the stack's own database, not a test database.
"""

from __future__ import annotations

import os

import pytest

RUNNING_STACK = bool(os.environ.get("SMOKE_PORT"))
if not RUNNING_STACK:
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The stack's cache is left alone: emptying it would be a test of its own making."""
    yield


@pytest.fixture(scope="session")
def stack_db(django_db_blocker):
    """Reads and writes in the running stack's database (the smoke database, not a test one)."""
    with django_db_blocker.unblock():
        yield
