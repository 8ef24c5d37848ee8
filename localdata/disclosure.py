"""Disclosure control of local data by audience, LOCAL_DATA.md section 5 (pure).

Statistics are computed on the real counts elsewhere; this module decides only what each
audience may see. Tier 0 (analysts, on screen, marked restricted) sees everything; tier 1 (plan
roles) and tier 2 (public pages and every download: CSV, API, PDF) see counts of 1 to 7
suppressed, other counts rounded to the nearest 5, and rates only where the rules allow. Tier 2
also gets no uploaded free text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from indicators.vocabulary import Disclosure as State
from indicators.vocabulary import SuppressionReason as Reason

SMALLEST_SHOWN = 8  # counts 1-7 are suppressed
RATE_MIN_DEATHS = 8  # IMR and its limits withheld below this many deaths
RATE_RELIABLE_DEATHS = 20  # below this a rate is marked unreliable ("u")
PERCENT_MIN_NUMERATOR = 8
PERCENT_MIN_DENOMINATOR = 20


class Tier(IntEnum):
    """Who is looking: the audience decides what is shown."""

    RESTRICTED = 0  # analysts and administrators, on screen only
    MEMBERS = 1  # group members, action owners, board members
    PUBLIC = 2  # public pages and every download, whoever asks

    @property
    def label(self) -> str:
        return {
            0: "Restricted: unsuppressed",
            1: "Disclosure-controlled (members)",
            2: "Disclosure-controlled (public)",
        }[self.value]


# The words of each state and reason are the vocabulary's (indicators/vocabulary.py); here only
# what the pages say to explain them.
EXPLANATIONS = {
    State.SHOWN: "The value as held (counts rounded to the nearest 5 where counts are rounded).",
    State.ROUNDED: "Rounded to protect confidentiality.",
    State.SUPPRESSED: "Held here but withheld: a count of 1 to 7, or a cell hidden so that such "
    "a count cannot be worked out from a total.",
    State.SUPPRESSED_AT_SOURCE: "Withheld by the organisation that supplied it.",
    State.MISSING: "Not received: no file has given this value.",
    State.NOT_APPLICABLE: "The measure does not apply here (no births, for a rate).",
    State.LOW_QUALITY: "Shown, but the data behind it are incomplete.",
}
STATE_WORDS = {state: (state.symbol, state.label, EXPLANATIONS[state]) for state in State}


@dataclass(frozen=True, slots=True)
class Shown:
    """A value as one audience sees it."""

    value: float | None
    state: State
    reason: str = ""
    unreliable: bool = False

    @property
    def text(self) -> str:
        if self.value is None:
            return self.state.symbol
        number = f"{self.value:,.0f}" if float(self.value).is_integer() else f"{self.value:,.1f}"
        return number + (" u" if self.unreliable else "")


def round5(count: float) -> int:
    """Nearest 5, halves up (12.5 is not a count; 2.5 away rounds up: 3 → 5, 2 → 0)."""
    return int((count + 2.5) // 5 * 5)


def is_small(count: float | None) -> bool:
    return count is not None and 0 < count < SMALLEST_SHOWN


def complementary(values: Sequence[float | None], hidden: set[int]) -> set[int]:
    """One group's secondary suppression (steps 2-3): indices to hide beside `hidden`."""
    hidden = set(hidden)
    while True:
        withheld = [values[i] or 0 for i in hidden]
        if not withheld or not (len(withheld) == 1 or sum(withheld) < SMALLEST_SHOWN):
            return hidden
        shown = [i for i, v in enumerate(values) if i not in hidden and v]
        if not shown:
            return hidden
        hidden.add(min(shown, key=lambda i: (values[i], i)))


def suppress_grid(grid: Sequence[Sequence[float | None]]) -> dict[tuple[int, int], Reason]:
    """Cells to withhold in a grid whose rows and columns each sum to a shown total (step 4)."""
    reasons = {
        (r, c): Reason.SMALL_COUNT
        for r, row in enumerate(grid)
        for c, value in enumerate(row)
        if is_small(value)
    }
    changed = True
    while changed:
        changed = False
        groups = [[(r, c) for c in range(len(row))] for r, row in enumerate(grid)]
        if grid:
            groups += [[(r, c) for r in range(len(grid))] for c in range(len(grid[0]))]
        for cells in groups:
            values = [grid[r][c] for r, c in cells]
            hidden = {i for i, cell in enumerate(cells) if cell in reasons}
            for i in complementary(values, hidden) - hidden:
                reasons[cells[i]] = Reason.COMPLEMENTARY
                changed = True
    return reasons


def count(
    value: float | None, tier: Tier, reason: Reason | None = None, *, rounded: bool = True
) -> Shown:
    """One count for an audience: `reason` says it was withheld (from `suppress_grid`)."""
    if value is None:
        return Shown(None, State.MISSING)
    if tier is Tier.RESTRICTED:
        return Shown(value, State.SHOWN)
    if reason is not None or is_small(value):
        return Shown(None, State.SUPPRESSED, str(reason or Reason.SMALL_COUNT))
    return Shown(round5(value) if rounded else value, State.SHOWN)


def rate(value: float | None, deaths: float | None, tier: Tier, *, group_withheld: bool) -> Shown:
    """A rate (or its limit) for an audience: withheld under 8 deaths or in a withheld group."""
    if value is None or deaths is None:
        return Shown(None, State.MISSING)
    unreliable = deaths < RATE_RELIABLE_DEATHS
    if tier is Tier.RESTRICTED:
        return Shown(value, State.SHOWN, unreliable=unreliable)
    if deaths < RATE_MIN_DEATHS:
        return Shown(None, State.SUPPRESSED, Reason.RATE_FEW_DEATHS)
    if group_withheld:
        return Shown(None, State.SUPPRESSED, Reason.GROUP_HAS_WITHHELD_CELL)
    return Shown(value, State.SHOWN, unreliable=unreliable)


def percent(
    value: float | None,
    numerator: float | None,
    denominator: float | None,
    tier: Tier,
    *,
    min_numerator: int = PERCENT_MIN_NUMERATOR,
    min_denominator: int = PERCENT_MIN_DENOMINATOR,
) -> Shown:
    """A percentage for an audience: only with enough in its numerator and denominator."""
    if value is None or numerator is None or denominator is None:
        return Shown(None, State.MISSING)
    if tier is Tier.RESTRICTED:
        return Shown(value, State.SHOWN)
    if numerator < min_numerator:
        return Shown(None, State.SUPPRESSED, Reason.SMALL_COUNT)
    if denominator < min_denominator:
        return Shown(None, State.SUPPRESSED, Reason.SMALL_DENOMINATOR)
    return Shown(value, State.SHOWN)


def free_text(text: str | None, tier: Tier) -> str:
    """Uploaded free text: never in public pages or downloads."""
    return "" if tier is Tier.PUBLIC else (text or "")
