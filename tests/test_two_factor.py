"""Two-factor sign-in for local accounts, with real codes computed from the device's secret.

An account adds an authenticator app on the setup page (secret as text and as an inline SVG QR
code), confirming it with a code. Its password sign-ins, on the site's page or the admin's, are
then held at the code step until a right code is given. `two_factor_required` (for the coming
pages of unsuppressed local data) is checked on a view made only for these tests.
"""

from __future__ import annotations

import base64
import re

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from imr_dashboard import sso
from imr_dashboard.two_factor import two_factor_required
from imr_dashboard.urls import urlpatterns as site_urlpatterns

PASSWORD = "a-long-test-password-9241"


@two_factor_required
def restricted(request):
    return HttpResponse("unsuppressed local figures")


# This module is also the URL configuration of the tests marked below: the site plus one page.
urlpatterns = [path("restricted/", restricted), *site_urlpatterns]
restricted_site = pytest.mark.urls(__name__)


def code_for(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for this device (RFC 6238)."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


def confirmed_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def password_sign_in(client: Client, username: str, next_path: str = "/plan/"):
    return client.post(
        "/accounts/login/", {"username": username, "password": PASSWORD, "next": next_path}
    )


@pytest.fixture
def alice(db) -> User:
    return User.objects.create_user("alice", password=PASSWORD)


def test_setup_shows_the_secret_and_an_inline_qr_code_and_a_code_turns_it_on(alice, client):
    client.force_login(alice)
    page = client.get("/accounts/two-factor/").content.decode()
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    shown = re.search(r'data-testid="totp-secret"><code>([A-Z2-7 ]+)</code>', page).group(1)
    assert shown.replace(" ", "") == secret
    assert re.search(r'data-testid="qr-code"><svg [^>]*xmlns="http://www.w3.org/2000/svg"', page)
    assert "<img" not in page.split('data-testid="qr-code"')[1].split("</div>")[0]
    # A second visit shows the same secret (the app may already hold it).
    client.get("/accounts/two-factor/")
    assert TOTPDevice.objects.get(user=alice).pk == device.pk

    wrong_code = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    wrong = client.post("/accounts/two-factor/", {"code": wrong_code})
    assert wrong.status_code == 200 and "The code is wrong" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()  # a wrong code makes the next wait a second

    response = client.post("/accounts/two-factor/", {"code": code_for(device), "next": "/plan/"})
    assert response.status_code == 302 and response["Location"] == "/plan/"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert "Two-factor sign-in is on" in client.get("/accounts/two-factor/").content.decode()


def test_setup_refuses_a_code_that_is_not_six_digits(alice, client):
    client.force_login(alice)
    client.get("/accounts/two-factor/")
    response = client.post("/accounts/two-factor/", {"code": "12ab56"})
    assert "Enter the 6-digit code" in response.content.decode()


def test_a_password_sign_in_without_an_app_is_not_held(alice, client):
    assert password_sign_in(client, "alice")["Location"] == "/plan/"
    assert client.get("/accounts/password_change/").status_code == 200


def test_a_password_sign_in_with_an_app_is_held_until_the_code(alice, client):
    device = confirmed_device(alice)
    response = password_sign_in(client, "alice", "/accounts/password_change/")
    assert response.status_code == 302
    # Every page sends the held session to the code step, keeping where it was going.
    held = client.get("/accounts/password_change/")
    assert held["Location"] == "/accounts/two-factor/verify/?next=%2Faccounts%2Fpassword_change%2F"
    assert client.get("/")["Location"].startswith("/accounts/two-factor/verify/")

    page = client.get(held["Location"])
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()

    wrong = client.post(
        "/accounts/two-factor/verify/", {"code": "12345", "next": "/accounts/password_change/"}
    )
    assert "Enter the 6-digit code" in wrong.content.decode()
    right = client.post(
        "/accounts/two-factor/verify/",
        {"code": code_for(device), "next": "/accounts/password_change/"},
    )
    assert right["Location"] == "/accounts/password_change/"
    assert client.get("/accounts/password_change/").status_code == 200


def test_the_admin_sign_in_is_held_too(db, client):
    root = User.objects.create_superuser("root", password=PASSWORD)
    confirmed_device(root)
    client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert client.get("/admin/")["Location"].startswith("/accounts/two-factor/verify/")


def test_a_code_works_once(alice):
    device = confirmed_device(alice)
    code = code_for(device)
    first, second = Client(), Client()
    password_sign_in(first, "alice")
    assert first.post("/accounts/two-factor/verify/", {"code": code}).status_code == 302
    password_sign_in(second, "alice")
    replay = second.post("/accounts/two-factor/verify/", {"code": code})
    assert replay.status_code == 200 and "The code is wrong" in replay.content.decode()
    assert second.get("/plan/")["Location"].startswith("/accounts/two-factor/verify/")


def test_a_wrong_code_makes_the_next_try_wait(alice, client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 30  # seconds, doubling with each further failure
    device = confirmed_device(alice)
    password_sign_in(client, "alice")
    right = code_for(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    assert client.post("/accounts/two-factor/verify/", {"code": wrong}).status_code == 200
    # Within the wait even the right code is refused, so codes cannot be tried in bulk.
    assert client.post("/accounts/two-factor/verify/", {"code": right}).status_code == 200
    assert client.get("/plan/")["Location"].startswith("/accounts/two-factor/verify/")
    device.refresh_from_db()
    device.throttle_reset()
    assert client.post("/accounts/two-factor/verify/", {"code": right}).status_code == 302


def test_signing_out_is_possible_while_held(alice, client):
    confirmed_device(alice)
    password_sign_in(client, "alice")
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/plan/")["Location"].startswith("/accounts/login/")


@restricted_site
def test_restricted_page_sends_the_anonymous_to_sign_in(client, db):
    assert client.get("/restricted/")["Location"].startswith("/accounts/login/?next=/restricted/")


@restricted_site
def test_restricted_page_asks_an_account_without_an_app_to_add_one(alice, client):
    client.force_login(alice)
    assert client.get("/restricted/")["Location"] == "/accounts/two-factor/?next=%2Frestricted%2F"


@restricted_site
def test_restricted_page_opens_after_the_code(alice, client):
    device = confirmed_device(alice)
    password_sign_in(client, "alice", "/restricted/")
    assert client.get("/restricted/")["Location"].startswith("/accounts/two-factor/verify/")
    client.post("/accounts/two-factor/verify/", {"code": code_for(device), "next": "/restricted/"})
    assert client.get("/restricted/").content == b"unsuppressed local figures"


@restricted_site
def test_restricted_page_asks_an_unverified_session_for_the_code(alice, client):
    # A session signed in some other way (here directly) with an app, but no code given yet.
    confirmed_device(alice)
    client.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")
    client.session.pop("two_factor_pending", None)
    assert client.get("/restricted/")["Location"].startswith("/accounts/two-factor/verify/")


@restricted_site
def test_restricted_page_trusts_the_providers_second_factor_only_when_asserted(alice, client):
    client.force_login(alice)
    session = client.session
    session[sso.SESSION_MFA] = False
    session.save()
    assert client.get("/restricted/").status_code == 302
    session[sso.SESSION_MFA] = True
    session.save()
    assert client.get("/restricted/").status_code == 200
