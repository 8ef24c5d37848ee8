"""What is drawn, in Chromium at desktop and phone widths (issue 12): time axes to scale, the
heat map's pinned names, the spine on a phone, a map of an indicator without polarity, and the
RAG tags' colours."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_pages import IMR, open_page, serious

WIDTHS = [1280, 375]
DEPRIVATION = "/indicators/93553/"


@pytest.mark.parametrize("width", WIDTHS)
def test_trend_places_periods_in_time_and_shades_the_missing_ones(site, page, problems, width):
    page.set_default_timeout(30_000)  # the first, uncached render of the page is the slow one
    page.set_viewport_size({"width": width, "height": 900})
    open_page(page, site + IMR)
    labels = page.locator("#trend-chart g.xtick text").all_text_contents()
    assert labels == ["2015 - 17", "2016 - 18", "2022 - 24"]
    first, second, last = page.evaluate(
        """() => [...document.querySelectorAll('#trend-chart path.xtick')]
            .map(t => t.getBoundingClientRect().left)"""
    )
    assert last - second == pytest.approx(6 * (second - first), rel=0.05)  # six years, not one
    if width > 640:  # a phone shows every panel, without tabs
        page.locator("#trend").get_by_role("tab", name="Table").click()
    periods = page.locator("#trend-table tbody tr th, #trend-table tbody tr td:first-child")
    shown = [p.strip() for p in periods.all_inner_texts()]
    assert "2019 - 21" in shown  # a missing period is a row of the table, saying No data
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_heat_map_scrolls_in_its_frame_with_the_names_pinned(site, page, problems, width):
    page.set_viewport_size({"width": width, "height": 900})
    open_page(page, site + "/")
    frame = page.locator(".table-scroll:has([data-testid=heatmap])")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    frame.evaluate("f => { f.scrollLeft = f.scrollWidth; }")
    box = frame.bounding_box()
    name = page.locator("[data-testid=heatmap] tbody th").first.bounding_box()
    england = page.locator("[data-testid=heatmap] thead th").last.bounding_box()
    assert name["x"] == pytest.approx(box["x"], abs=2)  # the name column stays at the left
    assert england["x"] + england["width"] <= box["x"] + box["width"] + 1  # England reached
    assert problems == []


@pytest.mark.parametrize("width", [375, 320])
def test_spine_fits_a_phone_without_scrolling(site, page, problems, width):
    page.set_viewport_size({"width": width, "height": 900})
    open_page(page, site + "/areas/E07000117/")
    chart = page.locator("#profile-chart .chart")
    box = chart.bounding_box()
    assert box["width"] <= width
    assert chart.evaluate("c => c.scrollWidth <= c.clientWidth + 1")
    right = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll('#profile-chart .annotation')]
            .map(a => a.getBoundingClientRect().right))"""
    )
    assert right <= box["x"] + box["width"] + 1  # the value column is inside the chart
    assert serious(page) == []
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_map_without_polarity_is_a_continuous_scale_with_a_colour_bar(site, page, problems, width):
    page.set_viewport_size({"width": width, "height": 900})
    open_page(page, site + DEPRIVATION)
    expect(page.locator("#map-chart .colorbar")).to_have_count(1)
    fills = page.evaluate(
        """() => [...document.querySelectorAll('#map-chart .scattergeo path.js-line')]
            .map(p => getComputedStyle(p).fill)"""
    )
    assert len(set(fills)) > 5  # not one flat grey
    assert "score score" not in page.locator("#map").inner_text()
    spine = page.goto(site + "/areas/E07000117/")
    assert spine.status == 200
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", ["/accessibility/", "/privacy/"])
def test_statement_pages_pass_axe_and_fit(site, page, problems, path, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site + path)
    assert serious(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    footer = page.locator("footer")
    expect(footer.get_by_role("link", name="Accessibility statement")).to_be_visible()
    expect(footer.get_by_role("link", name="Privacy notice")).to_be_visible()
    assert problems == []
