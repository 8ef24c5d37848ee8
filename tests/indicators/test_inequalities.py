"""The report's deaths by deprivation decile as a local dataset: estimates, SII, small numbers."""

import csv
import io

import pytest
from django.urls import reverse

from indicators import statistics as stats
from indicators.deprivation import decile_number
from indicators.disclosure import CountState, as_published
from indicators.importers.fingertips import ImportRejected
from indicators.importers.local_deciles import read_rows, validate_rows
from indicators.models import InequalityDataset
from indicators.narrative import describe_sii
from tests.conftest import EXPORTS

REPORT = EXPORTS.parent / "reference" / "report_infant_deaths_by_imd_decile.csv"


def report_rows() -> list[dict]:
    with REPORT.open(newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.django_db
def test_report_deciles_are_loaded_with_births_marked_as_estimates(snapshot):
    dataset = InequalityDataset.objects.get(slug="report-imr-by-imd-decile")
    points = list(dataset.points.all())

    assert [p.quantile for p in points] == list(range(1, 11))
    for point, row in zip(points, report_rows(), strict=True):
        assert point.count == float(row["infant_deaths"])
        assert point.published_value == float(row["imr_per_1000"])
        assert point.denominator_is_estimate
        assert point.denominator == pytest.approx(
            float(row["infant_deaths"]) / float(row["imr_per_1000"]) * 1000
        )
        assert point.lower_ci_95 < point.value < point.upper_ci_95


@pytest.mark.django_db
def test_sii_and_rii_are_computed_on_the_report_deciles(snapshot):
    dataset = InequalityDataset.objects.get()
    rows = report_rows()
    births = [float(r["infant_deaths"]) / float(r["imr_per_1000"]) * 1000 for r in rows]
    expected = stats.sii_from_counts(
        counts=[float(r["infant_deaths"]) for r in rows],
        populations=births,
        rate_multiplier=1000,
        seed=1,
    )

    assert dataset.sii == pytest.approx(expected.sii)  # the point estimate is deterministic
    assert dataset.sii < 0  # rates fall from the most to the least deprived decile
    assert dataset.sii_lower < dataset.sii < dataset.sii_upper
    assert dataset.rii_lower < dataset.rii < dataset.rii_upper < 1
    limits = expected.limits[0]
    assert dataset.sii_lower == pytest.approx(limits.sii_lower, rel=0.05)
    assert dataset.sii_upper == pytest.approx(limits.sii_upper, rel=0.05)


@pytest.mark.django_db
def test_inequalities_page_states_estimates_sign_convention_and_sii(client, snapshot):
    page = client.get(reverse("indicators:inequalities")).content.decode()

    assert "Local data, not published by Fingertips" in page
    assert page.count('class="estimate"') == 10
    assert "Least deprived minus most deprived" in page
    assert "4.7 per 1,000 lower" in page
    assert "England by deprivation decile" in page


@pytest.mark.django_db
def test_the_reports_printed_table_is_shown_as_published_on_the_page_and_in_the_csv(
    client, snapshot, settings
):
    sii_before = InequalityDataset.objects.get().sii
    # The retired single threshold no longer hides public figures (decile 10 has 19 deaths).
    settings.DISCLOSURE_THRESHOLD = 20

    page = client.get(reverse("indicators:inequalities")).content.decode()
    response = client.get(reverse("indicators:inequality-csv", args=["report-imr-by-imd-decile"]))

    assert ">Suppressed<" not in page
    assert "the report's printed table, already public, shown as published" in page
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    decile_10 = next(r for r in rows if r["quantile"] == "10")
    assert (decile_10["count"], decile_10["count_state"]) == ("19", "shown")
    assert decile_10["denominator_is_estimate"] == "estimated"
    assert next(r for r in rows if r["quantile"] == "1")["count"] == "218"
    assert InequalityDataset.objects.get().sii == sii_before


def test_a_published_count_is_shown_as_given_and_none_is_missing():
    assert as_published(3).state is CountState.SHOWN
    assert as_published(3).text == "3"
    assert as_published(None).state is CountState.MISSING
    assert as_published(0).text == "0"


def test_a_bad_decile_file_names_the_row_and_column():
    text = b"imd_decile,infant_deaths,imr_per_1000\n1,218,6.7\n2,x,5.5\n"
    with pytest.raises(ImportRejected, match=r"deciles.csv, row 3, column 'infant_deaths'"):
        validate_rows(read_rows(text, name="deciles.csv"), name="deciles.csv")


def test_fingertips_decile_labels_map_to_numbers():
    assert decile_number("Most deprived decile (IMD2019)") == 1
    assert decile_number("Third more deprived decile (IMD2015)") == 3
    assert decile_number("Fifth less deprived decile (IMD2019)") == 6
    assert decile_number("Least deprived decile (IMD2019)") == 10
    assert decile_number("Persons") is None


def test_sii_narrative_states_size_direction_interval_and_significance():
    text = describe_sii(sii=-4.75, lower=-6.04, upper=-3.37, rii=0.32, unit="per 1,000")
    assert "4.8 per 1,000 lower than at the most deprived end" in text
    assert "-6.0 to -3.4" in text
    assert "not statistically significant" not in text
    flat = describe_sii(sii=0.4, lower=-0.2, upper=1.0, rii=1.1, unit="%")
    assert "0.4 percentage points higher" in flat and "not statistically significant" in flat
