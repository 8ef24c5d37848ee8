"""Requests refused before any view reads them."""

from __future__ import annotations

import re

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, get_resolver, resolve

# C0 controls (NUL, tab, line breaks, escape...), DEL and the C1 controls. No address or query
# value of the site holds one; PostgreSQL refuses NUL in text, so a view that looked one up
# would fail with a 500.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MESSAGE = "The address or a parameter holds a control character (such as NUL); remove it."


class RefuseControlCharacters:
    """A control character in the path or in a query parameter's name or value answers 400.

    The API answers in its own way, `{"error": ...}`; every other page with the 400 page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _holds_control_character(request):
            if _in_api(request.path_info):
                return JsonResponse({"error": MESSAGE}, status=400)
            # The site's 400 page, without the traceback a raised BadRequest would log.
            handler = get_resolver().resolve_error_handler(400)
            return handler(request, exception=BadRequest(MESSAGE))
        return self.get_response(request)


def _holds_control_character(request: HttpRequest) -> bool:
    if CONTROL_CHARACTERS.search(request.path_info):
        return True
    return any(
        CONTROL_CHARACTERS.search(name) or any(CONTROL_CHARACTERS.search(v) for v in values)
        for name, values in request.GET.lists()
    )


def _in_api(path: str) -> bool:
    try:
        return resolve(CONTROL_CHARACTERS.sub("", path)).namespace == "api"
    except Resolver404:
        return False
