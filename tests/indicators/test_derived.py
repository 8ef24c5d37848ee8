"""The statistics engine applied to stored data: limits checked, comparisons, trends, aggregates."""

import csv
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from indicators import statistics as stats
from indicators.derived import recompute
from indicators.derived_limits import rounding_tolerance
from indicators.exporters import write_export
from indicators.fingertips_columns import EXPORT_HEADER
from indicators.importers.fingertips import import_file
from indicators.models import Indicator, LimitsCheck, Observation, Origin
from tests.conftest import REAL_EXPORTS

REFERENCE = settings.BASE_DIR / "fixtures" / "reference"
LANCASHIRE_14 = 14


def published_imr_2022_24() -> list[dict]:
    with (REFERENCE / "infant_mortality_2022-24_lancashire14.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def test_published_imr_comparisons_with_england_follow_from_their_published_limits():
    rows = published_imr_2022_24()
    assert len(rows) == LANCASHIRE_14
    for row in rows:
        label = stats.compare_ci_overlap(
            value=float(row["value"]),
            lower=float(row["lower_ci_95"]),
            upper=float(row["upper_ci_95"]),
            benchmark=float(row["england_value"]),
            polarity="RAG - Low is good",
        )
        assert label == row["compared_to_england"], row["area_name"]


@pytest.mark.django_db
def test_stored_imr_2022_24_reproduces_every_published_comparison_with_england(snapshot):
    published = {row["area_code"]: row["compared_to_england"] for row in published_imr_2022_24()}

    stored = dict(
        Observation.objects.for_indicator(92196)
        .headline()
        .filter(period_label="2022 - 24", area__code__in=published)
        .values_list("area__code", "comparison_england")
    )

    assert stored == published


@pytest.mark.django_db
def test_engine_reproduces_every_published_limit_in_the_snapshot(snapshot):
    checked = Observation.objects.exclude(limits_check=LimitsCheck.NOT_CHECKED)
    assert checked.count() > 500
    disagreements = list(checked.filter(limits_check=LimitsCheck.DISAGREE))
    # Only four published smoking values differ from count / denominator (Fingertips estimates
    # district counts from sub-ICB data). Injury admissions (90284) publish counts rounded to 5
    # (Hospital Episode Statistics' disclosure rule) but limits from the unrounded counts, so
    # limits worked from the published count can differ a little: /data/ reports them. Every
    # other published limit agrees.
    assert {o.indicator.fingertips_id for o in disagreements} <= {93085, 90284}
    for o in disagreements:
        if o.indicator.fingertips_id == 93085:
            assert o.limits_note.startswith("value:"), o.limits_note
        else:
            assert o.count % 5 == 0, (o.count, o.limits_note)


# Campylobacter (93356) is a test file of an export variant, not one of the product's
# indicators: without a definition its rows have no method to check their limits with.
PRODUCT_EXPORTS = [path for path in REAL_EXPORTS if "_93356_" not in path.name]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PRODUCT_EXPORTS, ids=lambda p: p.name)
def test_every_real_export_is_checked_and_each_difference_is_reported(client, path):
    import_file(path)
    checked = Observation.objects.exclude(limits_check=LimitsCheck.NOT_CHECKED)
    assert checked.filter(limits_check=LimitsCheck.AGREE).exists()

    page = client.get(reverse("indicators:data"))

    reported = sum(row["rows"] for row in page.context["disagreements"])
    assert reported == checked.filter(limits_check=LimitsCheck.DISAGREE).count()
    for example in page.context["disagreement_examples"]:
        assert example.limits_note in page.content.decode()


def test_rounding_tolerance_is_half_the_last_published_digit_or_a_hundredth_of_a_percent():
    assert rounding_tolerance(4.5) == pytest.approx(0.05)
    assert rounding_tolerance(2.25) == pytest.approx(0.005)
    assert rounding_tolerance(94.7261896202678) == pytest.approx(94.7261896202678e-4)


@pytest.mark.django_db
def test_children_in_low_income_families_limits_use_halved_counts(snapshot):
    rows = Observation.objects.for_indicator(93701).exclude(limits_check="")
    assert rows.exists()
    assert not rows.filter(limits_check=LimitsCheck.DISAGREE).exists()


@pytest.mark.django_db
def test_comparisons_use_the_indicators_method_and_polarity(snapshot):
    burnley = Observation.objects.for_indicator(92196).get(
        area__code="E07000117", period_label="2015 - 17"
    )
    england = Observation.objects.for_indicator(92196).get(
        area__code="E92000001", period_label="2015 - 17", category_type=""
    )
    assert burnley.lower_95 > england.value
    assert burnley.comparison_england == "Worse"  # low is good: significantly higher is worse
    assert england.comparison_england == "Not compared"  # never compared with itself
    fertility = Observation.objects.for_indicator(92266).headline().exclude(comparison_england="")
    assert set(fertility.values_list("comparison_england", flat=True)) <= {
        "Higher",
        "Lower",
        "Similar",
        "Not compared",
    }


@pytest.mark.django_db
def test_recent_trend_needs_five_single_years_and_is_never_given_for_pooled_periods(snapshot):
    imr = Observation.objects.for_indicator(92196).values_list("computed_trend", flat=True)
    assert set(imr) == {"", "Could not be calculated"}  # latest of each series, 3-year pooled
    smoking_england = list(
        Observation.objects.for_indicator(93085)
        .for_area("E92000001")
        .headline()
        .order_by("period_sortable")
    )
    assert {o.computed_trend for o in smoking_england[:-1]} == {""}  # only the latest has one
    points = [
        stats.TrendPoint(
            period=o.period_start_year,
            value=o.value,
            lower95=o.lower_95,
            upper95=o.upper_95,
            count=o.count,
            denominator=o.denominator,
        )
        for o in smoking_england
    ]
    expected = stats.recent_trend(points, polarity="RAG - Low is good", method="proportion")
    assert smoking_england[-1].computed_trend == expected.label != "Could not be calculated"


@pytest.mark.django_db
def test_the_county_gets_an_aggregate_of_its_districts_where_fingertips_has_none(snapshot):
    aggregate = Observation.objects.for_indicator(92196).get(
        area__code="E10000017", period_label="2015 - 17"
    )
    districts = Observation.objects.for_indicator(92196).filter(
        area__parent__code="E10000017", period_label="2015 - 17"
    )
    assert districts.count() == 12
    assert aggregate.origin == Origin.AGGREGATED
    assert aggregate.count == sum(d.count for d in districts)
    assert aggregate.denominator == sum(d.denominator for d in districts)
    assert aggregate.value == pytest.approx(aggregate.count / aggregate.denominator * 1000)
    assert round(aggregate.value, 1) == 4.7  # the report's own figure for 2015-17 (section 4.3)
    assert aggregate.computed_lower_ci_95 < aggregate.value < aggregate.computed_upper_ci_95
    assert "not published by Fingertips" in aggregate.value_note
    out = io.StringIO()
    write_export(Indicator.objects.get(fingertips_id=92196), out)
    assert "E10000017,Lancashire,Counties & UAs (from Apr 2023),Persons,<1 yr,,,2015 - 17" not in (
        out.getvalue()
    )


@pytest.mark.django_db
def test_a_published_county_figure_replaces_the_aggregate(snapshot, export_file):
    header = ",".join(EXPORT_HEADER)
    row = (
        "92196,Infant mortality rate,E12000002,North West region (statistical),E10000017,"
        "Lancashire,Counties & UAs (from Apr 2023),Persons,<1 yr,,,2015 - 17,4.72638,4.06979,"
        "5.45873,,,185,39142,,,Worse,Similar,20150000,,,3y"
    )

    outcome = import_file(export_file("county.csv", f"{header}\n{row}\n"))

    assert (outcome.created, outcome.updated) == (0, 1)
    county = Observation.objects.for_indicator(92196).get(
        area__code="E10000017", period_label="2015 - 17"
    )
    assert county.origin == Origin.PUBLISHED
    assert county.limits_check == LimitsCheck.AGREE
    assert not Observation.objects.filter(origin=Origin.AGGREGATED, period_label="2015 - 17")


@pytest.mark.django_db
def test_recompute_is_idempotent(snapshot):
    assert recompute().changed == 0


@pytest.mark.django_db
def test_compute_statistics_command_reports_what_it_did(snapshot):
    out = io.StringIO()
    call_command("compute_statistics", stdout=out)
    assert "0 changed" in out.getvalue()
    assert "published limits that disagree" in out.getvalue()


@pytest.mark.django_db
def test_the_data_page_shows_the_same_disagreement_examples_whatever_the_row_order(client):
    from indicators.configuration import areas_config
    from tests.factories import AreaFactory, IndicatorFactory, ObservationFactory

    area, indicator = AreaFactory(code=areas_config().all_codes[0]), IndicatorFactory()
    # Rows alike but for their category (as England's decile rows are), stored out of order.
    for category in ["Decile 3", "Decile 1", "Decile 2"]:
        ObservationFactory(
            indicator=indicator,
            area=area,
            category_type="Deprivation decile",
            category=category,
            limits_check=LimitsCheck.DISAGREE,
            limits_note=f"value: {category}",
        )

    page = client.get(reverse("indicators:data"))

    shown = [o.category for o in page.context["disagreement_examples"]]
    assert shown == ["Decile 1", "Decile 2", "Decile 3"]
