"""Imports refuse the impossible: figures no indicator can take, files cut short, files unread.

An impossible figure or a row cut short rejects the whole file, naming the file, the row (as a
spreadsheet numbers it: the header is row 1) and the column; nothing is written. A value outside
its own confidence limits is kept, as Fingertips published it, and recorded as a warning on the
run. A file that cannot be read at all still leaves a failed run, with the reason, on /data/.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils.html import escape

from indicators.fingertips_columns import EXPORT_HEADER
from indicators.importers import fingertips, reading
from indicators.importers.fingertips import import_exports, import_file
from indicators.models import ImportRun, Observation
from indicators.refresh import refresh_from_api
from tests.conftest import EXPORTS, observation_state
from tests.indicators.test_fingertips_import import HEADER_26_2020
from tests.indicators.test_refresh import serve

HEADER = ",".join(EXPORT_HEADER)
IMR = "92196,Infant mortality rate"
SMOKING = "93085,Smoking status at time of delivery"  # a percentage
UNDECLARED = "99999,Some indicator the dashboard does not declare"
DEPRIVATION = "93553,Deprivation score (IMD 2019)"  # a score: no range of its own


def row(*, indicator=IMR, area="E07000117", value="4.5", lower="3.0", upper="6.4",
        lower998="", upper998="", count="30", denominator="6666", period="2022 - 24",
        sortable="20220000", period_range="3y") -> str:  # fmt: skip
    return (
        f"{indicator},E12000002,North West region (statistical),{area},Burnley,"
        f"Districts & UAs (from Apr 2023),Persons,All ages,,,{period},{value},{lower},{upper},"
        f"{lower998},{upper998},{count},{denominator},,,Similar,Similar,{sortable},,,"
        f"{period_range}"
    )


def yearly(**kwargs) -> str:
    return row(period="2019", sortable="20190000", period_range="1y", **kwargs)


def smoking(**kwargs) -> str:
    return row(indicator=SMOKING, period="2019/20", sortable="20190000", period_range="1y",
               **kwargs)  # fmt: skip


GOOD = row(area="E07000118")


# ---------------------------------------------------------------------------------------------
# Impossible figures
# ---------------------------------------------------------------------------------------------

IMPOSSIBLE = [
    pytest.param(
        row(value="-4.5", lower="-6", upper="-3"),
        "bad.csv, row 3, column 'Value': -4.5 is below 0: impossible for a rate per 1,000",
        id="negative-rate",
    ),
    pytest.param(
        row(lower="-0.5"),
        "bad.csv, row 3, column 'Lower CI 95.0 limit': -0.5 is below 0: impossible for a rate",
        id="negative-limit-of-a-rate",
    ),
    pytest.param(
        row(value="1200", lower="1100", upper="1300"),
        "bad.csv, row 3, column 'Value': 1200 is above 1000: impossible for a rate per 1,000",
        id="rate-above-its-multiplier",
    ),
    pytest.param(
        smoking(value="101.5", lower="99", upper="100"),
        "bad.csv, row 3, column 'Value': 101.5 is above 100: impossible for a percentage",
        id="percentage-over-100",
    ),
    pytest.param(
        smoking(value="99.5", lower="98", upper="100.2"),
        "bad.csv, row 3, column 'Upper CI 95.0 limit': 100.2 is above 100: impossible for a "
        "percentage",
        id="percentage-limit-over-100",
    ),
    pytest.param(
        smoking(value="-0.1", lower="0", upper="1"),
        "bad.csv, row 3, column 'Value': -0.1 is below 0: impossible for a percentage",
        id="negative-percentage",
    ),
    pytest.param(
        row(value="1e308", upper=""),
        "bad.csv, row 3, column 'Value': '1e308' is beyond any figure Fingertips publishes",
        id="1e308-value",
    ),
    pytest.param(
        yearly(indicator=UNDECLARED, denominator="1e308"),
        "bad.csv, row 3, column 'Denominator': '1e308' is beyond any figure Fingertips publishes",
        id="1e308-denominator-of-an-undeclared-indicator",
    ),
    pytest.param(
        yearly(indicator=DEPRIVATION, value="-1e308", lower="", upper=""),
        "bad.csv, row 3, column 'Value': '-1e308' is beyond any figure Fingertips publishes",
        id="minus-1e308-score",
    ),
    pytest.param(
        row(lower="7", upper="6.4"),
        "bad.csv, row 3, column 'Lower CI 95.0 limit': lower limit 7 is above the upper 95% "
        "limit 6.4",
        id="lower-above-upper",
    ),
    pytest.param(
        row(lower="5", upper="6.4", lower998="2", upper998="4.9"),
        "bad.csv, row 3, column 'Lower CI 95.0 limit': lower limit 5 is above the upper 99.8% "
        "limit 4.9",
        id="lower-95-above-upper-99.8",
    ),
    pytest.param(
        yearly(indicator=UNDECLARED, lower="7", upper="6.4"),
        "bad.csv, row 3, column 'Lower CI 95.0 limit': lower limit 7 is above",
        id="lower-above-upper-undeclared-indicator",
    ),
    pytest.param(
        row(denominator="-6666"),
        "bad.csv, row 3, column 'Denominator': -6666 is negative",
        id="negative-denominator",
    ),
    pytest.param(
        yearly(indicator=UNDECLARED, count="-1"),
        "bad.csv, row 3, column 'Count': -1 is negative",
        id="negative-count-undeclared-indicator",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("bad_row", "message"), IMPOSSIBLE)
def test_an_impossible_figure_rejects_the_file_naming_row_and_column(
    snapshot, export_file, bad_row, message
):
    before = observation_state()

    outcome = import_file(export_file("bad.csv", f"{HEADER}\n{GOOD}\n{bad_row}\n"))

    assert outcome.status == "rejected"
    assert message in outcome.error
    assert observation_state() == before  # not even the good row is written
    run = ImportRun.objects.get(pk=outcome.run_id)
    assert run.status == ImportRun.Status.REJECTED and message in run.error


@pytest.mark.django_db
def test_an_undeclared_indicator_and_a_score_follow_only_the_universal_rules(export_file):
    # A change measure may be negative and a deprivation score has no ceiling: nothing in the
    # definitions says otherwise, so neither is refused.
    rows = [
        yearly(indicator=UNDECLARED, value="-3.2", lower="-4.1", upper="-2.3"),
        yearly(indicator=DEPRIVATION, value="120.5", lower="", upper="", count="", denominator=""),
    ]

    outcome = import_file(export_file("ok.csv", "\n".join([HEADER, *rows, ""])))

    assert outcome.status == "ok", outcome.error
    assert sorted(Observation.objects.values_list("value", flat=True)) == [-3.2, 120.5]


@pytest.mark.django_db
def test_a_suppressed_figure_keeps_the_minus_one_limits_fingertips_writes(export_file):
    # Real exports of 90284 write -1 in every limit of a figure "Not presented" (empty Value).
    suppressed = row(value="", lower="-1", upper="-1", lower998="-1", upper998="-1", count="",
                     denominator="")  # fmt: skip

    outcome = import_file(export_file("suppressed.csv", f"{HEADER}\n{suppressed}\n"))

    assert outcome.status == "ok", outcome.error
    assert Observation.objects.get().lower_ci_95 == -1


# ---------------------------------------------------------------------------------------------
# A value outside its own limits: kept, and said
# ---------------------------------------------------------------------------------------------

OUTSIDE = (
    "w.csv, row 3, column 'Value': 9.9 lies outside its own 95% confidence limits (3 to 6.4); "
    "kept as published"
)


@pytest.mark.django_db
def test_a_value_outside_its_own_limits_is_kept_and_recorded_as_a_warning(export_file):
    outcome = import_file(export_file("w.csv", f"{HEADER}\n{GOOD}\n{row(value='9.9')}\n"))

    assert outcome.status == "ok", outcome.error
    assert Observation.objects.get(area__code="E07000117").value == 9.9
    run = ImportRun.objects.get(pk=outcome.run_id)
    assert (run.status, run.warning_count, run.warnings) == ("succeeded", 1, [OUTSIDE])
    assert json.loads(outcome.as_json())["warnings"] == [OUTSIDE]


@pytest.mark.django_db
def test_the_data_page_shows_the_warnings_of_the_data_in_use(client, export_file):
    import_file(export_file("w.csv", f"{HEADER}\n{GOOD}\n{row(value='9.9')}\n"))

    html = client.get("/data/").content.decode()

    section = html.split("Fingertips export file</h3>", 1)[1].split("</section>", 1)[0]
    assert "Warnings" in section and escape(OUTSIDE) in section
    runs = html.split("Import runs</h2>", 1)[1]
    assert "1 warning</summary>" in runs and escape(OUTSIDE) in runs


@pytest.mark.django_db
def test_only_the_first_warnings_are_kept_and_the_page_says_how_many(client, export_file):
    limit = fingertips.MAX_WARNINGS_KEPT
    rows = [
        row(area=f"E0700{n:04d}", value="9.9") for n in range(limit + 10)
    ]  # every one outside its limits

    outcome = import_file(export_file("many.csv", "\n".join([HEADER, *rows, ""])))

    run = ImportRun.objects.get(pk=outcome.run_id)
    assert (run.warning_count, len(run.warnings)) == (limit + 10, limit)
    html = client.get("/data/").content.decode()
    assert f"{limit + 10} figures imported as published" in html
    assert f"The first {limit} are listed." in html


@pytest.mark.django_db
def test_a_refresh_warns_once_for_a_figure_both_of_its_bodies_carry(httpserver, fast_refresh):
    # The snapshot's England child poverty 2022/23 (15.6, limits 15.52 to 15.59) is in both the
    # district and the county export.
    outcome = refresh_from_api(base_url=serve(httpserver))

    assert outcome.status == "ok", outcome.error
    run = ImportRun.objects.get(pk=outcome.run_id)
    assert run.warning_count == 1
    assert "column 'Value': 15.6 lies outside its own 95% confidence limits" in run.warnings[0]


# ---------------------------------------------------------------------------------------------
# Files cut short, and rows numbered as a spreadsheet numbers them
# ---------------------------------------------------------------------------------------------

CUT_SHORT = [
    pytest.param(
        f"{HEADER}\n{GOOD}\n{row().rsplit(',', 1)[0]}\n",
        "bad.csv, row 3, column 'Time period range': the row ends after 26 of 27 fields",
        id="last-field-missing",
    ),
    pytest.param(
        f"{HEADER}\n{GOOD}\n{row().rsplit(',', 3)[0]}\n",
        "bad.csv, row 3, column 'New data': the row ends after 24 of 27 fields",
        id="last-three-fields-missing",
    ),
    pytest.param(
        f"{HEADER}\n{row().rsplit(',', 1)[0]}\n{GOOD}\n",
        "bad.csv, row 2, column 'Time period range': the row ends after 26 of 27 fields",
        id="a-middle-row-short",
    ),
    pytest.param(
        f"{HEADER_26_2020}\r\n"
        + f"{yearly(indicator=UNDECLARED).rsplit(',', 2)[0]}\r\n"
        + f"{yearly(indicator=UNDECLARED, area='E07000118').rsplit(',', 3)[0]}\r\n",
        "bad.csv, row 3, column 'New data': the row ends after 24 of 26 fields",
        id="2020-layout-row-two-short",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "message"), CUT_SHORT)
def test_a_row_with_fewer_fields_than_the_header_rejects_the_file(
    snapshot, export_file, text, message
):
    before = observation_state()

    outcome = import_file(export_file("bad.csv", text))

    assert outcome.status == "rejected"
    assert message in outcome.error
    assert observation_state() == before


@pytest.mark.django_db
def test_rows_are_numbered_as_a_spreadsheet_numbers_them_not_by_line(export_file):
    # The 2020 export's indicator names hold a line break, so every row spans two lines.
    name = '93356,"Campylobacter incidence rate/100,000\n"'
    good = yearly(indicator=name).rsplit(",", 2)[0]  # the 2020 layout: one field short
    bad = yearly(indicator=name, area="E07000118", value="twelve").rsplit(",", 2)[0]

    outcome = import_file(export_file("old.csv", f"{HEADER_26_2020}\r\n{good}\r\n{bad}\r\n"))

    assert outcome.status == "rejected"
    assert "old.csv, row 3, column 'Value': 'twelve' is not a number" in outcome.error


# ---------------------------------------------------------------------------------------------
# Files that cannot be read or decoded: a failed run says why, on the data page
# ---------------------------------------------------------------------------------------------


def _missing(tmp_path: Path) -> Path:
    return tmp_path / "missing.csv"


def _directory(tmp_path: Path) -> Path:
    (tmp_path / "exports.csv").mkdir()
    return tmp_path / "exports.csv"


def _too_large(tmp_path: Path) -> Path:
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:  # sparse: no disk or memory is spent on it
        f.truncate(fingertips.MAX_EXPORT_BYTES + 1)
    return path


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_missing, "missing.csv: the file cannot be read (No such file or directory)"),
        (_directory, "exports.csv: the file cannot be read (not a regular file)"),
        (_too_large, "huge.csv: the file cannot be read (the file is 100 MB; an export is at most"),
    ],
    ids=["missing", "directory", "too-large"],
)
def test_a_file_that_cannot_be_read_leaves_a_failed_run_shown_on_the_data_page(
    client, snapshot, tmp_path, make, reason
):
    before = observation_state()

    outcome = import_file(make(tmp_path))

    assert outcome.status == "failed"
    assert reason in outcome.error
    run = ImportRun.objects.get(pk=outcome.run_id)
    assert run.status == ImportRun.Status.FAILED and reason in run.error
    assert observation_state() == before
    html = client.get("/data/").content.decode()
    section = html.split("Fingertips export file</h3>", 1)[1].split("</section>", 1)[0]
    assert "Failed" in section and escape(reason) in section


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            b"PK\x03\x04\x14\x00\x06\x00" + os.urandom(64),
            "a zip archive (an Excel .xlsx workbook?)",
        ),
        (b"\x1f\x8b\x08\x00" + os.urandom(64), "gzip-compressed"),
        ("Indicator ID,Value\n1,2\n".encode("utf-16"), "UTF-16 text"),
        (b"%PDF-1.7\n", "a PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8", "not UTF-8 text (byte 0)"),
        (b"<!DOCTYPE html><html>", "not a CSV export (it starts '<!DOCTYPE html><html>')"),
    ],
    ids=["zip", "gzip", "utf-16", "pdf", "png", "html"],
)
def test_a_file_that_cannot_be_decoded_leaves_a_run_saying_what_it_is(
    client, export_file, tmp_path, data, reason
):
    path = tmp_path / "upload.csv"
    path.write_bytes(data)

    outcome = import_file(path)

    assert outcome.status == "rejected"
    assert outcome.error.startswith("upload.csv: ") and reason in outcome.error
    assert ImportRun.objects.get(pk=outcome.run_id).error == outcome.error
    assert escape(reason) in client.get("/data/").content.decode()


@pytest.mark.django_db
def test_a_body_beyond_the_size_limit_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setattr(reading, "MAX_EXPORT_BYTES", 1000)

    outcome = import_exports([("body", b"x" * 1001)], source="api", location="http://x/")

    assert outcome.status == "rejected"
    assert outcome.error.startswith("body: the file is ")
    assert "MB; an export is at most" in outcome.error


@pytest.mark.django_db
def test_the_import_command_records_a_file_it_cannot_read(tmp_path):
    out = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_fingertips", str(tmp_path / "missing.csv"), stdout=out)

    printed = json.loads(out.getvalue())
    assert printed["status"] == "failed"
    assert "cannot be read (No such file or directory)" in printed["error"]
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED and run.error == printed["error"]


def _snapshot_directory(tmp_path: Path, manifest: str | None) -> Path:
    if manifest is not None:
        (tmp_path / "MANIFEST.json").write_text(manifest, encoding="utf-8")
    return tmp_path


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("manifest", "reason"),
    [
        (None, "MANIFEST.json: the snapshot's manifest cannot be read (No such file or directory)"),
        ("{not json", "MANIFEST.json: the snapshot's manifest cannot be read (JSONDecodeError"),
        ('{"other": 1}', "MANIFEST.json: the snapshot's manifest cannot be read (KeyError"),
        (
            '{"files": {"gone.csv": {"data_current_at": "2025-02-13T00:00:00"}}}',
            "gone.csv: the file cannot be read (No such file or directory)",
        ),
        (
            '{"files": {"gone.csv": {"data_current_at": "last spring"}}}',
            "MANIFEST.json: the entry for gone.csv has no usable data_current_at",
        ),
    ],
    ids=["no-manifest", "manifest-not-json", "manifest-without-files", "missing-file", "bad-date"],
)
def test_load_snapshot_leaves_a_failed_run_for_what_it_cannot_read(
    client, tmp_path, manifest, reason
):
    directory = _snapshot_directory(tmp_path, manifest)

    with pytest.raises(CommandError):
        call_command("load_snapshot", directory=directory, stdout=io.StringIO())

    run = ImportRun.objects.get(source=ImportRun.Source.SNAPSHOT)
    assert run.status == ImportRun.Status.FAILED and reason in run.error
    assert escape(reason) in client.get("/data/").content.decode()


@pytest.mark.django_db
def test_every_bundled_export_still_imports_with_no_error():
    paths = sorted((EXPORTS / "raw").glob("*.csv")) + sorted((EXPORTS / "snapshot").glob("*.csv"))

    outcomes = [import_file(path) for path in paths]

    assert [o.status for o in outcomes] == ["ok"] * len(paths), [o.error for o in outcomes]
    # The one real value outside its own limits, in both snapshot files: warned, not refused.
    assert sum(len(o.warnings) for o in outcomes) == 2
