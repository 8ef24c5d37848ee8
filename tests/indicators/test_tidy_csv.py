"""CSV downloads are tidy tables: numbers as published, one column per limit, and the source,
licence and data-current-at on every row (issue 12)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from indicators.exporters import format_number

NOISE = re.compile(r"\d\.\d*(?:0000000|9999999)\d*")  # 6.699999999999999, 3.9000000000000004


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_numbers_are_written_as_published():
    assert format_number(6.699999999999999) == "6.7"
    assert format_number(3.9000000000000004) == "3.9"
    assert format_number(4.72638086965408) == "4.72638086965408"  # 15 digits, as published
    assert format_number(32537.0) == "32537"
    assert format_number(None) == ""


@pytest.mark.parametrize(
    "path",
    [
        "/indicators/92196/compare.csv",
        "/indicators/92196/trend.csv",
        "/indicators/92196/map.csv",
        "/indicators/92196/inequalities.csv",
        "/areas/E07000117/profile.csv",
        "/api/v1/observations/?indicator=92196&format=csv",
        "/api/v1/indicators/?format=csv",
    ],
)
def test_every_download_is_tidy_with_its_provenance(client, snapshot, path):
    rows = rows_of(client.get(path))
    header = rows[0]
    assert header[-3:] == ["source", "licence", "data_current_at"], path
    assert len(rows) > 1
    for row in rows[1:]:
        assert len(row) == len(header), row
        assert row[-3].startswith("OHID Fingertips")
        assert row[-2] == "Open Government Licence v3.0"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)?", row[-1]), row[-1]
        for cell in row:
            assert not NOISE.search(cell), (path, cell)
            # An interval is two number columns, never one "4.1 to 5.5" text cell.
            assert not re.fullmatch(r"-?[\d.]+ to -?[\d.]+", cell), (path, cell)


def test_interval_limits_and_estimates_have_columns_of_their_own(client, snapshot):
    rows = rows_of(client.get("/indicators/92196/inequalities.csv"))
    header = rows[0]
    lower = header.index("95% confidence interval: lower limit")
    assert header[lower + 1] == "95% confidence interval: upper limit"
    estimated = header.index("Denominator is an estimate")
    first = dict(zip(header, rows[1], strict=True))
    assert float(first["Value"]) == pytest.approx(6.7)
    assert first["Value"] == "6.7"  # not 6.699999999999999
    assert first["Denominator"].isdigit()  # whole births, not 32537.31
    assert rows[1][estimated] in {"yes", "no"}
