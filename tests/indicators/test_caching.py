"""Cached pages are keyed by per-indicator data versions: a refresh rebuilds exactly what changed.

A page served from the cache costs one query (the data versions) and says `X-Cache: hit`; a
rebuilt page queries the figures again and says `X-Cache: miss`.
"""

from __future__ import annotations

import csv
import importlib
import io
import threading

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.importers.fingertips import import_exports, import_file
from indicators.models import DataVersion, ImportRun
from indicators.refresh import refresh_from_api
from tests.conftest import EXPORTS
from tests.exports import headline_row, rewrite_export

SNAPSHOT = EXPORTS / "snapshot"
DISTRICTS = (SNAPSHOT / "lancashire_districts_501.csv").read_bytes()
COUNTIES = (SNAPSHOT / "lancashire_counties_502.csv").read_bytes()

REVISED_ID = 92196  # infant mortality
OTHER_ID = 20101  # low birth weight of term babies: its page reads no other indicator
WHATIF_FACTOR_ID = 93085  # smoking at time of delivery: its what-if reads infant mortality too
# Blackpool's infant mortality rate for 2022 - 24 is published as 7.8; the revision says 7.9.
BLACKPOOL, PERIOD, PUBLISHED, REVISED = "E06000009", "2022 - 24", "7.8", "7.9"


def one_indicator(data: bytes, fingertips_id: int, revise: bool = False) -> bytes:
    """The real export's rows of one indicator; `revise` revises Blackpool's 2022 - 24 value."""
    revised = []

    def keep(_line: int, cells: list[str], header: list[str]) -> bool:
        if int(cells[header.index("Indicator ID")]) != fingertips_id:
            return False
        if revise and headline_row(
            cells, header, **{"Area Code": BLACKPOOL, "Time period": PERIOD}
        ):
            assert cells[header.index("Value")] == PUBLISHED
            cells[header.index("Value")] = REVISED
            revised.append(cells)
        return True

    rows = rewrite_export(data, keep)
    assert len(revised) == (1 if revise else 0)
    return rows


def pages(fingertips_id: int) -> dict[str, tuple[str, dict]]:
    """An indicator's page, one chart's CSV, and its API answer in JSON and CSV."""
    return {
        "page": (reverse("indicators:indicator", args=[fingertips_id]), {}),
        "chart csv": (f"/indicators/{fingertips_id}/compare.csv", {}),
        "api json": (reverse("api:observations"), {"indicator": fingertips_id}),
        "api csv": (reverse("api:observations"), {"indicator": fingertips_id, "format": "csv"}),
    }


WHOLE = {
    "overview": (reverse("indicators:home"), {}),
    "area profile": (reverse("indicators:area", args=[BLACKPOOL]), {}),
}


def fetch(client, url: str, params: dict):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return response, len(queries)


def warm(client, urls: dict) -> dict[str, bytes]:
    bodies = {}
    for name, (url, params) in urls.items():
        fetch(client, url, params)
        response, queries = fetch(client, url, params)
        assert (response["X-Cache"], queries) == ("hit", 1), name
        bodies[name] = response.content
    return bodies


def versions() -> dict[str, int]:
    return dict(DataVersion.objects.values_list("scope", "number"))


def assert_served_from_cache(client, urls: dict, bodies: dict[str, bytes]) -> None:
    for name, (url, params) in urls.items():
        response, queries = fetch(client, url, params)
        assert response["X-Cache"] == "hit", name
        assert queries == 1, name  # the data versions, nothing else
        assert response.content == bodies[name], name


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def blackpool_in_api(client) -> float:
    answer = client.get(
        reverse("api:observations"),
        {"indicator": REVISED_ID, "area": BLACKPOOL, "period": PERIOD},
    ).json()
    (row,) = answer["results"]
    return row["value"]


@pytest.mark.django_db
def test_a_revised_value_rebuilds_that_indicator_and_leaves_the_others_cached(client, snapshot):
    revised, other = pages(REVISED_ID), pages(OTHER_ID)
    bodies = warm(client, {**revised, **{f"other {k}": v for k, v in other.items()}, **WHOLE})
    assert blackpool_in_api(client) == float(PUBLISHED)
    before = versions()

    outcome = import_exports(
        [("districts-92196.csv", one_indicator(DISTRICTS, REVISED_ID, revise=True))],
        source=ImportRun.Source.FILE,
        location="districts-92196.csv",
    )

    assert (outcome.status, outcome.created, outcome.updated) == ("ok", 0, 1), outcome.error
    after = versions()
    assert after[DataVersion.indicator_scope(REVISED_ID)] > before[f"indicator:{REVISED_ID}"]
    assert after[DataVersion.ANY_INDICATOR] > before[DataVersion.ANY_INDICATOR]
    assert after[f"indicator:{OTHER_ID}"] == before[f"indicator:{OTHER_ID}"]
    assert after.get(DataVersion.ALL) == before.get(DataVersion.ALL)

    # The revised indicator: every page, chart CSV and API answer is rebuilt with the new figure.
    rebuilt = {}
    for name, (url, params) in revised.items():
        rebuilt[name], queries = fetch(client, url, params)
        assert rebuilt[name]["X-Cache"] == "miss", name
        assert queries > 1, name
    compare = rebuilt["page"].context["cards"][0]
    assert compare.rows[0][:2] == ["Blackpool", REVISED]
    assert {"Area": "Blackpool", "Value": REVISED}.items() <= next(
        row for row in csv_rows(rebuilt["chart csv"]) if row["Area"] == "Blackpool"
    ).items()
    assert blackpool_in_api(client) == float(REVISED)
    (api_row,) = [
        row
        for row in csv_rows(rebuilt["api csv"])
        if row["area_code"] == BLACKPOOL and row["period"] == PERIOD
    ]
    assert api_row["value"] == REVISED

    # Another indicator: still served from the cache, byte for byte, with one query.
    assert_served_from_cache(client, {f"other {k}": v for k, v in other.items()}, bodies)
    # Pages that show every indicator are rebuilt.
    for name, (url, params) in WHOLE.items():
        assert fetch(client, url, params)[0]["X-Cache"] == "miss", name


@pytest.mark.django_db
def test_an_unchanged_reimport_of_the_real_exports_invalidates_nothing(client, snapshot):
    urls = {
        **{f"{REVISED_ID} {k}": v for k, v in pages(REVISED_ID).items()},
        **{f"{OTHER_ID} {k}": v for k, v in pages(OTHER_ID).items()},
        **WHOLE,
    }
    bodies = warm(client, urls)
    before = versions()

    for path in sorted(SNAPSHOT.glob("*.csv")):
        outcome = import_file(path)
        assert (outcome.status, outcome.created, outcome.updated) == ("ok", 0, 0), outcome.error
        assert outcome.unchanged > 0

    assert versions() == before
    assert_served_from_cache(client, urls, bodies)


def confirm_ids_as_last_week(httpserver) -> None:
    """Last week's refresh of the same files: it confirmed the second-hand indicator ids.

    Confirming an id changes that indicator's page (it says whether its id is confirmed), so
    it rebuilds that page once; the refreshes under test come after it.
    """
    from tests.indicators.test_refresh import IN_METADATA, serve

    before = versions()
    outcome = refresh_from_api(base_url=serve(httpserver))
    assert (outcome.status, outcome.created, outcome.updated) == ("ok", 0, 0), outcome.error
    changed = {scope for scope, number in versions().items() if number != before.get(scope)}
    assert changed == {DataVersion.ANY_INDICATOR, f"indicator:{IN_METADATA.fingertips_id}"}
    httpserver.clear()


@pytest.mark.django_db
def test_a_refresh_with_one_revised_value_rebuilds_only_that_indicator(
    client, snapshot, httpserver, fast_refresh
):
    """Through the API refresh, which recomputes every indicator it downloaded."""
    from tests.indicators.test_refresh import serve

    def revise(_line: int, cells: list[str], header: list[str]) -> None:
        at = {name: i for i, name in enumerate(header)}
        if (
            cells[at["Indicator ID"]] == str(REVISED_ID)
            and cells[at["Area Code"]] == BLACKPOOL
            and cells[at["Time period"]] == PERIOD
        ):
            cells[at["Value"]] = REVISED

    confirm_ids_as_last_week(httpserver)
    other = {f"other {k}": v for k, v in pages(OTHER_ID).items()}
    bodies = warm(client, {**other, **WHOLE})
    warm(client, pages(REVISED_ID))
    before = versions()

    outcome = refresh_from_api(
        base_url=serve(httpserver, districts=rewrite_export(DISTRICTS, revise), counties=COUNTIES)
    )

    assert (outcome.status, outcome.updated) == ("ok", 1), outcome.error
    changed = {scope for scope, number in versions().items() if number != before.get(scope)}
    assert changed == {DataVersion.ANY_INDICATOR, f"indicator:{REVISED_ID}"}
    assert blackpool_in_api(client) == float(REVISED)
    assert_served_from_cache(client, other, bodies)


@pytest.mark.django_db
def test_a_refresh_that_changes_nothing_keeps_every_page_cached(
    client, snapshot, httpserver, fast_refresh
):
    from tests.indicators.test_refresh import serve

    confirm_ids_as_last_week(httpserver)
    urls = {**pages(REVISED_ID), **WHOLE}
    bodies = warm(client, urls)
    before = versions()

    outcome = refresh_from_api(base_url=serve(httpserver))

    assert (outcome.status, outcome.created, outcome.updated) == ("ok", 0, 0), outcome.error
    assert versions() == before
    assert_served_from_cache(client, urls, bodies)


@pytest.mark.django_db
def test_recomputing_statistics_that_change_nothing_bumps_nothing(snapshot):
    from indicators.derived import recompute

    before = versions()
    assert recompute().changed == 0
    assert versions() == before


@pytest.mark.django_db
def test_an_api_answer_is_keyed_by_the_indicator_however_its_id_is_written(client, snapshot):
    """An id the API reads as the indicator (here with a leading zero) keys it to that indicator."""
    url = reverse("api:observations")
    params = {"indicator": f"0{REVISED_ID}", "area": BLACKPOOL, "period": PERIOD}
    assert client.get(url, params).json()["results"][0]["value"] == float(PUBLISHED)

    import_exports(
        [("districts-92196.csv", one_indicator(DISTRICTS, REVISED_ID, revise=True))],
        source=ImportRun.Source.FILE,
        location="districts-92196.csv",
    )

    response = client.get(url, params)
    assert response["X-Cache"] == "miss"
    assert response.json()["results"][0]["value"] == float(REVISED)


@pytest.mark.django_db(transaction=True)
def test_a_page_cached_while_an_import_is_committing_is_never_served_after_it(
    client, snapshot, monkeypatch
):
    """The versions move in the import's own transaction, so they become visible with the figures.

    A page built while the import is still open reads the old figures under the old versions;
    once the import commits, the new versions key a new page. (PostgreSQL: SQLite lets no one
    read beside an open write the same way.)
    """
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent readers")
    from indicators.importers import fingertips

    loaded, release = threading.Event(), threading.Event()
    real_recompute = fingertips.recompute

    def recompute_then_wait(*args, **kwargs):
        summary = real_recompute(*args, **kwargs)
        loaded.set()  # figures written and versions bumped, transaction still open
        assert release.wait(timeout=30)
        return summary

    monkeypatch.setattr(fingertips, "recompute", recompute_then_wait)
    outcome = {}

    def run_import():
        try:
            outcome["result"] = import_exports(
                [("districts-92196.csv", one_indicator(DISTRICTS, REVISED_ID, revise=True))],
                source=ImportRun.Source.FILE,
                location="districts-92196.csv",
            )
        finally:
            connections.close_all()

    worker = threading.Thread(target=run_import)
    worker.start()
    try:
        assert loaded.wait(timeout=60)
        # Mid-import: the old figure, cached under the old versions.
        assert blackpool_in_api(client) == float(PUBLISHED)
        page = client.get(reverse("indicators:indicator", args=[REVISED_ID]))
        assert page["X-Cache"] == "miss"
    finally:
        release.set()
        worker.join(timeout=60)
    assert outcome["result"].updated == 1

    assert blackpool_in_api(client) == float(REVISED)
    assert client.get(reverse("indicators:indicator", args=[REVISED_ID]))["X-Cache"] == "miss"


@pytest.mark.django_db
def test_definitions_rewritten_by_a_new_release_of_the_code_rebuild_that_indicator(
    client, snapshot
):
    """A database written by an earlier release: syncing the declared definitions rebuilds."""
    from indicators.definitions import sync_definitions
    from indicators.models import Indicator

    declared = Indicator.objects.get(fingertips_id=REVISED_ID).name
    Indicator.objects.filter(fingertips_id=REVISED_ID).update(name="An older name")
    revised, other = pages(REVISED_ID), {f"other {k}": v for k, v in pages(OTHER_ID).items()}
    bodies = warm(client, {**revised, **other})
    assert "An older name" in bodies["page"].decode()

    sync_definitions()

    page, queries = fetch(client, *revised["page"])
    assert (page["X-Cache"], queries > 1) == ("miss", True)
    assert declared in page.content.decode()
    assert "An older name" not in page.content.decode()
    assert_served_from_cache(client, other, bodies)


@pytest.mark.django_db
def test_renewing_the_page_cache_rebuilds_every_page(client, snapshot):
    """After a deploy or a restore, no page cached under the old numbers is served."""
    assert client.get("/")["X-Cache"] == "miss"
    assert client.get("/")["X-Cache"] == "hit"
    before = DataVersion.current()
    call_command("renew_page_cache", stdout=io.StringIO())
    after = DataVersion.current()
    assert after != before
    assert client.get("/")["X-Cache"] == "miss"


@pytest.mark.django_db
def test_a_new_database_does_not_count_from_zero():
    """The migration starts `all` at a random number: a cache that outlived an old database holds
    pages under the small numbers a database counting from zero would reach again."""
    migration = importlib.import_module("indicators.migrations.0007_data_version_random_start")
    DataVersion.objects.all().delete()
    migration.start_at_random(django_apps, None)
    (scope, first), _ = DataVersion.current()
    assert scope == DataVersion.ALL
    assert first > 1_000
    migration.start_at_random(django_apps, None)
    assert DataVersion.current()[0][1] != first


def whatif_section(page: bytes) -> str:
    text = page.decode()
    start = text.index('data-testid="whatif"')
    return text[start : text.index("</section>", start)]


@pytest.mark.django_db
def test_importing_one_whatif_input_alone_rebuilds_the_other_pages_whatif(client, snapshot):
    """The smoking page's what-if reads Lancashire's infant mortality: importing infant
    mortality alone must rebuild the smoking page, not serve its old what-if figures."""
    lancashire, period, published, revised = "E10000017", "2016 - 18", "4.6886", "5.2"
    smoking = {"page": pages(WHATIF_FACTOR_ID)["page"]}
    bodies = warm(client, smoking)
    before = whatif_section(bodies["page"])
    assert "4.69 per 1,000 (179 in 3 years" in before
    changed = []

    def keep(_line: int, cells: list[str], header: list[str]) -> bool:
        if int(cells[header.index("Indicator ID")]) != REVISED_ID:
            return False
        if headline_row(cells, header, **{"Area Code": lancashire, "Time period": period}):
            assert cells[header.index("Value")] == published
            cells[header.index("Value")] = revised
            changed.append(cells)
        return True

    outcome = import_exports(
        [("counties-92196.csv", rewrite_export(COUNTIES, keep))],
        source=ImportRun.Source.FILE,
        location="counties-92196.csv",
    )
    assert (outcome.status, outcome.updated, len(changed)) == ("ok", 1, 1), outcome.error

    page, queries = fetch(client, *smoking["page"])
    assert (page["X-Cache"], queries > 1) == ("miss", True)
    after = whatif_section(page.content)
    assert "5.20 per 1,000 (179 in 3 years" in after
    assert after != before
