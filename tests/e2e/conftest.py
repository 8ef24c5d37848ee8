"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Chromium comes from the system (CI's .ci/run installs it and exports CHROMIUM_PATH); Playwright's
own browser download is never used. Without Chromium the tests are skipped, unless CHROMIUM_PATH
names a browser that is not there, which fails the run rather than hiding the browser tests.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# pytest-playwright runs an event loop in the test thread; the ORM calls made from it (loading
# the snapshot, building the server's expectations) are synchronous and safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).parent


def chromium_available() -> bool:
    return shutil.which(CHROMIUM) is not None


def pytest_configure(config):
    # pytest-playwright's own `base_url` fixture trips a pytest 9 deprecation; nothing of ours.
    config.addinivalue_line(
        "filterwarnings", "ignore:Session-scoped fixtures defined as instance methods"
    )


def pytest_collection_modifyitems(config, items):
    if chromium_available():
        return
    if os.environ.get("CHROMIUM_PATH"):
        raise pytest.UsageError(f"CHROMIUM_PATH={CHROMIUM} is not an executable browser")
    skip = pytest.mark.skip(reason=f"browser tests need Chromium at {CHROMIUM} (or CHROMIUM_PATH)")
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_FLAGS,
    }


@pytest.fixture
def site(live_server, transactional_db, snapshot):
    """The live server's base URL, with the bundled snapshot loaded as `make run` loads it.

    `live_server` needs a transactional database (the server thread must see committed rows),
    so the snapshot is loaded afresh for each test and flushed after it.
    """
    return live_server.url


@pytest.fixture(autouse=True)
def _fail_fast(page):
    """Ten seconds, not Playwright's thirty, for a chart that never draws or a missing element."""
    page.set_default_timeout(10_000)


class Problems(list):
    """Console errors, page errors, failed requests and 4xx/5xx responses seen by a page."""

    def watch(self, page):
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.append(f"page error: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        return self

    def _console(self, message):
        if message.type == "error":
            self.append(f"console: {message.text} ({message.location})")

    def _failed(self, request):
        self.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def _response(self, response):
        if response.status >= 400:
            self.append(f"HTTP {response.status}: {response.request.method} {response.url}")


@pytest.fixture
def problems(page) -> Problems:
    return Problems().watch(page)
