"""The commit writes the preview's comparison, kept in the cache, unless it may no longer hold:
on a cache miss, or after a purge rewrote current rows' text since the preview, it reads and
compares the stored original again."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache

from localdata import loading, synthetic
from localdata.models import BirthsDeathsRow

DISTRICT = "E07000117"
TODAY = date(2026, 12, 7)


@pytest.fixture
def alice():
    return User.objects.create_user("alice-commit")


def a_data(seed=1) -> bytes:
    return synthetic.to_csv("A", synthetic.template_a([DISTRICT], [2022, 2023], seed=seed))


def load(data: bytes, user):
    upload = loading.preview_file("A", data, file_name="a.csv", user=user, today=TODAY)
    assert upload.status == "previewed", upload.errors
    return upload


def current():
    rows = BirthsDeathsRow.objects.filter(removed_by__isnull=True)
    return sorted(rows.values_list("year", "imd_decile", "live_births", "source"))


@pytest.mark.django_db
def test_a_commit_after_a_cache_miss_reads_the_original_again(alice):
    loading.commit(load(a_data(seed=1), alice))
    second = load(a_data(seed=2), alice)
    cache.clear()
    loading.commit(second)
    expected = synthetic.template_a([DISTRICT], [2022, 2023], seed=2)
    assert [r[2] for r in current()] == [
        r[7] for r in sorted(expected, key=lambda r: (r[0], str(r[6])))
    ]
    assert second.removed == 0


@pytest.mark.django_db
def test_a_purge_between_preview_and_commit_makes_the_commit_compare_again(alice):
    first = loading.commit(load(a_data(), alice))
    again = load(a_data(), alice)  # the same figures: the preview finds nothing changed
    assert again.unchanged == 20 and again.changed == 0
    loading.purge(first, user=alice, reason="held a name in a note")
    assert {r[3] for r in current()} == {"(purged)"}
    committed = loading.commit(again)
    # The file's own source replaces the purged text: the kept comparison was not used.
    assert {r[3] for r in current()} == {synthetic.SOURCE}
    assert committed.changed == 20
