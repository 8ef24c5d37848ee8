"""The local inequality dataset's CSV is a tidy table like the other downloads (issue 12):
one header row, one row per decile and nothing after it, one column per limit, numbers as
printed or at a stated precision, and its source, licence and data-current-at as columns."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from indicators.models import InequalityDataset, InequalityPoint

NOISE = re.compile(r"\d\.\d*(?:0000000|9999999)\d*")
SLUG = "report-imr-by-imd-decile"


def _table(client) -> tuple[list[str], list[dict[str, str]]]:
    response = client.get(reverse("indicators:inequality-csv", args=[SLUG]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows[0]
    return header, [dict(zip(header, row, strict=True)) for row in rows[1:]]


@pytest.mark.django_db
def test_the_inequality_csv_is_one_tidy_table_with_its_provenance(client, snapshot):
    header, rows = _table(client)

    assert header[-3:] == ["source", "licence", "data_current_at"]
    assert [r["quantile"] for r in rows] == [str(q) for q in range(1, 11)]  # no trailer rows
    for column in ("lower_ci_95", "upper_ci_95", "sii_lower_ci_95", "sii_upper_ci_95"):
        assert column in header  # one column per limit
    for row in rows:
        assert row["source"].startswith("Lancashire County Council, Infant mortality report")
        assert row["licence"] == "Not stated in the report (figures quoted as printed)"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", row["data_current_at"])
        assert row["indicator_id"] == "92196" and row["area_code"] == "E10000017"
        assert row["period"] == "Period not stated in the report"
        for cell in row.values():
            assert not NOISE.search(cell), cell
    first = rows[0]
    assert (first["count"], first["value_per_1000"]) == ("218", "6.7")
    assert first["published_value"] == "6.7"
    assert first["denominator"] == "32537"  # births estimated from count ÷ rate: whole births
    assert first["denominator_is_estimate"] == "estimated"
    assert (first["lower_ci_95"], first["upper_ci_95"]) == ("5.84", "7.65")  # 2 places, as stated
    assert (first["sii"], first["sii_lower_ci_95"], first["sii_upper_ci_95"]) == (
        "-4.75",
        "-6.04",
        "-3.37",
    )
    assert (first["rii"], first["rii_lower_ci_95"], first["rii_upper_ci_95"]) == (
        "0.32",
        "0.21",
        "0.46",
    )
    assert first["sii_status"] == "calculated"
    assert "rounded to 2 decimal places" in first["note"]
    assert len({(r["sii"], r["rii"], r["note"]) for r in rows}) == 1  # the same on every row


@pytest.mark.django_db
def test_the_inequality_csv_says_why_an_sii_cannot_be_calculated(client, snapshot):
    dataset = InequalityDataset.objects.get(slug=SLUG)
    InequalityPoint.objects.filter(dataset=dataset, quantile=10).delete()
    cache.clear()

    _, rows = _table(client)

    assert len(rows) == 9
    for row in rows:
        assert row["sii_status"].startswith("cannot be calculated: no value for decile 10")
        assert row["sii"] == row["sii_lower_ci_95"] == row["rii"] == ""
