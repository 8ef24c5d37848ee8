"""What changed since the last review, read from the database for `actionplan.changes`.

`changes_for(review)` is the one entry point for pages and the board pack. A frozen review
returns the list stored when it was frozen; an open one is read afresh, up to now. Both sides
of the comparison are read as they stood at a moment: the previous review's `frozen_at`, and this
review's `frozen_at` (or now while it is open). Actions are read from their history
(django-simple-history) at those moments; figures by the finish time of the import that last
wrote them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from actionplan import changes
from actionplan.models import (
    Action,
    PerformanceMeasure,
    PriorityArea,
    QuarterlyReview,
    QuarterlyUpdate,
    Rating,
)
from actionplan.rag import Rag, parse_rag
from indicators.configuration import areas_config
from indicators.models import ImportRun, Observation


def changes_for(review: QuarterlyReview, *, status=None, now: datetime | None = None):
    """The review's change list: as stored when frozen, else read now.

    `status` is the board's `presenters.PlanStatus` when the caller has one: its areas, actions,
    ratings and measures are then not read again.
    """
    if review.is_frozen and review.changes_at_freeze is not None:
        return changes.from_plain(review.changes_at_freeze)
    if review.is_frozen:
        as_at = frozen_time(review) or now or timezone.now()
    else:
        as_at = now or timezone.now()
    return compute(review, as_at=as_at, status=status)


def previous_frozen_review(review: QuarterlyReview) -> QuarterlyReview | None:
    """The last frozen review of the plan before this one's quarter."""
    earlier = Q(financial_year__lt=review.financial_year) | Q(
        financial_year=review.financial_year, quarter__lt=review.quarter
    )
    return (
        QuarterlyReview.objects.filter(plan_id=review.plan_id, state=QuarterlyReview.State.FROZEN)
        .filter(earlier)
        .order_by("-financial_year", "-quarter")
        .first()
    )


def frozen_time(review: QuarterlyReview) -> datetime | None:
    """When the review was frozen: recorded, else the first history entry that shows it frozen."""
    if review.frozen_at is not None:
        return review.frozen_at
    first = (
        review.history.filter(state=QuarterlyReview.State.FROZEN)
        .order_by("history_date", "history_id")
        .first()
    )
    return first.history_date if first else None


def compute(
    review: QuarterlyReview, *, as_at: datetime, status=None, frozen: bool | None = None
) -> changes.Changes:
    """Read both moments and compare them; `frozen` overrides the review's state (at freezing)."""
    review_frozen = review.is_frozen if frozen is None else frozen
    if status is not None and (status.review is None or status.review.pk != review.pk):
        status = None
    previous = status.previous_review if status is not None else previous_frozen_review(review)
    if previous is None:
        return changes.compare(
            review=str(review),
            review_frozen=review_frozen,
            previous=None,
            previous_frozen_at=None,
            as_at=as_at,
        )
    since = frozen_time(previous)
    if status is not None:
        areas, actions, measures = _from_status(status)
    else:
        areas, actions, measures = _read_plan(review, previous, review_frozen)
    updates = _updates(review, previous, actions)
    if since is None:
        # Without the moment the previous review was frozen, only the reviews' own records
        # (RAGs and updates) can be compared.
        history, series = [], []
    else:
        history = _action_history(actions, since=since, as_at=as_at)
        series = _measure_series(measures, since=since, as_at=as_at)
    return changes.compare(
        review=str(review),
        review_frozen=review_frozen,
        previous=str(previous),
        previous_frozen_at=since,
        as_at=as_at,
        areas=areas,
        updates=updates,
        actions=history,
        measures=series,
    )


def _from_status(status):
    areas = [
        changes.AreaRatings(
            row.area.number,
            row.area.title,
            parse_rag(row.previous.final) if row.previous else None,
            parse_rag(row.rating.final) if row.rating else None,
            parse_rag(row.rating.proposed) if row.rating else row.proposal.rag,
            parse_rag(row.previous.proposed) if row.previous else None,
            row.previous.rationale if row.previous else "",
            row.rating.rationale if row.rating else "",
        )
        for row in status.areas
    ]
    actions = [(row.action, area.area.number) for area in status.areas for row in area.actions]
    measures = [m.measure for area in status.areas for m in area.measures] + [
        m.measure for m in status.plan_measures
    ]
    return areas, actions, measures


def _read_plan(review: QuarterlyReview, previous: QuarterlyReview, review_frozen: bool):
    ratings = {
        (r.review_id, r.priority_area_id): r
        for r in Rating.objects.filter(review__in=[review, previous])
    }
    plan_areas = list(PriorityArea.objects.filter(plan_id=review.plan_id).order_by("number"))
    proposals: dict[int, Rag] = {}
    unrated = [a for a in plan_areas if (review.pk, a.pk) not in ratings]
    if unrated and not review_frozen:
        # An open review's area without a final RAG shows the rule's proposal, as its page does.
        from actionplan import presenters

        status = presenters.plan_status(review.plan, today=timezone.localdate())
        proposals = {row.area.pk: row.proposal.rag for row in status.areas}
    areas = []
    for area in plan_areas:
        before, now = ratings.get((previous.pk, area.pk)), ratings.get((review.pk, area.pk))
        proposed = parse_rag(now.proposed) if now else proposals.get(area.pk)
        areas.append(
            changes.AreaRatings(
                area.number,
                area.title,
                parse_rag(before.final) if before else None,
                parse_rag(now.final) if now else None,
                proposed,
                parse_rag(before.proposed) if before else None,
                before.rationale if before else "",
                now.rationale if now else "",
            )
        )
    actions = [
        (action, action.objective.priority_area.number)
        for action in Action.objects.filter(objective__priority_area__plan_id=review.plan_id)
        .select_related("objective__priority_area")
        .order_by("pk")
    ]
    measures = list(
        PerformanceMeasure.objects.filter(plan_id=review.plan_id)
        .select_related("indicator")
        .order_by("position")
    )
    return areas, actions, measures


def _updates(review, previous, actions) -> list[changes.ActionUpdates]:
    rags: dict[tuple[int, int], str] = {
        (review_id, action_id): value
        for review_id, action_id, value in QuarterlyUpdate.objects.filter(
            review__in=[review, previous]
        ).values_list("review_id", "action_id", "rag")
    }
    found = []
    for action, area_number in actions:
        before, now = rags.get((previous.pk, action.pk)), rags.get((review.pk, action.pk))
        if before is None and now is None:
            continue
        found.append(
            changes.ActionUpdates(
                action.number,
                action.text,
                area_number,
                parse_rag(before) if before else None,
                parse_rag(now) if now else None,
            )
        )
    return found


def _action_history(actions, *, since: datetime, as_at: datetime) -> list[changes.ActionHistory]:
    """Each action's due date and status when the previous review was frozen and at `as_at`."""
    before: dict[int, changes.ActionState | None] = {}
    after: dict[int, changes.ActionState | None] = {}
    records = (
        Action.history.filter(id__in=[a.pk for a, _ in actions], history_date__lte=as_at)
        .order_by("history_date", "history_id")
        .values_list("id", "history_date", "history_type", "due_date", "status")
    )
    for pk, when, kind, due_date, state in records:
        current = None if kind == "-" else changes.ActionState(due_date, state)
        after[pk] = current
        if when <= since:
            before[pk] = current
    return [
        changes.ActionHistory(
            action.number, action.text, area_number, before.get(action.pk), after.get(action.pk)
        )
        for action, area_number in actions
    ]


def _measure_series(
    measures: list[PerformanceMeasure], *, since: datetime, as_at: datetime
) -> list[changes.MeasureSeries]:
    """Each measure's home-area figures written by an import between the two moments."""
    indicators = {m.indicator_id for m in measures if m.indicator_id}
    if not indicators:
        return []
    rows = (
        Observation.objects.headline()
        .filter(indicator_id__in=indicators, area__code=areas_config().home.code)
        .values_list(
            "indicator_id",
            "sex",
            "age",
            "period_sortable",
            "period_label",
            "value",
            "import_run__finished_at",
            "import_run__status",
        )
    )
    by_indicator: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        by_indicator[row[0]].append(row)
    series = []
    for measure in measures:
        held = by_indicator.get(measure.indicator_id, []) if measure.indicator_id else []
        breakdowns: dict[tuple[str, str], int] = defaultdict(int)
        for row in held:
            breakdowns[(row[1], row[2])] += 1
        imported, latest_before = [], None
        if breakdowns:
            # The breakdown the pages show: Persons where published, else the commonest.
            main = min(breakdowns, key=lambda k: (k[0] != "Persons", -breakdowns[k], k))
            for _, sex, age, sortable, label, value, finished, run_status in held:
                if (sex, age) != main:
                    continue
                if finished is not None and finished > as_at:
                    continue  # written after the moment read
                if finished is not None and finished > since:
                    if run_status == ImportRun.Status.SUCCEEDED:
                        imported.append(changes.ObservationPoint(label, sortable, value, finished))
                elif latest_before is None or sortable > latest_before:
                    latest_before = sortable
        indicator = measure.indicator
        series.append(
            changes.MeasureSeries(
                measure.measure,
                (indicator.short_name or indicator.name) if indicator else "",
                indicator.fingertips_id if indicator else None,
                indicator.unit if indicator else "",
                latest_before,
                tuple(imported),
            )
        )
    return series
