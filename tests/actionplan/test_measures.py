"""A priority area's measures: figures, the trend chart from the analyst views, the basis."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from actionplan.models import PerformanceMeasure
from indicators.configuration import areas_config
from tests.actionplan.conftest import login

SMOKING_AT_DELIVERY = 93085


@pytest.mark.django_db
def test_the_area_that_names_a_measure_shows_it_with_its_trend_chart(client, board_member, plan):
    login(client, board_member)
    html = client.get(reverse("actionplan:area", args=[5])).content.decode()
    measure = PerformanceMeasure.objects.get(indicator__fingertips_id=SMOKING_AT_DELIVERY)
    assert measure.priority_area.number == 5
    assert measure.measure in html
    assert "the area's title names their subject" in html
    slug = f"measure-{measure.position}-trend"
    assert f'data-figure="{slug}-figure"' in html
    figure = json.loads(
        re.search(
            rf'<script id="{slug}-figure" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    names = {trace.get("name") for trace in figure["data"]}
    config = areas_config()
    assert {config.home.name, config.england.name} <= names
    # The chart's own links lead to the analyst views of the indicator.
    assert reverse("indicators:indicator", args=[SMOKING_AT_DELIVERY]) in html
    assert "vendor/plotly/plotly.min.js" in html


@pytest.mark.django_db
def test_an_area_without_a_measure_says_so_and_loads_no_chart_library(client, board_member, plan):
    login(client, board_member)
    html = client.get(reverse("actionplan:area", args=[1])).content.decode()
    assert "No performance measure is linked to this priority area" in html
    assert "plotly" not in html


@pytest.mark.django_db
def test_the_board_shows_each_areas_own_measures(client, board_member, plan):
    login(client, board_member)
    response = client.get(reverse("actionplan:board"))
    rows = {row.area.number: row for row in response.context["status"].areas}
    assert [m.measure.indicator.fingertips_id for m in rows[5].measures] == [SMOKING_AT_DELIVERY]
    assert len(rows[7].measures) == 2
    assert not rows[1].measures
    # The plan-wide measures stay on the board, infant mortality first.
    plan_wide = response.context["status"].plan_measures
    assert plan_wide[0].measure.indicator.fingertips_id == 92196
