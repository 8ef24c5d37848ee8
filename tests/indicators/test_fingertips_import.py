"""The Fingertips importer on real exports and on small files in each layout variant."""

from __future__ import annotations

import csv
import importlib
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from indicators.fingertips_columns import EXPORT_HEADER
from indicators.importers.fingertips import import_file
from indicators.models import Area, ImportRun, Indicator, Observation, Origin
from indicators.vocabulary import Comparison, parse_trend
from tests.conftest import REAL_EXPORTS, observation_state

HEADER_27 = ",".join(EXPORT_HEADER)
HEADER_26_2020 = (
    "Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,Age,"
    "Category Type,Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,"
    "Lower CI 99.8 limit,Upper CI 99.8 limit,Count,Denominator,Value note,Recent Trend,"
    "Compared to England value or percentiles,Compared to Region value or percentiles,"
    "Time period Sortable,New data,Compared to goal"
)
IMR = "92196,Infant mortality rate"


def row27(*, area="E07000117", name="Burnley", period="2022 - 24", sortable="20220000",
          value="4.5", count="30", denominator="6666", note="", period_range="3y",
          parent="E12000002", compared=("Similar", "Similar")) -> str:  # fmt: skip
    return (
        f"{IMR},{parent},North West region (statistical),{area},{name},"
        f"Districts & UAs (from Apr 2023),Persons,<1 yr,,,{period},{value},3.0,6.4,,,{count},"
        f"{denominator},{note},,{compared[0]},{compared[1]},{sortable},,,{period_range}"
    )


def _number(text: str) -> float | None:
    text = text.strip()
    if not text or text.startswith("<div"):
        return None
    return float(text.replace(",", ""))


@pytest.mark.django_db
@pytest.mark.parametrize("path", REAL_EXPORTS, ids=lambda p: p.name)
def test_every_real_export_imports_with_the_files_values(path: Path):
    outcome = import_file(path)

    assert outcome.status == "ok", outcome.error
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = [{"AreaName": "Area Name"}.get(h, h) for h in rows[0]]
    keys = set()
    for raw in rows[1:]:
        cells = dict(zip(header, raw + [""] * (len(header) - len(raw)), strict=True))
        key = (
            int(cells["Indicator ID"]),
            cells["Area Code"],
            cells["Sex"],
            cells["Age"],
            cells["Category Type"],
            cells["Category"],
            int(cells["Time period Sortable"]),
        )
        keys.add(key)
        stored = Observation.objects.get(
            indicator__fingertips_id=key[0],
            area__code=key[1],
            sex=key[2],
            age=key[3],
            category_type=key[4],
            category=key[5],
            period_sortable=key[6],
        )
        assert stored.period_label == cells["Time period"].strip()
        assert stored.value == _number(cells["Value"])
        assert stored.lower_ci_95 == _number(cells["Lower CI 95.0 limit"])
        assert stored.upper_ci_95 == _number(cells["Upper CI 95.0 limit"])
        assert stored.lower_ci_998 == _number(cells["Lower CI 99.8 limit"])
        assert stored.upper_ci_998 == _number(cells["Upper CI 99.8 limit"])
        assert stored.count == _number(cells["Count"])
        assert stored.denominator == _number(cells["Denominator"])
        assert stored.recent_trend == str(parse_trend(cells["Recent Trend"]) or "")
    assert Observation.objects.filter(origin=Origin.PUBLISHED).count() == len(keys)
    assert len(keys) == outcome.created
    assert outcome.rows == len(rows) - 1


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing():
    path = REAL_EXPORTS[0]
    first = import_file(path)
    before = observation_state()

    again = import_file(path)

    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)
    assert observation_state() == before  # not even the import run that wrote them changes


@pytest.mark.django_db
def test_a_revised_value_updates_the_row_and_records_the_run(export_file):
    import_file(export_file("v1.csv", f"{HEADER_27}\n{row27(value='4.5')}\n"))

    outcome = import_file(export_file("v2.csv", f"{HEADER_27}\n{row27(value='4.6')}\n"))

    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 0)
    observation = Observation.objects.get()
    assert observation.value == 4.6
    assert observation.import_run_id == outcome.run_id


@pytest.mark.django_db
def test_england_rows_repeated_in_parent_15_exports_become_one_observation():
    path = next(p for p in REAL_EXPORTS if "parent15" in p.name)
    import_file(path)

    england = Observation.objects.get(
        area__code="E92000001", period_label="2010/11", sex="Persons", category_type=""
    )
    assert set(england.parent_comparisons) == {"", "E92000001"}
    # England compared with itself ("Similar" under parent England) is not its comparison.
    assert england.compared_to_england == "Not compared"


@pytest.mark.django_db
def test_old_26_column_layout_with_crlf_embedded_newline_and_short_rows(export_file):
    text = (
        f"{HEADER_26_2020}\r\n"
        '93356,"Campylobacter incidence rate/100,000\n",,,E92000001,England,Country,Persons,'
        "All ages,,,2015,94.7261896202678,93.9129396546008,95.5447303303505,,,51897,54786327,,,"
        "Not compared,Not compared,20150000,\r\n"
        '93356,"Campylobacter incidence rate/100,000\n",E92000001,England,E12000002,'
        "North West region,Region,Persons,All ages,,,2016,90.1,89.0,91.2,,,6500,7200000,"
        "Value for Cornwall & Isles of Scilly combined,,Better,Not compared,20160000,\r\n"
    )

    outcome = import_file(export_file("old.csv", text))

    assert outcome.status == "ok", outcome.error
    assert Indicator.objects.get(fingertips_id=93356).name == "Campylobacter incidence rate/100,000"
    north_west = Observation.objects.get(area__code="E12000002")
    assert north_west.value == 90.1
    assert north_west.value_note == "Value for Cornwall & Isles of Scilly combined"
    assert north_west.compared_to_england == "Better"
    assert north_west.parent_comparisons == {"E92000001": ["Better", "Not compared"]}
    assert north_west.period_range == ""
    assert Area.objects.get(code="E12000002").parent.code == "E92000001"


@pytest.mark.django_db
def test_bom_areaname_thousands_separator_and_renamed_parent_column(export_file):
    header = HEADER_27.replace("Area Name", "AreaName").replace(
        "Compared to parent value", "Compared to Regions (statistical) value"
    )
    row = row27(count='"1,234"', denominator='"274,000"', compared=("Worse", "Better"))

    outcome = import_file(export_file("bom.csv", f"\ufeff{header}\n{row}\n"))

    assert outcome.status == "ok", outcome.error
    observation = Observation.objects.get()
    assert (observation.count, observation.denominator) == (1234, 274000)
    assert observation.area.name == "Burnley"
    assert observation.compared_to_england == "Worse"
    assert observation.compared_to_region == "Better"


@pytest.mark.django_db
def test_fingertips_wording_is_stored_as_the_vocabularys_values(export_file):
    row = row27(compared=("Better 95%", "Worse 99.8%"))

    outcome = import_file(export_file("levels.csv", f"{HEADER_27}\n{row}\n"))

    assert outcome.status == "ok", outcome.error
    observation = Observation.objects.get()
    assert observation.compared_to_england == Comparison.BETTER
    assert observation.compared_to_region == Comparison.WORST
    assert observation.parent_comparisons == {"E12000002": ["Better", "Worst"]}


@pytest.mark.django_db
def test_unknown_fingertips_wording_is_refused_naming_row_and_column(export_file):
    row = row27(compared=("Much better", "Similar"))

    outcome = import_file(export_file("unknown.csv", f"{HEADER_27}\n{row}\n"))

    assert outcome.status == "rejected"
    assert "row 2, column 'Compared to England value or percentiles'" in outcome.error
    assert "'Much better'" in outcome.error
    assert not Observation.objects.exists()


@pytest.mark.django_db
def test_empty_value_with_a_note_is_stored_as_missing_not_zero(export_file):
    row = row27(value="", count="", denominator="", note="Not presented due to data quality")

    import_file(export_file("note.csv", f"{HEADER_27}\n{row}\n"))

    observation = Observation.objects.get()
    assert observation.value is None and observation.count is None
    assert observation.value_note == "Not presented due to data quality"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("label", "sortable", "period_range"),
    [
        ("2017", "20170000", "1y"),
        ("2017/18", "20170000", "1y"),
        ("2022 - 24", "20220000", "3y"),
        ("2020/21 - 22/23", "20200000", "3y"),
        ("2017 Q1", "20170100", "3m"),
        ("2017/18 Q2", "20170200", "3m"),
        ("Jan 2017", "20170001", "1m"),
    ],
)
def test_every_time_period_form_is_stored_verbatim(export_file, label, sortable, period_range):
    row = row27(period=label, sortable=sortable, period_range=period_range)

    outcome = import_file(export_file("periods.csv", f"{HEADER_27}\n{row}\n"))

    assert outcome.status == "ok", outcome.error
    observation = Observation.objects.get()
    assert (observation.period_label, observation.period_sortable) == (label, int(sortable))
    assert observation.period_range == period_range


REJECTIONS = [
    pytest.param(
        f"{HEADER_27}\n{row27()}\n{row27(area='E07000118', value='abc')}\n",
        "bad.csv, row 3, column 'Value': 'abc' is not a number",
        id="not-a-number",
    ),
    pytest.param(
        f"{HEADER_27}\n{row27(sortable='20210000')}\n",
        "bad.csv, row 2, column 'Time period Sortable': 20210000 does not match",
        id="sortable-disagrees-with-label",
    ),
    pytest.param(
        f"{HEADER_27}\n{row27(period='2022-24')}\n",
        "bad.csv, row 2, column 'Time period': unrecognised time period '2022-24'",
        id="unknown-period-label",
    ),
    pytest.param(
        f"{HEADER_27}\n{row27(period_range='1y')}\n",
        "bad.csv, row 2, column 'Time period range': '1y' does not match",
        id="range-disagrees-with-label",
    ),
    pytest.param(
        f"{HEADER_27}\n{row27()}\n{row27()[:60]}\n",
        "bad.csv, row 3, column 'Area Code': the row ends after 4 of 27 fields",
        id="short-row",
    ),
    pytest.param(
        f"{HEADER_27}\n{row27()},extra\n",
        "bad.csv, row 2: 28 fields but the header has 27",
        id="long-row",
    ),
    pytest.param(
        f"{HEADER_27}\n{row27()}\n{row27()[:-10]}",
        "the file ends mid-row",
        id="truncated",
    ),
    pytest.param(
        HEADER_27.replace("Area Code,", "") + "\n" + row27() + "\n",
        "bad.csv, row 1: the header lacks the column(s) Area Code",
        id="missing-column",
    ),
    pytest.param(
        f"{HEADER_27}\n{row27(value='4.5')}\n{row27(value='4.6')}\n",
        "bad.csv, row 3, column 'Value': the row repeats row 2",
        id="conflicting-duplicate",
    ),
    pytest.param(
        f"{HEADER_27}\n{row27(count='-3')}\n",
        "bad.csv, row 2, column 'Count': -3 is negative",
        id="negative-count",
    ),
    pytest.param(f"{HEADER_27}\n", "bad.csv: the file has a header but no data rows", id="empty"),
    pytest.param("", "bad.csv: the file is empty", id="zero-bytes"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "message"), REJECTIONS)
def test_a_bad_file_is_rejected_whole_naming_row_and_column(snapshot, export_file, text, message):
    before = observation_state()

    outcome = import_file(export_file("bad.csv", text))

    assert outcome.status == "rejected"
    assert message in outcome.error
    assert observation_state() == before
    run = ImportRun.objects.get(pk=outcome.run_id)
    assert run.status == ImportRun.Status.REJECTED and message in run.error


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_rejected(export_file):
    outcome = import_file(export_file("latin.csv", f"{HEADER_27}\n{row27(name='Bürnley')}\n",
                                      encoding="latin-1"))  # fmt: skip
    assert outcome.status == "rejected"
    assert "not UTF-8" in outcome.error
    assert not Observation.objects.exists()


@pytest.mark.django_db
def test_import_command_prints_one_json_line_per_file_and_fails_on_rejection(export_file):
    good = export_file("good.csv", f"{HEADER_27}\n{row27()}\n")
    bad = export_file("bad.csv", f"{HEADER_27}\n{row27(value='x')}\n")
    out = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_fingertips", str(good), str(bad), stdout=out)

    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["status"] for line in lines] == ["ok", "rejected"]
    assert lines[0] == {
        "file": str(good),
        "status": "ok",
        "rows": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "error": None,
        "warnings": [],
    }
    assert "row 2, column 'Value'" in lines[1]["error"]
    assert raised.value.returncode == 1


@pytest.mark.django_db
@pytest.mark.parametrize("path", REAL_EXPORTS, ids=lambda p: p.name)
def test_import_export_import_is_lossless(path: Path, tmp_path: Path):
    import_file(path)
    before = _comparable_observations()
    exports = []
    for fingertips_id in (
        Indicator.objects.filter(observations__isnull=False)
        .values_list("fingertips_id", flat=True)
        .distinct()
    ):
        exports.append(tmp_path / f"{fingertips_id}.csv")
        call_command(
            "export_fingertips", indicator=fingertips_id, output=exports[-1], stderr=io.StringIO()
        )

    reimported = [import_file(p) for p in exports]
    assert all(o.status == "ok" and o.created == o.updated == 0 for o in reimported)

    Observation.objects.all().delete()
    assert all(import_file(p).status == "ok" for p in exports)
    assert _comparable_observations() == before


def _comparable_observations() -> list[tuple]:
    fields = [f.name for f in Observation._meta.fields if f.name not in {"id", "import_run"}]
    fields = [f"{name}_id" if name in {"indicator", "area"} else name for name in fields]
    return sorted(Observation.objects.values_list(*fields), key=repr)


@pytest.mark.django_db
def test_the_data_migration_parses_wording_stored_before(export_file):
    from django.apps import apps

    migration = importlib.import_module("indicators.migrations.0010_parse_fingertips_wording")
    import_file(export_file("old.csv", f"{HEADER_27}\n{row27()}\n"))
    Observation.objects.update(
        recent_trend="Cannot be calculated",
        compared_to_england="Better 95%",
        parent_comparisons={"E12000002": ["Better 95%", "Worse 99.8%"], "X": ["Odd", ""]},
    )

    migration.parse_stored_wording(apps, None)

    observation = Observation.objects.get()
    assert observation.recent_trend == "Could not be calculated"
    assert observation.compared_to_england == "Better"
    # Wording the vocabulary does not know is kept as published, not lost.
    assert observation.parent_comparisons == {"E12000002": ["Better", "Worst"], "X": ["Odd", ""]}
