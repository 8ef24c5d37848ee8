"""Small-number disclosure control for locally supplied counts (pure; no Django)."""

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


def disclose(count: float | None, *, threshold: int) -> DisclosedCount:
    """Hide a count of 1 to threshold - 1 (a zero reveals nothing about a person and is shown)."""
    if count is None:
        return DisclosedCount(None, CountState.MISSING)
    if 0 < count < threshold:
        return DisclosedCount(None, CountState.SUPPRESSED)
    return DisclosedCount(count, CountState.SHOWN)


def withhold_beside(state: CountState, **figures: float | None) -> dict[str, float | None]:
    """The figures shown beside a count: all withheld (None) when the count is suppressed, since
    a rate with its denominator (or its interval) lets a reader work the count back out."""
    if state is CountState.SUPPRESSED:
        return dict.fromkeys(figures)
    return dict(figures)
