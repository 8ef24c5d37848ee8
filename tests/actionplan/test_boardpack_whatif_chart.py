"""The board pack draws each what-if statement's interval chart beside it (WHATIF section 7:
"the board pack prints sentence, caveat and chart"), from the numbers the web chart draws."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from datetime import date, datetime

import pytest
from django.utils import timezone
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate

from actionplan import boardpack, frozen_pack
from actionplan.boardpack.drawing import _register_fonts, _styles
from actionplan.boardpack.whatif_chart import chart_values, flowables
from actionplan.models import PriorityArea, QuarterlyReview
from indicators.charts import whatif as wc
from indicators.statistics import whatif as w
from indicators.whatif_inputs import Statement, board_lines
from tests.indicators.test_whatif import HAND, HAND_P, HAND_SET

SMOKING = 93085  # smoking at delivery
DRAWING = re.compile(rb"(?m) (?:l|re|c)$")  # path operators: lines, rectangles, curves


@pytest.fixture
def review(loaded_plan):
    from actionplan.presenters import current_plan

    return QuarterlyReview.objects.create(
        plan=current_plan(), financial_year=2021, quarter=2, meeting_date=date(2021, 10, 20)
    )


def _pack(review):
    moment = timezone.make_aware(datetime(2021, 10, 1, 9, 0))
    return boardpack.collect(review, today=date(2021, 10, 1), generated_at=moment)


def _without_charts(pack):
    sections = tuple(
        replace(a, whatif=tuple(replace(line, chart=None) for line in a.whatif))
        for a in pack.sections
    )
    return replace(pack, sections=sections)


def _text(pdf: bytes) -> list[str]:
    """Each page's words as pypdf reads them (no system PDF tools needed)."""
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def _drawing_operators(pdf: bytes) -> int:
    reader = PdfReader(io.BytesIO(pdf))
    return sum(len(DRAWING.findall(page.get_contents().get_data())) for page in reader.pages)


def _area_text(pages: list[str], area: PriorityArea, areas: list[PriorityArea]) -> str:
    def first(a: PriorityArea) -> int:
        heading = f"{a.number}. {' '.join(a.title.split())} RAG for"
        return next(i for i, p in enumerate(pages) if heading in p)

    following = next((a for a in areas if a.number > area.number), None)
    end = first(following) if following is not None else len(pages)
    return " ".join(pages[first(area) : end])


def test_the_smoking_area_prints_the_chart_of_each_statement_with_the_web_charts_numbers(review):
    pack = _pack(review)
    areas = list(PriorityArea.objects.filter(plan=review.plan).order_by("number"))
    smoking = next(a for a in areas if a.measures.filter(indicator__fingertips_id=SMOKING))
    section = next(s for s in pack.sections if s.number == smoking.number)
    lines = board_lines([SMOKING])
    assert lines and len(section.whatif) == len(lines)

    for printed, line in zip(section.whatif, lines, strict=True):
        chart, result = printed.chart, line.statement.result
        # The same curve, comparator and markers as the web chart: nothing worked out afresh.
        web = wc.curve(result)
        assert [(c.prevalence, c.rate, c.low80, c.high95) for c in chart.curve] == [
            (r.prevalence, r.rate, r.low80, r.high95) for r in web
        ]
        assert chart.comparator_value == result.comparator.value
        assert chart.today == result.prevalence.p
        assert chart.description == wc.alt_text(result, web, factor="smoking at delivery")

    pdf = boardpack.render(pack)
    page = _area_text(_text(pdf), smoking, areas)
    chart = section.whatif[0].chart
    assert "Chart: Expected infant mortality rate by smoking at delivery: Lancashire" in page
    assert "Smoking at delivery (%)" in page  # the x axis's title
    assert "Infant mortality rate per 1,000" in page  # the y axis's
    assert f"Periods: {chart.period}." in page
    assert f"Comparator: England, {chart.comparator_value:.2f} per 1,000" in page
    assert "Smoking status at time of delivery (93085)" in page  # a source, named
    assert "Today 9.6%" in page  # the marker at p
    # The caption: the statement's finding, then what the chart shows.
    headline = " ".join(section.whatif[0].headline.split())
    assert f"Chart in words: {headline} Expected rate per 1,000 as smoking" in page
    # The chart is drawn: more lines, rectangles and curves than the same pack without it.
    assert _drawing_operators(pdf) > _drawing_operators(boardpack.render(_without_charts(pack)))


def test_an_area_without_what_if_statements_prints_no_chart(review):
    pack = _pack(review)
    areas = list(PriorityArea.objects.filter(plan=review.plan).order_by("number"))
    pages = _text(boardpack.render(pack))
    quiet = [s for s in pack.sections if not s.whatif]
    assert quiet and len(quiet) < len(pack.sections)
    for section in quiet:
        area = next(a for a in areas if a.number == section.number)
        text = _area_text(pages, area, areas)
        assert "Chart:" not in text and "Chart in words" not in text


def test_a_pack_stored_before_the_chart_reads_back_and_prints_as_it_did(review):
    """A frozen pack's JSON from before the chart has no `chart`: it prints without one, to the
    very bytes of the pack without charts (the stored PDF itself is never made again)."""
    pack = replace(_pack(review), frozen=True, record="Stored at freezing.")
    assert any(line.chart for s in pack.sections for line in s.whatif)
    content = frozen_pack.to_plain(_without_charts(pack))
    for section in content["pack"]["sections"]:
        for line in section["whatif"]:
            del line["chart"]
    old = frozen_pack.from_plain(json.loads(json.dumps(content)))
    assert boardpack.render(old) == boardpack.render(_without_charts(pack))
    # A pack stored with its chart reads back to the same bytes too.
    again = frozen_pack.from_plain(json.loads(json.dumps(frozen_pack.to_plain(pack))))
    assert boardpack.render(again) == boardpack.render(pack)


def test_a_significant_gap_draws_the_to_match_marker_and_the_range_of_women():
    """The specification's by-hand case (WHATIF section 6): T = 5.4, new prevalence 12.5%,
    k = 4,000 women; drawn alone into a page."""
    comparator = w.Comparator("target", value=5.4, name="the target")
    result = w.run("Testshire", HAND, HAND_P, HAND_SET, comparator)
    assert result.case == "significant_gap"
    chart = chart_values(
        Statement("infant_mortality", "smoking_at_delivery", "target", result, None, ())
    )
    assert chart.to_match == pytest.approx(0.125)
    assert chart.women.point == pytest.approx(4000.0)
    spread = wc.women_range(result)
    assert (chart.women.low80, chart.women.high95) == (spread["low80"], spread["high95"])
    _register_fonts()
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build(flowables(chart, "The finding.", _styles()))
    (page,) = _text(buffer.getvalue())[:1]
    assert "To match 12.5%" in page and "Today 25.0%" in page
    assert "Fewer women smoking at delivery a year to match the target" in page
    assert "From the figures" in page and "4,000" in page
    assert "Chart in words: The finding. Expected rate per 1,000" in page
    assert chart.women.words in page
