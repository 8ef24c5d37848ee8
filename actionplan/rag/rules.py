"""The RAG rule, written once: every branch as a `Rule`, and the rule written out for the page.

The functions in `actions`, `measures` and `areas` propose through these objects, so the text
the page shows (`rules_text`, `rule_sections`) and the code cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from indicators.vocabulary import Rag

DUE_SOON_DAYS = 90
RED_SHARE = 0.25
AMBER_SHARE = 0.25
# The region's name comes from the areas file; without one the rule says "the region".
REGION = "region"
# How the out-of-date limit is named when no other is configured (see `measures`).
OUT_OF_DATE_LIMIT = "the plan's start"


def percent(share: float) -> str:
    return f"{share * 100:g}%"


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
        out_of_date_limit: str = OUT_OF_DATE_LIMIT,
    ) -> str:
        """Return the condition with its thresholds and the configured region filled in."""
        return self.condition.format(
            region=region,
            due_soon_days=due_soon_days,
            red_percent=percent(red_share),
            amber_percent=percent(amber_share),
            out_of_date_limit=out_of_date_limit,
        )


@dataclass(frozen=True, slots=True)
class Proposal:
    """A proposed RAG, the reason in words and the id of the branch that gave it; `headline`
    is the reason's first words alone where the reason goes on to list its evidence."""

    rag: Rag
    reason: str
    rule: str
    headline: str = ""


def propose(rule: Rule, reason: str, headline: str = "") -> Proposal:
    return Proposal(rag=rule.rag, reason=reason, rule=rule.id, headline=headline)


# --------------------------------------------------------------------------------------------
# Actions
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
    "the action has not started although its start date has come (today or earlier), or it has no "
    "start date.",
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

# --------------------------------------------------------------------------------------------
# Performance measures
# --------------------------------------------------------------------------------------------

MEASURE_NO_VALUE = Rule(
    "measure.no_value",
    Rag.NOT_RATED,
    "no value has been published for the measure yet.",
)
MEASURE_OUT_OF_DATE = Rule(
    "measure.out_of_date",
    Rag.OUT_OF_DATE,
    "the latest value describes a period that ended before {out_of_date_limit}: a figure that "
    "old is never rated Red or Green. The page says Not rated: data out of date, with the "
    "figure's period.",
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
    "the target date has been reached (judged at the date the latest value describes: a value for "
    "the target date itself counts) and the target has not been met.",
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
    MEASURE_OUT_OF_DATE,
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

# --------------------------------------------------------------------------------------------
# Priority areas
# --------------------------------------------------------------------------------------------

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

# --------------------------------------------------------------------------------------------
# The rule written out
# --------------------------------------------------------------------------------------------

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
    "target date, read at the date the latest value describes. Every measure's reason names "
    "the period its latest value describes."
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


@dataclass(frozen=True, slots=True)
class RuleSection:
    """One section of the rule as the page lists it: heading, preamble and numbered rules."""

    heading: str
    preamble: str
    rules: list[str]


def rule_sections(
    *,
    due_soon_days: int = DUE_SOON_DAYS,
    red_share: float = RED_SHARE,
    amber_share: float = AMBER_SHARE,
    region: str = REGION,
    out_of_date_limit: str = OUT_OF_DATE_LIMIT,
) -> tuple[str, list[RuleSection]]:
    """The rule's introduction and its sections, each rule a sentence ending with its id."""
    sections = []
    for heading, preamble, rules in RULE_SECTIONS:
        lines = [
            f"{rule.rag.label} when "
            + rule.describe(
                due_soon_days=due_soon_days,
                red_share=red_share,
                amber_share=amber_share,
                region=region,
                out_of_date_limit=out_of_date_limit,
            )
            + f" [{rule.id}]"
            for rule in rules
        ]
        sections.append(RuleSection(heading, preamble.format(region=region), lines))
    return _INTRO, sections


def rules_text(**settings: object) -> str:
    """Return the whole rule in plain English, section by section, for display on the page.

    Takes `rule_sections`' settings; `region` is the configured region's name.
    """
    intro, sections = rule_sections(**settings)  # type: ignore[arg-type]
    parts = [intro]
    for section in sections:
        numbered = [f"{n}. {rule}" for n, rule in enumerate(section.rules, 1)]
        parts.append("\n".join([section.heading, section.preamble, *numbered]))
    return "\n\n".join(parts)


# Pages show `rules_text(region=...)` with the configured region's name; this names no place.
RULES_TEXT = rules_text()
