"""The environment the settings are read from, and secrets read from NAME or NAME_FILE."""

import os
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()


def secret(name: str) -> str:
    """A secret from the variable NAME, or from the file that NAME_FILE names (Docker secrets).

    Read as it is (django-environ would take a value starting with "$", as one random key in fifty
    does, for the name of another variable); only the file's final line break is dropped.
    """
    path = os.environ.get(f"{name}_FILE", "")
    if not path:
        return os.environ.get(name, "")
    if os.environ.get(name, ""):
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    try:
        value = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise ImproperlyConfigured(f"{name}_FILE: {path} cannot be read ({reason}).") from None
    if not value:
        raise ImproperlyConfigured(f"{name}_FILE: {path} is empty; put {name} in it.")
    return value


def with_redis_password(url: str) -> str:
    """A Redis URL with REDIS_PASSWORD (or REDIS_PASSWORD_FILE) put in, unless it has its own."""
    password = secret("REDIS_PASSWORD")
    parts = urlsplit(url)
    if not url or not password or parts.password is not None or "@" in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=f":{quote(password, safe='')}@{parts.netloc}"))


def secret_key(debug: bool) -> str:
    """SECRET_KEY (or SECRET_KEY_FILE); without one the dashboard starts only with DEBUG on,
    on a key that says it is for development."""
    key = secret("SECRET_KEY")
    if key:
        return key
    if not debug:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off: the dashboard will not start without it. "
            "Set it (or SECRET_KEY_FILE, a file holding it) in the environment or .env to a long "
            "random string, e.g. the output of "
            "python -c 'from django.core.management.utils import get_random_secret_key; "
            "print(get_random_secret_key())'"
        )
    return "insecure-development-key-used-only-with-DEBUG-on"
