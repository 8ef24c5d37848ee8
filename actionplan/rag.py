"""Proposed RAG ratings for actions, performance measures and priority areas, by a stated rule.

Pure: plain values in, plain values out; nothing here imports Django. Each rule is an ordered
list of branches and the first branch that fits gives the proposal, so the rule written out
for the page (`RULES_TEXT`) and the code are built from the same `Rule` objects and cannot
drift apart. The Best Start Strategic Group sets the final RAG; the proposal is its starting
point, and a final RAG that differs needs a rationale.

Completed actions are shown as "Complete" (blue), not Green, as council performance tools do:
Green means "live and on track", and counting finished work as Green would hide how much live
work is on track. A priority area's rating never becomes Complete: its measures keep running.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from indicators.statistics import (
    TREND_CANNOT_LABEL,
    TREND_NO_CHANGE_LABEL,
    Comparison,
    TrendMarker,
)

DUE_SOON_DAYS = 90
RED_SHARE = 0.25
AMBER_SHARE = 0.25
# The region's name comes from the areas file; without one the rule says "the region".
REGION = "region"


class Rag(StrEnum):
    """A RAG rating; values match the `actionplan.models.Rag` choices."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    COMPLETE = "complete"
    NOT_RATED = "not_rated"

    @property
    def label(self) -> str:
        """Return the rating as the page shows it."""
        return _RAG_LABELS[self]

    @property
    def colour(self) -> str:
        """Return the colour the page uses: Complete is blue and Not rated grey."""
        return _RAG_COLOURS[self]


_RAG_LABELS = {
    Rag.RED: "Red",
    Rag.AMBER: "Amber",
    Rag.GREEN: "Green",
    Rag.COMPLETE: "Complete",
    Rag.NOT_RATED: "Not rated",
}
_RAG_COLOURS = {
    Rag.RED: "red",
    Rag.AMBER: "amber",
    Rag.GREEN: "green",
    Rag.COMPLETE: "blue",
    Rag.NOT_RATED: "grey",
}


class ActionStatus(StrEnum):
    """An action's status; values match the `actionplan.models.ActionStatus` choices."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    ON_HOLD = "on_hold"
    CANCELLED = "cancelled"


class Direction(StrEnum):
    """A measure's direction of improvement; values match `actionplan.models.Direction`."""

    LOWER = "lower"
    HIGHER = "higher"


class TargetProgress(StrEnum):
    """Where a measure's latest value stands against its target."""

    NO_TARGET = "no target"
    MET = "met"
    ON_TRACK = "on track"
    BEHIND = "behind"
    MISSED = "missed"
    NOT_ASSESSED = "not assessed"


class _Standing(StrEnum):
    BETTER = "better"
    SIMILAR = "similar"
    WORSE = "worse"
    NOT_COMPARED = "not compared"


class _Movement(StrEnum):
    IMPROVING = "getting better"
    NO_CHANGE = "no significant change"
    WORSENING = "getting worse"
    UNKNOWN = "could not be calculated"


@dataclass(frozen=True, slots=True)
class Rule:
    """One branch of a rule: its id, the RAG it proposes and its condition in plain English."""

    id: str
    rag: Rag
    condition: str

    def describe(
        self,
        *,
        due_soon_days: int = DUE_SOON_DAYS,
        red_share: float = RED_SHARE,
        amber_share: float = AMBER_SHARE,
        region: str = REGION,
    ) -> str:
        """Return the condition with its thresholds and the configured region filled in."""
        return self.condition.format(
            region=region,
            due_soon_days=due_soon_days,
            red_percent=_percent(red_share),
            amber_percent=_percent(amber_share),
        )


@dataclass(frozen=True, slots=True)
class Proposal:
    """A proposed RAG, the reason in words and the id of the branch that gave it."""

    rag: Rag
    reason: str
    rule: str


@dataclass(frozen=True, slots=True)
class TargetAssessment:
    """A measure's progress toward its target and the value expected by now, if known."""

    progress: TargetProgress
    expected: float | None = None


# --------------------------------------------------------------------------------------------
# The rules, written once: the functions below propose through these objects.
# --------------------------------------------------------------------------------------------

ACTION_COMPLETE = Rule(
    "action.complete",
    Rag.COMPLETE,
    "the action's status is complete. It is shown as Complete (blue), not Green, so that Green "
    "counts only live work that is on track.",
)
ACTION_CANCELLED = Rule(
    "action.cancelled",
    Rag.NOT_RATED,
    "the action has been cancelled, so there is nothing to judge.",
)
ACTION_OVERDUE = Rule(
    "action.overdue",
    Rag.RED,
    "the due date has passed (an action due today is not yet overdue) and the action is not "
    "complete, whatever its status or its owner's update says.",
)
ACTION_OWNER_RED = Rule(
    "action.owner_reports_red",
    Rag.RED,
    "the owner's latest update says Red; it stands until the owner updates again.",
)
ACTION_NOT_STARTED_DUE_SOON = Rule(
    "action.not_started_due_soon",
    Rag.RED,
    "the action has not started and is due within {due_soon_days} days (today included): there "
    "is not a quarter left to deliver it.",
)
ACTION_NOT_DUE_TO_START = Rule(
    "action.not_due_to_start",
    Rag.NOT_RATED,
    "the action has not started and its start date is still to come.",
)
ACTION_ON_HOLD = Rule(
    "action.on_hold",
    Rag.AMBER,
    "the action is on hold; the group should confirm it is still wanted and when it restarts.",
)
ACTION_NOT_STARTED_LATE = Rule(
    "action.not_started_late",
    Rag.AMBER,
    "the action has not started although its start date has passed (or it has no start date).",
)
ACTION_NO_UPDATE = Rule(
    "action.no_update_this_quarter",
    Rag.AMBER,
    "the action is in progress but its owner has entered no update since the open quarter "
    "began: a missing update is at least Amber.",
)
ACTION_OWNER_AMBER = Rule(
    "action.owner_reports_amber",
    Rag.AMBER,
    "the owner's latest update says Amber.",
)
ACTION_RESCHEDULED = Rule(
    "action.rescheduled",
    Rag.AMBER,
    "the due date has been moved later than the plan's original date. The slip stays visible as "
    "Amber until the action is delivered; the group may set Green with a rationale if it has "
    "agreed the new date.",
)
ACTION_ON_TRACK = Rule(
    "action.on_track",
    Rag.GREEN,
    "none of the above applies: the action is in progress, updated this quarter, not "
    "overdue, not rescheduled, and its owner says Green (or gives no RAG).",
)

ACTION_RULES: tuple[Rule, ...] = (
    ACTION_COMPLETE,
    ACTION_CANCELLED,
    ACTION_OVERDUE,
    ACTION_OWNER_RED,
    ACTION_NOT_STARTED_DUE_SOON,
    ACTION_NOT_DUE_TO_START,
    ACTION_ON_HOLD,
    ACTION_NOT_STARTED_LATE,
    ACTION_NO_UPDATE,
    ACTION_OWNER_AMBER,
    ACTION_RESCHEDULED,
    ACTION_ON_TRACK,
)

MEASURE_NO_VALUE = Rule(
    "measure.no_value",
    Rag.NOT_RATED,
    "no value has been published for the measure yet.",
)
MEASURE_NOT_ENOUGH_DATA = Rule(
    "measure.not_enough_data",
    Rag.NOT_RATED,
    "there is not enough data to judge: the value is compared with neither England nor the "
    "{region}, the recent trend could not be calculated, and progress toward a target "
    "cannot be measured.",
)
MEASURE_TARGET_MISSED = Rule(
    "measure.target_missed",
    Rag.RED,
    "the target date has passed (judged at the date the latest value describes) and the target "
    "has not been met.",
)
MEASURE_WORSE_NOT_IMPROVING = Rule(
    "measure.worse_than_england_not_improving",
    Rag.RED,
    "the value is Worse (or Worst) than England and the recent trend is not getting better "
    "(getting worse, no significant change, or could not be calculated).",
)
MEASURE_WORSENING_BEHIND_TARGET = Rule(
    "measure.getting_worse_behind_target",
    Rag.RED,
    "the recent trend is getting worse and the value is behind the straight-line trajectory "
    "from baseline to target (or has moved away from the baseline).",
)
MEASURE_TARGET_ON_TRACK = Rule(
    "measure.target_met_or_on_track",
    Rag.GREEN,
    "the target has been met, or the value is on or ahead of the straight-line trajectory from "
    "baseline to target, and the recent trend is not getting worse.",
)
MEASURE_BETTER_THAN_ENGLAND = Rule(
    "measure.better_than_england",
    Rag.GREEN,
    "the value is Better (or Best) than England and not Worse than the {region}, the recent "
    "trend is not getting worse, and the value is not behind its target trajectory.",
)
MEASURE_IMPROVING = Rule(
    "measure.improving",
    Rag.GREEN,
    "the recent trend is getting better, the value is not Worse than England, and it is not "
    "behind its target trajectory.",
)
MEASURE_WORSE_BUT_IMPROVING = Rule(
    "measure.worse_than_england_improving",
    Rag.AMBER,
    "the value is Worse than England but the recent trend is getting better.",
)
MEASURE_WORSENING = Rule(
    "measure.getting_worse",
    Rag.AMBER,
    "the recent trend is getting worse.",
)
MEASURE_BEHIND_TARGET = Rule(
    "measure.behind_target",
    Rag.AMBER,
    "the value is behind the straight-line trajectory from baseline to target, or has moved "
    "away from the baseline.",
)
MEASURE_NO_CLEAR_PROGRESS = Rule(
    "measure.no_clear_progress",
    Rag.AMBER,
    "none of the above applies: no clear progress (for example Similar to England with no "
    "significant change and no target trajectory to judge against).",
)

MEASURE_RULES: tuple[Rule, ...] = (
    MEASURE_NO_VALUE,
    MEASURE_NOT_ENOUGH_DATA,
    MEASURE_TARGET_MISSED,
    MEASURE_WORSE_NOT_IMPROVING,
    MEASURE_WORSENING_BEHIND_TARGET,
    MEASURE_TARGET_ON_TRACK,
    MEASURE_BETTER_THAN_ENGLAND,
    MEASURE_IMPROVING,
    MEASURE_WORSE_BUT_IMPROVING,
    MEASURE_WORSENING,
    MEASURE_BEHIND_TARGET,
    MEASURE_NO_CLEAR_PROGRESS,
)

AREA_NOT_RATED = Rule(
    "area.not_rated",
    Rag.NOT_RATED,
    "none of the area's actions or measures has a rating.",
)
AREA_RED_MEASURE = Rule(
    "area.red_measure",
    Rag.RED,
    "any of the area's measures is Red.",
)
AREA_RED_ACTIONS_SHARE = Rule(
    "area.red_actions_share",
    Rag.RED,
    "{red_percent} or more of the area's rated actions (Red, Amber, Green or Complete) are Red.",
)
AREA_SOME_RED_ACTIONS = Rule(
    "area.some_red_actions",
    Rag.AMBER,
    "at least one action is Red (but fewer than {red_percent} of rated actions).",
)
AREA_AMBER_MEASURE = Rule(
    "area.amber_measure",
    Rag.AMBER,
    "any of the area's measures is Amber.",
)
AREA_AMBER_ACTIONS_SHARE = Rule(
    "area.amber_actions_share",
    Rag.AMBER,
    "{amber_percent} or more of the area's rated actions are Amber.",
)
AREA_ON_TRACK = Rule(
    "area.on_track",
    Rag.GREEN,
    "none of the above applies: no Red anywhere, no Amber measure, and fewer than "
    "{amber_percent} of rated actions Amber.",
)

PRIORITY_AREA_RULES: tuple[Rule, ...] = (
    AREA_NOT_RATED,
    AREA_RED_MEASURE,
    AREA_RED_ACTIONS_SHARE,
    AREA_SOME_RED_ACTIONS,
    AREA_AMBER_MEASURE,
    AREA_AMBER_ACTIONS_SHARE,
    AREA_ON_TRACK,
)

_INTRO = (
    "How the proposed RAG is worked out. For each action, measure and priority area the rules "
    "below are tried in order, and the first that fits gives the proposal. The Best Start "
    "Strategic Group then sets the final RAG; a final RAG that differs from the proposal needs "
    "a rationale, which is kept and shown."
)
_ACTION_PREAMBLE = (
    "The open quarter is the financial quarter under review (April–June, July–September, "
    "October–December, January–March); an update counts for it when dated on or after the "
    "quarter's first day."
)
_MEASURE_PREAMBLE = (
    "Comparisons with England and the {region} and the recent trend are the statistics "
    "engine's own labels. The measure's direction of improvement decides whether a rise or a "
    "fall is better, and turns Higher or Lower into Better or Worse. The target trajectory is "
    "a straight line from the baseline value at the baseline date to the target value at the "
    "target date, read at the date the latest value describes."
)
_AREA_PREAMBLE = (
    "A priority area is rated from its actions' and measures' proposed ratings. Not rated "
    "actions are left out of the shares; Complete actions count as delivered."
)

RULE_SECTIONS: tuple[tuple[str, str, tuple[Rule, ...]], ...] = (
    ("Actions", _ACTION_PREAMBLE, ACTION_RULES),
    ("Performance measures", _MEASURE_PREAMBLE, MEASURE_RULES),
    ("Priority areas", _AREA_PREAMBLE, PRIORITY_AREA_RULES),
)


def rules_text(
    *,
    due_soon_days: int = DUE_SOON_DAYS,
    red_share: float = RED_SHARE,
    amber_share: float = AMBER_SHARE,
    region: str = REGION,
) -> str:
    """Return the whole rule in plain English, section by section, for display on the page.

    `region` is the configured region's name (the areas file's), as comparisons name it.
    """
    parts = [_INTRO]
    for heading, preamble, rules in RULE_SECTIONS:
        lines = [heading, preamble.format(region=region)]
        for number, rule in enumerate(rules, 1):
            condition = rule.describe(
                due_soon_days=due_soon_days,
                red_share=red_share,
                amber_share=amber_share,
                region=region,
            )
            lines.append(f"{number}. {rule.rag.label} when {condition} [{rule.id}]")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


# --------------------------------------------------------------------------------------------
# Actions
# --------------------------------------------------------------------------------------------


def financial_quarter_start(day: date) -> date:
    """Return the first day of the financial quarter (April–June, ...) that contains a day."""
    # Financial quarters start in April, July, October and January: calendar quarter starts.
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def propose_action_rag(
    *,
    today: date,
    status: ActionStatus | str,
    start_date: date | None = None,
    due_date: date | None = None,
    latest_update_rag: Rag | str | None = None,
    latest_update_date: date | None = None,
    rescheduled: bool = False,
    quarter_start: date | None = None,
    due_soon_days: int = DUE_SOON_DAYS,
) -> Proposal:
    """Return the proposed RAG for an action from its status, dates and latest update."""
    state = parse_action_status(status)
    owner_rag = parse_rag(latest_update_rag) if latest_update_rag else None
    opened = quarter_start or financial_quarter_start(today)

    if state is ActionStatus.COMPLETE:
        return _propose(ACTION_COMPLETE, "Marked complete.")
    if state is ActionStatus.CANCELLED:
        return _propose(ACTION_CANCELLED, "Cancelled, so there is nothing to judge.")
    if due_date is not None and due_date < today:
        late = (today - due_date).days
        return _propose(
            ACTION_OVERDUE,
            f"Due {_day(due_date)}, {_count(late, 'day')} ago, and not complete "
            f"({_status_words(state)}).",
        )
    if owner_rag is Rag.RED:
        return _propose(
            ACTION_OWNER_RED, f"The owner's latest update{_on(latest_update_date)} says Red."
        )
    if (
        state is ActionStatus.NOT_STARTED
        and due_date is not None
        and due_date <= today + timedelta(days=due_soon_days)
    ):
        return _propose(
            ACTION_NOT_STARTED_DUE_SOON,
            f"Not started and due {_day(due_date)}, {_in_days((due_date - today).days)}.",
        )
    if state is ActionStatus.NOT_STARTED and start_date is not None and start_date > today:
        return _propose(ACTION_NOT_DUE_TO_START, f"Not due to start until {_day(start_date)}.")
    if state is ActionStatus.ON_HOLD:
        return _propose(
            ACTION_ON_HOLD,
            "On hold; the group should confirm it is still wanted and when it restarts.",
        )
    if state is ActionStatus.NOT_STARTED:
        when = f"was due to start {_day(start_date)}" if start_date else "has no start date"
        return _propose(ACTION_NOT_STARTED_LATE, f"Not started, and it {when}.")
    if latest_update_date is None or latest_update_date < opened:
        since = (
            f"the latest is dated {_day(latest_update_date)}"
            if latest_update_date
            else "none has ever been entered"
        )
        return _propose(
            ACTION_NO_UPDATE, f"No update since the quarter began on {_day(opened)}; {since}."
        )
    if owner_rag is Rag.AMBER:
        return _propose(
            ACTION_OWNER_AMBER, f"The owner's latest update{_on(latest_update_date)} says Amber."
        )
    if rescheduled:
        return _propose(
            ACTION_RESCHEDULED,
            f"Updated {_day(latest_update_date)} and in progress, but its due date was moved "
            f"later than planned (now {_day(due_date) if due_date else 'undated'}).",
        )
    owner = ", owner says Green" if owner_rag is Rag.GREEN else ", no RAG from the owner"
    due = f", due {_day(due_date)}" if due_date else ""
    return _propose(
        ACTION_ON_TRACK, f"In progress, updated {_day(latest_update_date)}{owner}{due}."
    )


# --------------------------------------------------------------------------------------------
# Performance measures
# --------------------------------------------------------------------------------------------


def assess_target(
    *,
    direction: Direction | str,
    latest_value: float | Decimal | None,
    target_value: float | Decimal | None,
    target_date: date | None = None,
    baseline_value: float | Decimal | None = None,
    baseline_date: date | None = None,
    as_of: date,
) -> TargetAssessment:
    """Return a measure's progress toward its target on a straight line from its baseline."""
    way = parse_direction(direction)
    latest, target, baseline = _number(latest_value), _number(target_value), _number(baseline_value)
    if latest is None or target is None:
        return TargetAssessment(TargetProgress.NO_TARGET)
    if _at_least_as_good(latest, target, way):
        return TargetAssessment(TargetProgress.MET)
    if target_date is not None and as_of >= target_date:
        return TargetAssessment(TargetProgress.MISSED)
    if baseline is not None and not _at_least_as_good(latest, baseline, way):
        # Moving away from the baseline is behind any trajectory toward the target.
        return TargetAssessment(TargetProgress.BEHIND, baseline)
    if baseline is None or baseline_date is None or target_date is None:
        return TargetAssessment(TargetProgress.NOT_ASSESSED)
    if target_date <= baseline_date:
        return TargetAssessment(TargetProgress.NOT_ASSESSED)
    span = (target_date - baseline_date).days
    elapsed = min(max((as_of - baseline_date).days, 0), span)
    expected = baseline + (target - baseline) * elapsed / span
    progress = (
        TargetProgress.ON_TRACK
        if _at_least_as_good(latest, expected, way)
        else TargetProgress.BEHIND
    )
    return TargetAssessment(progress, expected)


def propose_measure_rag(
    *,
    today: date,
    direction: Direction | str,
    latest_value: float | Decimal | None,
    england: Comparison | str | None = None,
    versus_region: Comparison | str | None = None,
    region: str = REGION,
    trend: str | None = None,
    baseline_value: float | Decimal | None = None,
    baseline_date: date | None = None,
    target_value: float | Decimal | None = None,
    target_date: date | None = None,
    latest_date: date | None = None,
) -> Proposal:
    """Return the proposed RAG for a measure from its comparisons, trend and target progress."""
    way = parse_direction(direction)
    versus_england = _standing(england, way)
    versus_the_region = _standing(versus_region, way)
    movement = _movement(trend, way)
    latest = _number(latest_value)
    target = assess_target(
        direction=way,
        latest_value=latest,
        target_value=target_value,
        target_date=target_date,
        baseline_value=baseline_value,
        baseline_date=baseline_date,
        as_of=latest_date or today,
    )
    progress = target.progress
    evidence = _measure_evidence(
        england=england,
        versus_region=versus_region,
        region=region,
        trend=trend,
        movement=movement,
        target=target,
        target_value=_number(target_value),
        target_date=target_date,
    )

    def propose(rule: Rule, headline: str) -> Proposal:
        return _propose(rule, f"{headline} ({evidence}).")

    if latest is None:
        return _propose(MEASURE_NO_VALUE, "No value has been published yet.")
    if (
        versus_england is _Standing.NOT_COMPARED
        and versus_the_region is _Standing.NOT_COMPARED
        and movement is _Movement.UNKNOWN
        and progress in (TargetProgress.NO_TARGET, TargetProgress.NOT_ASSESSED)
    ):
        return propose(MEASURE_NOT_ENOUGH_DATA, "Not enough data to judge")
    if progress is TargetProgress.MISSED:
        return propose(
            MEASURE_TARGET_MISSED, "The target date has passed and the target was missed"
        )
    if versus_england is _Standing.WORSE and movement is not _Movement.IMPROVING:
        return propose(MEASURE_WORSE_NOT_IMPROVING, "Worse than England and not getting better")
    if movement is _Movement.WORSENING and progress is TargetProgress.BEHIND:
        return propose(MEASURE_WORSENING_BEHIND_TARGET, "Getting worse and behind target")
    if progress in (TargetProgress.MET, TargetProgress.ON_TRACK) and (
        movement is not _Movement.WORSENING
    ):
        headline = "Target met" if progress is TargetProgress.MET else "On track for the target"
        return propose(MEASURE_TARGET_ON_TRACK, headline)
    behind = progress is TargetProgress.BEHIND
    if (
        versus_england is _Standing.BETTER
        and versus_the_region is not _Standing.WORSE
        and movement is not _Movement.WORSENING
        and not behind
    ):
        return propose(MEASURE_BETTER_THAN_ENGLAND, "Better than England")
    if movement is _Movement.IMPROVING and versus_england is not _Standing.WORSE and not behind:
        return propose(MEASURE_IMPROVING, "Getting better")
    if versus_england is _Standing.WORSE:
        # Only an improving trend reaches here: the Red branch took the rest.
        return propose(MEASURE_WORSE_BUT_IMPROVING, "Worse than England but getting better")
    if movement is _Movement.WORSENING:
        return propose(MEASURE_WORSENING, "Getting worse")
    if behind:
        return propose(MEASURE_BEHIND_TARGET, "Behind the target trajectory")
    return propose(MEASURE_NO_CLEAR_PROGRESS, "No clear progress")


# --------------------------------------------------------------------------------------------
# Priority areas
# --------------------------------------------------------------------------------------------


def propose_priority_area_rag(
    *,
    action_rags: Iterable[Rag | str],
    measure_rags: Iterable[Rag | str],
    red_share: float = RED_SHARE,
    amber_share: float = AMBER_SHARE,
) -> Proposal:
    """Return the proposed RAG for a priority area from its actions' and measures' RAGs."""
    actions = Counter(parse_rag(r) for r in action_rags)
    measures = Counter(parse_rag(r) for r in measure_rags)
    rated_actions = actions.total() - actions[Rag.NOT_RATED]
    rated_measures = measures.total() - measures[Rag.NOT_RATED]
    counts = _area_counts(actions, measures)

    def share_at_least(rag: Rag, share: float) -> bool:
        return rated_actions > 0 and actions[rag] >= share * rated_actions

    if rated_actions == 0 and rated_measures == 0:
        return _propose(AREA_NOT_RATED, f"Nothing rated yet. {counts}")
    if measures[Rag.RED]:
        return _propose(AREA_RED_MEASURE, f"{_count(measures[Rag.RED], 'measure')} Red. {counts}")
    if share_at_least(Rag.RED, red_share):
        return _propose(
            AREA_RED_ACTIONS_SHARE,
            f"{actions[Rag.RED]} of {rated_actions} rated actions Red "
            f"(threshold {_percent(red_share)}). {counts}",
        )
    if actions[Rag.RED]:
        return _propose(
            AREA_SOME_RED_ACTIONS,
            f"{actions[Rag.RED]} of {rated_actions} rated actions Red. {counts}",
        )
    if measures[Rag.AMBER]:
        return _propose(
            AREA_AMBER_MEASURE, f"{_count(measures[Rag.AMBER], 'measure')} Amber. {counts}"
        )
    if share_at_least(Rag.AMBER, amber_share):
        return _propose(
            AREA_AMBER_ACTIONS_SHARE,
            f"{actions[Rag.AMBER]} of {rated_actions} rated actions Amber "
            f"(threshold {_percent(amber_share)}). {counts}",
        )
    return _propose(AREA_ON_TRACK, f"No Red and little Amber. {counts}")


# --------------------------------------------------------------------------------------------
# Parsing plain values
# --------------------------------------------------------------------------------------------


def _key(text: str) -> str:
    return re.sub(r"[^a-z]", "", str(text).lower())


def parse_rag(value: Rag | str) -> Rag:
    """Return the Rag for a value or label ("red", "Red", "Not rated", ...)."""
    if isinstance(value, Rag):
        return value
    key = _key(value)
    for rag in Rag:
        if key in (_key(rag.value), _key(rag.label)):
            return rag
    if key == "blue":
        return Rag.COMPLETE
    raise ValueError(f"unknown RAG {value!r}")


def parse_action_status(value: ActionStatus | str) -> ActionStatus:
    """Return the ActionStatus for a value or label ("in_progress", "In progress", ...)."""
    if isinstance(value, ActionStatus):
        return value
    key = _key(value)
    for status in ActionStatus:
        if key == _key(status.value):
            return status
    raise ValueError(f"unknown action status {value!r}")


_DIRECTION_ALIASES = {
    "lower": Direction.LOWER,
    "lowerisbetter": Direction.LOWER,
    "lowisgood": Direction.LOWER,
    "raglowisgood": Direction.LOWER,
    "higher": Direction.HIGHER,
    "higherisbetter": Direction.HIGHER,
    "highisgood": Direction.HIGHER,
    "raghighisgood": Direction.HIGHER,
}


def parse_direction(value: Direction | str) -> Direction:
    """Return the Direction for "lower"/"higher", their labels or Fingertips' polarity wording."""
    if isinstance(value, Direction):
        return value
    try:
        return _DIRECTION_ALIASES[_key(value)]
    except KeyError:
        raise ValueError(f"a measure needs a direction of improvement, got {value!r}") from None


_BETTER = {Comparison.BETTER.value, Comparison.BEST.value}
_WORSE = {Comparison.WORSE.value, Comparison.WORST.value}


def _standing(label: Comparison | str | None, way: Direction) -> _Standing:
    text = str(label) if label else Comparison.NOT_COMPARED.value
    if text in _BETTER:
        return _Standing.BETTER
    if text in _WORSE:
        return _Standing.WORSE
    if text == Comparison.SIMILAR.value:
        return _Standing.SIMILAR
    if text in (Comparison.HIGHER.value, Comparison.LOWER.value):
        # Fingertips says Higher/Lower when the indicator carries no judgement; the measure does.
        higher = text == Comparison.HIGHER.value
        return _Standing.BETTER if higher == (way is Direction.HIGHER) else _Standing.WORSE
    if text == Comparison.NOT_COMPARED.value:
        return _Standing.NOT_COMPARED
    raise ValueError(f"unknown comparison label {label!r}")


def _movement(label: str | None, way: Direction) -> _Movement:
    text = str(label) if label else TREND_CANNOT_LABEL
    if text in (TREND_NO_CHANGE_LABEL, TrendMarker.NO_CHANGE.value):
        return _Movement.NO_CHANGE
    # Fingertips' exports write "Cannot be calculated"; its UI and the engine "Could not be …".
    if text in (TREND_CANNOT_LABEL, TrendMarker.CANNOT_BE_CALCULATED.value, "Cannot be calculated"):
        return _Movement.UNKNOWN
    # "Increasing and getting worse", "Decreasing", ...: the measure's direction decides.
    if text.startswith(TrendMarker.INCREASING.value):
        return _Movement.IMPROVING if way is Direction.HIGHER else _Movement.WORSENING
    if text.startswith(TrendMarker.DECREASING.value):
        return _Movement.IMPROVING if way is Direction.LOWER else _Movement.WORSENING
    raise ValueError(f"unknown trend label {label!r}")


def _number(value: float | Decimal | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _at_least_as_good(value: float, reference: float, way: Direction) -> bool:
    if math.isclose(value, reference, rel_tol=1e-9, abs_tol=1e-12):
        return True
    return value > reference if way is Direction.HIGHER else value < reference


# --------------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------------


def _propose(rule: Rule, reason: str) -> Proposal:
    return Proposal(rag=rule.rag, reason=reason, rule=rule.id)


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _on(day: date | None) -> str:
    return f" of {_day(day)}" if day else ""


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _in_days(days: int) -> str:
    return "today" if days == 0 else f"in {_count(days, 'day')}"


def _percent(share: float) -> str:
    return f"{share * 100:g}%"


def _status_words(state: ActionStatus) -> str:
    return state.value.replace("_", " ")


def _figure(value: float) -> str:
    return f"{value:.4g}"


def _measure_evidence(
    *,
    england: Comparison | str | None,
    versus_region: Comparison | str | None,
    region: str,
    trend: str | None,
    movement: _Movement,
    target: TargetAssessment,
    target_value: float | None,
    target_date: date | None,
) -> str:
    parts = [
        f"England: {england or Comparison.NOT_COMPARED.value}",
        f"{region}: {versus_region or Comparison.NOT_COMPARED.value}",
        f"recent trend: {_trend_words(trend, movement)}",
    ]
    if target.progress is not TargetProgress.NO_TARGET and target_value is not None:
        by = f" by {_day(target_date)}" if target_date else ""
        words = f"target {_figure(target_value)}{by}: {target.progress.value}"
        if target.progress in (TargetProgress.ON_TRACK, TargetProgress.BEHIND) and (
            target.expected is not None
        ):
            words += f", {_figure(target.expected)} expected by now"
        parts.append(words)
    else:
        parts.append("no target")
    return "; ".join(parts)


def _trend_words(label: str | None, movement: _Movement) -> str:
    text = label or TREND_CANNOT_LABEL
    if movement in (_Movement.IMPROVING, _Movement.WORSENING) and movement.value not in text:
        # A label without a judgement ("Increasing") gets the measure's reading of it.
        return f"{text} ({movement.value})"
    return text


def _area_counts(actions: Counter[Rag], measures: Counter[Rag]) -> str:
    def listed(counter: Counter[Rag], rags: tuple[Rag, ...]) -> str:
        return ", ".join(f"{counter[rag]} {rag.label}" for rag in rags)

    action_rags = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE, Rag.NOT_RATED)
    measure_rags = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.NOT_RATED)
    return f"Actions: {listed(actions, action_rags)}. Measures: {listed(measures, measure_rags)}."


# Built last: the words it uses are defined above. Pages show `rules_text(region=...)` with the
# configured region's name; this generic text names no place.
RULES_TEXT = rules_text()
