"""RAG, the plan's statuses and roles, and polarity: which way is better."""

from __future__ import annotations

from indicators.vocabulary.base import Term

# --------------------------------------------------------------------------------------------
# RAG and the plan
# --------------------------------------------------------------------------------------------

# One palette for the web, the charts and the board pack. Chosen so that every pair stays told
# apart (CIEDE2000 >= 20) under simulated protanopia, deuteranopia and tritanopia (Machado
# 2009): the red is dark, the amber light, the green a blue-green and Complete a navy, so they
# differ in lightness as well as hue. Every tag also carries its word. `ink` is the text
# colour on each, at least 4.5:1 (tests/test_palette_vision.py checks both).
INK = "#0b0c0c"
WHITE = "#ffffff"


class Rag(Term):
    """A RAG rating. `OUT_OF_DATE` is proposed, never stored: it rates as Not rated."""

    RED = "red", "Red", "red", "R", "#991a14"
    AMBER = "amber", "Amber", "amber", "A", "#f5a623"
    GREEN = "green", "Green", "green", "G", "#0a7b6c"
    COMPLETE = "complete", "Complete", "complete", "C", "#14304f"
    NOT_RATED = "not_rated", "Not rated", "not rated", "–", "#c8cccf"
    OUT_OF_DATE = (
        "out_of_date",
        "Not rated: data out of date",
        "not rated (data out of date)",
        "–",
        "#c8cccf",
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
