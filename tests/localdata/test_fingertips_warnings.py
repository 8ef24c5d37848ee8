"""LOCAL_DATA.md section 3, warnings: template A's registration-basis district totals against
Fingertips' 3-year counts (indicator 92196, bundled snapshot: Burnley 2015-17, 28 infant deaths
among 3,600 live births). A difference warns in the preview; it never rejects the file."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User

from localdata import loading, synthetic

BURNLEY = "E07000117"
YEARS = [2015, 2016, 2017]


def burnley_rows(deaths: int, births: int):
    rows = synthetic.template_a([BURNLEY], YEARS)
    for row in rows:
        row[7], row[8], row[9], row[10] = 100, 0, None, None
    # Put the pool's totals in decile 1 of 2015: the rest have 100 births and no deaths.
    rows[0][7], rows[0][8] = births - 100 * 29, deaths
    return rows


def preview(rows):
    user = User.objects.get_or_create(username="warnings")[0]
    data = synthetic.to_csv("A", rows)
    return loading.preview_file("A", data, file_name="a.csv", user=user, today=date(2026, 12, 7))


@pytest.mark.django_db
def test_totals_that_match_fingertips_give_no_warning(snapshot):
    upload = preview(burnley_rows(28, 3600))
    assert upload.status == "previewed", upload.errors
    assert upload.warnings == []


@pytest.mark.django_db
def test_totals_that_differ_from_fingertips_warn_and_still_preview(snapshot):
    upload = preview(burnley_rows(30, 3610))
    assert upload.status == "previewed", upload.errors
    assert upload.warnings == [
        "File: E07000117 2015-17: 30 infant deaths here, 28 in Fingertips "
        "(indicator 92196, registrations).",
        "File: E07000117 2015-17: 3610 live births here, 3600 in Fingertips "
        "(indicator 92196, registrations).",
    ]


@pytest.mark.django_db
def test_a_pool_the_file_does_not_cover_whole_is_not_compared(snapshot):
    rows = [r for r in burnley_rows(30, 3610) if r[0] != 2017]
    upload = preview(rows)
    assert upload.status == "previewed", upload.errors
    assert upload.warnings == []


def satod_year(numerators, denominators):
    """SATOD at Lancashire for the four quarters of 2023/24 (Fingertips 93085: 980 of 10,250,
    9.6%)."""
    rows = synthetic.template_c(
        "E10000017", synthetic.quarters(2023, 4), measure="SATOD", target=None
    )
    for row, n, d in zip(rows, numerators, denominators, strict=True):
        row[6], row[7] = n, d
    return rows


def preview_c(rows):
    user = User.objects.get_or_create(username="warnings")[0]
    data = synthetic.to_csv("C", rows)
    return loading.preview_file("C", data, file_name="c.csv", user=user, today=date(2026, 12, 7))


@pytest.mark.django_db
def test_c_matching_the_national_publication_gives_no_warning(snapshot):
    upload = preview_c(satod_year([245, 245, 245, 245], [2562.5] * 4))
    assert upload.status == "previewed", upload.errors
    assert upload.warnings == []


@pytest.mark.django_db
def test_c_differing_from_the_national_publication_warns(snapshot):
    upload = preview_c(satod_year([300, 245, 245, 245], [2562.5] * 4))
    assert upload.status == "previewed", upload.errors
    assert upload.warnings == [
        "File: SATOD E10000017 2023/24: 10.1% from its four quarters here, 9.6% published "
        "nationally (Fingertips 93085)."
    ]
    # Three quarters are not a year: nothing to compare.
    assert preview_c(satod_year([300, 245, 245, 245], [2562.5] * 4)[:3]).warnings == []
