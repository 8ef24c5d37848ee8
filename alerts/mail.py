"""Sending email in one place, so that a failure to send is recorded and shown to administrators.

Every email the site sends (owners' reminders, password reset links, these alerts) goes through
`sending`: a send that raises (the SMTP server down, refusing, closing the connection, timing
out) raises the `mail` alert, and a send that works clears it. Wrap the send outside any
transaction the failure rolls back (as the reminders do), or the record goes with it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.mail import EmailMultiAlternatives
from django.template import loader

from alerts import alerting
from imr_dashboard.mail import SMTP_BACKEND

logger = logging.getLogger(__name__)

# smtplib's errors, refused and reset connections, timeouts and TLS errors are all OSErrors.
MAIL_ERRORS = (OSError,)


def server() -> str:
    """The mail server as administrators know it (never its password)."""
    if settings.EMAIL_BACKEND == SMTP_BACKEND:
        return f"the SMTP server {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    return f"the email backend {settings.EMAIL_BACKEND}"


@contextmanager
def sending(purpose: str) -> Iterator[None]:
    """Run a send; record a failure (and raise it on) or clear the recorded one."""
    try:
        yield
    except MAIL_ERRORS as exc:
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        logger.error("Email (%s) not sent: %s via %s", purpose, reason, server())
        alerting.record_mail_failure(purpose, reason)
        raise
    else:
        alerting.clear_mail_failure()


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, sending through `sending` (Django's own logs a failure and goes on)."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        message = EmailMultiAlternatives(subject, body, from_email, [to_email])
        if html_email_template_name is not None:
            html = loader.render_to_string(html_email_template_name, context)
            message.attach_alternative(html, "text/html")
        try:
            with sending("password reset link"):
                message.send()
        except MAIL_ERRORS:
            # As Django does: the page must not tell whether an account exists, so it says
            # "check your email" either way; the administrators see the failure instead.
            logger.exception("Failed to send password reset email to %s", context["user"].pk)
