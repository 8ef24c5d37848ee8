"""The plan as a spreadsheet: export, import (into the open plan or as a successor), errors."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from actionplan.models import Action, Plan, PlanChange, QuarterlyReview
from actionplan.plan_import import PlanFileError, import_plan
from actionplan.plan_sheets import SHEETS, export_plan
from tests.actionplan.freezing import freeze_with_every_area_rated

pytestmark = pytest.mark.django_db


def cells(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def edited(data: bytes, sheet: str, row: int, column: str, value) -> bytes:
    book = load_workbook(io.BytesIO(data))
    ws = book[sheet]
    heading = [c.value for c in ws[1]]
    ws.cell(row=row, column=heading.index(column) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_one_sheet_per_level_with_the_documented_columns(plan):
    book = cells(export_plan(plan))
    assert list(book) == [s.name for s in SHEETS]
    for sheet in SHEETS:
        assert book[sheet.name][0] == sheet.names
    assert (
        len(book["Actions"]) - 1
        == Action.objects.filter(objective__priority_area__plan=plan).count()
    )


def test_export_import_export_gives_the_same_content(plan, tmp_path):
    action = Action.objects.filter(objective__priority_area__plan=plan).first()
    action.text = '=HYPERLINK("http://example.org") and more'
    action.due_date = date(2022, 3, 31)
    action.save()
    first = tmp_path / "plan.xlsx"
    call_command("export_plan", str(first), stdout=io.StringIO())
    raw = cells(first.read_bytes())
    assert any(str(r[2]).startswith("'=HYPERLINK") for r in raw["Actions"][1:])  # neutralised
    call_command("import_plan", str(first), stdout=io.StringIO())
    action.refresh_from_db()
    assert action.text.startswith("=HYPERLINK")  # restored
    second = tmp_path / "again.xlsx"
    call_command("export_plan", str(second), stdout=io.StringIO())
    assert cells(second.read_bytes()) == raw


def test_import_updates_items_by_their_reference_numbers(plan):
    data = export_plan(plan)
    row = next(i for i, r in enumerate(cells(data)["Actions"], start=1) if r[0] == "5.2.1")
    changed = edited(data, "Actions", row, "Due date", date(2022, 9, 30))
    import_plan(changed, plan=plan)
    assert Action.objects.get(objective__priority_area__plan=plan, number="5.2.1").due_date == date(
        2022, 9, 30
    )
    assert Plan.objects.count() == 1


def test_a_bad_file_names_sheet_row_and_column_and_writes_nothing(plan, tmp_path):
    data = export_plan(plan)
    bad = edited(data, "Actions", 3, "Due date", "next spring")
    bad = edited(bad, "Actions", 4, "Owner", "nobody-here")
    bad = edited(bad, "Measures", 2, "Fingertips ID", 1)
    path = tmp_path / "bad.xlsx"
    path.write_bytes(bad)
    before = list(Action.objects.values_list("pk", "due_date", "owner_id"))
    with pytest.raises(CommandError) as caught:
        call_command("import_plan", str(path), stdout=io.StringIO())
    message = str(caught.value)
    assert "Sheet 'Actions', row 3, column 'Due date': “next spring” is not a date" in message
    assert "Sheet 'Actions', row 4, column 'Owner': no active user “nobody-here”" in message
    assert "Sheet 'Measures', row 2, column 'Fingertips ID': no indicator 1" in message
    assert list(Action.objects.values_list("pk", "due_date", "owner_id")) == before
    assert not PlanChange.objects.exists()


def test_a_model_rule_broken_mid_file_rolls_everything_back(plan):
    data = export_plan(plan)
    good = edited(data, "Actions", 2, "Due date", date(2022, 6, 30))
    bad = edited(good, "Actions", 5, "Due date", date(2019, 1, 1))  # before the plan starts
    with pytest.raises(PlanFileError) as caught:
        import_plan(bad, plan=plan)
    assert "Sheet 'Actions', row 5, column 'Due date': Due date must be on or after" in str(
        caught.value
    )
    assert not Action.objects.filter(due_date=date(2022, 6, 30)).exists()


def test_new_plan_starts_a_successor_and_frozen_quarters_stay(plan):
    review = QuarterlyReview.objects.create(plan=plan, financial_year=2021, quarter=1)
    freeze_with_every_area_rated(review)
    stored = bytes(review.frozen_pack.pdf)
    data = edited(export_plan(plan), "Plan", 2, "Title", "Successor plan 2023 to 2026")
    data = edited(data, "Plan", 2, "Starts", date(2023, 4, 1))
    data = edited(data, "Plan", 2, "Ends", date(2026, 3, 31))
    successor = import_plan(data, new_plan=True)
    assert successor.pk != plan.pk and Plan.objects.count() == 2
    assert Action.objects.filter(objective__priority_area__plan=successor).count() == (
        Action.objects.filter(objective__priority_area__plan=plan).count()
    )
    review.refresh_from_db()
    assert bytes(review.frozen_pack.pdf) == stored


def test_not_a_workbook_is_a_clear_error(db, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_text("not a spreadsheet")
    with pytest.raises(CommandError, match="not an XLSX workbook"):
        call_command("import_plan", str(path), "--new-plan", stdout=io.StringIO())
