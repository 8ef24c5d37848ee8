"""Findings, neighbours and what-if sections in a real browser, at 1280 and 375 px, with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_pages import open_page, serious

INJURIES = "/indicators/90284/"
SMOKING = "/indicators/93085/"
METHOD = "/methods/what-if/"


@pytest.mark.parametrize("width", [1280, 375])
def test_injury_page_opens_with_findings_and_ranks_the_county(site, page: Page, problems, width):
    page.set_viewport_size({"width": width, "height": 900})
    open_page(page, site + INJURIES)
    findings = page.get_by_test_id("findings")
    expect(findings).to_contain_text("ranks 9 of 11 among its DfE statistical neighbours")
    # The findings come before the first chart.
    assert findings.evaluate(
        "f => !!(f.compareDocumentPosition(document.querySelector('.chart-card')) & 4)"
    )
    expect(page.get_by_test_id("neighbour-rank").first).to_contain_text("9 of 11")
    expect(page.get_by_test_id("funnel")).to_have_count(2)
    assert page.locator("[data-testid=funnel] div.chart[data-drawn=true]").count() == 2
    assert serious(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert problems == []


@pytest.mark.parametrize("width", [1280, 375])
def test_smoking_page_shows_what_if_with_inputs(site, page: Page, problems, width):
    page.set_viewport_size({"width": width, "height": 900})
    open_page(page, site + SMOKING)
    statements = page.get_by_test_id("whatif-statement")
    expect(statements.first).to_be_visible()
    expect(page.get_by_test_id("whatif")).to_contain_text("smoking at delivery fell from")
    page.get_by_text("Inputs, relative risk and caveats").first.click()
    expect(page.get_by_test_id("whatif")).to_contain_text("Salihu")
    # Each chart is drawn, and its CSV downloads the chart's numbers.
    charts = page.locator("[data-testid=whatif-chart] div.chart")
    expect(charts.first).to_have_attribute("data-drawn", "true")
    with page.expect_download() as download:
        page.get_by_test_id("whatif-csv").first.click()
    with open(download.value.path(), encoding="utf-8") as handle:
        assert handle.readline().startswith("series,prevalence,value,")
    assert serious(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert problems == []


@pytest.mark.parametrize("width", [1280, 375])
def test_method_page_worked_example(site, page: Page, problems, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site + METHOD)
    expect(page.get_by_test_id("worked-example")).to_contain_text("129.8 (shown as 130)")
    expect(page.get_by_test_id("worked-example")).to_contain_text("181.4 (shown as 180)")
    assert serious(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert problems == []
