"""The what-if interval chart (WHATIF section 7) on the report's smoking inputs."""

from __future__ import annotations

import pytest

from indicators.charts import whatif as chart
from indicators.statistics import whatif as w
from tests.indicators.test_whatif import DEFAULT, IMR, NORTH_WEST, SMOKING

RESULT = w.run("Lancashire", IMR, SMOKING, DEFAULT, NORTH_WEST)


def test_the_curve_passes_through_the_observed_rate_and_its_bands_hold_it():
    rows = chart.curve(RESULT)
    assert rows[0].prevalence == 0 and rows[0].rate == pytest.approx(RESULT.estimates.r0)
    assert rows[-1].prevalence == pytest.approx(2 * SMOKING.p)
    # At today's prevalence the expected rate is the observed rate, 4.5 per 1,000.
    middle = rows[len(rows) // 2]
    assert middle.prevalence == pytest.approx(SMOKING.p)
    assert middle.rate == pytest.approx(IMR.rate)
    for r in rows:
        assert r.low95 <= r.low80 <= r.rate <= r.high80 <= r.high95
    assert rows[-1].rate > rows[0].rate  # more smoking, a higher expected rate (RR 1.4)


def test_the_figure_has_bands_line_comparator_and_markers_and_the_table_says_the_same():
    rows = chart.curve(RESULT)
    fig = chart.figure(RESULT, rows, factor="smoking at delivery")
    names = [t.name for t in fig.data if t.name]
    assert names == ["95% range", "80% range", "Expected rate", "Today", "To match"]
    (line,) = fig.layout.shapes
    assert line.y0 == line.y1 == NORTH_WEST.value
    to_match = next(t for t in fig.data if t.name == "To match")
    assert to_match.x[0] == pytest.approx(100 * RESULT.estimates.new_prevalence)
    columns, body = chart.table(rows)
    assert columns[0] == "Prevalence" and len(body) == len(rows)
    assert body[len(rows) // 2][:2] == ["13.9%", "4.50"]


def test_the_axis_keeps_the_factors_capitals():
    rows = chart.curve(RESULT)
    factor = "obesity (BMI 30 or more) in early pregnancy"
    fig = chart.figure(RESULT, rows, factor=factor)
    assert fig.layout.xaxis.title.text == "Obesity (BMI 30 or more) in early pregnancy (%)"


def test_the_words_say_what_the_chart_shows():
    rows = chart.curve(RESULT)
    text = chart.alt_text(RESULT, rows, factor="smoking at delivery")
    assert "4.50 at today's 13.9%" in text
    assert "The North West: 4.48." in text  # its name's capitals kept
    assert f"about {100 * RESULT.estimates.new_prevalence:.1f}%" in text


@pytest.mark.django_db
def test_each_whatif_statement_on_a_page_has_its_chart_and_table(client, snapshot):
    import json
    import re

    from django.urls import reverse

    page = client.get(reverse("indicators:indicator", args=[93085])).content.decode()
    charts = re.findall(
        r'data-testid="whatif-chart">\s*<div class="chart" data-figure="([^"]+)"', page
    )
    assert charts, "no what-if chart on the smoking page"
    for figure_id in charts:
        source = re.search(
            rf'<script id="{figure_id}" type="application/json">(.*?)</script>', page, re.S
        )
        figure = json.loads(source.group(1))
        assert [t.get("name") for t in figure["data"] if t.get("name")][:3] == [
            "95% range",
            "80% range",
            "Expected rate",
        ]
    assert page.count('data-testid="whatif-chart-table"') == len(charts)


def test_the_range_bar_for_women_only_where_the_statement_gives_women():
    from tests.indicators.test_whatif import HAND, HAND_P, HAND_SET

    assert chart.women_range(RESULT) is None  # not significant: no number of women
    gap = w.run("Testshire", HAND, HAND_P, HAND_SET, w.Comparator("target", 5.4, name="X"))
    spread = chart.women_range(gap)
    assert spread["point"] == pytest.approx(4000.0)
    assert spread["low95"] <= spread["low80"] <= spread["high80"] <= spread["high95"]
    fig = chart.women_figure(spread, factor="smoking at delivery")
    assert [t.name for t in fig.data] == ["95% range", "80% range", "From the observed figures"]
    assert list(fig.data[1].x) == [spread["low80"], spread["high80"]]
    text = chart.women_text(spread, factor="smoking at delivery")
    assert text.startswith("Fewer women smoking at delivery a year that would close the gap")
    assert "about 4,000 from the observed figures" in text
    rows = chart.csv_rows(chart.curve(gap), spread)
    assert rows[-1][0] == "women a year to close the gap" and rows[-1][2] == spread["point"]
    assert len(rows) == chart.POINTS + 1 and len(chart.csv_rows(chart.curve(gap), None)) == 21


@pytest.mark.django_db
def test_whatif_charts_follow_the_chart_conventions(client, snapshot):
    """Table, CSV download, text alternative opening with the findings, permalink and API."""
    import csv
    import html
    import io
    import re

    from django.urls import reverse

    from indicators.models import Indicator
    from indicators.templatetags.comparators import findings_text

    page = client.get(reverse("indicators:indicator", args=[93085])).content.decode()
    findings = findings_text(Indicator.objects.get(fingertips_id=93085))
    slugs = re.findall(r'<div id="(whatif-[a-z0-9-]+)">', page)
    assert slugs, "no what-if chart on the smoking page"
    for slug in slugs:
        caption = re.search(rf'id="{slug}-caption">(.*?)</figcaption>', page, re.S).group(1)
        assert findings and html.unescape(caption).startswith(f"{findings}<br>")
        permalink = f"/indicators/93085/#{slug}"
        assert f'class="govuk-link permalink" href="{permalink}"' in page
        url = f"/indicators/93085/what-if/{slug}.csv"
        assert f'href="{url}"' in page
        answer = client.get(url)
        assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
        table = list(csv.reader(io.StringIO(answer.content.decode())))
        assert table[0][:3] == ["series", "prevalence", "value"]
        assert "relative risk" in table[1][-3] and "Salihu" in table[1][-3]
        assert len(table) - 1 >= 21
    api = re.search(r'href="(/api/v1/whatif/\?[^"]+)"', page).group(1)
    assert client.get(api.replace("&amp;", "&")).status_code == 200
    assert client.get("/indicators/93085/what-if/whatif-nothing.csv").status_code == 404
