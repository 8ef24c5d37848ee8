"""Whether the site can send email, and so what it may send: read from the settings in force."""

from __future__ import annotations

from django.conf import settings

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"

NOT_CONFIGURED = (
    "Email is not configured (set EMAIL_URL to the SMTP server, docs/OPERATIONS.md), "
    "so no reminder was sent or recorded."
)


def smtp_configured() -> bool:
    """Email leaves the site through an SMTP server: the SMTP backend and a host to send to."""
    return settings.EMAIL_BACKEND == SMTP_BACKEND and bool(settings.EMAIL_HOST)


def reminders_withheld() -> str | None:
    """Why the owners' reminders must not be sent now, or None when they may be.

    In production (DEBUG off) an email printed to the console, or handed to an SMTP backend with
    no server, never reaches the owner, yet would be recorded as sent and so never sent again.
    In development the console backend prints them, as a way to read them. Any other backend
    (the tests' in-memory one, a file) is the operator's deliberate choice.
    """
    if settings.DEBUG or smtp_configured():
        return None
    if settings.EMAIL_BACKEND in (CONSOLE_BACKEND, SMTP_BACKEND):
        return NOT_CONFIGURED
    return None
