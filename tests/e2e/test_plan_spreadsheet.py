"""The plan spreadsheet in a real browser: the secretariat downloads the plan, edits it as a
spreadsheet would, uploads it, reads the preview and imports it; a bad file is refused, naming
sheet, row and column, and writes nothing."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect

from actionplan import roles, stewardship
from actionplan.models import Action, PlanChange
from actionplan.presenters import current_plan
from tests.e2e.test_plan_workflow import PASSWORD, script_errors, sign_in  # noqa: F401

pytestmark = pytest.mark.e2e

ACTION = "5.1.1"


@pytest.fixture
def steward_site(site, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_action_plan", stdout=io.StringIO())
    call_command("setup_roles", stdout=io.StringIO())
    sally = User.objects.create_user("sally", password=PASSWORD, first_name="Sally")
    sally.groups.add(Group.objects.get(name=roles.PLAN_STEWARD))
    stewardship.assign(current_plan(), sally, None, by=None)
    return site


def edited(data: bytes, column: str, value) -> bytes:
    book = load_workbook(io.BytesIO(data))
    ws = book["Actions"]
    heading = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == ACTION)
    row[heading.index(column)].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_secretariat_downloads_edits_and_uploads_the_plan(
    steward_site,
    page,
    tmp_path,
    script_errors,  # noqa: F811
):
    base = steward_site
    action = Action.objects.get(objective__priority_area__plan=current_plan(), number=ACTION)
    sign_in(page, base, "sally")
    page.goto(f"{base}/plan/stewards/")
    page.get_by_role("link", name="Plan spreadsheet").click()
    expect(page.get_by_role("heading", name="Plan spreadsheet")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_test_id("download-plan").click()
    downloaded = tmp_path / info.value.suggested_filename
    info.value.save_as(downloaded)
    assert downloaded.suffix == ".xlsx"

    # A bad date: refused whole, naming sheet, row and column.
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(edited(downloaded.read_bytes(), "Due date", "next spring"))
    page.get_by_label("Plan workbook").set_input_files(str(bad))
    page.get_by_role("radio", name=f"Changes to {current_plan().title}").check()
    page.get_by_role("button", name="Check the file").click()
    summary = page.get_by_test_id("problems")
    expect(summary).to_contain_text("bad.xlsx was not imported: nothing was written")
    expect(summary).to_contain_text("Sheet 'Actions', row")
    expect(summary).to_contain_text("column 'Due date': “next spring” is not a date")

    # A good change: previewed, nothing written until it is confirmed.
    good = tmp_path / "reworded.xlsx"
    good.write_bytes(edited(downloaded.read_bytes(), "Due date", date(2022, 12, 31)))
    page.get_by_label("Plan workbook").set_input_files(str(good))
    page.get_by_role("radio", name=f"Changes to {current_plan().title}").check()
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_test_id("preview-summary")).to_contain_text("Actions: 0 added, 1 changed")
    expect(page.locator("main")).to_contain_text("→ 2022-12-31")
    action.refresh_from_db()
    assert action.due_date != date(2022, 12, 31)
    page.get_by_role("button", name="Import these changes").click()
    expect(page.get_by_test_id("plan-changes")).to_contain_text("reworded.xlsx imported")
    action.refresh_from_db()
    assert action.due_date == date(2022, 12, 31)
    assert PlanChange.objects.filter(subject="Plan spreadsheet", made_by__username="sally").exists()
    assert script_errors == []
