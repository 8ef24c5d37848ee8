"""Figures that never look more current, complete or certain than they are (issue 12)."""

import csv
import io

import pytest
from django.core.cache import cache
from django.urls import reverse

from indicators.definitions import INDICATORS, REPORT_ONLY_MEASURES, sync_definitions
from indicators.deprivation import sii_over_deciles
from indicators.models import (
    ImportRun,
    Indicator,
    InequalityDataset,
    InequalityPoint,
    Observation,
)
from indicators.narrative import describe_rii, describe_sii

SECTION_6_IDS = {92531: "Low birth weight of all babies", 93584: "Obesity in early pregnancy"}


def page(client, name, *args, **params) -> str:
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_indicators_without_data_are_listed_once_as_awaiting_not_as_rows_or_tiles(client, snapshot):
    response = client.get(reverse("indicators:home"))

    awaiting = {i.fingertips_id for i in response.context["awaiting"]}
    assert {92705, 92706, 92530, 90639, 92517, 93580} <= awaiting
    rows = {r.indicator.fingertips_id for r in response.context["rows"]}
    tiles = {t.indicator.fingertips_id for t in response.context["tiles"]}
    assert not awaiting & rows and not awaiting & tiles
    html = response.content.decode()
    assert html.count("Neonatal mortality</a>") == 1  # listed once, under "Awaiting data"


@pytest.mark.django_db
def test_awaiting_indicator_names_the_last_refresh_attempt_and_its_result(client, snapshot):
    ImportRun.objects.create(
        source=ImportRun.Source.API,
        location="https://fingertips.example/api",
        status=ImportRun.Status.FAILED,
        error="Fingertips API answered 503",
    )
    cache.clear()

    html = page(client, "indicators:indicator", 92706)

    assert "Last refresh attempt:" in html
    assert "failed: Fingertips API answered 503" in html


@pytest.mark.django_db
def test_injury_admissions_is_a_full_indicator_loaded_with_no_invented_extract_date(
    client, snapshot
):
    lancashire = Observation.objects.filter(
        indicator__fingertips_id=90284, area__code="E10000017", category_type=""
    )
    assert lancashire.exists()
    # Every upper-tier council is held (comparator groups are drawn from them).
    councils = (
        Observation.objects.filter(
            indicator__fingertips_id=90284, area__level__in=["county", "unitary"]
        )
        .values("area")
        .distinct()
    )
    assert councils.count() > 140
    run = lancashire.first().import_run
    assert run.data_current_at is None  # the export records none

    html = page(client, "indicators:indicator", 90284)
    assert "Extract date not recorded" in html
    assert "31 March 2024" not in html
    data = page(client, "indicators:data")
    assert "Extract date not recorded" in data


@pytest.mark.django_db
def test_campylobacter_is_not_the_products_data(client, snapshot):
    assert 93356 not in {d.fingertips_id for d in INDICATORS}
    # A database synced by an earlier version keeps the row, no longer part of the set.
    Indicator.objects.create(fingertips_id=93356, name="Campylobacter incidence rate/100,000")
    sync_definitions()
    assert not Indicator.objects.get(fingertips_id=93356).is_defined

    assert "Campylobacter" not in page(client, "indicators:data")


@pytest.mark.django_db
def test_section_6_risk_factors_show_the_reports_printed_figure_with_its_period(client, snapshot):
    declared = {d.fingertips_id: d for d in INDICATORS}
    for fingertips_id, name in SECTION_6_IDS.items():
        assert declared[fingertips_id].name == name
        assert not declared[fingertips_id].id_confirmed  # second-hand until a refresh confirms

    html = page(client, "indicators:indicator", 92531)
    assert "As printed in the report" in html
    assert "Lancashire, 2016: <strong>7.9 %</strong>" in html
    assert "count 1,038" in html

    index = page(client, "indicators:indicator-index")
    for measure in REPORT_ONLY_MEASURES:
        assert measure in index
    assert "Mothers aged 35 and over: as printed in the report, Lancashire, 2016/17" in index


@pytest.mark.django_db
def test_indicator_page_opens_on_the_newest_period_with_the_home_footprints_figures(
    client, snapshot
):
    response = client.get(reverse("indicators:indicator", args=[20101]))

    latest = max(p for p, _ in response.context["periods"])
    opened = response.context["view"].period
    assert opened < latest  # the newest period (2024) has the county's figure only
    districts_with_a_value = Observation.objects.filter(
        indicator__fingertips_id=20101,
        area__level="district",
        period_sortable=opened,
        category_type="",
        value__isnull=False,
    )
    assert districts_with_a_value.values("area").distinct().count() == 12
    # Infant mortality's newest period has every district: it opens there.
    imr = client.get(reverse("indicators:indicator", args=[92196]))
    assert imr.context["view"].period_label == "2022 - 24"


@pytest.mark.django_db
def test_headline_tiles_state_their_period_and_say_when_older_than_the_newest(client, snapshot):
    html = page(client, "indicators:home")

    assert "Period: 2016 - 18" in html
    assert "Older than the newest figures held" in html


def test_rii_words_match_its_sign():
    assert "0.32 times" in describe_rii(0.32)
    negative = describe_rii(-0.11)
    assert "times" not in negative and "not meaningful" in negative
    text = describe_sii(sii=-38.61, lower=-38.72, upper=-38.5, rii=-0.11, unit="%")
    assert "times" not in text


@pytest.mark.django_db
def test_inequalities_page_states_the_rii_definition_and_never_prints_a_negative_ratio(
    client, snapshot
):
    html = page(client, "indicators:inequalities")

    assert "fitted value at the least deprived end of the gradient divided by" in html
    assert "RII -0.11" not in html
    assert "RII not meaningful" in html
    assert "32,537" in html  # estimated births, formatted for reading
    assert "431,094" in html  # a published count


def test_sii_over_deciles_refuses_a_decile_without_a_value_and_names_it():
    values = [9.0, 8.0, 7.0, 6.0, 5.0, None, 3.0, 2.0, 1.5, 1.0]
    result = sii_over_deciles(
        deciles=list(range(1, 11)),
        values=values,
        lowers=[v and v - 0.5 for v in values],
        uppers=[v and v + 0.5 for v in values],
        populations=[1000.0] * 10,
    )
    assert not result.calculable
    assert "decile 6" in result.reason


@pytest.mark.django_db
def test_local_sii_is_not_reported_when_a_decile_has_no_value(client, snapshot):
    dataset = InequalityDataset.objects.get()
    InequalityPoint.objects.filter(dataset=dataset, quantile=10).delete()
    cache.clear()

    html = page(client, "indicators:inequalities")

    assert "cannot be calculated: no value for decile 10" in html
    assert "SII -4.75" not in html
    response = client.get(reverse("indicators:inequality-csv", args=[dataset.slug]))
    assert "cannot be calculated" in response.content.decode()


@pytest.mark.django_db
def test_the_printed_tables_small_decile_is_shown_with_its_rate_and_births(
    client, snapshot, settings
):
    settings.DISCLOSURE_THRESHOLD = 20  # retired: decile 10 (19 deaths) used to be withheld

    html = page(client, "indicators:inequalities")
    assert "6,552" in html  # decile 10's estimated births, from the report's public table
    response = client.get(reverse("indicators:inequality-csv", args=["report-imr-by-imd-decile"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    decile_10 = next(r for r in rows if r["quantile"] == "10")
    assert decile_10["count_state"] == "shown"
    assert all(decile_10[k] != "" for k in ("count", "denominator", "value_per_1000"))

    card = client.get(reverse("indicators:indicator", args=[92196])).context["cards"]
    deciles = next(c for c in card if c.slug == "inequalities")
    row_10 = next(r for r in deciles.rows if r[0] == "10")
    assert "Suppressed" not in row_10 and "19" in " ".join(row_10)


@pytest.mark.django_db
def test_index_pages_list_indicators_with_their_state_and_areas_by_type(client, snapshot):
    index = client.get(reverse("indicators:indicator-index"))
    assert index.status_code == 200
    with_data = {e.indicator.fingertips_id for e in index.context["with_data"]}
    awaiting = {e.indicator.fingertips_id for e in index.context["awaiting"]}
    assert {92196, 90284} <= with_data and 92705 in awaiting

    areas = client.get(reverse("indicators:area-index"))
    groups = {g["level"]: [a.code for a in g["areas"]] for g in areas.context["groups"]}
    assert "E07000117" in groups["district"] and "E12000002" in groups["region"]
    assert groups["england"] == ["E92000001"]


def test_an_untested_difference_is_said_as_untested_with_enough_decimals():
    from indicators.narrative import untested_difference

    text = untested_difference(2.97, 3.0, "England")
    assert text.startswith("lower than England (2.97 against 3.00)")
    assert "not tested for significance" in text
    assert untested_difference(None, 3.0, "England") == ""


@pytest.mark.django_db
def test_the_region_is_compared_with_england_wherever_both_have_a_value(client, snapshot):
    home = client.get(reverse("indicators:home")).context
    imr = next(r for r in home["rows"] if r.indicator.fingertips_id == 92196)
    codes = [a.code for a in home["areas"]]
    region = dict(zip(codes, imr.cells_with_notes, strict=True))["E12000002"]
    assert region[1].startswith("higher than England (4.6 against 4.2)")

    cache.clear()  # a page served from the cache carries no context
    profile = client.get(reverse("indicators:area", args=["E12000002"])).context["card"]
    imr_row = next(r for r in profile.rows if r[0] == "Infant mortality")
    assert imr_row[profile.columns.index("Compared with England")] == "Not compared"
    assert imr_row[profile.columns.index("Why not compared with England")].startswith(
        "higher than England"
    )
