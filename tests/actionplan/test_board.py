"""The board view and the priority area page: RAGs with their rule, measures and exceptions."""

from __future__ import annotations

import html as html_module
import io
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from actionplan import rag
from actionplan.models import (
    Action,
    PerformanceMeasure,
    Plan,
    PriorityArea,
    QuarterlyReview,
    QuarterlyUpdate,
    Rating,
)
from actionplan.presenters import quarter_start
from indicators.vocabulary import ActionStatus, Rag
from tests.actionplan.plans import running_plan


def seed(model, **fields):
    """Write history directly, as a past quarter left it: bulk_create skips the frozen guard
    (and the rule that a quarter is frozen only once every area has a final RAG)."""
    return model.objects.bulk_create([model(**fields)])[0]


def words(response) -> str:
    """The page's text without tags, spaces collapsed."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", text)


def this_quarter(today: date) -> tuple[int, int]:
    """The financial year and quarter a day falls in."""
    year = today.year if today.month >= 4 else today.year - 1
    return year, (today.month - 4) % 12 // 3 + 1


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


@pytest.fixture
def board(client, loaded_plan, board_member):
    client.force_login(board_member)
    return lambda: client.get(reverse("actionplan:board"))


def action(number: str) -> Action:
    return Action.objects.get(number=number)


@pytest.mark.parametrize(
    ("year", "quarter", "first_day"),
    [(2020, 1, date(2020, 4, 1)), (2020, 3, date(2020, 10, 1)), (2020, 4, date(2021, 1, 1))],
)
def test_quarter_start_is_the_financial_quarters_first_day(year, quarter, first_day):
    assert quarter_start(QuarterlyReview(financial_year=year, quarter=quarter)) == first_day
    assert rag.financial_quarter_start(first_day + timedelta(days=40)) == first_day


def test_board_shows_the_nine_priority_areas_in_order(board):
    response = board()
    assert response.status_code == 200
    html = response.content.decode()
    numbers = [int(n) for n in re.findall(r'data-testid="area-(\d+)"', html)]
    assert numbers == list(range(1, 10))
    for area in PriorityArea.objects.all():
        assert area.title in words(response)
        assert reverse("actionplan:area", args=[area.number]) in html


def test_without_a_rating_the_board_shows_the_proposed_rag_and_the_rule(board):
    response = board()
    text = words(response)
    # Every area is a proposal: not one has a final RAG yet.
    assert text.count("proposed") >= 9
    assert "final" not in re.sub(r"final RAG", "", text)
    # The rule is written out in a details block, word for word from rag.RULES_TEXT.
    html = response.content.decode()
    assert '<details class="govuk-details rules"' in html
    for rule in rag.ACTION_RULES + rag.MEASURE_RULES + rag.PRIORITY_AREA_RULES:
        assert f"[{rule.id}]" in text
    assert "tried in order" in text


def test_rags_are_tags_with_words_never_colour_alone(board):
    html = board().content.decode()
    tags = re.findall(r'<strong class="govuk-tag rag rag--(\w+)">([^<]+)</strong>', html)
    assert tags
    for colour, label in tags:
        assert label.strip() in {r.label for r in rag.Rag}
        assert rag.parse_rag(label).tone == colour


def test_arrows_say_new_when_no_quarter_has_been_frozen(board):
    text = words(board())
    assert text.count("new: no final RAG for the last frozen quarter") == 9


def test_key_measures_show_the_home_countys_figure_and_comparison(board):
    response = board()
    text = words(response)
    assert "Rate of infant mortality" in text
    assert "than England" in text or "to England" in text
    # Measures whose indicator has no figure for the county say so.
    assert "No data" in text
    html = response.content.decode()
    assert reverse("indicators:indicator", args=[92196]) in html


def test_no_exceptions_are_listed_when_no_action_is_red_overdue_or_rescheduled(board):
    assert "No actions are Red, overdue or rescheduled." in words(board())


def test_red_overdue_and_rescheduled_actions_are_listed_as_exceptions(board):
    today = timezone.localdate()
    year, quarter = this_quarter(today)
    plan = running_plan()
    review = QuarterlyReview.objects.create(plan=plan, financial_year=year, quarter=quarter)
    overdue = action("1.1.1")
    overdue.status = ActionStatus.IN_PROGRESS
    overdue.due_date = today - timedelta(days=10)
    overdue.save()
    slipped = action("2.1.1")
    slipped.status = ActionStatus.IN_PROGRESS
    slipped.original_due_date = today + timedelta(days=100)
    slipped.due_date = today + timedelta(days=300)
    slipped.save()
    reported_red = action("3.1.1")
    reported_red.status = ActionStatus.IN_PROGRESS
    reported_red.save()
    seed(
        QuarterlyUpdate,
        review=review,
        action=reported_red,
        rag=Rag.RED,
        progress_note="Funding withdrawn.",
    )

    response = board()
    html = response.content.decode()
    assert 'data-testid="exceptions"' in html
    table = html.split('data-testid="exceptions"', 1)[1].split("</table>", 1)[0]
    rows = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table))
    assert "1.1.1" in rows and "Red, Overdue" in rows
    assert "2.1.1" in rows and "Rescheduled" in rows
    assert "3.1.1" in rows and "says Red" in rows
    assert "4.1.1" not in rows


def test_final_rag_is_shown_with_its_arrow_against_the_last_frozen_quarter(board, group_member):
    today = timezone.localdate()
    year, quarter = this_quarter(today)
    plan = running_plan()
    before = seed(
        QuarterlyReview,
        plan=plan,
        financial_year=previous_quarter(year, quarter)[0],
        quarter=previous_quarter(year, quarter)[1],
        state=QuarterlyReview.State.FROZEN,
        frozen_at=timezone.now(),
    )
    now = QuarterlyReview.objects.create(plan=plan, financial_year=year, quarter=quarter)
    first, second, third = PriorityArea.objects.filter(number__in=[1, 2, 3]).order_by("number")
    seed(Rating, review=before, priority_area=first, proposed=Rag.RED, final=Rag.RED)
    seed(
        Rating,
        review=now,
        priority_area=first,
        proposed=Rag.AMBER,
        final=Rag.GREEN,
        rationale="New funding agreed for every action.",
        decided_by=group_member,
    )
    seed(Rating, review=before, priority_area=second, proposed=Rag.GREEN, final=Rag.GREEN)
    seed(Rating, review=before, priority_area=third, proposed=Rag.AMBER, final=Rag.AMBER)

    html = board().content.decode()
    rows = {
        int(n): html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)))
        for n, row in re.findall(r'data-testid="area-(\d+)">(.*?)</tr>', html, re.S)
    }
    assert "Green final" in rows[1]
    # The group's override and its rationale: once, in the row under the area's.
    assert "New funding agreed for every action." not in rows[1]
    note = html_module.unescape(re.search(r'data-testid="override-1">(.*?)</tr>', html, re.S)[1])
    assert "the group set Green over the rule's Amber: New funding agreed" in note
    assert "↑" in rows[1] and "better than the rule's Red last frozen quarter" in rows[1]
    assert "Amber proposed" in rows[2]
    assert "↓" in rows[2] and "worse than the rule's Green last frozen quarter" in rows[2]
    assert "→" in rows[3] and "same as the rule's Amber last frozen quarter" in rows[3]
    assert "new: no final RAG" in rows[4]


def test_board_reads_in_the_same_number_of_queries_as_the_plan_grows(board):
    today = timezone.localdate()
    year, quarter = this_quarter(today)
    plan = running_plan()
    earlier = seed(
        QuarterlyReview,
        plan=plan,
        financial_year=previous_quarter(year, quarter)[0],
        quarter=previous_quarter(year, quarter)[1],
        state=QuarterlyReview.State.FROZEN,
        frozen_at=timezone.now(),
    )
    review = QuarterlyReview.objects.create(plan=plan, financial_year=year, quarter=quarter)
    actions = list(Action.objects.order_by("pk"))

    def grow(start: int, stop: int) -> None:
        for number, each in enumerate(actions[start:stop]):
            each.status = ActionStatus.IN_PROGRESS
            each.due_date = today + timedelta(days=number - 5)
            each.save()
            for quarter_review in (earlier, review):
                seed(
                    QuarterlyUpdate,
                    review=quarter_review,
                    action=each,
                    rag=Rag.AMBER,
                    progress_note="Going.",
                )

    grow(0, 2)
    with CaptureQueriesContext(connection) as few:
        assert board().status_code == 200
    grow(2, 40)
    seed(
        Rating,
        review=earlier,
        priority_area=PriorityArea.objects.get(number=1),
        proposed=Rag.AMBER,
        final=Rag.AMBER,
    )
    with CaptureQueriesContext(connection) as many:
        assert board().status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many]
    # 11 read the plan; 3 read what changed since the last review (updates, history, figures);
    # 1 reads the local quarterly measures linked to the plan's measures.
    assert len(few) <= 15, len(few)


# ---------------------------------------------------------------------------------------------
# The priority area page
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def area_page(client, loaded_plan, board_member):
    client.force_login(board_member)
    return lambda number: client.get(reverse("actionplan:area", args=[number]))


def test_area_page_lists_objectives_and_actions_with_their_proposed_rag(area_page):
    area = PriorityArea.objects.get(number=5)
    text = words(area_page(5))
    assert area.title in text
    for objective in area.objectives.all():
        assert objective.number in text
        for each in objective.actions.all():
            assert each.number in text
    assert "Not started, and it has no start date." in text
    assert "Lead" in text and "Owner" in text and "Status" in text
    # The area's own proposal with its reason.
    assert "rated actions Amber" in text


def test_area_page_shows_the_latest_update_and_owner(area_page, action_owner):
    today = timezone.localdate()
    year, quarter = this_quarter(today)
    plan = running_plan()
    earlier = seed(
        QuarterlyReview,
        plan=plan,
        financial_year=previous_quarter(year, quarter)[0],
        quarter=previous_quarter(year, quarter)[1],
        state=QuarterlyReview.State.FROZEN,
        frozen_at=timezone.now(),
    )
    review = QuarterlyReview.objects.create(plan=plan, financial_year=year, quarter=quarter)
    each = action("5.2.1")
    each.owner = action_owner
    each.status = ActionStatus.IN_PROGRESS
    each.start_date = date(2021, 4, 1)
    each.due_date = today + timedelta(days=200)
    each.save()
    seed(
        QuarterlyUpdate,
        review=earlier,
        action=each,
        rag=Rag.RED,
        progress_note="Old news.",
        author=action_owner,
    )
    seed(
        QuarterlyUpdate,
        review=review,
        action=each,
        rag=Rag.GREEN,
        progress_note="All midwives trained.",
        author=action_owner,
    )
    text = words(area_page(5))
    assert "All midwives trained." in text
    assert "Old news." not in text
    assert action_owner.get_username() in text
    assert "owner says Green" in text


def test_area_page_links_measures_to_their_indicator(area_page):
    measure = PerformanceMeasure.objects.get(indicator__fingertips_id=93085)
    measure.priority_area = PriorityArea.objects.get(number=5)
    measure.save()
    response = area_page(5)
    html = response.content.decode()
    assert reverse("indicators:indicator", args=[93085]) in html
    text = words(response)
    assert measure.measure in text
    assert "than England" in text
    assert "Measures: 0 Red, 1 Amber" in text or "1 measure" in text


def test_area_page_says_when_no_measure_is_linked(area_page):
    assert "No performance measure is linked to this priority area." in words(area_page(2))


def test_an_unknown_priority_area_is_not_found(area_page):
    assert area_page(99).status_code == 404


def _measure_row(response, name: str) -> str:
    table = response.content.decode().split('data-testid="board-measures"', 1)[1]
    rows = table.split("</table>", 1)[0].split("<tr")[1:]
    return next(row for row in rows if name in row)


def test_a_measure_older_than_the_plans_start_is_not_rated_out_of_date(board):
    # Lancashire's infant mortality rests on 2016-18 (the later rows have no denominators, so no
    # county pool); the bundled plan starts in April 2020: the board must not rate it.
    row = _measure_row(board(), "Rate of infant mortality")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))
    assert "(2016 - 18)" in text
    assert "Not rated: data out of date" in text
    assert "rag--red" not in row and "rag--green" not in row


def test_the_out_of_date_limit_is_a_setting(board, settings):
    settings.RAG_OUT_OF_DATE_BEFORE = "off"
    assert "Not rated: data out of date" not in _measure_row(board(), "Rate of infant mortality")
    settings.RAG_OUT_OF_DATE_BEFORE = "2016-01-01"
    assert "Not rated: data out of date" not in _measure_row(board(), "Rate of infant mortality")
    settings.RAG_OUT_OF_DATE_BEFORE = "2019-06-30"
    assert "Not rated: data out of date" in _measure_row(board(), "Rate of infant mortality")


def test_the_board_pack_says_not_rated_data_out_of_date_with_the_period(client, board):
    review = seed(QuarterlyReview, plan=Plan.objects.get(), financial_year=2021, quarter=2)
    response = client.get(reverse("actionplan:board_pack", args=[review.pk]))
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text().split()) for page in pages)
    assert "Not rated: data out of date. The latest value is for 2016 - 18" in text
