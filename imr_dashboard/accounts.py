"""The accounts pages: sign-in, password change and self-service password reset.

Reset sends a one-use link by email, so it is on only when email goes to an SMTP server
(`imr_dashboard.mail.smtp_configured`): a link printed to a console or a log would let anyone who
reads the logs take over any account. Otherwise every reset page says who resets passwords and
offers no form. Requests are throttled per client address and per email address; a throttled
request gets the same "check your email" page as any other, so the page never tells whether an
account exists, and nothing more is sent.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.utils.decorators import method_decorator

from alerts.mail import PasswordResetForm as RecordedPasswordResetForm
from imr_dashboard.mail import smtp_configured
from imr_dashboard.security import client_ip
from indicators.configuration import areas_config

logger = logging.getLogger(__name__)


def password_reset(request: HttpRequest) -> dict:
    """Context for every page: whether self-service reset is on, and who resets passwords."""
    return {
        "password_reset_enabled": smtp_configured(),
        "password_reset_contact": settings.PASSWORD_RESET_CONTACT,
    }


def reset_unavailable(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/password_reset_unavailable.html")


# --- Throttle


def _count(key: str, window_seconds: int) -> int:
    """One more request under `key` in the current window (which starts with the first)."""
    for _ in range(2):
        cache.add(key, 0, timeout=window_seconds)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr: start a new window
            continue
    raise RuntimeError(f"cannot count {key}")


def _account_key(email: str) -> str:
    # As PasswordResetForm matches addresses: case-insensitively, after Unicode normalisation.
    # Hashed: the cache holds no one's address.
    normalised = unicodedata.normalize("NFKC", email).casefold().strip()
    return hashlib.sha256(normalised.encode()).hexdigest()


def reset_allowed(request: HttpRequest, email: str) -> bool:
    """Count the request for its client address and its email address; False beyond a limit.

    Every request counts, even a throttled one, so a client that keeps asking stays throttled
    until the window ends. A cache that fails refuses the request: sending a reset link
    unthrottled is worse than sending none for a while.
    """
    window = settings.PASSWORD_RESET_WINDOW_MINUTES * 60
    address = client_ip(request) or "unknown"
    try:
        by_address = _count(f"password-reset:address:{address}", window)
        by_account = _count(f"password-reset:account:{_account_key(email)}", window)
    except Exception as exc:
        logger.warning("Password reset refused: the request could not be counted (%s)", exc)
        return False
    if by_address > settings.PASSWORD_RESET_LIMIT_PER_ADDRESS:
        logger.warning("Password reset throttled: too many requests from %s", address)
        return False
    if by_account > settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT:
        logger.warning("Password reset throttled: too many requests for one email address")
        return False
    return True


# --- Views


@method_decorator(login_not_required, name="dispatch")
class OnlyWithEmail:
    """A reset page that, without an SMTP server, is the "reset is not available" page."""

    def dispatch(self, request, *args, **kwargs):
        if not smtp_configured():
            return reset_unavailable(request)
        return super().dispatch(request, *args, **kwargs)


class PasswordResetView(OnlyWithEmail, auth_views.PasswordResetView):
    form_class = RecordedPasswordResetForm  # a link that cannot be sent is shown to admins
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        if not reset_allowed(self.request, form.cleaned_data["email"]):
            return HttpResponseRedirect(self.get_success_url())
        # Links are built from SITE_URL, never from the request's Host header.
        self.extra_email_context = {
            "site_url": settings.SITE_URL,
            "county_name": areas_config().name,
        }
        return super().form_valid(form)


class PasswordResetDoneView(OnlyWithEmail, auth_views.PasswordResetDoneView):
    pass


class PasswordResetConfirmView(OnlyWithEmail, auth_views.PasswordResetConfirmView):
    pass


class PasswordResetCompleteView(OnlyWithEmail, auth_views.PasswordResetCompleteView):
    pass


# The routes and names of django.contrib.auth.urls, with the reset views above.
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("password_reset/done/", PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
