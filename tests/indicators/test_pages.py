"""The overview and the data page, rendered from the bundled snapshot."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.importers.fingertips import import_file
from indicators.models import ImportRun
from tests.conftest import REAL_EXPORTS


@pytest.mark.django_db
def test_overview_shows_the_latest_period_side_by_side_and_says_where_data_is_missing(
    client, snapshot
):
    response = client.get(reverse("indicators:home"))

    assert response.status_code == 200
    rows = {row["indicator"].fingertips_id: row for row in response.context["rows"]}
    imr = rows[92196]
    assert imr["period"] == "2022 - 24"
    lancashire, north_west, england = imr["cells"]
    assert lancashire is None  # the snapshot has no county figure for 2022-24
    assert (north_west.value, england.value) == (4.6, 4.2)
    assert "No data for 2022 - 24" in response.content.decode()
    assert rows[92705]["cells"] == [None, None, None]


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


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["indicators:home", "indicators:data"])
def test_page_queries_stay_constant_as_data_grows(client, snapshot, name):
    url = reverse(name)
    with CaptureQueriesContext(connection) as small:
        client.get(url)

    for path in REAL_EXPORTS:
        if "raw" in str(path):
            import_file(path)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)

    assert response.status_code == 200
    assert len(large) == len(small)
