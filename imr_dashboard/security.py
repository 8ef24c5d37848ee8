"""The client's address for sign-in lockouts, trusting only the proxies the site says it has."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the outermost one saw.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so
    the client is the entry that many places from the right; anything further left was written by
    the client and is ignored. With too few entries the request did not come through the proxies,
    and REMOTE_ADDR is used.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def attempted_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username a sign-in tried, cut to the longest a user can have.

    Lockouts record it in a column of 255 characters; a longer one posted to the sign-in form
    must be a failed attempt, not a server error.
    """
    data = credentials if credentials else getattr(request, "data", request.POST)
    username = data.get(settings.AXES_USERNAME_FORM_FIELD)
    return username[:150] if isinstance(username, str) else username
