"""No download or API answer can be made to reveal a suppressed count, by differencing included.

A synthetic template-A file with many small pooled counts is loaded; the public API and the CSV
download are read back and held against the real pooled counts in the database.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

import pytest
from django.contrib.auth.models import User
from django.test import Client

from localdata import loading, synthetic
from localdata.disclosure import SMALLEST_SHOWN

pytestmark = pytest.mark.django_db

DISTRICTS = [f"E07000{n}" for n in range(117, 129)]
YEARS = [2021, 2022, 2023]


@pytest.fixture
def real_counts():
    """Load the file; return the real pooled (births, deaths) per (area, decile)."""
    rows = synthetic.template_a(DISTRICTS, YEARS, seed=11)
    small = {("E07000120", 4): 1, ("E07000123", 2): 2, ("E07000123", 7): 2, ("E07000127", 9): 0}
    for row in rows:  # large counts everywhere but a few small cells, one alone in its row
        deaths = small.get((row[2], row[6]), 10 + row[6] % 3)
        row[7], row[8], row[9], row[10] = 2000 + row[6], deaths, deaths, 0
    user = User.objects.create_user("alice")
    upload = loading.preview_file("A", synthetic.to_csv("A", rows), file_name="s.csv", user=user)
    loading.commit(upload)
    pooled = defaultdict(lambda: [0, 0])
    for row in rows:
        pooled[(row[2], str(row[6]))][0] += row[7]
        pooled[(row[2], str(row[6]))][1] += row[8]
    return pooled


def api_cells() -> dict[tuple[str, str], dict]:
    body = json.loads(Client().get("/api/v1/local/deprivation/").content)
    return {
        (area["area_code"], decile): cell
        for area in body["areas"]
        for decile, cell in area["deciles"].items()
    }


def csv_cells() -> dict[tuple[str, str], dict]:
    text = Client().get("/local/deprivation.csv").content.decode()
    cells: dict[tuple[str, str], dict] = defaultdict(dict)
    for row in csv.DictReader(io.StringIO(text)):
        value = float(row["value"]) if row["value"] else None
        cells[(row["area_code"], row["imd_decile"])][row["measure"]] = {
            "value": value,
            "status": row["status"],
        }
    return cells


def check_groups(cells, real, measure: str, index: int) -> int:
    """Every row and column hides none or at least two cells, summing to 8 or more."""
    groups = [[(a, str(d)) for d in range(1, 11)] for a in DISTRICTS]
    groups += [[(a, str(d)) for a in DISTRICTS] for d in range(1, 11)]
    hidden_total = 0
    for group in groups:
        hidden = [k for k in group if cells[k][measure]["status"] == "suppressed"]
        assert len(hidden) != 1, f"{measure}: one cell withheld alone in {group[0]}"
        if hidden:
            assert sum(real[k][index] for k in hidden) >= SMALLEST_SHOWN
        hidden_total += len(hidden)
    return hidden_total


def check_shown_values(cells, real) -> None:
    for key, cell in cells.items():
        if key[0] not in DISTRICTS or key[1] == "ALL":
            continue
        for measure in ("live_births", "infant_deaths"):
            value = cell[measure]["value"]
            if value is not None:
                assert value % 5 == 0, f"{key} {measure} {value} is not rounded"
        _births, deaths = real[key]
        if cell["infant_deaths"]["status"] == "suppressed":
            assert 0 < deaths < SMALLEST_SHOWN or cell["infant_deaths"]["value"] is None
        for rate in ("imr", "imr_lower_95", "imr_upper_95"):
            if rate in cell and cell[rate]["value"] is not None:
                assert deaths >= SMALLEST_SHOWN, f"{key}: a rate beside {deaths} deaths"


def test_api_never_reveals_a_suppressed_count(real_counts):
    cells = {
        k: {
            "live_births": c["live_births"],
            "infant_deaths": c["infant_deaths"],
            "imr": c["imr"],
            "imr_lower_95": c["imr_lower_95"],
            "imr_upper_95": c["imr_upper_95"],
        }
        for k, c in api_cells().items()
    }
    assert check_groups(cells, real_counts, "infant_deaths", 1) > 0  # the file has small counts
    check_groups(cells, real_counts, "live_births", 0)
    check_shown_values(cells, real_counts)
    rows_with_hidden = {
        k[0] for k, c in cells.items() if c["infant_deaths"]["status"] == "suppressed"
    }
    for (area, _), cell in cells.items():
        if area in rows_with_hidden:
            assert cell["imr"]["value"] is None, f"{area}: a cell rate in a row with a gap"


def test_csv_download_never_reveals_a_suppressed_count(real_counts):
    raw = csv_cells()
    cells = {
        k: {m: raw[k][m] for m in ("live_births", "infant_deaths")}
        | {"imr": raw[k]["imr_per_1000"]}
        for k in raw
    }
    assert check_groups(cells, real_counts, "infant_deaths", 1) > 0
    check_shown_values(cells, real_counts)


def test_differencing_a_total_and_its_shown_parts_leaves_at_least_two_unknowns(real_counts):
    body = json.loads(Client().get("/api/v1/local/deprivation/").content)
    for area in body["areas"][:-1]:  # the county row is the sum of districts: checked by columns
        parts = area["deciles"].values()
        hidden = [p for p in parts if p["infant_deaths"]["status"] == "suppressed"]
        if not hidden:
            continue
        total = area["all"]["infant_deaths"]["value"]
        shown = sum(p["infant_deaths"]["value"] for p in parts if p["infant_deaths"]["value"])
        # At best the difference bounds the sum of two or more withheld cells, never one.
        assert len(hidden) >= 2
        assert total is None or total % 5 == 0
        assert total is None or total - shown >= 0 or len(hidden) >= 2
