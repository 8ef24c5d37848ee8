"""What the plan's pages show: each action, measure and priority area with its RAG, read at once.

The views call `plan_status` and format what it returns. It reads the plan in a fixed number of
queries however many actions, updates and reviews there are, and asks `actionplan.rag` for every
proposal so that the pages and the rule written out on them cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

from actionplan import rag
from actionplan.currency import out_of_date_limit
from actionplan.models import (
    Action,
    PerformanceMeasure,
    Plan,
    PriorityArea,
    QuarterlyReview,
    QuarterlyUpdate,
    Rating,
)
from indicators import presenters as figures
from indicators.cards.card import ChartCard, View
from indicators.cards.indicator_page import cached_card
from indicators.configuration import areas_config
from indicators.periods import last_day
from indicators.vocabulary import ActionStatus, Change
from localdata import presenters as local_figures
from localdata.disclosure import Tier

# Worst to best; Not rated has no place, so no arrow can be drawn to or from it.
_RANK = {rag.Rag.RED: 0, rag.Rag.AMBER: 1, rag.Rag.GREEN: 2, rag.Rag.COMPLETE: 3}
ACTION_COUNT_ORDER = (
    rag.Rag.RED,
    rag.Rag.AMBER,
    rag.Rag.GREEN,
    rag.Rag.COMPLETE,
    rag.Rag.NOT_RATED,
)


def quarter_start(review: QuarterlyReview) -> date:
    """The first day of a review's financial quarter: Q1 starts in April, Q4 in January."""
    if review.quarter == 4:
        return date(review.financial_year + 1, 1, 1)
    return date(review.financial_year, 1 + 3 * review.quarter, 1)


@dataclass(frozen=True, slots=True)
class Movement:
    """The arrow against the last frozen quarter, with words for screen readers."""

    change: Change
    before: rag.Rag | None = None

    @property
    def symbol(self) -> str:
        return self.change.symbol

    def words_for(self, when: str = "last frozen quarter") -> str:
        """The change in words, against `when` ("last frozen quarter", "in 2021/22 Q1")."""
        return self.change.phrase.format(before=self.before.label if self.before else "", when=when)

    @property
    def words(self) -> str:
        return self.words_for()


@dataclass(slots=True)
class ActionRow:
    action: Action
    update: QuarterlyUpdate | None
    proposal: rag.Proposal
    today: date

    @property
    def overdue(self) -> bool:
        done = self.action.status in (ActionStatus.COMPLETE, ActionStatus.CANCELLED)
        return bool(self.action.due_date and self.action.due_date < self.today and not done)

    @property
    def completion_pending(self) -> bool:
        """The owner's latest update says Complete and no steward has confirmed it yet."""
        return bool(
            self.update
            and self.update.rag == rag.Rag.COMPLETE.value
            and self.action.status != ActionStatus.COMPLETE
        )

    @property
    def update_rag(self) -> rag.Rag | None:
        """The RAG the owner gave in the latest update."""
        return rag.parse_rag(self.update.rag) if self.update else None

    @property
    def exceptions(self) -> list[str]:
        """Why the action is on the exceptions list: Red, overdue, rescheduled."""
        reasons = []
        if self.proposal.rag is rag.Rag.RED:
            reasons.append("Red")
        if self.overdue:
            reasons.append("Overdue")
        if self.action.rescheduled:
            reasons.append("Rescheduled")
        return reasons


@dataclass(slots=True)
class MeasureRow:
    measure: PerformanceMeasure
    figure: figures.Figure | None
    proposal: rag.Proposal
    # The linked local quarterly measure's latest quarter (`with_local_quarters`), or None.
    local: local_figures.LatestQuarter | None = None
    # Why the figure is not compared with England and with the region, in plain words ("" where
    # it is compared): not_compared.not_compared_reason, as the overview's tiles say it.
    not_compared: tuple[str, str] = ("", "")

    @property
    def not_compared_england(self) -> str:
        return self.not_compared[0]

    @property
    def not_compared_region(self) -> str:
        return self.not_compared[1]

    @property
    def trend(self) -> str:
        if self.figure is None:
            return ""
        return self.figure.computed_trend or self.figure.recent_trend


def override_sentence(when: str, rating: Rating, *, reason: bool = True) -> str:
    """ "This quarter, the group set Green over the rule's Amber: <rationale>"."""
    final, proposed = rag.parse_rag(rating.final), rag.parse_rag(rating.proposed)
    why = f": {rating.rationale}" if reason and rating.rationale else ""
    return f"{when}, the group set {final.label} over the rule's {proposed.label}{why}"


@dataclass(slots=True)
class AreaRow:
    area: PriorityArea
    actions: list[ActionRow]
    measures: list[MeasureRow]
    proposal: rag.Proposal
    rating: Rating | None
    previous: Rating | None
    has_previous_review: bool

    @property
    def rag(self) -> rag.Rag:
        """The group's final RAG for the latest review if set, else the rule's proposal."""
        return rag.parse_rag(self.rating.final) if self.rating else self.proposal.rag

    @property
    def is_final(self) -> bool:
        return self.rating is not None

    @property
    def computed(self) -> rag.Rag:
        """The rule's RAG this quarter: as stored with the final RAG, else proposed today."""
        return rag.parse_rag(self.rating.proposed) if self.rating else self.proposal.rag

    @property
    def movement(self) -> Movement:
        """The arrow compares the rule's (computed) RAGs: an override never carries over."""
        if self.previous is None:
            return Movement(Change.NEW)
        before = rag.parse_rag(self.previous.proposed)
        now, then = _RANK.get(self.computed), _RANK.get(before)
        if now is None or then is None:
            return Movement(Change.NOT_COMPARABLE, before)
        if now > then:
            return Movement(Change.BETTER, before)
        return Movement(Change.WORSE if now < then else Change.SAME, before)

    @property
    def overrides(self) -> list[str]:
        """The group's final RAGs set over the rule's, this quarter and last, with reasons."""
        return self.override_notes(reasons=True)

    @property
    def overridden(self) -> bool:
        """This quarter's final RAG differs from the rule's (its note carries the rationale)."""
        return self.rating is not None and self.rating.final != self.rating.proposed

    def override_notes(self, *, reasons: bool) -> list[str]:
        """The override sentences, built here only (the board, the area page, the board pack)."""
        pairs = (("Last frozen quarter", self.previous), ("This quarter", self.rating))
        return [
            override_sentence(when, rating, reason=reasons)
            for when, rating in pairs
            if rating is not None and rating.final != rating.proposed
        ]

    @property
    def action_counts(self) -> list[tuple[rag.Rag, int]]:
        counts = Counter(row.proposal.rag for row in self.actions)
        return [(r, counts[r]) for r in ACTION_COUNT_ORDER if counts[r]]


@dataclass(slots=True)
class PlanStatus:
    plan: Plan
    today: date
    review: QuarterlyReview | None  # the latest review, open or frozen
    previous_review: QuarterlyReview | None  # the last frozen review before it
    areas: list[AreaRow] = field(default_factory=list)
    # The framework's measures tied to no one priority area: they read the plan as a whole.
    plan_measures: list[MeasureRow] = field(default_factory=list)

    @property
    def exceptions(self) -> list[tuple[AreaRow, ActionRow]]:
        return [(area, row) for area in self.areas for row in area.actions if row.exceptions]


def current_plan() -> Plan | None:
    """The plan the pages show: the one that started last."""
    return Plan.objects.order_by("-starts", "-pk").first()


def plan_status(
    plan: Plan,
    *,
    today: date,
    area_number: int | None = None,
    as_of_review: QuarterlyReview | None = None,
) -> PlanStatus:
    """Every priority area of the plan (or just one) with its actions, measures and RAGs.

    `as_of_review` reads the plan as that review saw it (its ratings, the frozen review before
    it, and no later quarter's updates); by default the latest review.
    """
    areas = list(PriorityArea.objects.filter(plan=plan).order_by("number"))
    if area_number is not None:
        areas = [a for a in areas if a.number == area_number]
    reviews, review, previous = _reviews_as_of(plan, as_of_review)
    opened = (
        quarter_start(review)
        if review and not review.is_frozen
        else rag.financial_quarter_start(today)
    )

    actions = _current_actions(areas)
    latest_update = _latest_updates(actions, reviews)
    measures = list(
        PerformanceMeasure.objects.filter(plan=plan)
        .select_related("indicator")
        .order_by("position")
    )
    home_rows = _home_rows(measures)
    ratings = {
        (r.review_id, r.priority_area_id): r
        for r in Rating.objects.filter(
            review__in=[r for r in (review, previous) if r], priority_area__in=areas
        )
    }
    action_rows = _action_rows(areas, actions, latest_update, today=today, opened=opened)
    measure_rows = _measure_rows(plan, areas, measures, home_rows, today=today)

    status = PlanStatus(plan, today, review, previous, plan_measures=measure_rows[None])
    for area in areas:
        proposal = rag.propose_priority_area_rag(
            action_rags=[row.proposal.rag for row in action_rows[area.pk]],
            measure_rags=[row.proposal.rag for row in measure_rows[area.pk]],
        )
        status.areas.append(
            AreaRow(
                area,
                action_rows[area.pk],
                measure_rows[area.pk],
                proposal,
                ratings.get((review.pk, area.pk)) if review else None,
                ratings.get((previous.pk, area.pk)) if previous else None,
                previous is not None,
            )
        )
    return status


def _reviews_as_of(
    plan: Plan, as_of_review: QuarterlyReview | None
) -> tuple[list[QuarterlyReview], QuarterlyReview | None, QuarterlyReview | None]:
    """The plan's reviews up to `as_of_review` (all by default), oldest first, with the latest
    of them and the frozen review before it."""
    reviews = list(QuarterlyReview.objects.filter(plan=plan).order_by("financial_year", "quarter"))
    if as_of_review is not None:
        reviews = reviews[: reviews.index(as_of_review) + 1]
    review = reviews[-1] if reviews else None
    previous = next((r for r in reversed(reviews[:-1]) if r.is_frozen), None)
    return reviews, review, previous


def _current_actions(areas: list[PriorityArea]) -> list[Action]:
    """The areas' actions in the plan's order, retired ones left out."""
    return list(
        # A retired action has left the plan; it stays in history and in stored board packs.
        Action.objects.filter(objective__priority_area__in=areas, retired_on=None)
        .select_related("objective", "owner", "owner_team")
        .order_by("objective__priority_area__number", "objective_id", "pk")
    )


def _latest_updates(
    actions: list[Action], reviews: list[QuarterlyReview]
) -> dict[int, QuarterlyUpdate]:
    """Each action's latest update among the reviews, by action id."""
    latest_update: dict[int, QuarterlyUpdate] = {}
    # Oldest first, so the last one seen for an action is its latest.
    for update in (
        QuarterlyUpdate.objects.filter(action__in=actions, review__in=reviews)
        .select_related("review", "author")
        .order_by("review__financial_year", "review__quarter", "created_at", "pk")
    ):
        latest_update[update.action_id] = update
    return latest_update


def _action_rows(
    areas: list[PriorityArea],
    actions: list[Action],
    latest_update: dict[int, QuarterlyUpdate],
    *,
    today: date,
    opened: date,
) -> dict[int, list[ActionRow]]:
    """Each area's actions with their latest update and the rule's proposed RAG, by area id;
    `opened` is the start of the quarter under review."""
    action_rows: dict[int, list[ActionRow]] = {a.pk: [] for a in areas}
    for action in actions:
        update = latest_update.get(action.pk)
        proposal = rag.propose_action_rag(
            today=today,
            status=action.status,
            start_date=action.start_date,
            due_date=action.due_date,
            latest_update_rag=update.rag if update else None,
            latest_update_date=update.created_at.date() if update else None,
            rescheduled=action.rescheduled,
            quarter_start=opened,
        )
        action_rows[action.objective.priority_area_id].append(
            ActionRow(action, update, proposal, today)
        )
    return action_rows


def _measure_rows(
    plan: Plan,
    areas: list[PriorityArea],
    measures: list[PerformanceMeasure],
    home_rows: dict[int, figures.OverviewRow],
    *,
    today: date,
) -> dict[int | None, list[MeasureRow]]:
    """Each area's measures with their latest figure and proposed RAG, by area id; the
    plan-wide measures (no priority area) under None."""
    latest_figure = {pk: row.home_latest for pk, row in home_rows.items()}
    measure_rows: dict[int | None, list[MeasureRow]] = {a.pk: [] for a in areas}
    measure_rows[None] = []
    limit = out_of_date_limit(plan)
    for measure in measures:
        if measure.priority_area_id not in measure_rows:
            continue  # another area's measure, when one area is asked for
        figure = latest_figure.get(measure.indicator_id) if measure.indicator_id else None
        home_row = home_rows.get(measure.indicator_id) if measure.indicator_id else None
        measure_rows[measure.priority_area_id].append(
            MeasureRow(
                measure,
                figure,
                _measure_proposal(measure, figure, today, limit),
                not_compared=home_row.home_reasons if home_row else ("", ""),
            )
        )
    return measure_rows


def with_local_quarters(status: PlanStatus, tier: Tier) -> PlanStatus:
    """Give each measure linked to a local quarterly measure (`local_measure_code`) that
    measure's latest quarter, disclosure-controlled for `tier`: members on the board view,
    public in the board pack (a download). One query for them all."""
    rows = [m for area in status.areas for m in area.measures] + list(status.plan_measures)
    links = {
        m.measure.local_measure_code: m.measure.target_value
        for m in rows
        if m.measure.local_measure_code
    }
    latest = local_figures.latest_quarters(links, tier) if links else {}
    for m in rows:
        m.local = latest.get(m.measure.local_measure_code)
    return status


def _home_rows(measures: list[PerformanceMeasure]) -> dict[int, figures.OverviewRow]:
    """Each measured indicator's overview row, for the home county's latest figure and why it
    is not compared (the region's and England's figures read with it), in one query."""
    indicators = list({m.indicator.pk: m.indicator for m in measures if m.indicator}.values())
    if not indicators:
        return {}
    config = areas_config()
    home = config.home.code
    rows = figures.overview(
        indicators,
        codes=[home, config.region.code, config.england.code],
        home=home,
        benchmark="england",
    )
    return {row.indicator.pk: row for row in rows if row.home_latest}


def _measure_proposal(
    measure: PerformanceMeasure,
    figure: figures.Figure | None,
    today: date,
    limit: rag.OutOfDate | None = None,
) -> rag.Proposal:
    try:
        return _propose_measure(measure, figure, today, limit)
    except ValueError as exc:
        # A label the rule does not know (a new Fingertips wording) must not take the page down.
        return rag.Proposal(rag.Rag.NOT_RATED, f"Cannot be rated: {exc}", "measure.unknown_label")


def _propose_measure(
    measure: PerformanceMeasure,
    figure: figures.Figure | None,
    today: date,
    limit: rag.OutOfDate | None,
) -> rag.Proposal:
    return rag.propose_measure_rag(
        today=today,
        direction=measure.direction,
        latest_value=figure.value if figure else None,
        england=figure.comparison_england or None if figure else None,
        versus_region=figure.comparison_region or None if figure else None,
        region=areas_config().region.name,
        trend=(figure.computed_trend or figure.recent_trend or None) if figure else None,
        baseline_value=measure.baseline_value,
        target_value=measure.target_value,
        target_date=measure.target_date,
        period=figure.period if figure else "",
        period_end=last_day(figure.period) if figure else None,
        out_of_date=limit,
    )


def rules_text() -> str:
    """The RAG rule written out, naming the configured region."""
    return rag.rules_text(region=areas_config().region.name)


def rules_sections() -> tuple[str, list[rag.RuleSection]]:
    """The rule's introduction and sections, for headings and lists (as `rules_text()`)."""
    return rag.rule_sections(region=areas_config().region.name)


def measure_trend_cards(rows: list[MeasureRow]) -> list[ChartCard]:
    """Each measure's trend chart: the home county against the region and England over time,
    as the indicator page draws it (same figures, table, CSV and permalink, same cache)."""
    home = areas_config().home.code
    benchmark = figures.benchmark_for(None)
    return [
        replace(
            cached_card("trend", View(row.measure.indicator, None, "", benchmark, home)),
            slug=f"measure-{row.measure.position}-trend",
        )
        for row in rows
        if row.measure.indicator is not None
    ]
