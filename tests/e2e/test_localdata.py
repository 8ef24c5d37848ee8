"""An analyst uploads local data in a real browser: good and bad files of every template.

Files are synthetic (localdata.synthetic), written to a temporary folder and chosen in the file
input as a person would; the analyst signs in with a password and an authenticator code.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from actionplan import roles
from localdata import synthetic
from localdata.models import BirthsDeathsRow, MeasureRow, ReviewCategoryRow, ReviewFactorRow
from tests.e2e.test_two_factor_pages import current_code

pytestmark = pytest.mark.e2e

PASSWORD = "not-a-real-password-7"
DISTRICTS = [f"E07000{n}" for n in range(117, 129)]
PERIODS = ["2021/22", "2022/23", "2023/24"]
SHOTS = os.environ.get("LOCALDATA_SHOTS")  # a folder: screenshots of the preview when set


@pytest.fixture
def analyst_page(site, page: Page) -> Page:
    user = User.objects.create_user("alice", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=roles.ANALYST)[0])
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    page.goto(f"{site}/accounts/login/?next=/local/upload/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{site}/local/upload/")
    page.site = site
    return page


def send(page: Page, template: str, path: Path) -> None:
    page.goto(f"{page.site}/local/upload/")
    page.locator(f"#template-{template}").check()
    page.locator("#file").set_input_files(str(path))
    page.get_by_role("button", name="Preview").click()
    page.wait_for_url("**/local/upload/*/")


def shot(page: Page, name: str) -> None:
    if not SHOTS:
        return
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}_{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


GOOD = {
    "A": (lambda: synthetic.template_a(DISTRICTS, [2021, 2022, 2023]), BirthsDeathsRow, 360),
    "B1": (lambda: synthetic.template_b1("PAN_LANCS", PERIODS), ReviewCategoryRow, 60),
    "B2": (lambda: synthetic.template_b2("PAN_LANCS", PERIODS), ReviewFactorRow, 42),
    "C": (lambda: synthetic.template_c("E10000017", synthetic.quarters(2021, 12)), MeasureRow, 12),
}


@pytest.mark.parametrize("template", sorted(GOOD))
def test_analyst_uploads_a_good_file_of_each_template(analyst_page, tmp_path, template):
    make, model, rows = GOOD[template]
    path = tmp_path / f"synthetic_{template}.csv"
    path.write_bytes(synthetic.to_csv(template, make()))
    send(analyst_page, template, path)
    expect(analyst_page.get_by_test_id("preview-title")).to_have_text(
        "Preview: nothing is loaded yet"
    )
    expect(analyst_page.get_by_test_id("changes")).to_contain_text(f"{rows} added")
    expect(analyst_page.get_by_test_id("restricted-banner")).to_be_visible()
    if template == "A":
        shot(analyst_page, "upload_preview_good")
    assert model.objects.count() == 0
    analyst_page.get_by_test_id("commit").click()
    analyst_page.wait_for_url("**/local/upload/history/")
    expect(analyst_page.get_by_test_id("history")).to_contain_text("Committed")
    assert model.objects.filter(removed_by__isnull=True).count() == rows


BAD = {
    "A": (lambda: _bad_a(), "Row 4, column infant_deaths: more infant deaths than live births"),
    "B1": (
        lambda: synthetic.template_b1("E07000117", PERIODS[:1]),
        "Row 2, column area_code: a district; child death reviews",
    ),
    "B2": (lambda: _bad_b2(), "Row 2, column reviews_factor_contributory: more than"),
    "C": (lambda: _bad_c(), "Row 3, column numerator: more than the denominator"),
}


def _bad_a():
    rows = synthetic.template_a(DISTRICTS[:1], [2023])
    rows[2][8] = rows[2][7] + 1
    return rows


def _bad_b2():
    rows = synthetic.template_b2("PAN_LANCS", PERIODS[:1])
    rows[0][5], rows[0][6] = 1, 2
    return rows


def _bad_c():
    rows = synthetic.template_c("E10000017", synthetic.quarters(2022, 3))
    rows[1][6] = rows[1][7] + 1
    return rows


@pytest.mark.parametrize("template", sorted(BAD))
def test_analyst_sees_a_bad_file_rejected_with_row_and_column(analyst_page, tmp_path, template):
    make, error = BAD[template]
    path = tmp_path / f"bad_{template}.csv"
    path.write_bytes(synthetic.to_csv(template, make()))
    send(analyst_page, template, path)
    expect(analyst_page.get_by_test_id("preview-title")).to_have_text(
        "File rejected: nothing was loaded"
    )
    expect(analyst_page.get_by_test_id("errors")).to_contain_text(error)
    expect(analyst_page.get_by_test_id("commit")).to_have_count(0)
    if template == "A":
        shot(analyst_page, "upload_preview_rejected")
    analyst_page.goto(f"{analyst_page.site}/local/upload/history/")
    expect(analyst_page.get_by_test_id("history")).to_contain_text("Rejected")


def test_a_file_of_another_template_is_refused(analyst_page, tmp_path):
    path = tmp_path / "b1.csv"
    path.write_bytes(synthetic.to_csv("B1", synthetic.template_b1("PAN_LANCS", PERIODS)))
    send(analyst_page, "B2", path)
    expect(analyst_page.get_by_test_id("errors")).to_contain_text(
        "the header is template B1's, not template B2's"
    )


def test_a_board_member_cannot_open_the_upload_page(site, page):
    user = User.objects.create_user("bob", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=roles.BOARD_MEMBER)[0])
    page.goto(f"{site}/accounts/login/?next=/plan/")
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site}/plan/")
    response = page.goto(f"{site}/local/upload/")
    assert response.status == 403
