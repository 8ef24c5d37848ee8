"""The email server, from EMAIL_URL or the separate EMAIL_* variables.

EMAIL_URL names the server in one value: smtp://HOST:PORT, smtp+tls:// (STARTTLS) or smtp+ssl://
(TLS from the start), with USER:PASSWORD@ before the host (percent-encoded; or the password apart,
in EMAIL_HOST_PASSWORD or EMAIL_HOST_PASSWORD_FILE), or consolemail:// to print emails instead
(development). Without EMAIL_URL the separate EMAIL_* variables are read, as before; an empty one
means its default.
"""

import os
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from imr_dashboard.settings_parts.environment import env, secret

EMAIL_SERVER_VARIABLES = (
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
)
# The schemes EMAIL_URL may use, and the port each means when the URL names none.
EMAIL_URL_PORTS = {"smtp": 25, "smtp+tls": 587, "smtp+ssl": 465, "consolemail": None}


@dataclass(frozen=True)
class EmailServer:
    backend: str
    host: str
    port: int
    user: str
    password: str
    use_tls: bool
    use_ssl: bool


def email_server() -> EmailServer:
    """The server from EMAIL_URL (kept out of the settings: it holds the password), else from
    the EMAIL_* variables; TLS and SSL are not both asked for."""
    url = env.str("EMAIL_URL", default="")
    variables_set = [name for name in EMAIL_SERVER_VARIABLES if os.environ.get(name, "").strip()]
    server = _from_url(url, variables_set) if url else _from_variables(variables_set)
    if server.use_tls and server.use_ssl:
        raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
    return server


def _from_url(url: str, variables_set: list[str]) -> EmailServer:
    if clash := [name for name in variables_set if name != "EMAIL_HOST_PASSWORD"]:
        raise ImproperlyConfigured(
            f"EMAIL_URL gives the whole email server, so leave {', '.join(clash)} "
            "empty or unset (or remove EMAIL_URL and use them alone)."
        )
    scheme = url.partition("://")[0].lower()
    if scheme not in EMAIL_URL_PORTS:
        raise ImproperlyConfigured(
            "EMAIL_URL must start with smtp://, smtp+tls://, smtp+ssl:// or consolemail://, "
            f"not {scheme[:20]!r}."
        )
    try:
        parsed = env.email_url("EMAIL_URL")
    except ValueError as exc:  # e.g. a port that is not a number; the URL itself is not shown
        raise ImproperlyConfigured(f"EMAIL_URL cannot be read: {exc}") from None
    password = parsed["EMAIL_HOST_PASSWORD"] or ""
    if password_apart := secret("EMAIL_HOST_PASSWORD"):
        if password:
            raise ImproperlyConfigured(
                "EMAIL_URL holds a password and EMAIL_HOST_PASSWORD (or _FILE) is set too: "
                "keep one of the two."
            )
        password = password_apart
    server = EmailServer(
        backend=parsed["EMAIL_BACKEND"],
        host=parsed["EMAIL_HOST"] or "",
        port=parsed["EMAIL_PORT"] or EMAIL_URL_PORTS[scheme] or 25,
        user=parsed["EMAIL_HOST_USER"] or "",
        password=password,
        use_tls=bool(parsed.get("EMAIL_USE_TLS")),
        use_ssl=bool(parsed.get("EMAIL_USE_SSL")),
    )
    if scheme != "consolemail" and not server.host:
        raise ImproperlyConfigured("EMAIL_URL names no host, e.g. smtp+tls://mail.example.org:587")
    return server


def _from_variables(variables_set: list[str]) -> EmailServer:
    return EmailServer(
        backend=env.str("EMAIL_BACKEND", default="")
        or "django.core.mail.backends.console.EmailBackend",
        host=env.str("EMAIL_HOST", default="") or "localhost",
        port=env.int("EMAIL_PORT") if "EMAIL_PORT" in variables_set else 25,
        user=env.str("EMAIL_HOST_USER", default=""),
        password=secret("EMAIL_HOST_PASSWORD"),
        use_tls=env.bool("EMAIL_USE_TLS", default=False),
        use_ssl=env.bool("EMAIL_USE_SSL", default=False),
    )
