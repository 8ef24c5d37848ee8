"""Two-factor sign-in in a real browser: the QR code draws under the Content Security Policy."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

# The CSP test's fixtures (violations, policies), used here by name.
from tests.e2e.test_csp import PASSWORD, assert_enforced, policies, violations  # noqa: F401

pytestmark = pytest.mark.e2e


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_setup_and_code_pages_load_without_a_violation(
    site,
    page,
    problems,
    violations,  # noqa: F811
    policies,  # noqa: F811
):
    User.objects.create_user("alice", password=PASSWORD)
    page.goto(f"{site}/accounts/login/?next=/accounts/two-factor/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site}/accounts/two-factor/")
    qr = page.locator("[data-testid=qr-code] svg")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] > 150  # large enough for a phone's camera

    device = TOTPDevice.objects.get(user__username="alice")
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.wait_for_url(f"{site}/plan/")

    # Signed in again, the password leads to the code page, and nothing else opens.
    page.get_by_test_id("sign-out").click()
    # Signing out lands on the overview: let it load before going on, or the next goto aborts it.
    page.wait_for_url(f"{site}/")
    page.wait_for_load_state("load")
    page.goto(f"{site}/accounts/login/?next=/accounts/password_change/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Enter the code from your authenticator app")
    assert "/accounts/two-factor/verify/" in page.url

    assert violations == []
    # /plan/ answers 403 to alice, who has no plan role: the one expected problem.
    assert [p for p in problems if "HTTP 403" not in p and "status of 403" not in p] == []
    assert_enforced(policies)
