"""What changed since the last review: the pure comparison, and a real quarter built through the
models (two reviews, a slipped and a completed action, an imported figure, RAG moves)."""

from __future__ import annotations

import importlib
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.urls import reverse

from actionplan import changes, review_changes, workflow
from actionplan.changes import (
    ActionHistory,
    ActionState,
    ActionUpdates,
    AreaRatings,
    MeasureSeries,
    ObservationPoint,
)
from actionplan.models import (
    Action,
    PerformanceMeasure,
    PriorityArea,
    QuarterlyReview,
    QuarterlyUpdate,
    Rating,
)
from actionplan.rag import Rag as R
from indicators.configuration import areas_config
from indicators.models import ImportRun, Observation
from indicators.vocabulary import ActionStatus, Rag
from tests.actionplan.freezing import freeze_with_every_area_rated
from tests.actionplan.plans import running_plan

COUNTIES = "fixtures/exports/snapshot/lancashire_counties_502.csv"
LOW_BIRTH_WEIGHT = 20101

T0 = datetime(2024, 7, 1, 9, 0, tzinfo=UTC)
T1 = datetime(2024, 10, 1, 9, 0, tzinfo=UTC)


def compare(**inputs) -> changes.Changes:
    defaults = {
        "review": "2024/25 Q3",
        "review_frozen": False,
        "previous": "2024/25 Q2",
        "previous_frozen_at": T0,
        "as_at": T1,
    }
    return changes.compare(**(defaults | inputs))


# ---------------------------------------------------------------------------------------------
# The pure comparison
# ---------------------------------------------------------------------------------------------


def test_without_a_previous_frozen_review_nothing_is_listed_and_the_summary_says_so():
    result = compare(
        previous=None,
        previous_frozen_at=None,
        areas=[AreaRatings(1, "Smoking", R.GREEN, R.RED, R.RED)],
    )
    assert not result.has_previous
    assert result.is_empty
    assert result.summary == (
        "There is no earlier frozen review to compare 2024/25 Q3 with, so no changes are listed."
    )


def test_nothing_changed_is_said_in_words():
    result = compare(areas=[AreaRatings(1, "Smoking", R.GREEN, R.GREEN, R.RED)])
    assert result.is_empty
    assert result.summary == "Nothing has changed since 2024/25 Q2 was frozen."


def test_area_moves_compare_the_last_final_with_this_final_or_else_the_proposal():
    result = compare(
        areas=[
            AreaRatings(2, "Breastfeeding", R.AMBER, None, R.RED),
            AreaRatings(1, "Smoking", R.RED, R.GREEN, R.RED),
            AreaRatings(3, "Sleep", R.GREEN, None, R.GREEN),
            AreaRatings(4, "New area", None, R.GREEN, R.GREEN),
            AreaRatings(5, "Not rated", R.AMBER, None, R.NOT_RATED),
        ]
    )
    assert [
        (m.number, m.before, m.after, m.after_kind, m.direction) for m in result.area_moves
    ] == [
        ("1", R.RED, R.GREEN, "final", "better"),
        ("2", R.AMBER, R.RED, "proposed", "worse"),
        ("5", R.AMBER, R.NOT_RATED, "proposed", "changed"),
    ]


def test_action_moves_need_an_update_in_both_reviews_with_a_different_rag():
    result = compare(
        updates=[
            ActionUpdates("1.1.10", "Tenth", 1, R.AMBER, R.GREEN),
            ActionUpdates("1.1.9", "Ninth", 1, R.GREEN, R.RED),
            ActionUpdates("1.1.2", "Same", 1, R.GREEN, R.GREEN),
            ActionUpdates("1.1.3", "First update", 1, None, R.RED),
            ActionUpdates("1.1.4", "No update yet", 1, R.RED, None),
        ]
    )
    assert [(m.number, m.after_kind, m.direction) for m in result.action_moves] == [
        ("1.1.9", "owner's update", "worse"),
        ("1.1.10", "owner's update", "better"),
    ]


def test_a_due_date_moved_later_is_slipped_once_earlier_or_unset_is_not():
    before = ActionState(date(2025, 3, 31), "in_progress")
    result = compare(
        actions=[
            ActionHistory(
                "2.1.1", "Later", 2, before, ActionState(date(2025, 9, 30), "in_progress")
            ),
            ActionHistory(
                "2.1.2", "Earlier", 2, before, ActionState(date(2025, 1, 31), "in_progress")
            ),
            ActionHistory("2.1.3", "Unset", 2, before, ActionState(None, "in_progress")),
            ActionHistory("2.1.4", "Newly dated", 2, ActionState(None, "not_started"), before),
            ActionHistory(
                "2.1.5", "Added since", 2, None, ActionState(date(2026, 1, 1), "not_started")
            ),
            ActionHistory("2.1.6", "Removed", 2, before, None),
        ]
    )
    assert [(s.number, s.was_due, s.now_due, s.days_later) for s in result.slipped] == [
        ("2.1.1", date(2025, 3, 31), date(2025, 9, 30), 183)
    ]
    assert result.completed == []


def test_completed_means_complete_now_and_not_when_the_previous_review_was_frozen():
    due = date(2025, 3, 31)
    result = compare(
        actions=[
            ActionHistory(
                "3.1.1",
                "Done now",
                3,
                ActionState(due, "in_progress"),
                ActionState(due, "complete"),
            ),
            ActionHistory(
                "3.1.2",
                "Done before",
                3,
                ActionState(due, "complete"),
                ActionState(due, "complete"),
            ),
            ActionHistory(
                "3.1.3",
                "Reopened",
                3,
                ActionState(due, "complete"),
                ActionState(due, "in_progress"),
            ),
            ActionHistory("3.1.4", "Added done", 3, None, ActionState(None, "complete")),
        ]
    )
    assert [(c.number, c.due_date) for c in result.completed] == [("3.1.1", due), ("3.1.4", None)]


def test_a_period_after_the_latest_held_is_new_an_earlier_one_revised_each_listed_once():
    early = datetime(2024, 8, 1, tzinfo=UTC)
    late = datetime(2024, 9, 1, tzinfo=UTC)
    result = compare(
        measures=[
            MeasureSeries(
                "Low birth weight",
                "Low birth weight of term babies",
                20101,
                "%",
                20230000,
                (
                    ObservationPoint("2024", 20240000, 2.9, early),
                    ObservationPoint("2024", 20240000, 2.82, late),
                    ObservationPoint("2022", 20220000, 2.94, early),
                ),
            ),
            MeasureSeries("Nothing new", "Other", 1, "", 20230000, ()),
            MeasureSeries(
                "First figures",
                "Third",
                2,
                "",
                None,
                (ObservationPoint("2023", 20230000, 1.5, early),),
            ),
        ]
    )
    assert [(d.measure, d.period_label, d.value, d.kind) for d in result.new_data] == [
        ("Low birth weight", "2024", 2.82, "new period"),
        ("Low birth weight", "2022", 2.94, "revised"),
        ("First figures", "2023", 1.5, "new period"),
    ]


def test_the_summary_counts_each_kind_of_change():
    due = date(2025, 3, 31)
    result = compare(
        areas=[AreaRatings(1, "Smoking", R.RED, R.GREEN, R.RED)],
        actions=[
            ActionHistory(
                "3.1.1", "A", 3, ActionState(due, "in_progress"), ActionState(due, "complete")
            ),
            ActionHistory(
                "3.1.2",
                "B",
                3,
                ActionState(due, "in_progress"),
                ActionState(due + timedelta(1), "in_progress"),
            ),
            ActionHistory(
                "3.1.3",
                "C",
                3,
                ActionState(due, "in_progress"),
                ActionState(due + timedelta(1), "in_progress"),
            ),
        ],
    )
    assert result.summary == (
        "Since 2024/25 Q2 was frozen: 1 priority area with a changed RAG "
        "(the rule's or the group's), "
        "2 actions' due dates slipped and 1 action completed."
    )


def test_the_stored_form_reads_back_equal():
    due = date(2025, 3, 31)
    result = compare(
        review_frozen=True,
        areas=[AreaRatings(1, "Smoking", R.RED, R.GREEN, R.RED)],
        updates=[ActionUpdates("1.1.1", "A", 1, R.AMBER, R.COMPLETE)],
        actions=[
            ActionHistory(
                "3.1.1", "A", 3, ActionState(due, "in_progress"), ActionState(due, "complete")
            ),
            ActionHistory(
                "3.1.2",
                "B",
                3,
                ActionState(due, "in_progress"),
                ActionState(due + timedelta(9), "in_progress"),
            ),
        ],
        measures=[
            MeasureSeries("M", "I", 1, "%", None, (ObservationPoint("2024", 20240000, None, T0),))
        ],
    )
    assert changes.from_plain(changes.to_plain(result)) == result


# ---------------------------------------------------------------------------------------------
# A real quarter, built through the models
# ---------------------------------------------------------------------------------------------


def home_low_birth_weight() -> Observation:
    """The home county's latest low birth weight figure (2024) in the bundled snapshot."""
    return (
        Observation.objects.filter(
            indicator__fingertips_id=LOW_BIRTH_WEIGHT,
            area__code=areas_config().home.code,
            category_type="",
            sex="Persons",
        )
        .order_by("period_sortable")
        .last()
    )


def import_counties() -> ImportRun:
    call_command("import_fingertips", COUNTIES, stdout=io.StringIO())
    return ImportRun.objects.order_by("-pk").first()


def rate_all(review, *, finals: dict[int, str] | None = None) -> None:
    for area in PriorityArea.objects.filter(plan=review.plan):
        final = (finals or {}).get(area.number, Rag.AMBER)
        Rating.objects.create(
            review=review,
            priority_area=area,
            proposed=Rag.AMBER,
            final=final,
            rationale="" if final == Rag.AMBER else "The group's view",
        )


@pytest.fixture
def quarter(loaded_plan):
    """Two reviews: 2024/25 Q2 frozen, 2024/25 Q3 open, and what happened in between.

    The snapshot's 2024 figure is held back until after the first review is frozen, then
    imported from the same real export file, as a refresh brings a new period.
    """
    plan = running_plan()
    actions = list(Action.objects.filter(objective__priority_area__plan=plan).order_by("pk"))
    slipping, completing, steady, earlier = actions[:4]
    for each, due in ((slipping, date(2025, 3, 31)), (steady, date(2025, 6, 30))):
        each.due_date = due
        each.status = ActionStatus.IN_PROGRESS
        each.save()
    earlier.due_date = date(2025, 9, 30)
    earlier.save()
    completing.status = ActionStatus.IN_PROGRESS
    completing.save()

    held_back = home_low_birth_weight()
    figure = (held_back.period_label, held_back.value)
    held_back.delete()

    first = QuarterlyReview.objects.create(plan=plan, financial_year=2024, quarter=2)
    QuarterlyUpdate.objects.create(review=first, action=steady, rag=Rag.GREEN, progress_note="Fine")
    rate_all(first, finals={1: Rag.GREEN})
    workflow.freeze(first)
    first.refresh_from_db()

    # Between the reviews: a due date slips (twice), one moves earlier, an action is completed,
    # the steady action's owner turns it Red, and the 2024 figure arrives.
    slipping.due_date = date(2025, 6, 30)
    slipping.save()
    slipping.due_date = date(2025, 12, 31)
    slipping.save()
    earlier.due_date = date(2025, 7, 31)
    earlier.save()
    completing.status = ActionStatus.COMPLETE
    completing.save()
    second = QuarterlyReview.objects.create(
        plan=plan, financial_year=2024, quarter=3, meeting_date=date(2025, 1, 15)
    )
    QuarterlyUpdate.objects.create(review=second, action=steady, rag=Rag.RED, progress_note="Late")
    Rating.objects.create(
        review=second,
        priority_area=PriorityArea.objects.get(plan=plan, number=1),
        proposed=Rag.AMBER,
        final=Rag.RED,
        rationale="Two actions behind",
    )
    run = import_counties()
    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    return {
        "first": first,
        "second": second,
        "slipping": slipping,
        "completing": completing,
        "steady": steady,
        "figure": figure,
        "run": run,
    }


def test_each_change_between_the_two_reviews_is_listed_exactly_once(quarter):
    result = review_changes.changes_for(quarter["second"])

    assert result.previous == str(quarter["first"]) == "2024/25 Q2"
    assert result.previous_frozen_at == quarter["first"].frozen_at
    area_1 = [m for m in result.area_moves if m.number == "1"]
    # The rule's RAG (Amber) held in both quarters: the group's overrides are noted, and the
    # move is "same", never "worse" (a final Green → final Red is the group's, not the rule's).
    assert [(m.before, m.after, m.after_kind, m.direction) for m in area_1] == [
        (R.AMBER, R.AMBER, "computed", "same")
    ]
    assert area_1[0].note == (
        "2024/25 Q2: the group set Green over the rule's Amber: The group's view. "
        "2024/25 Q3: the group set Red over the rule's Amber: Two actions behind."
    )
    assert all(m.after_kind == "computed" for m in result.area_moves)
    assert [(m.number, m.before, m.after) for m in result.action_moves] == [
        (quarter["steady"].number, R.GREEN, R.RED)
    ]
    assert [(s.number, s.was_due, s.now_due) for s in result.slipped] == [
        (quarter["slipping"].number, date(2025, 3, 31), date(2025, 12, 31))
    ]
    assert [c.number for c in result.completed] == [quarter["completing"].number]
    measure = PerformanceMeasure.objects.get(indicator__fingertips_id=LOW_BIRTH_WEIGHT)
    period, value = quarter["figure"]
    # Re-reading the whole file touched only the figure that was missing: one new line.
    assert [(d.measure, d.period_label, d.value, d.new_period) for d in result.new_data] == [
        (measure.measure, period, value, True)
    ]
    assert result.new_data[0].imported_at == quarter["run"].finished_at


def test_a_frozen_review_keeps_its_list_when_later_changes_and_imports_happen(quarter):
    second = quarter["second"]
    for area in PriorityArea.objects.filter(plan=second.plan).exclude(number=1):
        Rating.objects.create(
            review=second, priority_area=area, proposed=Rag.AMBER, final=Rag.AMBER
        )
    before = review_changes.changes_for(second)
    workflow.freeze(second)
    second.refresh_from_db()
    frozen = review_changes.changes_for(second)
    assert frozen.review_frozen and frozen.as_at == second.frozen_at
    assert (frozen.area_moves, frozen.action_moves, frozen.new_data) == (
        before.area_moves,
        before.action_moves,
        before.new_data,
    )
    assert (frozen.slipped, frozen.completed) == (before.slipped, before.completed)

    # After the freeze: another slip, another completion, and the figure written again by a
    # later import (which makes its import run later than the freeze).
    later = Action.objects.exclude(pk__in=[quarter["slipping"].pk]).order_by("-pk").first()
    later.due_date, later.status = date(2030, 1, 1), ActionStatus.COMPLETE
    later.save()
    home_low_birth_weight().delete()
    assert import_counties().status == ImportRun.Status.SUCCEEDED

    second.refresh_from_db()
    assert review_changes.changes_for(second) == frozen
    # Worked out again now, the figure would be missing: the stored list is what keeps it.
    recomputed = review_changes.compute(second, as_at=second.frozen_at)
    assert recomputed.new_data == []
    assert recomputed.slipped == frozen.slipped and recomputed.completed == frozen.completed


def test_the_first_review_has_nothing_to_compare_with(loaded_plan):
    review = QuarterlyReview.objects.create(plan=running_plan(), financial_year=2024, quarter=2)
    result = review_changes.changes_for(review)
    assert result.previous is None and result.is_empty
    assert "no earlier frozen review" in result.summary


def words(response) -> str:
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", text)


def section(response) -> str:
    html = response.content.decode()
    found = re.search(r'<section class="plan-changes".*?</section>', html, re.S)
    assert found, "no change list on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


@pytest.mark.parametrize("where", ["review", "board"])
def test_the_review_page_and_the_board_show_the_changes(client, quarter, board_member, where):
    client.force_login(board_member)
    if where == "review":
        url = reverse("actionplan:review", args=[quarter["second"].pk])
    else:
        url = reverse("actionplan:board")
    response = client.get(url)
    assert response.status_code == 200
    text = section(response)
    assert "What changed since the last review" in text
    assert "Quarter 2024/25 Q3 compared with 2024/25 Q2" in text
    slipping, completing, steady = quarter["slipping"], quarter["completing"], quarter["steady"]
    period, value = quarter["figure"]
    assert f"{slipping.number} " in text and "31 Mar 2025 31 Dec 2025 (275 days later)" in text
    assert text.count(f" {slipping.number} ") == 1
    assert text.count(f" {completing.number} ") == 1
    assert text.count(f" {steady.number} ") == 1
    assert re.search(rf"{re.escape(period)} new period {value:.1f}", text)
    assert "Amber the rule's Amber the rule's Same 2024/25 Q2: the group set Green" in text
    # The board links to the review page; the review page does not link to itself.
    assert ("The review page for 2024/25 Q3" in text) == (where == "board")


def test_the_review_page_says_plainly_when_there_is_no_previous_review(
    client, loaded_plan, board_member
):
    review = QuarterlyReview.objects.create(plan=running_plan(), financial_year=2024, quarter=2)
    client.force_login(board_member)
    text = words(client.get(reverse("actionplan:review", args=[review.pk])))
    assert (
        "What changed since the last review There is no earlier frozen review to compare "
        "2024/25 Q2 with, so no changes are listed."
    ) in text


def test_a_review_frozen_before_the_time_was_kept_reads_it_from_history(loaded_plan):
    migration = importlib.import_module("actionplan.migrations.0003_review_changes_and_reminders")
    review = QuarterlyReview.objects.create(plan=running_plan(), financial_year=2024, quarter=2)
    freeze_with_every_area_rated(review)
    frozen = review.history.filter(state=QuarterlyReview.State.FROZEN).get().history_date
    QuarterlyReview.objects.filter(pk=review.pk).update(frozen_at=None)

    migration.frozen_at_from_history(django_apps, None)

    review.refresh_from_db()
    assert review.frozen_at == frozen


def test_without_the_time_the_previous_review_was_frozen_only_rag_moves_are_listed(
    client, loaded_plan, board_member
):
    plan = running_plan()
    # Written directly, as a quarter frozen before times were kept: no history, no frozen_at.
    [previous] = QuarterlyReview.objects.bulk_create(
        [QuarterlyReview(plan=plan, financial_year=2024, quarter=2, state="frozen")]
    )
    Rating.objects.bulk_create(
        [
            Rating(
                review=previous,
                priority_area=PriorityArea.objects.get(plan=plan, number=1),
                proposed=Rag.AMBER,
                final=Rag.AMBER,
            )
        ]
    )
    review = QuarterlyReview.objects.create(plan=plan, financial_year=2024, quarter=3)
    Rating.objects.create(
        review=review,
        priority_area=PriorityArea.objects.get(plan=plan, number=1),
        proposed=Rag.AMBER,
        final=Rag.RED,
        rationale="Behind",
    )
    action = Action.objects.order_by("pk").first()
    action.status = ActionStatus.COMPLETE
    action.save()

    result = review_changes.changes_for(review)

    assert result.previous == "2024/25 Q2" and result.previous_frozen_at is None
    # The rule's Amber held; only the group's final moved (to Red, with its rationale).
    assert [(m.number, m.before, m.after) for m in result.area_moves] == [("1", R.AMBER, R.AMBER)]
    assert "the group set Red over the rule's Amber: Behind" in result.area_moves[0].note
    assert result.completed == [] and result.slipped == [] and result.new_data == []
    client.force_login(board_member)
    text = section(client.get(reverse("actionplan:review", args=[review.pk])))
    assert "The time 2024/25 Q2 was frozen is not recorded" in text
