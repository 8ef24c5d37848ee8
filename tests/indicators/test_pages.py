"""The analyst pages, rendered from the bundled snapshot."""

import csv
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.fingertips_columns import EXPORT_HEADER
from indicators.importers.fingertips import import_file
from indicators.models import DataVersion, ImportRun
from tests.conftest import REAL_EXPORTS


@pytest.mark.django_db
def test_overview_heat_map_shows_each_indicators_latest_period_and_missing_data(client, snapshot):
    response = client.get(reverse("indicators:home"))

    assert response.status_code == 200
    codes = [a.code for a in response.context["areas"]]
    assert codes[-3:] == ["E10000017", "E12000002", "E92000001"]
    rows = {row.indicator.fingertips_id: row for row in response.context["rows"]}
    imr = rows[92196]
    assert imr.period == "2022 - 24"
    cells = dict(zip(codes, imr.cells, strict=True))
    assert cells["E10000017"] is None  # the snapshot has no county figure for 2022-24
    assert (cells["E12000002"].value, cells["E92000001"].value) == (4.6, 4.2)
    assert cells["E06000009"].comparison == "Worse"
    # An indicator with no figures at all is not a row of "No data": it awaits data.
    assert 92705 not in rows
    assert 92705 in {i.fingertips_id for i in response.context["awaiting"]}
    page = response.content.decode()
    assert 'class="cmp cmp-worse"' in page
    assert "No data" in page


@pytest.mark.django_db
def test_overview_tile_shows_the_county_s_own_latest_figure_and_says_which_period(client, snapshot):
    response = client.get(reverse("indicators:home"))

    tile = next(t for t in response.context["tiles"] if t.indicator.fingertips_id == 92196)
    assert tile.home_latest.period == "2016 - 18"
    assert tile.home_is_older
    assert "Lancashire has no figure for 2022 - 24" in response.content.decode()


@pytest.mark.django_db
def test_benchmark_switch_recolours_the_heat_map(client, snapshot):
    england = client.get(reverse("indicators:home")).context["rows"]
    region = client.get(reverse("indicators:home"), {"benchmark": "region"}).context["rows"]

    def labels(rows):
        return [c.comparison for r in rows for c in r.cells if c is not None]

    assert labels(england) != labels(region)


@pytest.mark.django_db
def test_data_page_lists_each_source_with_its_date_and_last_error(client, snapshot):
    ImportRun.objects.create(
        source=ImportRun.Source.API,
        location="http://127.0.0.1/api/",
        status=ImportRun.Status.FAILED,
        error="fingertips: no answer within 60 s",
    )

    page = client.get(reverse("indicators:data")).content.decode()

    assert "Bundled snapshot" in page
    assert "13 February 2025" in page  # data current at, from the snapshot manifest
    assert "Fingertips API refresh" in page
    assert "no answer within 60 s" in page
    assert "No successful run yet" in page


def _grow_infant_mortality(export_file) -> None:
    """More areas and periods for a shown indicator, to prove query counts do not grow."""
    from indicators.exporters import write_export
    from indicators.models import Indicator

    out = io.StringIO()
    write_export(Indicator.objects.get(fingertips_id=92196), out)
    lines = out.getvalue().splitlines()
    extra = [lines[0]]
    for line in lines[1:]:
        # The same rows again as 2019 - 21 and under a neighbouring county's districts' codes.
        extra.append(line.replace("2022 - 24", "2019 - 21").replace(",20220000,", ",20190000,"))
        extra.append(line.replace("E07000117", "E07000026").replace("Burnley", "Allerdale"))
    assert import_file(export_file("grown.csv", "\n".join(extra) + "\n")).status == "ok"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("indicators:home", {}),
        ("indicators:data", {}),
        ("indicators:inequalities", {}),
        ("indicators:indicator", {"fingertips_id": 92196}),
        ("indicators:area", {"code": "E07000117"}),
        ("indicators:indicator-csv", {"fingertips_id": 92196, "chart": "compare"}),
    ],
)
def test_page_queries_stay_constant_as_areas_and_periods_grow(
    client, snapshot, export_file, name, kwargs
):
    url = reverse(name, kwargs=kwargs)
    client.get(url)  # fill what is filled once per process (the boundaries file)
    cache.clear()  # measure the cold page: what it costs to build, not to fetch from cache
    with CaptureQueriesContext(connection) as small:
        client.get(url)

    _grow_infant_mortality(export_file)
    for path in REAL_EXPORTS:
        if "raw" in str(path):
            import_file(path)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)

    assert response.status_code == 200
    assert len(large) == len(small)


@pytest.mark.django_db
def test_indicator_page_draws_one_point_per_area_with_data_and_its_table_matches_the_csv(
    client, snapshot
):
    response = client.get(reverse("indicators:indicator", args=[92196]), {"period": 20220000})

    cards = {card.slug: card for card in response.context["cards"]}
    compare = cards["compare"]
    assert compare.points == 14  # the 12 districts and 2 unitaries; no county figure
    drawn = [t for t in compare.figure["data"] if t.get("type") == "bar"]
    assert sum(sum(v is not None for v in t["x"]) for t in drawn) == 14
    csv_response = client.get(compare.csv_url)
    rows = list(csv.reader(io.StringIO(csv_response.content.decode())))
    # Tidy: the interval's limits in two columns, then source, licence and data current at.
    assert rows[0][:2] == compare.columns[:2]
    assert rows[0][-3:] == ["source", "licence", "data_current_at"]
    assert len(rows) - 1 == len(compare.rows)
    for shown, downloaded in zip(compare.rows, rows[1:], strict=True):
        assert shown[0] == downloaded[0]
        if downloaded[1]:
            assert shown[1] == f"{float(downloaded[1]):,.1f}"
        else:
            assert shown[1] == "No data"
    assert "No data for 2022 - 24" in csv_response.content.decode()  # Lancashire itself


@pytest.mark.django_db
def test_every_chart_has_a_text_alternative_and_a_permalink_that_restores_the_view(
    client, snapshot
):
    params = {"period": 20150000, "benchmark": "region", "area": "E07000117"}
    response = client.get(reverse("indicators:indicator", args=[92196]), params)

    for card in response.context["cards"]:
        assert card.alt_text
        assert "period=20150000" in card.permalink and "benchmark=region" in card.permalink
    cache.clear()  # a cached page carries no template context to compare
    restored = client.get(response.context["cards"][0].permalink.split("#")[0])
    assert restored.context["view"] == response.context["view"]
    assert restored.context["view"].area_code == "E07000117"


@pytest.mark.django_db
def test_an_indicator_without_bundled_data_says_what_is_true_and_draws_nothing(client, snapshot):
    response = client.get(reverse("indicators:indicator", args=[92705]))

    assert response.status_code == 200
    assert response.context["cards"] == []
    page = response.content.decode()
    assert "not in the data bundled with the dashboard" in page
    assert "arrive with the first refresh" in page
    assert "No data has been published" not in page
    assert ", :" not in page  # no heading with an empty period


@pytest.mark.django_db
def test_area_profile_lists_every_indicator_against_england(client, snapshot):
    response = client.get(reverse("indicators:area", args=["E07000117"]))

    profile = {row.indicator.fingertips_id: row for row in response.context["profile"]}
    assert len(profile) == 19
    imr = profile[92196]
    assert (imr.period, imr.area.value, imr.england.value) == ("2022 - 24", 5.3, 4.2)
    assert imr.worst == 7.8 and imr.best == 1.7  # Blackpool and Fylde / South Ribble
    assert profile[92705].area is None
    download = client.get(reverse("indicators:area-csv", args=["E07000117"]))
    csv_rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert len(csv_rows) == 20


@pytest.mark.django_db
def test_unknown_pages_are_404(client, snapshot):
    assert client.get(reverse("indicators:indicator", args=[93356])).status_code == 404  # not ours
    assert client.get(reverse("indicators:area", args=["E99999999"])).status_code == 404
    assert client.get("/indicators/92196/nonsense.csv").status_code == 404


@pytest.mark.django_db
def test_charts_are_cached_until_an_import_changes_the_data(client, snapshot, export_file):
    url = reverse("indicators:indicator", args=[92196])
    with CaptureQueriesContext(connection) as cold:
        client.get(url, {"period": 20220000})
    with CaptureQueriesContext(connection) as warm:
        client.get(url, {"period": 20220000})
    assert len(warm) < len(cold)

    header = ",".join(EXPORT_HEADER)
    revised = (
        "92196,Infant mortality rate,E12000002,North West region (statistical),E06000009,"
        "Blackpool,Districts & UAs (from Apr 2023),Persons,<1 yr,,,2022 - 24,7.9,5.4,11.0,,,33,,,,"
        "Worse,,20220000,,,3y"
    )
    assert import_file(export_file("revised.csv", f"{header}\n{revised}\n")).updated == 1

    card = client.get(url, {"period": 20220000}).context["cards"][0]
    assert card.rows[0][:2] == ["Blackpool", "7.9"]


@pytest.mark.django_db
def test_whole_pages_are_served_from_the_cache_until_the_data_changes(client, snapshot):
    url = reverse("indicators:indicator", args=[92196])
    first = client.get(url, {"period": 20220000, "made_up": "x"})
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, {"period": 20220000, "made_up": "y"})

    assert again.content == first.content
    assert len(queries) == 1  # the data version, nothing else
    DataVersion.bump()
    with CaptureQueriesContext(connection) as rebuilt:
        client.get(url, {"period": 20220000})
    assert len(rebuilt) > 1
