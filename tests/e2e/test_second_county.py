"""Another county in a real browser: Kent's areas file on the bundled exports (see
tests/test_second_county.py). Pages load cleanly, charts draw, the map shows Kent's districts
from the UK-wide boundary file, and no page names a Lancashire area, its region or codes.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from indicators import configuration
from tests.e2e.test_pages import ALL_DRAWN_JS, chart
from tests.test_second_county import CONFIG, KENT, named

pytestmark = pytest.mark.e2e

IMR = "/indicators/92196/"
DISTRICT = "/areas/E07000105/"  # Ashford
PAGES = ["/", IMR, DISTRICT, "/areas/E10000016/", "/inequalities/", "/data/"]
# Set to a folder to keep a screenshot of each page at each width (for looking at them).
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


@pytest.fixture
def kent_site(live_server, transactional_db, settings):
    settings.DASHBOARD_AREAS_FILE = CONFIG / "kent.json"
    configuration._cached.cache_clear()
    call_command("load_snapshot", stdout=io.StringIO())
    yield live_server.url
    configuration._cached.cache_clear()


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(ALL_DRAWN_JS)
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("path", PAGES)
def test_kents_pages_draw_and_never_name_lancashire(kent_site, page, problems, path, width):
    page.set_viewport_size({"width": width, "height": 900})
    open_page(page, kent_site + path)
    assert problems == []
    text = page.locator("body").inner_text()
    assert "Kent" in text
    assert named(page.content()) == []
    charts = page.locator("div.chart[data-figure]")
    assert charts.count() == page.locator("div.chart[data-drawn=true]").count()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if SCREENSHOTS:
        name = path.strip("/").replace("/", "_") or "overview"
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}-{width}.png"), full_page=True)


def test_compare_chart_lists_every_area_when_none_has_a_value(kent_site, page, problems):
    # Kent's districts and neighbour have no infant mortality figure in the bundled files.
    open_page(page, kent_site + IMR)
    labels = page.locator("#compare .ytick text").evaluate_all("ts => ts.map(t => t.textContent)")
    assert sorted(labels) == sorted(
        a["name"] for a in [KENT["home"], *KENT["districts"], *KENT["neighbours"]]
    )
    assert problems == []


def test_the_map_draws_kents_districts_and_says_no_data(kent_site, page, problems):
    open_page(page, kent_site + IMR)
    data = chart(page, "map")
    (areas,) = [t for t in data["traces"] if t["ids"]]
    assert set(areas["ids"]) == {a["code"] for a in KENT["districts"] + KENT["neighbours"]}
    # Kent's districts have no infant mortality figures in the bundled files: said on the map.
    assert page.locator("#map").get_by_text("No data").count() > 0
    assert problems == []
