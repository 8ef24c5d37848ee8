"""Caching by data version: what an import changes is rebuilt, everything else is served."""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from urllib.parse import urlencode

from django.contrib.messages import get_messages
from django.core.cache import cache as _cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

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


def _versions(indicators) -> tuple[tuple[str, int], ...]:
    """The versions of what a page shows: one indicator (an id), several (a tuple of ids: a
    page that reads other indicators' figures too), or every indicator (None, or an id that
    is not one); in one query."""
    if not isinstance(indicators, tuple):
        return DataVersion.current(_scope(indicators))
    scopes = [_scope(i) for i in dict.fromkeys(indicators)]
    if not scopes or DataVersion.ANY_INDICATOR in scopes:
        return DataVersion.current(DataVersion.ANY_INDICATOR)
    wanted = (DataVersion.ALL, *scopes)
    numbers = dict(DataVersion.objects.filter(scope__in=wanted).values_list("scope", "number"))
    return tuple((name, numbers.get(name, 0)) for name in wanted)


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


def cached(parts: tuple, build, *, indicator: int | None = None, versions=None):
    """Build once per data version.

    With `indicator` (a Fingertips id) the value is rebuilt only when that indicator's figures
    change; without it, when any indicator's do. `versions` (from `DataVersion.current`) saves
    the query when the caller has read them already.
    """
    if versions is None:
        versions = DataVersion.current(_scope(indicator))
    key = "page:" + ":".join(str(p) for p in (*(f"{n}={v}" for n, v in versions), *parts))
    value = cache.get(key)
    if value is None:
        value = build()
        if value is not None:  # a build that found nothing is not kept (ids nobody has)
            cache.set(key, value, timeout=CACHE_SECONDS)
    return value


def _personal(request: HttpRequest) -> bool:
    """A page that carries something of one person's: their sign-in, or a message left for them."""
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated) or bool(len(get_messages(request)))


def cached_page(view=None, *, indicator=None, parameters=None):
    """Serve a whole public page from the cache until an import changes the data it shows.

    `indicator(request, **kwargs)` names the one indicator (Fingertips id) a page shows, or a
    tuple of every indicator it reads, so that only a change to those rebuilds it; a page
    without one is rebuilt by any change.

    `parameters(request, versions, **kwargs)` checks the query parameters the page depends on,
    before the cache is read or written, and returns their canonical values (a dict, which keys
    the page), or an answer to give instead (a redirect to the canonical URL, a 400), or None to
    answer from the database without the cache. Only those values key the page: any other
    parameter is ignored, and a value the page does not have never reaches the cache, so made-up
    values cannot fill it. A page without `parameters` depends on no query parameter.
    The response says `X-Cache: hit` or `miss`.
    """
    if view is None:
        return functools.partial(cached_page, indicator=indicator, parameters=parameters)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "GET":
            return view(request, *args, **kwargs)
        versions = _versions(indicator(request, *args, **kwargs) if indicator else None)
        chosen = parameters(request, versions, *args, **kwargs) if parameters else {}
        if isinstance(chosen, HttpResponse):
            return chosen
        if chosen is None or _personal(request):
            return view(request, *args, **kwargs)
        key = (
            "response:"
            + hashlib.sha256(
                repr((versions, request.path, sorted(chosen.items()))).encode()
            ).hexdigest()
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


def canonical_redirect(request: HttpRequest, valid: dict[str, str]) -> HttpResponseRedirect:
    """To the same path with only the parameters that were valid, as they were given."""
    query = urlencode({name: value for name, value in valid.items() if value})
    return HttpResponseRedirect(request.path + (f"?{query}" if query else ""))
