"""The board pack carries the what-if statements for the priority areas whose measures have them."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from django.utils import timezone
from pypdf import PdfReader

from actionplan import boardpack
from actionplan.models import PriorityArea, QuarterlyReview
from indicators.whatif_inputs import board_lines


@pytest.fixture
def review(loaded_plan):
    from actionplan.presenters import current_plan

    plan = current_plan()
    return QuarterlyReview.objects.create(
        plan=plan, financial_year=2021, quarter=2, meeting_date=date(2021, 10, 20)
    )


def _pages(review) -> list[str]:
    moment = timezone.make_aware(datetime(2021, 10, 1, 9, 0))
    pack = boardpack.collect(review, today=date(2021, 10, 1), generated_at=moment)
    pdf = boardpack.render(pack)
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def _area_pages(pages: list[str], area: PriorityArea, following: PriorityArea | None) -> str:
    """The pages from the area's own heading (its RAG follows it) to the next area's."""

    def first(a: PriorityArea) -> int:
        heading = f"{a.number}. {' '.join(a.title.split())} RAG for"
        return next(i for i, p in enumerate(pages) if heading in p)

    start = first(area)
    end = first(following) if following is not None else len(pages)
    return " ".join(pages[start:end])


def test_the_smoking_area_page_carries_its_what_if_statements_with_period_and_source(review):
    areas = list(PriorityArea.objects.filter(plan=review.plan).order_by("number"))
    smoking = next(
        a
        for a in areas
        if a.measures.filter(indicator__fingertips_id=93085).exists()  # smoking at delivery
    )
    lines = board_lines([93085])
    assert lines, "the bundled snapshot gives the smoking what-if a number"
    pages = _pages(review)
    following = next((a for a in areas if a.number > smoking.number), None)
    page = _area_pages(pages, smoking, following)
    assert "What if" in page
    for line in lines:
        assert " ".join(line.title.split()) in page
        assert " ".join(line.headline.split())[:80] in page
        assert " ".join(line.period.split()) in page
    assert "Salihu" in page  # the relative risk's source, named on the page
    sources = next(p for p in pages if "Data sources and dates" in p)
    assert "What-if relative risks" in " ".join(pages[pages.index(sources) :])


def test_an_area_whose_measures_have_no_what_if_shows_none(review):
    areas = list(PriorityArea.objects.filter(plan=review.plan).order_by("number"))
    quiet = [
        a
        for a in areas
        if not board_lines([m.indicator.fingertips_id for m in a.measures.all() if m.indicator_id])
    ]
    assert quiet
    pages = _pages(review)
    for area in quiet:
        following = next((a for a in areas if a.number > area.number), None)
        assert "What if" not in _area_pages(pages, area, following)
