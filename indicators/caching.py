"""Caching by data version: what an import changes is rebuilt, everything else is served."""

from __future__ import annotations

import functools
import hashlib
import logging
import time

from django.contrib.messages import get_messages
from django.core.cache import cache as _cache
from django.http import HttpRequest, HttpResponse

from indicators.models import DataVersion

CACHE_SECONDS = 24 * 60 * 60
logger = logging.getLogger(__name__)


class _TolerantCache:
    """The cache, but a cache that fails (Redis down) is a miss: pages come from the database.

    After a failure the cache is left alone for a short while, so that a Redis that hangs
    rather than refuses costs one timeout, not one per page.
    """

    RETRY_AFTER_SECONDS = 30.0

    def __init__(self):
        self._down_until = 0.0

    def _call(self, method: str, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return None
        try:
            return getattr(_cache, method)(*args, **kwargs)
        except Exception as exc:
            self._down_until = time.monotonic() + self.RETRY_AFTER_SECONDS
            logger.warning("Cache unavailable, serving from the database: %r", exc)
            return None

    def get(self, key, default=None):
        value = self._call("get", key, default)
        return default if value is None else value

    def set(self, key, value, timeout=None):
        self._call("set", key, value, timeout=timeout)


cache = _TolerantCache()


def _scope(indicator) -> str:
    """The version scope of what one indicator shows; anything else reads every indicator."""
    fingertips_id = _fingertips_id(indicator)
    if fingertips_id is None:
        return DataVersion.ANY_INDICATOR
    return DataVersion.indicator_scope(fingertips_id)


def _fingertips_id(value) -> int | None:
    # Read as the views read it (`<int:...>` in the URL, `str.isdigit` then `int` in the API), so
    # a page is always keyed by the indicator it shows; anything else gets the wider scope.
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        try:
            return int(value)
        except ValueError:
            return None
    return None


def cached(parts: tuple, build, *, indicator: int | None = None):
    """Build once per data version.

    With `indicator` (a Fingertips id) the value is rebuilt only when that indicator's figures
    change; without it, when any indicator's do.
    """
    versions = (f"{name}={number}" for name, number in DataVersion.current(_scope(indicator)))
    key = "page:" + ":".join(str(p) for p in (*versions, *parts))
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=CACHE_SECONDS)
    return value


# The query parameters that change what a cached page shows; any other is ignored, so made-up
# parameters cannot fill the cache.
PAGE_PARAMETERS = ("period", "benchmark", "area", "indicator", "level", "format", "limit", "offset")


def _personal(request: HttpRequest) -> bool:
    """A page that carries something of one person's: their sign-in, or a message left for them."""
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated) or bool(len(get_messages(request)))


def cached_page(view=None, *, indicator=None):
    """Serve a whole public page from the cache until an import changes the data it shows.

    `indicator(request, **kwargs)` names the one indicator (Fingertips id) a page shows, so that
    only a change to that indicator rebuilds it; a page without one is rebuilt by any change.
    The response says `X-Cache: hit` or `miss`.
    """
    if view is None:
        return functools.partial(cached_page, indicator=indicator)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "GET" or _personal(request):
            return view(request, *args, **kwargs)
        # Whole values, and absent told from empty: each answer is keyed by what decides it.
        chosen = tuple((name, request.GET.get(name)) for name in PAGE_PARAMETERS)
        scope = _scope(indicator(request, *args, **kwargs) if indicator else None)
        versions = DataVersion.current(scope)
        key = (
            "response:"
            + hashlib.sha256(repr((versions, request.path, chosen)).encode()).hexdigest()
        )
        response = cache.get(key)
        if response is not None:
            response["X-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        # Only plain successful pages: nothing personal, nothing that sets a cookie.
        if response.status_code == 200 and not response.cookies:
            if hasattr(response, "render") and callable(response.render):
                response.render()
            cache.set(key, response, timeout=CACHE_SECONDS)
        response["X-Cache"] = "miss"
        return response

    return wrapper
