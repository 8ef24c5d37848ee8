"""Two-factor sign-in for local accounts: an authenticator app's six-digit code (TOTP, django-otp).

Anyone signed in may add an authenticator app (`setup`: the secret as text and as a QR code drawn
inline in SVG, confirmed by a first code). From then on every password sign-in, on the site's page
or the admin's, is held at the code step: the session is signed in but `HoldUntilSecondStep` sends
every request to `verify` until the code is given. django-otp slows down repeated wrong codes.

`two_factor_required` guards the pages that show unsuppressed local data: it lets through a
session verified by a code, or a sign-in through the council's provider whose ID token said a
second factor was used (`amr` holds `mfa`, or OIDC_PROVIDER_ENFORCES_MFA). Anyone else is sent to
give a code, or to add an app first. An administrator resets someone's 2FA by deleting their
device in the admin (docs/OPERATIONS.md).
"""

from __future__ import annotations

import base64
from functools import wraps
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from imr_dashboard import sso

SESSION_PENDING = "two_factor_pending"
DEVICE_NAME = "Authenticator app"


def is_verified(request: HttpRequest) -> bool:
    """Whether this session has shown a second factor: a code, or the provider's word for it."""
    user = request.user
    if not user.is_authenticated:
        return False
    if getattr(user, "is_verified", lambda: False)():
        return True
    return bool(request.session.get(sso.SESSION_MFA))


def two_factor_required(view):
    """Guard a view (pages of unsuppressed local data) with a second factor, as described above."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if is_verified(request):
            return view(request, *args, **kwargs)
        step = "two_factor_verify" if user_has_device(request.user) else "two_factor_setup"
        return HttpResponseRedirect(_with_next(reverse(step), request.get_full_path()))

    return wrapped


@receiver(user_logged_in, dispatch_uid="imr_two_factor_hold")
def hold_password_sign_in(sender, request, user, **kwargs):
    """A password sign-in of an account with an app waits for its code (SSO sign-ins do not)."""
    if request is None or getattr(user, "backend", "") == sso.BACKEND:
        return
    if user_has_device(user) and not getattr(user, "otp_device", None):
        request.session[SESSION_PENDING] = True


class HoldUntilSecondStep:
    """Sends every request of a session held at the code step to the code page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Without a session cookie there is nothing held (and the session is left untouched).
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)
        if request.session.get(SESSION_PENDING) and request.user.is_authenticated:
            if is_verified(request):
                del request.session[SESSION_PENDING]
            elif request.path not in (reverse("two_factor_verify"), reverse("logout")):
                return HttpResponseRedirect(
                    _with_next(reverse("two_factor_verify"), request.get_full_path())
                )
        return self.get_response(request)


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=12,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the 6-digit code from your authenticator app")
        return code


@never_cache
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The code step: after a password sign-in, or before a page that needs a second factor."""
    if not user_has_device(request.user):
        return HttpResponseRedirect(_with_next(reverse("two_factor_setup"), _next_url(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            request.session.pop(SESSION_PENDING, None)
            return HttpResponseRedirect(_next_url(request))
        form.add_error(
            "code",
            "The code is wrong or out of date: enter the code your app shows now "
            "(after several wrong codes, wait a few seconds before the next)",
        )
    return render(
        request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


def qr_svg(text: str) -> str:
    """`text` as a QR code in inline SVG (no image is fetched: the CSP allows none)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=15)
    return image.to_string(encoding="unicode")


@never_cache
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the code (or type the key), then confirm with a code."""
    if user_has_device(request.user):
        return render(request, "registration/two_factor_setup.html", {"already_set_up": True})
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name=DEVICE_NAME, confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, "Two-factor sign-in is on for your account.")
            return HttpResponseRedirect(_next_url(request))
        form.add_error(
            "code", "The code is wrong or out of date: enter the code your app shows now"
        )
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "next": _next_url(request),
            "secret_groups": [key[i : i + 4] for i in range(0, len(key), 4)],
            "qr_svg": qr_svg(device.config_url),
        },
    )


class DeviceAdmin(TOTPDeviceAdmin):
    """Devices in the admin: seen and deleted (a reset), never added: people add their own."""

    def has_add_permission(self, request):
        return False


admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, DeviceAdmin)


urlpatterns = [
    path("two-factor/", setup, name="two_factor_setup"),
    path("two-factor/verify/", verify, name="two_factor_verify"),
]
