"""What the pages claim, in a real browser at desktop and phone widths: periods, missing data,
what is printed rather than live, inequality statistics in words that match, withheld counts."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_pages import serious

pytestmark = pytest.mark.e2e

WIDTHS = [1280, 375]


def visit(page: Page, site: str, path: str, width: int) -> str:
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(site + path)
    assert response.status == 200
    return page.locator("main").inner_text()


def no_sideways_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_overview_states_periods_and_lists_awaiting_indicators_once(site, page, problems, width):
    text = visit(page, site, "/", width)

    assert "Period: 2016 - 18" in text
    assert "Older than the newest figures held" in text
    awaiting = page.get_by_test_id("awaiting-data")
    expect(awaiting).to_contain_text("Neonatal mortality")
    heat_map = page.get_by_test_id("heatmap")
    expect(heat_map).not_to_contain_text("Neonatal mortality")
    expect(heat_map).to_contain_text("higher, untested")  # the region against England
    expect(page.get_by_test_id("data-current-at")).to_contain_text(
        "for some figures the extract date is not recorded"
    )
    assert no_sideways_scroll(page)
    assert serious(page) == []
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_awaiting_indicator_says_what_is_true_with_no_broken_heading(site, page, problems, width):
    text = visit(page, site, "/indicators/92705/", width)

    assert "not in the data bundled with the dashboard" in text
    assert "Last refresh attempt: none yet" in text
    assert "No data has been published" not in text
    for heading in page.locator("h1, h2, h3").all_inner_texts():
        assert ", :" not in heading and heading.strip()
    assert no_sideways_scroll(page)
    assert serious(page) == []
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_section_6_risk_factor_shows_the_figure_as_printed_in_the_report(
    site, page, problems, width
):
    visit(page, site, "/indicators/92531/", width)

    printed = page.get_by_test_id("report-figure")
    expect(printed).to_contain_text("As printed in the report")
    expect(printed).to_contain_text("Lancashire, 2016: 7.9 %")
    expect(printed).to_contain_text("count 1,038")
    assert serious(page) == []
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_injury_admissions_page_says_its_extract_date_is_not_recorded(site, page, problems, width):
    text = visit(page, site, "/indicators/90284/", width)

    assert "Extract date not recorded" in text
    assert "31 March 2024" not in text
    page.wait_for_function(
        "() => [...document.querySelectorAll('div.chart[data-figure]')]"
        ".every(c => c.dataset.drawn === 'true')"
    )
    assert serious(page) == []
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_low_birth_weight_opens_on_a_period_with_the_districts_figures(site, page, problems, width):
    visit(page, site, "/indicators/20101/", width)

    chosen = page.locator("#period option:checked").inner_text()
    assert chosen != "2024"  # 2024 holds the county's figure only
    table = page.locator("#compare table").inner_text()
    assert "No data" not in table
    assert serious(page) == []
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_inequalities_page_defines_the_rii_and_shows_the_printed_table_as_published(
    site, page, problems, width, settings
):
    text = visit(page, site, "/inequalities/", width)

    expect(page.get_by_test_id("method-note")).to_contain_text("divided by the fitted value")
    # The local deciles drawn with their intervals and the fitted SII line.
    page.wait_for_function(
        "() => [...document.querySelectorAll('div.chart[data-figure]')]"
        ".every(c => c.dataset.drawn === 'true')"
    )
    traces = page.locator("#inequalities div.chart[data-figure]").evaluate(
        "c => c.data.map(t => t.name || '')"
    )
    assert any("SII" in name or "slope index" in name for name in traces)
    assert "RII -0.11" not in text
    assert "RII not meaningful" in text
    assert "32,537" in text
    assert "6,552" in text  # decile 10's estimated births: the report's table is public
    assert serious(page) == []
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_index_pages_list_indicators_and_areas(site, page, problems, width):
    text = visit(page, site, "/indicators/", width)
    expect(page.get_by_test_id("indicators-awaiting")).to_contain_text("Neonatal mortality rate")
    expect(page.get_by_test_id("indicators-with-data")).to_contain_text("Infant mortality rate")
    expect(page.get_by_test_id("report-only")).to_contain_text("Mothers aged under 18")
    assert "Campylobacter" not in text
    assert serious(page) == []

    visit(page, site, "/areas/", width)
    expect(page.get_by_test_id("areas-district")).to_contain_text("Burnley")
    expect(page.get_by_test_id("areas-region")).to_contain_text("North West")
    assert no_sideways_scroll(page)
    assert serious(page) == []
    assert problems == []
