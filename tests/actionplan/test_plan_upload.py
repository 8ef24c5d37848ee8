"""The plan spreadsheet in the app: whole-plan stewards download it, and upload a workbook that
is previewed, then imported all or nothing (the same import as `manage.py import_plan`)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from actionplan import stewardship
from actionplan.models import Action, AreaSteward, Plan, PlanChange, PriorityArea
from actionplan.plan_sheets import export_plan
from tests.actionplan.test_plan_spreadsheet import cells, edited

pytestmark = pytest.mark.django_db

PAGE = reverse("actionplan:plan_spreadsheet")
COMMIT = reverse("actionplan:plan_spreadsheet_commit")
DOWNLOAD = reverse("actionplan:plan_spreadsheet_download")


@pytest.fixture
def secretariat(plan, plan_steward):
    stewardship.assign(plan, plan_steward, None, by=None)
    return plan_steward


@pytest.fixture
def lead(plan, group_member):
    area = PriorityArea.objects.get(plan=plan, number=1)
    stewardship.assign(plan, group_member, area, by=None)
    return group_member


def xlsx(data: bytes, name: str = "plan.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/vnd.ms-excel")


def first_action(plan) -> Action:
    return Action.objects.filter(objective__priority_area__plan=plan).order_by("pk").first()


def row_of(data: bytes, number: str) -> int:
    ws = load_workbook(io.BytesIO(data))["Actions"]
    return next(i for i, r in enumerate(ws.iter_rows(values_only=True), 1) if r[0] == number)


def test_a_whole_plan_steward_downloads_the_plan_as_the_export_writes_it(client, secretariat):
    client.force_login(secretariat)
    response = client.get(DOWNLOAD)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Plan", "Priority areas", "Objectives", "Actions", "Measures"]


@pytest.mark.parametrize("who", ["lead", "board_member", "plan_steward"])
def test_only_whole_plan_stewards_download_or_upload(client, plan, who, request):
    user = request.getfixturevalue(who)  # a lead of area 1; a reader; a steward of nothing
    client.force_login(user)
    assert client.get(DOWNLOAD).status_code == 403
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"file": xlsx(export_plan(plan))}).status_code == 403
    assert client.post(COMMIT, {"data": "", "digest": ""}).status_code == 403


def test_an_upload_is_previewed_then_imported_and_logged(client, plan, secretariat):
    action = first_action(plan)
    data = export_plan(plan)
    data = edited(data, "Actions", row_of(data, action.number), "Due date", date(2022, 9, 30))
    client.force_login(secretariat)

    response = client.post(PAGE, {"file": xlsx(data, "our plan.xlsx")})
    html = response.content.decode()
    assert response.status_code == 200
    assert "What our plan.xlsx would change" in html
    assert "Due date: (blank) → 2022-09-30" in html or "→ 2022-09-30" in html
    assert "Nothing has been written yet" in html
    action.refresh_from_db()
    assert action.due_date != date(2022, 9, 30)  # the preview wrote nothing
    assert not PlanChange.objects.filter(subject="Plan spreadsheet").exists()

    ctx = response.context
    confirm = {
        "data": ctx["data"],
        "digest": ctx["preview"].digest(),
        "file_name": "our plan.xlsx",
        "into": "current",
    }
    done = client.post(COMMIT, confirm)
    assert done.status_code == 302
    action.refresh_from_db()
    assert action.due_date == date(2022, 9, 30)
    entry = PlanChange.objects.get(subject="Plan spreadsheet")
    assert entry.made_by == secretariat
    assert "our plan.xlsx imported: updated from the file. Actions: 0 added, 1 changed" in (
        entry.description
    )


def test_a_bad_file_names_sheet_row_and_column_and_writes_nothing(client, plan, secretariat):
    data = export_plan(plan)
    row = row_of(data, first_action(plan).number)
    data = edited(data, "Actions", row, "Due date", "next spring")
    before = cells(export_plan(plan))
    client.force_login(secretariat)

    response = client.post(PAGE, {"file": xlsx(data, "bad.xlsx")})
    html = response.content.decode()
    assert response.status_code == 400
    assert "bad.xlsx was not imported: nothing was written" in html
    assert f"Sheet &#x27;Actions&#x27;, row {row}, column &#x27;Due date&#x27;" in html
    assert cells(export_plan(plan)) == before


def test_a_rule_broken_by_the_file_at_commit_writes_nothing(client, plan, secretariat):
    data = export_plan(plan)
    row = row_of(data, first_action(plan).number)
    data = edited(data, "Actions", row, "Due date", date(2019, 1, 1))  # before the plan starts
    client.force_login(secretariat)
    response = client.post(PAGE, {"file": xlsx(data)})
    assert response.status_code == 400
    assert "must be on or after the plan starts" in response.content.decode()
    assert first_action(plan).due_date != date(2019, 1, 1)


def test_the_plan_changed_after_the_preview_so_the_commit_writes_nothing(client, plan, secretariat):
    action = first_action(plan)
    data = export_plan(plan)
    data = edited(data, "Actions", row_of(data, action.number), "Text", "Reworded in the file")
    client.force_login(secretariat)
    preview = client.post(PAGE, {"file": xlsx(data)}).context
    # Another steward rewords the same action meanwhile.
    action.text = "Reworded on the page"
    stewardship.save_action(action, by=None)

    response = client.post(
        COMMIT,
        {
            "data": preview["data"],
            "digest": preview["preview"].digest(),
            "file_name": "plan.xlsx",
            "into": "current",
        },
    )
    assert response.status_code == 409
    assert "The plan changed after the preview was made" in response.content.decode()
    action.refresh_from_db()
    assert action.text == "Reworded on the page"


def test_the_upload_checks_the_csrf_token(plan, secretariat):
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretariat)
    response = client.post(PAGE, {"file": xlsx(export_plan(plan))})
    assert response.status_code == 403
    assert client.post(COMMIT, {"data": "", "digest": ""}).status_code == 403


def test_a_file_too_large_is_refused_unread(client, plan, secretariat):
    client.force_login(secretariat)
    response = client.post(PAGE, {"file": xlsx(b"x" * (600 * 1024))})
    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_other_plan_pages_still_refuse_files(client, plan, secretariat):
    client.force_login(secretariat)
    response = client.post(reverse("actionplan:stewards"), {"file": xlsx(b"x")})
    assert response.status_code == 400


def test_a_county_without_a_plan_starts_one_from_a_spreadsheet(client, plan, plan_steward):
    data = export_plan(plan)
    Plan.objects.all().delete()  # a county with no plan (the bundled one has no quarters yet)
    client.force_login(plan_steward)
    board = client.get(reverse("actionplan:board")).content.decode()
    assert 'data-testid="no-plan"' in board and PAGE in board

    page = client.get(PAGE).content.decode()
    assert "No plan has been loaded yet" in page
    preview = client.post(PAGE, {"file": xlsx(data, "county.xlsx")})
    assert preview.status_code == 200
    assert "would start from the file" in preview.content.decode()
    assert not Plan.objects.exists()

    done = client.post(
        COMMIT,
        {
            "data": preview.context["data"],
            "digest": preview.context["preview"].digest(),
            "file_name": "county.xlsx",
            "into": "new",
        },
    )
    assert done.status_code == 302
    new = Plan.objects.get()
    assert Action.objects.filter(objective__priority_area__plan=new).count() > 0
    # Whoever imported it stewards the whole plan.
    assert AreaSteward.objects.filter(plan=new, user=plan_steward, priority_area=None).exists()
    assert client.get(DOWNLOAD).status_code == 200


def test_a_board_member_cannot_start_a_plan_where_there_is_none(client, plan, board_member):
    Plan.objects.all().delete()
    client.force_login(board_member)
    assert client.get(PAGE).status_code == 403
