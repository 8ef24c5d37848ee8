"""What the pages claim: every canonical page and CSV, read as a reader would (issue 12).

Walks the overview, the index pages, every shown indicator's page and chart CSVs, every area's
profile and CSV, the inequalities page and its CSVs, the data, accessibility and privacy pages and
the API's CSVs (each once, in its default view: not every parameter combination). Fails on:

- a figure without its period: a headline tile's value without "Period: ...", or a chart whose
  title names no period while its table has no Period column;
- a heading with an empty name ("Neonatal mortality, : compare areas", "Lancashire: ");
- float noise (6.699999999999999, 3.9000000000000004), on a page or in a CSV;
- on a page, a number of five or more digits written without thousands separators (32537),
  other than an identifier (a Fingertips indicator id, a year, a period's sortable form).
"""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from django.test import Client

from indicators.models import Indicator

PERIOD = re.compile(r"\b(?:19|20)\d\d(?:\s?-\s?\d\d|/\d\d(?:\s-\s\d\d/\d\d)?)?\b")
NOISE = re.compile(r"\d\.\d*(?:0{6,}|9{6,})\d")
LONG_NUMBER = re.compile(r"(?<![\w.,/#:-])\d{5,}(?![\w,.]\d|\d)")
EMPTY_NAME = re.compile(r"^\s*[,:]|[,:]\s*[,:]|,\s*$|:\s*$|\(\s*\)|^\s*$")
HEADING = re.compile(r"<(h[1-6]|caption)\b[^>]*>(.*?)</\1>", re.S)
CARD = re.compile(r'<section class="chart-card".*?</section>', re.S)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def canonical_paths(client: Client) -> tuple[list[str], list[str]]:
    indicators = client.get("/api/v1/indicators/").json()["results"]
    areas = client.get("/api/v1/areas/").json()["results"]
    pages = ["/", "/indicators/", "/areas/", "/inequalities/", "/data/"]
    pages += ["/accessibility/", "/privacy/"]
    pages += [f"/indicators/{i['fingertips_id']}/" for i in indicators]
    pages += [f"/areas/{a['code']}/" for a in areas]
    csvs = [
        f"/indicators/{i['fingertips_id']}/{chart}.csv"
        for i in indicators
        for chart in ("compare", "trend", "map", "inequalities")
    ]
    csvs += [f"/areas/{a['code']}/profile.csv" for a in areas]
    csvs += ["/api/v1/indicators/?format=csv", "/api/v1/areas/?format=csv"]
    csvs += [f"/api/v1/observations/?indicator={i['fingertips_id']}&format=csv" for i in indicators]
    return pages, csvs


def identifiers() -> set[str]:
    """Fingertips indicator ids, held or listed (an id is a name, not a quantity)."""
    return {str(i) for i in Indicator.objects.values_list("fingertips_id", flat=True)}


def page_problems(path: str, html: str, known_ids: set[str]) -> list[str]:
    problems = []
    for _, inner in HEADING.findall(html):
        name = " ".join(visible_text(inner).split())
        if EMPTY_NAME.search(name):
            problems.append(f"{path}: heading with an empty name: {name!r}")
    text = visible_text(html)
    problems += [f"{path}: float noise {m!r}" for m in NOISE.findall(text)]
    for number in LONG_NUMBER.findall(text):
        if number not in known_ids and not (len(number) == 8 and number.startswith("20")):
            problems.append(f"{path}: unformatted number {number}")
    for tile in re.findall(r'<li class="tile">.*?</li>', html, re.S):
        if "tile__value" in tile and not PERIOD.search(visible_text(tile)):
            problems.append(f"{path}: a headline figure without its period")
    for card in CARD.findall(html):
        title = re.search(r'<h2[^>]*id="[\w-]+-title"[^>]*>(.*?)</h2>', card, re.S)
        name = visible_text(title.group(1)) if title else ""
        has_figures = "<table" in card
        period_column = re.search(r"<th[^>]*>\s*Period\s*</th>", card)
        stated = PERIOD.search(name) or "period not stated" in name
        if has_figures and not stated and not period_column:
            problems.append(f"{path}: chart without its period: {' '.join(name.split())!r}")
    return problems


def csv_problems(path: str, body: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(body)))
    return [f"{path}: float noise {cell!r}" for row in rows for cell in row if NOISE.search(cell)]


def test_every_canonical_page_and_csv_says_what_it_is(client, snapshot):
    pages, csvs = canonical_paths(client)
    known = identifiers()
    assert len(pages) > 30 and len(csvs) > 50
    problems = []
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        problems += page_problems(path, response.content.decode(), known)
    for path in csvs:
        response = client.get(path)
        assert response.status_code == 200, path
        problems += csv_problems(path, response.content.decode())
    assert problems == []


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("<h2>Neonatal mortality, : compare areas</h2>", "empty name"),
        ("<h1>Lancashire: </h1>", "empty name"),
        ("<p>Value 6.699999999999999</p>", "float noise"),
        ("<p>32537 births</p>", "unformatted number 32537"),
        ('<ul><li class="tile"><p class="tile__value">4.7</p></li></ul>', "without its period"),
        (
            '<section class="chart-card"><h2 id="x-title">Rate: map</h2><table></table></section>',
            "chart without its period",
        ),
    ],
)
def test_the_walk_catches_each_kind_of_claim(html, problem):
    found = page_problems("/x/", html, set())
    assert any(problem in p for p in found), found


@pytest.mark.parametrize(
    "html",
    [
        "<h2>Infant mortality, 2022 - 24: compare areas</h2><p>32,537 births in 2024</p>",
        '<ul><li class="tile"><p class="tile__value">4.7</p><p>Period: 2016 - 18</p></li></ul>',
        "<p>Indicator 92196, E07000117, 6.7</p>",
    ],
)
def test_the_walk_passes_what_is_said_properly(html):
    assert page_problems("/x/", html, {"92196"}) == []
