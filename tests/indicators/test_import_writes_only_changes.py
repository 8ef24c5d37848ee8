"""An import writes only the rows whose figures changed and derives again only what they touch.

Rows written are counted by the database itself where it can (PostgreSQL's per-transaction
table statistics); rows derived again are found by a marker put in a derived column beforehand,
which only a recomputation replaces. Both run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.derived import recompute
from indicators.importers.fingertips import import_bodies, import_exports, import_file, start_run
from indicators.models import DataVersion, ImportRun, Observation
from tests.conftest import EXPORTS, REAL_EXPORTS, observation_state
from tests.exports import headline_row, rewrite_export

SNAPSHOT = EXPORTS / "snapshot"
DISTRICTS = (SNAPSHOT / "lancashire_districts_501.csv").read_bytes()
INFANT_MORTALITY, SMOKING = 92196, 93085
# Blackpool is a neighbour: no other area's derived figures read its own.
BLACKPOOL, ENGLAND, PERIOD = "E06000009", "E92000001", "2022 - 24"
BURNLEY = "E07000117"  # a district of the home county
MARK = "not derived again"


def revised(data: bytes, area: str, fingertips_id: int = INFANT_MORTALITY) -> bytes:
    """The real export with one headline value of `area` (2022 - 24) raised by 0.1."""
    changed = []

    def raise_one(_line: int, cells: list[str], header: list[str]) -> None:
        wanted = {"Indicator ID": str(fingertips_id), "Area Code": area, "Time period": PERIOD}
        if headline_row(cells, header, Sex="Persons", **wanted):
            value = header.index("Value")
            cells[value] = f"{float(cells[value]) + 0.1:.1f}"
            changed.append(cells)

    rows = rewrite_export(data, raise_one)
    assert len(changed) == 1
    return rows


def import_districts(data: bytes):
    outcome = import_exports(
        [("lancashire_districts_501.csv", data)],
        source=ImportRun.Source.FILE,
        location="lancashire_districts_501.csv",
    )
    assert outcome.status == "ok", outcome.error
    return outcome


def mark_every_derived_row() -> None:
    Observation.objects.update(limits_note=MARK)


def derived_again() -> set[tuple[int, str]]:
    """The (indicator, area) pairs of the rows a recomputation rewrote since they were marked."""
    return set(
        Observation.objects.exclude(limits_note=MARK).values_list(
            "indicator__fingertips_id", "area__code"
        )
    )


def observation_rows_written() -> int | None:
    """Rows inserted, updated or deleted in the observations so far in this transaction."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE relname = 'indicators_observation'"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_an_unchanged_reimport_writes_no_row_and_derives_nothing_again(snapshot):
    mark_every_derived_row()
    before, versions = observation_state(), list(DataVersion.objects.values_list("number"))
    written = observation_rows_written()

    outcome = import_districts(DISTRICTS)

    assert (outcome.created, outcome.updated) == (0, 0)
    assert outcome.unchanged > 500
    assert observation_rows_written() == written  # PostgreSQL: not one row rewritten
    assert observation_state() == before
    assert derived_again() == set()
    assert list(DataVersion.objects.values_list("number")) == versions


@pytest.mark.django_db
def test_a_one_row_revision_derives_again_only_that_row_and_its_series_latest_point(snapshot):
    blackpool_rows = Observation.objects.filter(
        indicator__fingertips_id=INFANT_MORTALITY, area__code=BLACKPOOL
    ).count()
    mark_every_derived_row()
    written = observation_rows_written()

    outcome = import_districts(revised(DISTRICTS, BLACKPOOL))

    assert (outcome.created, outcome.updated) == (0, 1)
    assert derived_again() == {(INFANT_MORTALITY, BLACKPOOL)}
    # The revised row and the latest point of its series (whose trend reads the whole series):
    # no other row of the area, and none of another area or indicator.
    series = Observation.objects.filter(
        indicator__fingertips_id=INFANT_MORTALITY,
        area__code=BLACKPOOL,
        sex="Persons",
        category_type="",
        category="",
    )
    latest = series.order_by("-period_sortable").values_list("period_label", flat=True)[0]
    again = Observation.objects.exclude(limits_note=MARK)
    assert set(again.values_list("period_label", "sex", "category_type", "category")) == {
        (PERIOD, "Persons", "", ""),
        (latest, "Persons", "", ""),
    }
    assert again.count() == len({PERIOD, latest}) < blackpool_rows
    if written is not None:
        # The revised row, then its derived figures and its series' latest point's.
        assert observation_rows_written() - written <= 1 + again.count()


@pytest.mark.django_db
def test_a_benchmark_revision_derives_again_its_series_and_only_the_rows_compared_with_it(
    snapshot,
):
    """England's 2022 - 24 figure is every area's benchmark in that period only: the other
    periods' comparisons, and every trend but England's own, read nothing it changed."""
    mark_every_derived_row()

    outcome = import_districts(revised(DISTRICTS, ENGLAND))

    assert (outcome.created, outcome.updated) == (0, 1)
    again = Observation.objects.exclude(limits_note=MARK)
    assert set(again.values_list("indicator__fingertips_id", flat=True)) == {INFANT_MORTALITY}
    others = again.exclude(area__code=ENGLAND)
    assert others.count() > 1
    assert set(others.values_list("period_label", "sex", "category_type", "category")) == {
        (PERIOD, "Persons", "", "")
    }, "rows not compared with the revised figure were derived again"


@pytest.mark.django_db
def test_a_later_period_takes_the_trend_from_the_point_that_held_it(snapshot):
    """Only the latest point of a series carries its trend (as Fingertips shows it): when a later
    period arrives, the point that was the latest is derived again and loses its trend."""
    added = []

    def with_a_later_period(_line: int, cells: list[str], header: list[str]) -> None:
        wanted = {"Indicator ID": str(INFANT_MORTALITY), "Area Code": BLACKPOOL}
        if headline_row(cells, header, Sex="Persons", **wanted, **{"Time period": PERIOD}):
            later = list(cells)
            later[header.index("Time period")] = "2023 - 25"
            sortable = header.index("Time period Sortable")
            later[sortable] = str(int(cells[sortable]) + 10000)
            added.append(later)

    body = rewrite_export(DISTRICTS, with_a_later_period)
    assert len(added) == 1
    extra = io.StringIO(newline="")
    csv.writer(extra, lineterminator="\n").writerow(added[0])
    point = Observation.objects.get(
        indicator__fingertips_id=INFANT_MORTALITY,
        area__code=BLACKPOOL,
        sex="Persons",
        category_type="",
        period_label=PERIOD,
    )
    assert point.computed_trend != ""  # the latest point until now

    outcome = import_districts(body + extra.getvalue().encode())

    assert (outcome.created, outcome.updated) == (1, 0)
    point.refresh_from_db()
    assert point.computed_trend == ""
    assert recompute().changed == 0


@pytest.mark.parametrize(
    "area", [BLACKPOOL, ENGLAND, BURNLEY], ids=["own area", "benchmark", "pooled district"]
)
@pytest.mark.django_db
def test_deriving_only_what_changed_leaves_what_deriving_everything_would(snapshot, area):
    """England is every area's benchmark: revising it derives the whole indicator again; a
    district is pooled into the home county's aggregate, which every area is compared with."""
    import_districts(revised(DISTRICTS, area))

    assert recompute().changed == 0


@pytest.mark.django_db
def test_an_import_is_one_transaction_without_savepoints(snapshot):
    run = start_run(source=ImportRun.Source.FILE, location="revised.csv")
    body = [("revised.csv", revised(DISTRICTS, BLACKPOOL))]

    with CaptureQueriesContext(connection) as queries:
        outcome = import_bodies(run, body)

    assert outcome.updated == 1
    savepoints = [q["sql"] for q in queries if q["sql"].startswith("SAVEPOINT")]
    # The test's own transaction makes the import's atomic block a savepoint: one, not three.
    assert len(savepoints) == 1, savepoints


@pytest.mark.django_db
def test_a_file_repeating_a_key_imports_and_reimports_unchanged():
    """England twice (parents England and itself) in a parent-15 export: one row, both parents."""
    path = next(p for p in REAL_EXPORTS if "parent15" in p.name)
    first = import_file(path)
    assert first.status == "ok", first.error
    assert first.created < first.rows  # the repeated keys were folded
    before = observation_state()
    written = observation_rows_written()

    again = import_file(path)

    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)
    assert observation_state() == before
    assert observation_rows_written() == written
    england = Observation.objects.get(
        area__code=ENGLAND, period_label="2010/11", sex="Persons", category_type=""
    )
    assert set(england.parent_comparisons) == {"", ENGLAND}


@pytest.mark.django_db
def test_comparisons_under_another_parent_are_kept_beside_the_stored_ones():
    """A parent-6 export of the same figures adds the region's comparisons; nothing is lost."""
    by_england = next(p for p in REAL_EXPORTS if "utla502_parent15" in p.name)
    by_region = next(p for p in REAL_EXPORTS if "utla502_parent6" in p.name)
    import_file(by_england)
    blackpool = Observation.objects.get(
        area__code=BLACKPOOL, period_label="2022/23", sex="Persons", category_type=""
    )
    assert set(blackpool.parent_comparisons) == {ENGLAND}

    outcome = import_file(by_region)

    assert outcome.status == "ok", outcome.error
    blackpool.refresh_from_db()
    assert set(blackpool.parent_comparisons) == {ENGLAND, "E12000002"}
    assert import_file(by_region).updated == 0  # merged once, unchanged after


@pytest.mark.django_db
def test_a_first_import_writes_its_derived_figures_in_place():
    """PostgreSQL: the derived figures written after a first import's rows are heap-only updates
    (room left on each page, migration 0011), so no index is written a second time."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL storage setting")

    outcome = import_districts(DISTRICTS)

    assert outcome.created > 500
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables "
            "WHERE relname = 'indicators_observation'"
        )
        updated, in_place = cursor.fetchone()
    assert updated > 500  # the derived figures of most rows
    assert in_place == updated
