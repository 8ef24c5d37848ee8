"""`bulk.update_rows` writes each value as given: every digit of a float, NULL for None, and
text with the characters COPY's text format gives a meaning (backslash, tab, newline, return)."""

from __future__ import annotations

import math

import pytest
from django.db import connection

from indicators import bulk
from indicators.bulk import RowUpdates, update_rows
from indicators.models import Observation
from indicators.observation_fields import COMPUTED_FIELDS

pytestmark = pytest.mark.django_db

TRICKY = "a\\N b\tc\nd\re \\ f"


def test_update_rows_writes_floats_none_and_text_exactly(snapshot):
    first, second, third = Observation.objects.order_by("pk")[:3]
    rows = [
        (
            0.1 + 0.2,
            None,
            1e-300,
            -0.0,
            "Byars",
            "agree",
            TRICKY,
            "Better",
            "",
            "",
            "No change",
            first.pk,
        ),
        (None, 5e-324, math.pi, 1 / 3, "Exact", "disagree", "plain", "\\", "\t", "", "", second.pk),
        (2.0, 3.0, None, None, "", "", "", "", "", "", "\n", third.pk),
    ]
    update_rows(Observation, COMPUTED_FIELDS, rows)
    for expected in rows:
        stored = Observation.objects.filter(pk=expected[-1]).values_list(*COMPUTED_FIELDS).get()
        assert stored == expected[:-1]
    if connection.vendor == "postgresql":  # SQLite keeps -0.0 as the integer 0
        assert math.copysign(1, Observation.objects.get(pk=first.pk).computed_upper_ci_998) == -1


def test_text_in_a_column_of_other_values_is_written_with_its_escapes(snapshot):
    first, second = Observation.objects.order_by("pk")[:2]
    # Text beside a number in one column, and a float column with a None: cell by cell.
    update_rows(
        Observation,
        ("limits_note", "computed_lower_ci_95"),
        [(TRICKY, None, first.pk), (42, 1.5, second.pk)],
    )
    assert Observation.objects.get(pk=first.pk).limits_note == TRICKY
    assert Observation.objects.get(pk=second.pk).limits_note == "42"
    assert Observation.objects.get(pk=first.pk).computed_lower_ci_95 is None
    assert Observation.objects.get(pk=second.pk).computed_lower_ci_95 == 1.5


def test_no_rows_write_nothing(snapshot):
    update_rows(Observation, COMPUTED_FIELDS, [])


def test_rows_given_in_batches_are_written_by_one_update_at_the_end(snapshot, monkeypatch):
    monkeypatch.setattr(bulk, "_BATCH", 2)  # several COPYs for one batch of rows
    observations = list(Observation.objects.order_by("pk")[:5])
    with RowUpdates(Observation, ("limits_note",)) as updates:
        updates.add([(f"note {o.pk}", o.pk) for o in observations[:3]])
        updates.add([(f"note {o.pk}", o.pk) for o in observations[3:]])
        if connection.vendor == "postgresql":
            # Nothing is written until the block ends.
            assert not Observation.objects.filter(limits_note__startswith="note").exists()
    notes = dict(Observation.objects.values_list("pk", "limits_note"))
    assert all(notes[o.pk] == f"note {o.pk}" for o in observations)


def test_rows_are_not_written_when_the_block_fails(snapshot):
    first = Observation.objects.order_by("pk").first()
    with pytest.raises(RuntimeError), RowUpdates(Observation, ("limits_note",)) as updates:
        updates.add([("never", first.pk)])
        raise RuntimeError
    if connection.vendor == "postgresql":  # SQLite writes each batch as it is given
        assert Observation.objects.get(pk=first.pk).limits_note != "never"
