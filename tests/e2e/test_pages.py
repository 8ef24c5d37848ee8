"""Every page in a real browser: clean loads, charts, tables and CSVs, controls, accessibility.

The figures come from the bundled snapshot (IMR 2022-24: fourteen districts and unitaries with a
value, none for the county itself). Each chart is checked three ways: what Plotly drew in the
browser, the `data-points` the page carries, and the card the server builds for the same view.
"""

from __future__ import annotations

import csv
import itertools
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import RequestFactory
from playwright.sync_api import Page, expect

from indicators import profiles, views
from indicators.cards.card import ChartCard
from indicators.cards.indicator_page import CARD_BUILDERS
from indicators.cards.profile import profile_card
from indicators.models import Area, Indicator

pytestmark = pytest.mark.e2e

IMR = "/indicators/92196/"
AREA = "/areas/E07000117/"  # Burnley
PAGES = ["/", IMR, AREA, "/inequalities/", "/data/"]

# Points each chart draws from the snapshot, in its default view.
SNAPSHOT_POINTS = {
    "compare": 14,  # IMR 2022-24: the 12 districts and 2 unitaries; the county has no value
    "trend": 7,  # Lancashire 2015-17, 2016-18; North West 2015-17, 2022-24; England all three
    "map": 14,  # every district and unitary of the footprint, with or without a value
    "inequalities": 10,  # the local report's ten deciles
    "profile": 7,  # Burnley's indicators that have a value
}
CARDS = [(IMR, slug) for slug in ("compare", "trend", "map", "inequalities")] + [(AREA, "profile")]

# What a chart holds, read from the Plotly graph div, and what it drew as SVG marks.
CHART_JS = """container => ({
  traces: container.data.map(t => ({
    type: t.type || "scatter", mode: t.mode || "", name: t.name || "",
    orientation: t.orientation || "v", x: t.x || [], y: t.y || [], lon: t.lon || [],
    ids: t.ids || null, customdata: t.customdata || [], meta: t.meta || null, text: t.text || null,
    colour: (t.marker && t.marker.color) || null,
  })),
  shapes: (container.layout.shapes || []).map(s => s.name || ""),
  marks: [...container.querySelectorAll(".barlayer .point path")]
      .filter(p => (p.getAttribute("d") || "M0,0Z") !== "M0,0Z").length
    + container.querySelectorAll(".scatterlayer .point").length,
  expected: Number(container.dataset.points),
})"""
TABLE_JS = """table => [...table.querySelectorAll("tr")]
  .map(tr => [...tr.children].map(cell => cell.innerText.trim()))"""
ALL_DRAWN_JS = """() => [...document.querySelectorAll("div.chart[data-figure]")]
  .every(c => c.dataset.drawn === "true")"""


def open_page(page: Page, url: str) -> None:
    """Go to a page and wait until Plotly has drawn every chart on it."""
    page.goto(url)
    page.wait_for_function(ALL_DRAWN_JS)


def chart(page: Page, slug: str) -> dict:
    return page.locator(f"#{slug} div.chart[data-figure]").evaluate(CHART_JS)


def plotted(traces: list[dict]) -> int:
    """Points with a value: bars, line or spine markers, and the map's one marker per area."""
    count = 0
    for t in traces:
        if t["type"] == "bar":
            values = t["x"] if t["orientation"] == "h" else t["y"]
        elif t["type"] == "scatter" and "markers" in t["mode"]:
            values = t["y"]
        elif t["type"] == "scattergeo" and t["ids"]:
            values = t["lon"]
        else:
            continue  # the SII line, map outlines and legend swatches
        count += sum(v is not None for v in values)
    return count


def server_card(path: str, slug: str) -> ChartCard:
    """The card the server builds for the same URL, made here in the test process."""
    request = RequestFactory().get(path)
    if slug == "profile":
        area = Area.objects.get(code=path.strip("/").split("/")[-1])
        return profile_card(area, profiles.area_profile(area, list(Indicator.objects.shown())))
    indicator = Indicator.objects.get(fingertips_id=int(path.strip("/").split("/")[-1]))
    return CARD_BUILDERS[slug](views._view(request, indicator))


def shown(value: float | None) -> str:
    """A number as the tables show it: one decimal place, thousands separated."""
    return "No data" if value is None else f"{value:,.1f}"


LEADING_NUMBER = re.compile(r"^-?[\d,]*\.\d")


def hover_number(text: str) -> str:
    """The number at the start of a hover label such as "5.3 per 1,000 live births"."""
    match = LEADING_NUMBER.match(text)
    return match.group(0) if match else text


def chart_rows(slug: str, data: dict) -> dict[tuple, object]:
    """What the chart shows, keyed as `table_rows` keys the table."""
    traces = data["traces"]
    if slug == "compare":
        return {
            (cd[0],): (shown(x), t["name"])
            for t in traces
            if t["type"] == "bar"
            for cd, x in zip(t["customdata"], t["x"], strict=True)
        }
    if slug == "trend":
        return {
            (t["name"], period): shown(y)
            for t in traces
            # Points sit at their time; each carries its period label as text.
            for period, y in zip(t.get("text") or t["x"], t["y"], strict=True)
        }
    if slug == "map":
        labels = {
            code: t["name"]
            for t in traces
            if t["meta"] and "codes" in t["meta"]
            for code in t["meta"]["codes"]
        }
        areas = next(t for t in traces if t["ids"])
        return {
            (cd[0],): (hover_number(cd[1]), labels[code])
            for code, cd in zip(areas["ids"], areas["customdata"], strict=True)
        }
    if slug == "inequalities":
        return {
            (str(x),): shown(y)
            for t in traces
            if t["type"] == "bar"
            for x, y in zip(t["x"], t["y"], strict=True)
        }
    if slug == "profile":
        return {(cd[0],): (cd[1], t["name"]) for t in traces for cd in t["customdata"]}
    raise AssertionError(slug)


def table_rows(slug: str, table: list[list[str]]) -> dict[tuple, object]:
    header, *rows = table
    if slug == "compare":
        return {(r[0],): (r[1], r[4]) for r in rows}
    if slug == "trend":
        return {(header[j], r[0]): r[j] for r in rows for j in range(1, len(header) - 1)}
    if slug == "map":
        return {(r[0],): (r[1], r[3]) for r in rows}
    if slug == "inequalities":
        return {(r[0],): r[1] for r in rows}
    if slug == "profile":
        # The chart names each row with its period (rows' periods differ); the table has a column.
        return {(f"{r[0]} ({r[1]})" if r[1] != "–" else r[0],): (r[2], r[7]) for r in rows}
    raise AssertionError(slug)


NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:e-?\d+)?")


def untidy(rows: list[list[str]]) -> list[list[str]]:
    """A tidy CSV back in its table's layout: each interval's two limit columns as "a to b",
    without the estimate flags and the provenance columns (checked here: on every row)."""
    header = rows[0]
    assert header[-3:] == ["source", "licence", "data_current_at"]
    assert all(
        row[-3:] == rows[1][-3:] and row[-2] == "Open Government Licence v3.0" for row in rows[1:]
    )
    merged = []
    for i, name in enumerate(header[:-3]):
        if name.endswith(": lower limit"):
            merged.append((name.removesuffix(": lower limit"), (i, i + 1)))
        elif not name.endswith((": upper limit", " is an estimate")):
            merged.append((name, (i,)))
    out = [[name for name, _ in merged]]
    for row in rows[1:]:
        cells = []
        for _, at in merged:
            if len(at) == 2:
                low, high = row[at[0]], row[at[1]]
                cells.append(f"{low} to {high}" if low and high else "")
            else:
                cells.append(row[at[0]])
        out.append(cells)
    return out


def same_cell(table_cell: str, csv_cell: str) -> bool:
    """A table cell and its CSV cell agree: the CSV's full-precision numbers round to the table's.

    Text cells match exactly, but for case ("Suppressed" / "suppressed").
    """
    shown_numbers, full_numbers = NUMBER.findall(table_cell), NUMBER.findall(csv_cell)
    if not shown_numbers and not full_numbers:
        # The table writes "No data" or "–" where the CSV leaves the cell empty.
        blank = table_cell in {"No data", "–", "Value not published"} and csv_cell == ""
        return blank or table_cell.casefold() == csv_cell.casefold()
    if len(shown_numbers) != len(full_numbers):
        return False
    for text, full in zip(shown_numbers, full_numbers, strict=True):
        places = len(text.split(".")[1]) if "." in text else 0
        if round(float(full.replace(",", "")), places) != float(text.replace(",", "")):
            return False
    return True


def serious(page: Page) -> list[str]:
    """axe-core violations with impact serious or critical, one line per rule."""
    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']}: "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:5])
        for v in violations
        if v["impact"] in {"serious", "critical"}
    ]


# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_errors_or_failed_requests(site, page, problems, path):
    plotly = []
    page.on("response", lambda r: "plotly.min.js" in r.url and plotly.append(r.status))

    open_page(page, site + path)
    page.wait_for_load_state("networkidle")

    assert problems == []
    expect(page.locator("h1")).to_have_count(1)
    charts = page.locator("div.chart[data-figure]")
    assert charts.count() == page.locator("div.chart[data-drawn=true]").count()
    if charts.count():
        assert plotly == [200]  # served from the Plotly wheel through STATICFILES_DIRS


@pytest.mark.parametrize("path", [IMR, AREA])
def test_each_chart_draws_the_points_the_server_expects(site, page, problems, path):
    open_page(page, site + path)
    slugs = page.locator("section.chart-card").evaluate_all("cards => cards.map(c => c.id)")
    assert slugs == [slug for p, slug in CARDS if p == path]

    for slug in slugs:
        data = chart(page, slug)
        card = server_card(path, slug)
        assert plotted(data["traces"]) == data["expected"] == card.points, slug
        assert data["marks"] == card.points == SNAPSHOT_POINTS[slug], slug
    # No button that uploads the chart to Plotly's cloud (plotly.js offers one by default).
    expect(page.locator(".modebar-btn[data-title^='Share']")).to_have_count(0)
    assert problems == []


@pytest.mark.parametrize(("path", "slug"), CARDS)
def test_table_tab_and_csv_hold_the_charts_numbers(site, page, problems, path, slug):
    open_page(page, site + path)
    drawn = chart_rows(slug, chart(page, slug))
    card = page.locator(f"#{slug}")

    expect(card.locator(f"#{slug}-table")).to_be_hidden()
    card.get_by_role("tab", name="Table").click()
    expect(card.locator(f"#{slug}-table table.govuk-table")).to_be_visible()
    expect(card.locator(f"#{slug}-chart")).to_be_hidden()
    table = card.locator(f"#{slug}-table table.govuk-table").evaluate(TABLE_JS)
    tabulated = table_rows(slug, table)

    if slug == "compare":
        # Each bar is a table row; the table adds the benchmarks, drawn as lines, and the areas
        # with no value, labelled "No data" on the chart.
        assert drawn.items() <= tabulated.items()
        extra = {key[0]: value[0] for key, value in tabulated.items() if key not in drawn}
        lines = dict(s.rsplit(": ", 1) for s in chart(page, slug)["shapes"])
        assert {k: v for k, v in extra.items() if v != "No data"} == lines
    elif slug == "profile":
        # Rows with no value (or no England value to centre on) have no marker.
        assert drawn.items() <= tabulated.items()
        assert len(drawn) == SNAPSHOT_POINTS[slug]
    elif slug == "inequalities":
        assert drawn == {k: v for k, v in tabulated.items() if v != "No data"}
    else:
        assert drawn == tabulated

    card.get_by_role("tab", name="Download").click()
    with page.expect_download() as download:
        card.locator(f"#{slug}-download a[download]").click()
    assert download.value.suggested_filename.endswith(".csv")
    with open(download.value.path(), encoding="utf-8", newline="") as f:
        rows = untidy(list(csv.reader(f)))
    assert rows[0] == table[0]
    assert len(rows) == len(table)
    for shown_row, csv_row in zip(table[1:], rows[1:], strict=True):
        assert shown_row[0] == csv_row[0]
        assert len(shown_row) == len(csv_row)
        mismatched = [
            (s, c) for s, c in zip(shown_row, csv_row, strict=True) if not same_cell(s, c)
        ]
        assert mismatched == [], shown_row
    assert problems == []


def test_benchmark_switch_recolours_the_heat_map(site, page, problems):
    open_page(page, site + "/")
    cells = page.locator("[data-testid=heatmap] td.cmp")
    england = cells.evaluate_all("cells => cells.map(c => c.className)")

    page.select_option("#benchmark", "region")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"benchmark=region"))

    expect(page.locator("#benchmark")).to_have_value("region")
    region = cells.evaluate_all("cells => cells.map(c => c.className)")
    assert len(region) == len(england)
    assert region != england
    assert problems == []


def test_benchmark_switch_recolours_the_compare_bars(site, page, problems):
    def colours() -> dict[str, str]:
        data = chart(page, "compare")
        return {
            cd[0]: t["colour"]
            for t in data["traces"]
            if t["type"] == "bar"
            for cd in t["customdata"]
        }

    open_page(page, site + IMR)
    england = colours()

    page.select_option("#benchmark", "region")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"benchmark=region"))
    page.wait_for_function(ALL_DRAWN_JS)

    region = colours()
    assert region.keys() == england.keys()
    assert region != england
    assert problems == []


def test_permalinks_restore_the_chosen_view(site, page, problems):
    chosen = {"#period": "20160000", "#benchmark": "region", "#area": "E07000117"}
    open_page(page, site + IMR)
    for select, value in chosen.items():
        page.select_option(select, value)
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"period=20160000"))
    page.wait_for_function(ALL_DRAWN_JS)
    titles = page.locator("section.chart-card h2").all_inner_texts()
    compare = chart_rows("compare", chart(page, "compare"))

    permalinks = {}
    for slug in ("compare", "trend", "map", "inequalities"):
        card = page.locator(f"#{slug}")
        card.get_by_role("tab", name="About").click()
        permalinks[slug] = card.locator("a.permalink").get_attribute("href")

    for slug, href in permalinks.items():
        open_page(page, site + href)
        assert page.evaluate("location.hash") == f"#{slug}"
        for select, value in chosen.items():
            expect(page.locator(select)).to_have_value(value)
        assert page.locator("section.chart-card h2").all_inner_texts() == titles
    assert chart_rows("compare", chart(page, "compare")) == compare
    assert "Burnley over time" in titles[1]
    assert problems == []


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations_at_desktop_width(site, page, path):
    open_page(page, site + path)
    assert serious(page) == []


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations_or_sideways_scroll_at_320px(site, page, path):
    page.set_viewport_size({"width": 320, "height": 800})
    open_page(page, site + path)
    assert serious(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


# Headings wrap onto two lines ("Worst or" / "lowest"): each is named by its first word.
SPINE_HEADINGS_JS = """() => [...document.querySelectorAll('#profile-chart .annotation-text')]
    .filter(t => /^(Worst|Lowest|England|Best|Highest|Value)/.test(t.textContent))
    .filter(t => !/^England \\d/.test(t.textContent))
    .map(t => { const r = t.getBoundingClientRect();
                return [t.textContent.split(/[ (]/)[0], r.left, r.right, r.top, r.bottom]; })"""


@pytest.mark.parametrize("width", [375, 320, 1280])
def test_the_spine_charts_column_headings_do_not_overlap(site, page, problems, width):
    page.set_viewport_size({"width": width, "height": 800})
    open_page(page, site + AREA)
    headings = page.evaluate(SPINE_HEADINGS_JS)
    # Burnley's profile mixes indicators with and without polarity: "Worst or lowest".
    assert sorted(h[0] for h in headings) == ["Best", "England", "Value", "Worst"]
    for (a, a_left, a_right, a_top, a_bottom), (
        b,
        b_left,
        b_right,
        b_top,
        b_bottom,
    ) in itertools.combinations(headings, 2):
        side_by_side = a_right <= b_left or b_right <= a_left
        one_above = a_bottom <= b_top or b_bottom <= a_top
        assert side_by_side or one_above, f"{a} overlaps {b} at {width}px"
    # The chart scrolls in its own box; the page itself does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
