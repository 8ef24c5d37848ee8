"""The Fingertips API refresh against a real HTTP server that serves the real export files."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone
from pytest_httpserver import HTTPServer
from pytest_httpserver.httpserver import QueryMatcher
from werkzeug import Request, Response

from imr_dashboard.celery import app as celery_app
from indicators.definitions import INDICATORS
from indicators.models import ImportRun, Indicator, Observation, Origin
from indicators.refresh import refresh_from_api
from tests.conftest import EXPORTS, observation_state
from tests.exports import rewrite_export

SNAPSHOT = EXPORTS / "snapshot"
DISTRICTS_FILE = SNAPSHOT / "lancashire_districts_501.csv"
COUNTIES_FILE = SNAPSHOT / "lancashire_counties_502.csv"
DISTRICTS = DISTRICTS_FILE.read_bytes()
COUNTIES = COUNTIES_FILE.read_bytes()
DATA_PATH = "/api/all_data/csv/by_indicator_id"
METADATA_PATH = "/api/indicator_metadata/csv/by_indicator_id"
KEY_COLUMNS = ("Area Code", "Sex", "Age", "Category Type", "Category")
NUMBER_COLUMNS = {
    "value": "Value",
    "lower_ci_95": "Lower CI 95.0 limit",
    "upper_ci_95": "Upper CI 95.0 limit",
    "count": "Count",
    "denominator": "Denominator",
}

REFRESHED_IDS = sorted(d.fingertips_id for d in INDICATORS if d.refresh)
UNCONFIRMED = [d for d in INDICATORS if d.refresh and not d.id_confirmed]
# The metadata answer knows the first unconfirmed id only; the second must be noted as not found.
IN_METADATA, NOT_IN_METADATA = UNCONFIRMED[0], UNCONFIRMED[1]
METADATA_CSV = (
    "Indicator ID,Indicator,Definition\n"
    f'{IN_METADATA.fingertips_id},"{IN_METADATA.name}","As published"\n'
).encode()


class ChildAreaType(QueryMatcher):
    """Match a data call on its `child_area_type_id` parameter only."""

    def __init__(self, area_type_id: int):
        self.area_type_id = str(area_type_id)

    def get_comparing_values(self, request_query_string: bytes) -> tuple:
        query = parse_qs(request_query_string.decode())
        return query.get("child_area_type_id", [None])[0], self.area_type_id


def serve(
    httpserver: HTTPServer,
    *,
    districts: bytes = DISTRICTS,
    counties: bytes = COUNTIES,
    metadata: bytes = METADATA_CSV,
) -> str:
    """Answer the refresh's calls with the given bodies; return the base URL to refresh from."""
    for area_type_id, body in ((501, districts), (502, counties)):
        httpserver.expect_request(
            DATA_PATH, method="GET", query_string=ChildAreaType(area_type_id)
        ).respond_with_data(body, content_type="text/csv; charset=utf-8")
    httpserver.expect_request(METADATA_PATH, method="GET").respond_with_data(
        metadata, content_type="text/csv; charset=utf-8"
    )
    return httpserver.url_for("/api/")


def calls(httpserver: HTTPServer, path: str = DATA_PATH) -> list[dict[str, str]]:
    """The query parameters of each request the server received on `path`, in order."""
    return [
        {name: values[0] for name, values in parse_qs(request.query_string.decode()).items()}
        for request, _ in httpserver.log
        if request.path == path
    ]


def rows_of(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def number(text: str) -> float | None:
    return float(text.replace(",", "")) if text.strip() else None


def key_of(row: dict[str, str]) -> tuple:
    return (
        int(row["Indicator ID"]),
        *(row[c] for c in KEY_COLUMNS),
        int(row["Time period Sortable"]),
    )


def stored(row: dict[str, str]) -> Observation:
    return Observation.objects.get(
        indicator__fingertips_id=int(row["Indicator ID"]),
        area__code=row["Area Code"],
        sex=row["Sex"],
        age=row["Age"],
        category_type=row["Category Type"],
        category=row["Category"],
        period_sortable=int(row["Time period Sortable"]),
    )


def next_release(data: bytes) -> bytes:
    """A later release: every published value one higher, the same in both files.

    Failure tests serve this rather than the snapshot itself, so that an import that went
    ahead against the rules would change stored values and be caught.
    """

    def bump(_line: int, cells: list[str], header: list[str]) -> None:
        i = header.index("Value")
        if cells[i].strip():
            cells[i] = repr(number(cells[i]) + 1)

    return rewrite_export(data, bump)


def assert_previous_data_in_use(before: list[tuple], run: ImportRun) -> None:
    assert observation_state() == before
    assert not Observation.objects.filter(import_run=run).exists()
    assert ImportRun.objects.filter(source=ImportRun.Source.SNAPSHOT, status="succeeded").count()


@pytest.fixture
def release_of_next_week():
    return next_release(DISTRICTS), next_release(COUNTIES)


# ---------------------------------------------------------------------------------------------
# Success
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_successful_refresh_imports_both_files_with_their_values(httpserver, fast_refresh):
    base_url = serve(httpserver)
    started = timezone.now()

    outcome = refresh_from_api(base_url=base_url)

    assert outcome.status == "ok", outcome.error
    run = ImportRun.objects.get(pk=outcome.run_id)
    assert run.source == ImportRun.Source.API
    assert run.status == ImportRun.Status.SUCCEEDED
    assert run.error == ""
    assert started <= run.data_current_at <= timezone.now()
    assert run.finished_at is not None
    district_rows, county_rows = rows_of(DISTRICTS), rows_of(COUNTIES)
    keys = {key_of(r) for r in district_rows + county_rows}
    assert run.rows == len(district_rows) + len(county_rows)
    assert (run.created, run.updated, run.unchanged) == (len(keys), 0, 0)
    assert (outcome.rows, outcome.created) == (run.rows, run.created)
    assert Observation.objects.filter(origin=Origin.PUBLISHED).count() == len(keys)
    assert Observation.objects.filter(import_run=run).count() == len(keys)
    for rows in (district_rows, county_rows):
        for row in (rows[0], rows[len(rows) // 3], rows[2 * len(rows) // 3], rows[-1]):
            observation = stored(row)
            for attribute, column in NUMBER_COLUMNS.items():
                assert getattr(observation, attribute) == number(row[column]), (column, row)
            assert observation.period_label == row["Time period"]


@pytest.mark.django_db
def test_a_refresh_builds_one_call_per_area_type_and_one_metadata_call(httpserver, fast_refresh):
    base_url = serve(httpserver)

    assert refresh_from_api(base_url=base_url).status == "ok"

    ids = ",".join(map(str, REFRESHED_IDS))
    common = {"indicator_ids": ids, "parent_area_type_id": "6", "profile_id": "105"}
    assert calls(httpserver) == [
        {**common, "child_area_type_id": "501"},
        {**common, "child_area_type_id": "502"},
    ]
    unconfirmed = ",".join(str(d.fingertips_id) for d in sorted(UNCONFIRMED, key=_id))
    assert calls(httpserver, METADATA_PATH) == [{"indicator_ids": unconfirmed}]
    assert [request.path for request, _ in httpserver.log] == [DATA_PATH, DATA_PATH, METADATA_PATH]
    run = ImportRun.objects.get()
    assert run.location.splitlines() == [
        f"{base_url}all_data/csv/by_indicator_id?indicator_ids={ids.replace(',', '%2C')}"
        f"&child_area_type_id={area_type}&parent_area_type_id=6&profile_id=105"
        for area_type in (501, 502)
    ]


def _id(definition) -> int:
    return definition.fingertips_id


@pytest.mark.django_db
def test_a_refresh_confirms_ids_found_in_the_metadata_and_notes_those_not_found(
    httpserver, fast_refresh
):
    base_url = serve(httpserver)

    assert refresh_from_api(base_url=base_url).status == "ok"

    today = timezone.localdate().isoformat()
    found = Indicator.objects.get(fingertips_id=IN_METADATA.fingertips_id)
    assert found.id_confirmed
    assert found.id_confirmation_note == (
        f"Confirmed in Fingertips indicator metadata on {today}: {IN_METADATA.name!r}."
    )
    missing = Indicator.objects.get(fingertips_id=NOT_IN_METADATA.fingertips_id)
    assert not missing.id_confirmed
    assert missing.id_confirmation_note == (
        f"Not found in Fingertips indicator metadata on {today}; check the id."
    )
    already = next(d for d in INDICATORS if d.id_confirmed)
    assert Indicator.objects.get(fingertips_id=already.fingertips_id).id_confirmation_note == (
        already.id_confirmation_note
    )


@pytest.mark.django_db
def test_a_confirmed_id_stays_confirmed_and_is_not_asked_about_again(httpserver, fast_refresh):
    base_url = serve(httpserver)
    assert refresh_from_api(base_url=base_url).status == "ok"
    httpserver.clear_log()

    assert refresh_from_api(base_url=base_url).status == "ok"

    assert Indicator.objects.get(fingertips_id=IN_METADATA.fingertips_id).id_confirmed
    asked = calls(httpserver, METADATA_PATH)[0]["indicator_ids"].split(",")
    assert str(IN_METADATA.fingertips_id) not in asked
    assert str(NOT_IN_METADATA.fingertips_id) in asked


@pytest.mark.django_db
def test_a_refresh_over_the_snapshot_updates_changed_values_only(
    httpserver, fast_refresh, snapshot, release_of_next_week
):
    districts, counties = release_of_next_week
    # The snapshot's own files' figures: those the refresh below sends again (the bundled
    # all-council export, 90284, is not in it).
    before = {
        o.pk: o.value
        for o in Observation.objects.filter(origin=Origin.PUBLISHED).exclude(
            import_run__location__contains="90284"
        )
    }

    outcome = refresh_from_api(base_url=serve(httpserver, districts=districts, counties=counties))

    assert outcome.status == "ok", outcome.error
    with_value = {key_of(r) for r in rows_of(DISTRICTS) + rows_of(COUNTIES) if r["Value"].strip()}
    assert outcome.created == 0
    assert outcome.updated == len(with_value)
    assert outcome.unchanged == len(before) - len(with_value)
    row = next(r for r in rows_of(DISTRICTS) if r["Value"].strip())
    observation = stored(row)
    assert observation.value == number(row["Value"]) + 1
    assert observation.import_run_id == outcome.run_id


@pytest.mark.django_db
def test_a_server_error_is_retried_and_the_retry_succeeds(httpserver, fast_refresh):
    httpserver.expect_oneshot_request(
        DATA_PATH, method="GET", query_string=ChildAreaType(501)
    ).respond_with_data("Internal Server Error", status=500)
    base_url = serve(httpserver)

    outcome = refresh_from_api(base_url=base_url)

    assert outcome.status == "ok", outcome.error
    statuses = [
        (request.args["child_area_type_id"], response.status_code)
        for request, response in httpserver.log
        if request.path == DATA_PATH
    ]
    assert statuses[:3] == [("501", 500), ("501", 200), ("502", 200)]
    first, again = calls(httpserver)[:2]
    assert first == again
    assert ImportRun.objects.get().status == ImportRun.Status.SUCCEEDED


@pytest.mark.django_db
def test_a_server_that_keeps_failing_fails_the_run_after_the_retries(
    httpserver, fast_refresh, snapshot
):
    httpserver.expect_request(DATA_PATH, query_string=ChildAreaType(501)).respond_with_data(
        "Service Unavailable", status=503
    )
    before = observation_state()

    outcome = refresh_from_api(base_url=serve(httpserver))

    assert outcome.status == "failed"
    run = ImportRun.objects.get(pk=outcome.run_id)
    assert run.status == ImportRun.Status.FAILED
    assert "still failing after retries" in run.error
    assert "503" in run.error
    assert len(calls(httpserver)) == settings.FINGERTIPS_RETRIES + 1
    assert_previous_data_in_use(before, run)


# ---------------------------------------------------------------------------------------------
# Failures: nothing changes
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def slow_districts(httpserver):
    """The districts call answers only after twice the client's timeout.

    The wait ends when the test does, and the server is left idle: it serves one request at a
    time, so a handler still sleeping would delay the next test's requests.
    """
    release = threading.Event()

    def handler(request: Request) -> Response:
        release.wait(timeout=2 * settings.FINGERTIPS_TIMEOUT_SECONDS + 1)
        return Response(DISTRICTS, content_type="text/csv")

    httpserver.expect_request(DATA_PATH, query_string=ChildAreaType(501)).respond_with_handler(
        handler
    )
    yield
    release.set()
    deadline = time.monotonic() + 10
    while len(calls(httpserver)) < settings.FINGERTIPS_RETRIES + 1:
        assert time.monotonic() < deadline, "the slow requests were never served"
        time.sleep(0.05)


@pytest.mark.django_db
def test_a_timeout_fails_the_run_and_keeps_the_previous_data(
    httpserver, fast_refresh, snapshot, slow_districts, release_of_next_week
):
    districts, counties = release_of_next_week
    before = observation_state()

    outcome = refresh_from_api(base_url=serve(httpserver, districts=districts, counties=counties))

    assert outcome.status == "failed"
    run = ImportRun.objects.get(pk=outcome.run_id)
    assert run.status == ImportRun.Status.FAILED
    assert "child_area_type_id=501" in run.error
    assert "no answer within 1 s" in run.error
    assert run.finished_at is not None
    assert_previous_data_in_use(before, run)


def truncated_with_content_length(request: Request) -> Response:
    response = Response(DISTRICTS[: len(DISTRICTS) // 2], content_type="text/csv")
    response.headers["Content-Length"] = str(len(DISTRICTS))
    return response


def cut_mid_row(data: bytes) -> bytes:
    # Cut inside the last field of a row halfway through: after any quoted field, before "\n".
    end_of_row = data.index(b"\n", len(data) // 2)
    return data[: end_of_row - 1]


def truncated_without_content_length(request: Request) -> Response:
    # An iterable body has no Content-Length: the server ends it by closing the connection.
    response = Response(iter([cut_mid_row(DISTRICTS)]), content_type="text/csv")
    assert "Content-Length" not in response.headers
    return response


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("handler", "status", "reason"),
    [
        pytest.param(
            truncated_with_content_length, "failed", "IncompleteRead", id="short-of-content-length"
        ),
        pytest.param(
            truncated_without_content_length,
            "rejected",
            "the file ends mid-row (it looks truncated)",
            id="cut-mid-row-no-content-length",
        ),
    ],
)
def test_a_truncated_body_is_refused_and_the_previous_data_kept(
    httpserver, fast_refresh, snapshot, release_of_next_week, handler, status, reason
):
    httpserver.expect_request(DATA_PATH, query_string=ChildAreaType(501)).respond_with_handler(
        handler
    )
    districts, counties = release_of_next_week
    before = observation_state()

    outcome = refresh_from_api(base_url=serve(httpserver, districts=districts, counties=counties))

    assert outcome.status == status
    run = ImportRun.objects.get(pk=outcome.run_id)
    assert run.status == status
    assert reason in run.error
    assert "child_area_type_id=501" in run.error
    assert_previous_data_in_use(before, run)


@pytest.mark.django_db
def test_an_html_page_instead_of_a_csv_fails_the_run(
    httpserver, fast_refresh, snapshot, release_of_next_week
):
    page = b"<!DOCTYPE html>\n<html><head><title>Fingertips</title></head><body>Down</body></html>"
    httpserver.expect_request(DATA_PATH, query_string=ChildAreaType(501)).respond_with_data(
        page, content_type="text/html"
    )
    districts, counties = release_of_next_week
    before = observation_state()

    outcome = refresh_from_api(base_url=serve(httpserver, districts=districts, counties=counties))

    assert outcome.status == "failed"
    run = ImportRun.objects.get(pk=outcome.run_id)
    assert run.status == ImportRun.Status.FAILED
    assert "the answer is not a CSV export (it starts b'<!DOCTYPE html>" in run.error
    assert_previous_data_in_use(before, run)


@pytest.mark.django_db
def test_a_bad_value_in_one_file_rejects_the_whole_refresh(
    httpserver, fast_refresh, snapshot, release_of_next_week
):
    districts, counties = release_of_next_week
    bad_line = {}

    def spoil(line: int, cells: list[str], header: list[str]) -> None:
        if not bad_line and cells[header.index("Value")].strip():
            bad_line["line"] = line
            cells[header.index("Value")] = "twelve"

    before = observation_state()

    # The districts file is good; only the counties file holds the bad value.
    outcome = refresh_from_api(
        base_url=serve(httpserver, districts=districts, counties=rewrite_export(counties, spoil))
    )

    assert outcome.status == "rejected"
    run = ImportRun.objects.get(pk=outcome.run_id)
    assert run.status == ImportRun.Status.REJECTED
    assert "child_area_type_id=502" in run.error
    assert f"row {bad_line['line']}, column 'Value': 'twelve' is not a number" in run.error
    assert run.rows == len(rows_of(DISTRICTS)) + len(rows_of(COUNTIES))
    assert (run.created, run.updated) == (0, 0)
    assert_previous_data_in_use(before, run)
    # A rejected refresh does not go on to the metadata check.
    assert calls(httpserver, METADATA_PATH) == []


# ---------------------------------------------------------------------------------------------
# What people see: the data page and the command
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_data_page_shows_why_a_refresh_failed_and_that_the_previous_data_is_in_use(
    client, httpserver, fast_refresh, snapshot
):
    assert refresh_from_api(base_url=serve(httpserver)).status == "ok"
    httpserver.clear()
    page = b"<html><body>Maintenance</body></html>"
    httpserver.expect_request(DATA_PATH).respond_with_data(page, content_type="text/html")

    failed = refresh_from_api(base_url=httpserver.url_for("/api/"))

    assert failed.status == "failed"
    html = client.get("/data/").content.decode()
    section = html.split("Fingertips API refresh</h3>", 1)[1].split("</section>", 1)[0]
    assert "Failed" in section
    assert "the answer is not a CSV export" in section
    assert "still in use" in section


@pytest.mark.django_db
def test_the_data_page_says_the_snapshot_is_in_use_after_a_first_refresh_fails(
    client, httpserver, fast_refresh, snapshot
):
    httpserver.expect_request(DATA_PATH).respond_with_data(
        b"<html></html>", content_type="text/html"
    )

    assert refresh_from_api(base_url=httpserver.url_for("/api/")).status == "failed"

    html = client.get("/data/").content.decode()
    section = html.split("Fingertips API refresh</h3>", 1)[1].split("</section>", 1)[0]
    assert "the answer is not a CSV export" in section
    assert "still in use" in section


@pytest.mark.django_db
def test_the_command_prints_one_json_line_for_a_successful_refresh(httpserver, fast_refresh):
    out = io.StringIO()

    call_command("refresh_fingertips", "--base-url", serve(httpserver), stdout=out)

    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert result["status"] == "ok"
    assert result["error"] is None
    assert result["created"] == Observation.objects.filter(origin=Origin.PUBLISHED).count() > 0


@pytest.mark.django_db
def test_the_command_prints_one_json_line_and_fails_when_the_refresh_fails(
    httpserver, fast_refresh, snapshot
):
    httpserver.expect_request(DATA_PATH).respond_with_data(
        b"<html></html>", content_type="text/html"
    )
    out = io.StringIO()

    with pytest.raises(CommandError) as failure:
        call_command("refresh_fingertips", "--base-url", httpserver.url_for("/api/"), stdout=out)

    assert failure.value.returncode == 1
    assert "not a CSV export" in str(failure.value)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert result["status"] == "failed"
    assert "not a CSV export" in result["error"]


# ---------------------------------------------------------------------------------------------
# The schedule
# ---------------------------------------------------------------------------------------------


def test_the_refresh_is_scheduled_weekly_as_a_registered_task():
    entries = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "indicators.tasks.refresh_fingertips"
    ]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert isinstance(schedule, crontab)
    assert len(schedule.day_of_week) == 1
    assert len(schedule.hour) == 1
    assert len(schedule.minute) == 1
    assert len(schedule.day_of_month) == 31
    assert len(schedule.month_of_year) == 12
    assert timedelta(0) < schedule.remaining_estimate(timezone.now()) <= timedelta(days=7)
    # The name resolves to a task of the project's Celery app, as the worker will look it up.
    celery_app.loader.import_default_modules()
    task = celery_app.tasks["indicators.tasks.refresh_fingertips"]
    assert task.run.__module__ == "indicators.tasks"
    assert task.run.__name__ == "refresh_fingertips"


@pytest.mark.django_db
def test_an_answer_that_grows_past_the_size_limit_is_refused_as_it_arrives(
    httpserver, fast_refresh, snapshot, monkeypatch
):
    """A gzip bomb: 200 KB on the wire, 8 MB decompressed. The refresh stops reading at the
    importer's limit (lowered here to 4 MB so the test stays small) and keeps the previous data."""
    import gzip

    from indicators.importers import fingertips

    monkeypatch.setattr(fingertips, "MAX_EXPORT_BYTES", 4 * 2**20)
    bomb = gzip.compress(DISTRICTS[: DISTRICTS.index(b"\n") + 1] + b"," * (8 * 2**20))
    assert len(bomb) < 200_000
    httpserver.expect_request(
        DATA_PATH, method="GET", query_string=ChildAreaType(501)
    ).respond_with_response(
        Response(bomb, headers={"Content-Encoding": "gzip", "Content-Type": "text/csv"})
    )
    base_url = serve(httpserver)
    before = observation_state()
    outcome = refresh_from_api(base_url=base_url)
    run = ImportRun.objects.get(pk=outcome.run_id)
    assert run.status == ImportRun.Status.FAILED, run.error
    assert "larger than 4 MB" in run.error
    assert_previous_data_in_use(before, run)
