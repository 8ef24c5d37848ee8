"""An observation's indicator, area and import run must exist, on every write path.

They are checked by triggers once per statement (migration 0012), not by foreign keys: these
tests hold the same rules the foreign keys held, on whichever database the suite runs against.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from indicators.bulk import upsert_rows
from indicators.models import Area, ImportRun, Indicator, Observation
from indicators.observation_fields import (
    MERGED_COLUMNS,
    NATURAL_KEY_COLUMNS,
    OBSERVATION_COLUMNS,
    STAMPED_COLUMNS,
)
from tests.factories import AreaFactory, IndicatorFactory, ObservationFactory

pytestmark = pytest.mark.django_db

MISSING = 987654321  # no row has this id


def _execute(sql: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _copy_of(observation: Observation, **changes) -> tuple:
    """A row as the importer writes it (OBSERVATION_COLUMNS order), with some columns changed."""
    row = {c: getattr(observation, c) for c in OBSERVATION_COLUMNS}
    row["parent_comparisons"] = "{}"
    row.update(changes)
    return tuple(row[c] for c in OBSERVATION_COLUMNS)


def _upsert(rows: list[tuple]) -> None:
    with transaction.atomic():
        upsert_rows(
            Observation,
            OBSERVATION_COLUMNS,
            rows,
            key=NATURAL_KEY_COLUMNS,
            merged=MERGED_COLUMNS,
            stamped=STAMPED_COLUMNS,
            report=NATURAL_KEY_COLUMNS,
        )


@pytest.mark.parametrize("column", ["indicator_id", "area_id", "import_run_id"])
def test_a_bulk_write_naming_a_missing_row_is_refused_whole(column):
    observation = ObservationFactory()
    run = ImportRun.objects.create(source="test")
    good = _copy_of(observation, period_sortable=20230000, import_run_id=run.pk)
    bad = _copy_of(
        observation, period_sortable=20240000, **{"import_run_id": run.pk, column: MISSING}
    )
    with pytest.raises(IntegrityError):
        _upsert([good, bad])
    # Nothing of the statement stays: the good row was not written either.
    assert list(Observation.objects.values_list("period_sortable", flat=True)) == [20220000]


def test_a_bulk_write_naming_existing_rows_lands():
    observation = ObservationFactory()
    run = ImportRun.objects.create(source="test")
    _upsert([_copy_of(observation, period_sortable=20230000, import_run_id=run.pk)])
    assert Observation.objects.filter(period_sortable=20230000, import_run=run).exists()


@pytest.mark.parametrize("column", ["indicator_id", "area_id", "import_run_id"])
def test_changing_a_reference_to_a_missing_row_is_refused(column):
    observation = ObservationFactory()
    with pytest.raises(IntegrityError):
        _execute(f"UPDATE indicators_observation SET {column} = %s", [MISSING])
    observation.refresh_from_db()
    assert getattr(observation, column) != MISSING


def test_clearing_the_import_run_is_allowed():
    run = ImportRun.objects.create(source="test")
    observation = ObservationFactory(import_run=run)
    _execute("UPDATE indicators_observation SET import_run_id = NULL")
    observation.refresh_from_db()
    assert observation.import_run_id is None


@pytest.mark.parametrize("table", ["indicators_indicator", "indicators_area"])
def test_a_referenced_row_cannot_be_deleted_behind_the_models_back(table):
    observation = ObservationFactory()
    pk = observation.indicator_id if table == "indicators_indicator" else observation.area_id
    with pytest.raises(IntegrityError):
        _execute(f"DELETE FROM {table} WHERE id = %s", [pk])
    assert Observation.objects.filter(pk=observation.pk).exists()


def test_a_referenced_import_run_cannot_be_deleted_behind_the_models_back():
    run = ImportRun.objects.create(source="test")
    ObservationFactory(import_run=run)
    with pytest.raises(IntegrityError):
        _execute("DELETE FROM indicators_importrun WHERE id = %s", [run.pk])
    assert ImportRun.objects.filter(pk=run.pk).exists()


@pytest.mark.parametrize("table", ["indicators_indicator", "indicators_area"])
def test_a_referenced_row_cannot_be_renumbered(table):
    observation = ObservationFactory()
    pk = observation.indicator_id if table == "indicators_indicator" else observation.area_id
    with pytest.raises(IntegrityError):
        _execute(f"UPDATE {table} SET id = %s WHERE id = %s", [MISSING, pk])


def test_unreferenced_rows_may_be_deleted():
    area, indicator = AreaFactory(), IndicatorFactory()
    _execute("DELETE FROM indicators_area WHERE id = %s", [area.pk])
    _execute("DELETE FROM indicators_indicator WHERE id = %s", [indicator.pk])
    assert not Area.objects.filter(pk=area.pk).exists()
    assert not Indicator.objects.filter(pk=indicator.pk).exists()


def test_the_models_on_delete_rules_still_hold():
    run = ImportRun.objects.create(source="test")
    observation = ObservationFactory(import_run=run)
    with pytest.raises(ProtectedError):
        observation.area.delete()
    run.delete()  # the observation keeps its figures and loses its link to the run
    observation.refresh_from_db()
    assert observation.import_run_id is None
    observation.indicator.delete()  # an indicator takes its observations with it
    assert not Observation.objects.filter(pk=observation.pk).exists()
