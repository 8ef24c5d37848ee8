"""A RAG override in one quarter never carries into the next quarter's arrow (issue: "↑ better"
when nothing improved): arrows compare the rule's computed RAGs; overrides are shown beside."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from actionplan import changes
from actionplan.changes import AreaRatings
from actionplan.models import PriorityArea, QuarterlyReview, Rating
from actionplan.rag import Rag as R
from tests.actionplan.freezing import freeze_with_every_area_rated

T0 = datetime(2024, 7, 1, 9, 0, tzinfo=UTC)


def _compare(areas):
    return changes.compare(
        review="2024/25 Q3",
        review_frozen=False,
        previous="2024/25 Q2",
        previous_frozen_at=T0,
        as_at=T0,
        areas=areas,
    )


def test_last_quarters_override_does_not_make_this_quarter_better():
    # Q2: the rule said Amber, the group set Red. Q3: the rule says Amber, the group agrees.
    area = AreaRatings(
        1, "Smoking", R.RED, R.AMBER, R.AMBER, previous_proposed=R.AMBER, previous_rationale="Audit"
    )
    (move,) = _compare([area]).area_moves
    assert (move.before, move.after, move.direction) == (R.AMBER, R.AMBER, "same")
    assert move.note == "2024/25 Q2: the group set Red over the rule's Amber: Audit."


def test_a_real_improvement_of_the_computed_rag_is_better_whatever_the_finals():
    area = AreaRatings(
        1, "Smoking", R.AMBER, R.RED, R.GREEN, previous_proposed=R.AMBER, rationale="Too early"
    )
    (move,) = _compare([area]).area_moves
    assert move.direction == "better"
    assert move.note == "2024/25 Q3: the group set Red over the rule's Green: Too early."


def test_nothing_moved_is_not_listed():
    area = AreaRatings(1, "Smoking", R.AMBER, R.AMBER, R.AMBER, previous_proposed=R.AMBER)
    assert _compare([area]).is_empty


def test_the_stored_list_keeps_the_override_note():
    area = AreaRatings(1, "Smoking", R.RED, R.AMBER, R.AMBER, previous_proposed=R.AMBER)
    listed = _compare([area])
    assert changes.from_plain(changes.to_plain(listed)).area_moves == listed.area_moves


@pytest.mark.django_db
def test_the_board_arrow_after_an_override_compares_the_rules_ratings(client, plan, board_member):
    area = PriorityArea.objects.get(plan=plan, number=1)
    q1 = QuarterlyReview.objects.create(plan=plan, financial_year=2021, quarter=1)
    # Q1: the rule said Amber and the group set Red over it.
    Rating.objects.create(
        review=q1, priority_area=area, proposed="amber", final="red", rationale="Audit due"
    )
    freeze_with_every_area_rated(q1)
    # Q2: the rule says Amber again and the group agrees: nothing improved.
    q2 = QuarterlyReview.objects.create(plan=plan, financial_year=2021, quarter=2)
    Rating.objects.create(review=q2, priority_area=area, proposed="amber", final="amber")
    computed, overridden = R.AMBER, R.RED
    client.force_login(board_member)
    page = html.unescape(client.get(reverse("actionplan:board")).content.decode())
    cell = page.split('data-testid="movement-1"')[1].split("</td>")[0]
    assert "→" in cell and "↑" not in cell and "↓" not in cell
    # The override and its reason are printed once, in the row under the area's.
    note = page.split('data-testid="override-1"')[1].split("</tr>")[0]
    assert f"the group set {overridden.label} over the rule's {computed.label}: Audit due" in note
    table = page.split('data-testid="board-areas"')[1].split("</table>")[0]
    assert table.count("Audit due") == 1
