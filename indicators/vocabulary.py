"""The product's words, each declared once: RAG, statuses, polarity, comparisons, trends and more.

Pure: no Django. Every concept is an enum whose value is what is stored (in the database, the API
and the CSVs, so those keep their documented values) and whose members carry what the pages
need: `label` (as a page shows it), `phrase` (in a sentence, with `{b}` for the benchmark or
`{before}` for the earlier state where it applies), `symbol` (an arrow or mark, never the only
carrier of meaning) and `colour` (a hex colour, the same on the web, in charts and in the PDF).

Models build their choices from these enums (`Rag.choices`, as with Django's TextChoices),
statistics return their members, and Fingertips' own wording ("Better 95%", "Increasing and
getting worse") is turned into them once, at import, by the `parse_*` functions at the end:
nothing downstream matches display text.
"""

from __future__ import annotations

import re
from enum import EnumType, StrEnum
from typing import Any


class UnknownWording(ValueError):
    """Text that names no member of a vocabulary (a new Fingertips wording, a typing slip)."""


class _Words(EnumType):
    """Gives every vocabulary the class attributes a Django model field reads."""

    @property
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs for a model field's `choices`: the words that may be stored."""
        return [(m.value, m.label) for m in cls if m.storable]

    @property
    def labels(cls) -> list[str]:
        return [label for _, label in cls.choices]

    @property
    def values(cls) -> list[str]:
        return [value for value, _ in cls.choices]

    @property
    def do_not_call_in_templates(cls) -> bool:
        return True


class Term(StrEnum, metaclass=_Words):
    """A word of the vocabulary: the stored value plus label, phrase, symbol and colour."""

    label: str
    phrase: str
    symbol: str
    colour: str

    def __new__(
        cls, value: str, label: str = "", phrase: str = "", symbol: str = "", colour: str = ""
    ) -> Term:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value
        member.phrase = phrase or member.label.lower()
        member.symbol = symbol
        member.colour = colour
        return member

    @property
    def storable(self) -> bool:
        """Whether the word may be stored (a proposal-only word may not)."""
        return True

    @classmethod
    def from_label(cls, text: str) -> Any:
        """The member whose label (or value) is `text`, ignoring case and spacing."""
        key = _letters(text)
        for member in cls:
            if key in (_letters(member.label), _letters(member.value)):
                return member
        raise UnknownWording(f"{text!r} is not a {cls.__name__} ({_listed(cls)})")


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


def _listed(cls: type[Term]) -> str:
    return ", ".join(member.label for member in cls)


# --------------------------------------------------------------------------------------------
# RAG and the plan
# --------------------------------------------------------------------------------------------

# GOV.UK design-system colours: strong, told apart by people with colour-vision deficiency
# alongside the word every tag carries; `ink` is the text colour on each.
INK = "#0b0c0c"
WHITE = "#ffffff"


class Rag(Term):
    """A RAG rating. `OUT_OF_DATE` is proposed, never stored: it rates as Not rated."""

    RED = "red", "Red", "red", "R", "#d4351c"
    AMBER = "amber", "Amber", "amber", "A", "#f47738"
    GREEN = "green", "Green", "green", "G", "#00703c"
    COMPLETE = "complete", "Complete", "complete", "C", "#1d70b8"
    NOT_RATED = "not_rated", "Not rated", "not rated", "–", "#b1b4b6"
    OUT_OF_DATE = (
        "out_of_date",
        "Not rated: data out of date",
        "not rated (data out of date)",
        "–",
        "#b1b4b6",
    )

    @property
    def ink(self) -> str:
        """The text colour that reads on this rating's colour."""
        return INK if self in (Rag.AMBER, Rag.NOT_RATED, Rag.OUT_OF_DATE) else WHITE

    @property
    def tone(self) -> str:
        """The style name the pages use (`rag--red` ... `rag--grey`)."""
        return _RAG_TONES[self]

    @property
    def stored(self) -> Rag:
        """The rating as the plan stores it: out of date is stored as Not rated."""
        return Rag.NOT_RATED if self is Rag.OUT_OF_DATE else self

    @property
    def storable(self) -> bool:
        return self is not Rag.OUT_OF_DATE


_RAG_TONES = {
    Rag.RED: "red",
    Rag.AMBER: "amber",
    Rag.GREEN: "green",
    Rag.COMPLETE: "blue",
    Rag.NOT_RATED: "grey",
    Rag.OUT_OF_DATE: "grey",
}


class ActionStatus(Term):
    """An action's status, in the order the forms list them."""

    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"
    ON_HOLD = "on_hold", "On hold"
    CANCELLED = "cancelled", "Cancelled"


class Change(Term):
    """How the rule's rating moved against an earlier quarter's; `phrase` takes `{before}` (the
    earlier rating's label) and `{when}` ("last frozen quarter", "in 2021/22 Q1")."""

    BETTER = "up", "Better", "better than the rule's {before} {when}", "↑"
    SAME = "same", "Same", "same as the rule's {before} {when}", "→"
    WORSE = "down", "Worse", "worse than the rule's {before} {when}", "↓"
    NEW = "new", "New", "new: no final RAG for the {when}", "new"
    NOT_COMPARABLE = "none", "Cannot compare", "cannot compare with {before} {when}", "–"


class TargetProgress(Term):
    """Where a measure's latest value stands against its target."""

    NO_TARGET = "no target", "No target"
    MET = "met", "Target met"
    ON_TRACK = "on track", "On track for target"
    BEHIND = "behind", "Behind the path to target"
    MISSED = "missed", "Target missed"
    NOT_ASSESSED = "not assessed", "Not assessed"


class Role(Term):
    """A person's role (a Django group of that name); any app may ask for one by this enum."""

    BOARD_MEMBER = "Board member"
    ACTION_OWNER = "Action owner"
    GROUP_MEMBER = "Group member"
    ANALYST = "Analyst"
    ADMINISTRATOR = "Administrator"
    # Keeps the plan itself: the whole plan or the priority areas assigned to them.
    PLAN_STEWARD = "Plan steward"


# --------------------------------------------------------------------------------------------
# Polarity: which way is better
# --------------------------------------------------------------------------------------------


class Polarity(Term):
    """An indicator's polarity; values are Fingertips' wording, as the API and CSV document."""

    LOW_IS_GOOD = "RAG - Low is good", "Low is good", "lower is better"
    HIGH_IS_GOOD = "RAG - High is good", "High is good", "higher is better"
    BOB = "BOB - Blue orange blue", "No judgement", "neither higher nor lower is better"
    # "No judgement" is the same polarity under its other name (an alias, not a second value).
    NO_JUDGEMENT = "BOB - Blue orange blue"
    NOT_APPLICABLE = "Not applicable", "Not applicable", "not compared"

    @property
    def better(self) -> int:
        """+1 if higher is better, -1 if lower is, 0 if neither."""
        return {Polarity.LOW_IS_GOOD: -1, Polarity.HIGH_IS_GOOD: 1}.get(self, 0)

    @property
    def judged(self) -> bool:
        return self.better != 0


class Direction(Term):
    """A plan measure's direction of improvement: the stored short form of a judged polarity."""

    LOWER = "lower", "Lower is better"
    HIGHER = "higher", "Higher is better"

    @property
    def polarity(self) -> Polarity:
        return Polarity.LOW_IS_GOOD if self is Direction.LOWER else Polarity.HIGH_IS_GOOD

    @property
    def better(self) -> int:
        return self.polarity.better


class ImprovementDirection(Term):
    """Which way is better on an SPC chart (Making Data Count's wording)."""

    INCREASE = "increase", "Increase is improvement"
    DECREASE = "decrease", "Decrease is improvement"
    NEUTRAL = "neutral", "Neither"


# --------------------------------------------------------------------------------------------
# Comparisons with a benchmark
# --------------------------------------------------------------------------------------------

NO_DATA = "No data"
NO_DATA_COLOUR = "#EDEDED"  # lighter than Not compared, so no value is not mistaken for one


class Comparison(Term):
    """A comparison with a benchmark, as Fingertips shows it. Best and Worst are the 99.8%
    level of a two-level comparison; Higher and Lower are for indicators without polarity."""

    BEST = "Best", "Best", "significantly better than {b} (99.8%)", "▲▲", "#00B050"
    BETTER = "Better", "Better", "better than {b}", "▲", "#92D050"
    SIMILAR = "Similar", "Similar", "similar to {b}", "●", "#FFC000"
    WORSE = "Worse", "Worse", "worse than {b}", "▼", "#C00000"
    WORST = "Worst", "Worst", "significantly worse than {b} (99.8%)", "▼▼", "#7F0000"
    HIGHER = "Higher", "Higher", "higher than {b}", "▲", "#1F4E79"
    LOWER = "Lower", "Lower", "lower than {b}", "▼", "#BDD7EE"
    NOT_COMPARED = "Not compared", "Not compared", "not compared with {b}", "", "#C9C9C9"

    @property
    def judgement(self) -> int | None:
        """+1 better, 0 similar, -1 worse; None where nothing was judged (Higher/Lower too)."""
        return _COMPARISON_JUDGEMENT.get(self)

    def describe(self, benchmark: str) -> str:
        """The comparison in words: "Worse than England", "Not compared with the region"."""
        text = self.phrase.format(b=benchmark)
        return text[:1].upper() + text[1:]

    @classmethod
    def of(cls, value: str | None) -> Comparison:
        """The stored comparison, or Not compared where none is stored."""
        return cls(value) if value else cls.NOT_COMPARED


NOT_COMPARED = Comparison.NOT_COMPARED

_COMPARISON_JUDGEMENT = {
    Comparison.BEST: 1,
    Comparison.BETTER: 1,
    Comparison.SIMILAR: 0,
    Comparison.WORSE: -1,
    Comparison.WORST: -1,
}
# Legend order: good to bad, then the no-judgement words, then the uncompared and no data.
COMPARISON_ORDER = (*(m.value for m in Comparison), NO_DATA)


# --------------------------------------------------------------------------------------------
# Trends
# --------------------------------------------------------------------------------------------


class TrendMarker(Term):
    """The recent-trend marker with Fingertips' enum names, before polarity is applied."""

    INCREASING = "Increasing", "Increasing", "increasing", "↑"
    DECREASING = "Decreasing", "Decreasing", "decreasing", "↓"
    NO_CHANGE = "NoChange", "No significant change", "no significant change", "→"
    CANNOT_BE_CALCULATED = "CannotBeCalculated", "Could not be calculated", "", ""


class Trend(Term):
    """A trend verdict as shown: the marker with polarity applied. Values are the words stored
    in `computed_trend` and shown on pages; `movement` says better (+1), worse (-1) or neither."""

    INCREASING_BETTER = (
        "Increasing and getting better",
        "Increasing and getting better",
        "",
        "↑",
        "#00703c",
    )
    INCREASING_WORSE = (
        "Increasing and getting worse",
        "Increasing and getting worse",
        "",
        "↑",
        "#d4351c",
    )
    DECREASING_BETTER = (
        "Decreasing and getting better",
        "Decreasing and getting better",
        "",
        "↓",
        "#00703c",
    )
    DECREASING_WORSE = (
        "Decreasing and getting worse",
        "Decreasing and getting worse",
        "",
        "↓",
        "#d4351c",
    )
    INCREASING = "Increasing", "Increasing", "", "↑", "#1d70b8"
    DECREASING = "Decreasing", "Decreasing", "", "↓", "#1d70b8"
    NO_CHANGE = "No significant change", "No significant change", "", "→", "#505a5f"
    CANNOT_BE_CALCULATED = "Could not be calculated", "Could not be calculated", "", "", "#505a5f"

    @property
    def marker(self) -> TrendMarker:
        return _TREND_MARKER[self]

    @property
    def movement(self) -> int | None:
        """+1 getting better, -1 getting worse, 0 no change; None if not judged or unknown."""
        if self in (Trend.INCREASING_BETTER, Trend.DECREASING_BETTER):
            return 1
        if self in (Trend.INCREASING_WORSE, Trend.DECREASING_WORSE):
            return -1
        return 0 if self is Trend.NO_CHANGE else None

    @classmethod
    def of(cls, marker: TrendMarker, polarity: Polarity) -> Trend:
        """The verdict a marker gives for a polarity."""
        if marker is TrendMarker.NO_CHANGE:
            return cls.NO_CHANGE
        if marker is TrendMarker.CANNOT_BE_CALCULATED:
            return cls.CANNOT_BE_CALCULATED
        up = marker is TrendMarker.INCREASING
        if not polarity.judged:
            return cls.INCREASING if up else cls.DECREASING
        if up:
            return cls.INCREASING_BETTER if polarity.better > 0 else cls.INCREASING_WORSE
        return cls.DECREASING_BETTER if polarity.better < 0 else cls.DECREASING_WORSE


_TREND_MARKER = {
    Trend.INCREASING_BETTER: TrendMarker.INCREASING,
    Trend.INCREASING_WORSE: TrendMarker.INCREASING,
    Trend.INCREASING: TrendMarker.INCREASING,
    Trend.DECREASING_BETTER: TrendMarker.DECREASING,
    Trend.DECREASING_WORSE: TrendMarker.DECREASING,
    Trend.DECREASING: TrendMarker.DECREASING,
    Trend.NO_CHANGE: TrendMarker.NO_CHANGE,
    Trend.CANNOT_BE_CALCULATED: TrendMarker.CANNOT_BE_CALCULATED,
}


# --------------------------------------------------------------------------------------------
# Local data: disclosure states (docs: LOCAL_DATA, "States")
# --------------------------------------------------------------------------------------------


class Disclosure(Term):
    """What may be shown of a locally supplied figure; `symbol` is the mark in its cell."""

    SHOWN = "shown", "Shown", "shown", ""
    ROUNDED = "rounded", "Rounded", "rounded to protect confidentiality", "~"
    SUPPRESSED = "suppressed", "Suppressed", "withheld: too small to publish", "*"
    SUPPRESSED_AT_SOURCE = (
        "provider_suppressed",
        "Suppressed at source",
        "withheld by its provider",
        "**",
    )
    MISSING = "missing", "Missing", "not received", "–"
    NOT_APPLICABLE = "not_applicable", "Not applicable", "not applicable", "n/a"
    LOW_QUALITY = "low_quality", "Low quality", "of low quality", "!"

    @property
    def withheld(self) -> bool:
        return self in (Disclosure.SUPPRESSED, Disclosure.SUPPRESSED_AT_SOURCE)

    @property
    def status(self) -> str:
        """The word in downloads and the API (LOCAL_DATA.md section 5): a value given is `ok`."""
        return "ok" if self in (Disclosure.SHOWN, Disclosure.ROUNDED) else self.value


class SuppressionReason(Term):
    """Why a cell is withheld."""

    SMALL_COUNT = "small_count", "Small count"
    COMPLEMENTARY = "complementary", "Withheld so a small count cannot be worked out"
    RATE_FEW_DEATHS = "rate_few_deaths", "Rate withheld: fewer than 8 deaths"
    GROUP_HAS_WITHHELD_CELL = "group_has_withheld_cell", "Rate withheld: a count in its row is"
    SMALL_DENOMINATOR = "small_denominator", "Percentage withheld: too few in its denominator"


# --------------------------------------------------------------------------------------------
# SPC (NHS England, Making Data Count)
# --------------------------------------------------------------------------------------------


class SpcVariation(Term):
    """An SPC point's type, also the chart's variation icon (NHSRplotthedots' values)."""

    COMMON_CAUSE = "common_cause", "Common cause variation", "common cause variation", "", "#7B7D7D"
    IMPROVEMENT = "special_cause_improvement", "Special cause: improving", "", "", "#289DE0"
    CONCERN = "special_cause_concern", "Special cause: concerning", "", "", "#FAB428"
    NEUTRAL_HIGH = "special_cause_neutral_high", "Special cause: higher", "", "", "#490092"
    NEUTRAL_LOW = "special_cause_neutral_low", "Special cause: lower", "", "", "#490092"


class SpcAssurance(Term):
    """Whether the process limits say a target will be met."""

    CONSISTENT_PASS = "consistent_pass", "Consistently passes the target", "", "P", "#289DE0"
    CONSISTENT_FAIL = "consistent_fail", "Consistently fails the target", "", "F", "#FAB428"
    INCONSISTENT = (
        "inconsistent",
        "Hit and miss: will sometimes meet the target",
        "",
        "?",
        "#7B7D7D",
    )


# --------------------------------------------------------------------------------------------
# What-if (docs: WHATIF, "Wording rules")
# --------------------------------------------------------------------------------------------


class WhatIfCase(Term):
    """Which statement a what-if scenario may make, first match wins in the order listed."""

    NOT_CALCULATED = "not_calculated", "Not calculated: an input is missing, suppressed or invalid"
    ALREADY_BETTER = "already_better", "Already better than the comparator"
    NOT_SIGNIFICANT = "not_significant", "No significant gap"
    NOT_ENOUGH = "not_enough", "Removing the factor alone is not enough"
    SIGNIFICANT_GAP = "significant_gap", "Gap closable by reducing the factor"


# --------------------------------------------------------------------------------------------
# Fingertips' wording, parsed once at import
# --------------------------------------------------------------------------------------------

_POLARITY_ALIASES = {
    "raglowisgood": Polarity.LOW_IS_GOOD,
    "lowisgood": Polarity.LOW_IS_GOOD,
    "lowerisbetter": Polarity.LOW_IS_GOOD,
    "raghighisgood": Polarity.HIGH_IS_GOOD,
    "highisgood": Polarity.HIGH_IS_GOOD,
    "higherisbetter": Polarity.HIGH_IS_GOOD,
    "bobblueorangeblue": Polarity.BOB,
    "bob": Polarity.BOB,
    "blueorangeblue": Polarity.BOB,
    "nojudgement": Polarity.NO_JUDGEMENT,
    "notapplicable": Polarity.NOT_APPLICABLE,
    "nocomparison": Polarity.NOT_APPLICABLE,
}


def parse_polarity(text: str) -> Polarity:
    """Polarity from Fingertips' wording, whatever its dash, case and spacing."""
    if isinstance(text, Polarity):
        return text
    # The metadata writes an en dash, the site a hyphen and FingertipsNext none ("LowIsGood").
    try:
        return _POLARITY_ALIASES[re.sub(r"[^a-z]", "", str(text).lower())]
    except KeyError:
        raise UnknownWording(f"unknown polarity {text!r}") from None


_DIRECTION_ALIASES = {"lower": Direction.LOWER, "higher": Direction.HIGHER}


def parse_direction(text: str) -> Direction:
    """A plan measure's direction from "lower"/"higher", its label or a judged polarity."""
    if isinstance(text, Direction):
        return text
    key = re.sub(r"[^a-z]", "", str(text).lower())
    if key in _DIRECTION_ALIASES:
        return _DIRECTION_ALIASES[key]
    for member in Direction:
        if key == re.sub(r"[^a-z]", "", member.label.lower()):
            return member
    polarity = _POLARITY_ALIASES.get(key)
    if polarity is not None and polarity.judged:
        return Direction.LOWER if polarity.better < 0 else Direction.HIGHER
    raise UnknownWording(f"unknown direction {text!r}: give lower or higher")


_LEVEL = re.compile(r"^\s*(?P<word>[A-Za-z ]+?)\s*(?P<level>95|99\.8)?\s*%?\s*$")
_TWO_LEVEL = {Comparison.BETTER: Comparison.BEST, Comparison.WORSE: Comparison.WORST}


def parse_comparison(text: str | None) -> Comparison | None:
    """A comparison from Fingertips' wording ("Better", "Better 95%", "Worse 99.8%", "Lower"),
    or None for an empty cell. At 99.8% Better and Worse are Best and Worst."""
    if text is None or not str(text).strip():
        return None
    match = _LEVEL.match(str(text))
    if match is None:
        raise UnknownWording(f"unknown comparison {text!r}")
    word = match["word"].strip().lower()
    found = next((m for m in Comparison if m.value.lower() == word), None)
    if found is None:
        raise UnknownWording(f"unknown comparison {text!r} ({_listed(Comparison)})")
    if match["level"] == "99.8":
        return _TWO_LEVEL.get(found, found)
    return found


_TREND_ALIASES = {
    "cannotbecalculated": Trend.CANNOT_BE_CALCULATED,
    "couldnotbecalculated": Trend.CANNOT_BE_CALCULATED,
    "nochange": Trend.NO_CHANGE,
    "nosignificantchange": Trend.NO_CHANGE,
}


def parse_trend(text: str | None) -> Trend | None:
    """A trend verdict from Fingertips' wording ("Increasing and getting worse", "Cannot be
    calculated", "Decreasing"), or None for an empty cell."""
    if text is None or not str(text).strip():
        return None
    key = re.sub(r"[^a-z]", "", str(text).lower())
    if key in _TREND_ALIASES:
        return _TREND_ALIASES[key]
    for member in Trend:
        if key == re.sub(r"[^a-z]", "", member.value.lower()):
            return member
    raise UnknownWording(f"unknown trend {text!r}")
