"""How a count already public is shown (pure; no Django).

The report's printed decile table and Fingertips' figures are public: they are shown as
published. Local (confidential) data follow the rules of localdata/disclosure.py instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CountState(StrEnum):
    SHOWN = "shown"
    SUPPRESSED = "suppressed"  # held, but too small to publish
    MISSING = "missing"  # not held at all


@dataclass(frozen=True, slots=True)
class DisclosedCount:
    """A count as it may be shown: the number, or why there is none."""

    value: float | None
    state: CountState

    @property
    def text(self) -> str:
        if self.state is CountState.SUPPRESSED:
            return "Suppressed"
        if self.state is CountState.MISSING:
            return "Missing"
        assert self.value is not None
        return f"{self.value:,.0f}" if float(self.value).is_integer() else f"{self.value:,.1f}"


def as_published(count: float | None) -> DisclosedCount:
    """A count already public, shown as published: the number, or missing when there is none."""
    if count is None:
        return DisclosedCount(None, CountState.MISSING)
    return DisclosedCount(count, CountState.SHOWN)


def withhold_beside(state: CountState, **figures: float | None) -> dict[str, float | None]:
    """The figures shown beside a count: all withheld (None) when the count is suppressed, since
    a rate with its denominator (or its interval) lets a reader work the count back out."""
    if state is CountState.SUPPRESSED:
        return dict.fromkeys(figures)
    return dict(figures)
