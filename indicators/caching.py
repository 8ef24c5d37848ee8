"""Caching by data version: what an import changes is rebuilt, everything else is served."""

from __future__ import annotations

import functools
import hashlib

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from indicators.models import DataVersion

CACHE_SECONDS = 24 * 60 * 60


def cached(parts: tuple, build):
    """Build once per data version: a refresh that changes figures changes the key."""
    key = "page:" + ":".join(str(p) for p in (DataVersion.current(), *parts))
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=CACHE_SECONDS)
    return value


# The query parameters that change what a cached page shows; any other is ignored, so made-up
# parameters cannot fill the cache.
PAGE_PARAMETERS = ("period", "benchmark", "area", "indicator", "level", "format", "limit", "offset")


def cached_page(view):
    """Serve a whole public page from the cache until an import changes the data."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "GET":
            return view(request, *args, **kwargs)
        chosen = tuple((name, request.GET.get(name, "")[:40]) for name in PAGE_PARAMETERS)
        key = (
            "response:"
            + hashlib.sha256(
                repr((DataVersion.current(), request.path, chosen)).encode()
            ).hexdigest()
        )
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            # Only plain successful pages: nothing personal, nothing that sets a cookie.
            if response.status_code == 200 and not response.cookies:
                if hasattr(response, "render") and callable(response.render):
                    response.render()
                cache.set(key, response, timeout=CACHE_SECONDS)
        return response

    return wrapper
