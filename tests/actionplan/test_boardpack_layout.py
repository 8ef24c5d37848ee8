"""The board pack's pages as a board member turns them: no table cut from its heading, no
page left with a few lines on it, the measures' RAGs readable in their column.

The bundled plan and figures, an open quarter, the pack read back with pypdf."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
from django.utils import timezone
from pypdf import PdfReader

from actionplan import boardpack
from actionplan.models import QuarterlyReview

MOMENT = datetime(2026, 12, 7, 9, 30)
FOOTER = re.compile(r"Page \d+ of \d+")


@pytest.fixture
def pack(plan):
    review = QuarterlyReview.objects.create(plan=plan, financial_year=2022, quarter=4)
    return boardpack.collect(
        review, today=date(2026, 12, 7), generated_at=timezone.make_aware(MOMENT)
    )


def page_lines(content: bytes) -> list[list[str]]:
    """Each page's lines of text, without the draft mark above and the footer below."""
    pages = []
    for page in PdfReader(io.BytesIO(content)).pages:
        lines = [" ".join(line.split()) for line in page.extract_text().splitlines()]
        pages.append(
            [
                line
                for line in lines
                if line
                and "DRAFT — review not yet frozen" not in line
                and "Board pack ·" not in line
                and not FOOTER.fullmatch(line)
            ]
        )
    return pages


@pytest.mark.django_db
def test_the_whole_plans_measures_share_one_page_with_their_heading(pack):
    # The rule's reasons in full, in the table's narrow RAG column, made each row a dozen lines:
    # two rows were left alone on a page of their own.
    assert len(pack.plan_measures) >= 4
    pages = [" ".join(lines) for lines in page_lines(boardpack.render(pack))]
    page = next(p for p in pages[1:] if "4. Key measures for the whole plan" in p)
    for line in pack.plan_measures:
        assert line.measure in page, line.measure
    assert "The rule's reasons in full" in page


@pytest.mark.django_db
def test_each_measures_rag_column_holds_the_reasons_first_words_and_the_reason_follows(pack):
    text = " ".join(" ".join(lines) for lines in page_lines(boardpack.render(pack))[1:])
    worded = [m for m in pack.plan_measures if m.headline and m.headline != m.reason]
    assert worded
    for line in worded:
        # The reason in full is printed once, after the table, naming its rule; the table
        # holds its first words.
        reason = " ".join(line.reason.split())
        assert text.count(reason) == 1, reason
        assert f"Rule {line.rule}, section 7." in text


@pytest.mark.django_db
def test_no_page_after_the_cover_is_left_nearly_empty(pack):
    pages = page_lines(boardpack.render(pack))
    for number, lines in enumerate(pages[1:], 2):
        assert len(lines) >= 12, (number, lines)


@pytest.mark.django_db
def test_each_priority_area_starts_a_page_and_the_sources_follow_the_last_on_a_new_one(pack):
    pages = [" ".join(lines) for lines in page_lines(boardpack.render(pack))]
    for section in pack.sections:
        heading = f"{section.number}. {section.title} RAG for {pack.quarter}"
        starts = [p for p in pages if heading in p]
        assert len(starts) == 1, heading
        assert starts[0].split(heading)[0].strip() in ("", "5. The priority areas"), heading
    sources = next(p for p in pages[1:] if "6. Data sources and dates" in p)
    assert sources.startswith("6. Data sources and dates")


@pytest.mark.django_db
def test_a_page_an_area_runs_on_to_names_the_area_and_no_other_page_does(pack):
    pages = [" ".join(lines) for lines in page_lines(boardpack.render(pack))]
    area = None
    continued = 0
    for number, page in enumerate(pages[1:], 2):
        starts = [a for a in pack.sections if f"{a.number}. {a.title} RAG for" in page]
        if starts:
            area = starts[0]
            assert "(continued)" not in page, number
        elif "6. Data sources and dates" in page:
            area = None
            assert "(continued)" not in page, number
        elif area is not None:
            assert page.startswith(f"{area.number}. {area.title} (continued)"), number
            continued += 1
        else:
            assert "(continued)" not in page, number
    assert continued  # the bundled plan's longer areas run on to a second page


def test_the_packs_measures_say_why_a_figure_is_not_compared_as_the_board_does(pack):
    text = " ".join(" ".join(lines) for lines in page_lines(boardpack.render(pack))[1:])
    text = re.sub(r"\s+", " ", text)
    # Infant mortality rests on Lancashire's 2016 - 18, for which no North West figure is held.
    assert "Not compared with North West: no North West figure for 2016 - 18" in text
    # Low birth weight of term babies, 2024: no interval published, so the difference is untested.
    assert "lower than England (2.8 against 3.0); not tested for significance" in text
