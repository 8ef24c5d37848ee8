"""The read-only API serves the same figures as the pages, as JSON and CSV, with a schema."""

import csv
import io

import pytest
from django.urls import reverse

from indicators import api_urls, presenters
from indicators.models import Indicator
from localdata import api_urls as local_api_urls


@pytest.mark.django_db
def test_observations_give_values_limits_counts_and_comparisons(client, snapshot):
    response = client.get(
        reverse("api:observations"),
        {"indicator": 92196, "period": "2022 - 24", "area": "E06000009"},
    )

    assert response.status_code == 200
    (blackpool,) = response.json()["results"]
    assert blackpool["value"] == 7.8
    assert (blackpool["lower_ci_95"], blackpool["upper_ci_95"]) == (5.3, 10.9)
    assert blackpool["count"] == 33
    assert blackpool["comparison_england"] == blackpool["published_comparison_england"] == "Worse"


@pytest.mark.django_db
def test_api_and_pages_read_the_same_figures(client, snapshot):
    indicator = Indicator.objects.get(fingertips_id=92196)
    expected = [
        f.as_dict()
        for f in presenters.figures_for_period(
            indicator, 20220000, codes=[a.code for a in presenters.dashboard_areas()]
        )
    ]

    results = client.get(
        reverse("api:observations"), {"indicator": 92196, "period": 20220000}
    ).json()["results"]

    assert sorted(results, key=lambda r: r["area_code"]) == sorted(
        expected, key=lambda r: r["area_code"]
    )


@pytest.mark.django_db
def test_csv_holds_the_same_rows_as_json(client, snapshot):
    params = {"indicator": 93085, "area": "E92000001"}
    json_rows = client.get(reverse("api:observations"), params).json()["results"]

    response = client.get(reverse("api:observations"), {**params, "format": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    csv_rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["period"] for r in csv_rows] == [r["period"] for r in json_rows]
    assert [float(r["value"]) for r in csv_rows] == [r["value"] for r in json_rows]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "indicator is required"),
        ({"indicator": "x"}, "indicator must be a number"),
        ({"indicator": "999999999999999999999"}, "no indicator"),
        ({"indicator": 92196, "benchmark": "mars"}, "benchmark must be"),
        ({"indicator": 92196, "limit": "0"}, "limit must be"),
        ({"indicator": 92196, "format": "xml"}, "format must be"),
        ({"indicator": 92196, "area": "E0\x00"}, "NUL"),
    ],
)
def test_bad_parameters_get_a_clear_400(client, snapshot, params, message):
    response = client.get(reverse("api:observations"), params)
    assert response.status_code == 400
    assert message in response.json()["error"]


@pytest.mark.django_db
def test_indicators_and_areas_are_listed(client, snapshot):
    indicators = client.get(reverse("api:indicators")).json()["results"]
    assert indicators[0]["fingertips_id"] == 92196
    ids = {i["fingertips_id"] for i in indicators}
    assert 90284 in ids and 93356 not in ids  # 90284 is a full indicator; 93356 a test file
    districts = client.get(reverse("api:areas"), {"level": "district"}).json()["results"]
    assert len(districts) == 12
    assert {d["parent"] for d in districts} == {"E10000017"}


@pytest.mark.django_db
def test_schema_describes_every_field_the_api_returns(client, snapshot):
    schema = client.get(reverse("api:schema")).json()
    figure = schema["components"]["schemas"]["Figure"]["properties"]
    row = client.get(reverse("api:observations"), {"indicator": 92196}).json()["results"][0]

    assert schema["openapi"].startswith("3.")
    assert set(figure) == set(row)
    # Every endpoint but the schema itself is described: the index, indicators, areas, ...
    endpoints = {f"/api/v1/{p.pattern}" for p in api_urls.urlpatterns} - {"/api/v1/schema/"}
    endpoints |= {f"/api/v1/local/{p.pattern}" for p in local_api_urls.urlpatterns}
    assert {"/api/v1/", "/api/v1/indicators/", "/api/v1/observations/"} <= endpoints
    assert {"/api/v1/local/deprivation/", "/api/v1/local/reviews/"} <= endpoints
    assert set(schema["paths"]) == endpoints
