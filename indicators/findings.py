"""Findings in plain English: two or three sentences about one indicator for one area.

Pure (no Django). Fed by structured results (numbers and vocabulary members), never by
parsing display text. Words for comparisons and trends come from `indicators.vocabulary`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from indicators.vocabulary import Comparison, Trend

SMALL_COUNT = 20  # under this many events the figure is uncertain; said in words
OLD_AFTER_YEARS = 3  # figures whose period ended longer ago than this are called old


@dataclass(frozen=True, slots=True)
class Benchmarked:
    """How the area compares with one benchmark (England, the region, a group's average)."""

    name: str
    comparison: Comparison | None
    value: float | None = None
    # Why the area is not compared with it, in plain words ("" where it is, or not known).
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Rank:
    """The area's rank in a comparator group: 1 is best by polarity."""

    rank: int
    of: int
    group: str


@dataclass(frozen=True, slots=True)
class FindingInput:
    area: str
    measure: str  # "infant mortality rate"
    unit: str  # "per 1,000 live births", "%"
    period: str
    value: float | None
    lower95: float | None = None
    upper95: float | None = None
    count: float | None = None
    period_end_year: int | None = None
    current_year: int | None = None
    decimals: int = 1
    benchmarks: Sequence[Benchmarked] = field(default_factory=tuple)
    rank: Rank | None = None
    trend: Trend | None = None
    trend_points: int = 0


def _number(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def _with_unit(value: float, finding: FindingInput) -> str:
    number = _number(value, finding.decimals)
    return f"{number}%" if finding.unit == "%" else f"{number} {finding.unit}".rstrip()


def latest(finding: FindingInput) -> str:
    """The latest value with its period and interval."""
    if finding.value is None:
        return f"No {finding.measure} figure is held for {finding.area} for {finding.period}."
    text = f"In {finding.period}, {finding.area}'s {finding.measure} was "
    text += _with_unit(finding.value, finding)
    if finding.lower95 is not None and finding.upper95 is not None:
        low, high = (_number(v, finding.decimals) for v in (finding.lower95, finding.upper95))
        text += f" (95% confidence interval {low} to {high})"
    return text + "."


_SIGNIFICANT = {
    Comparison.BETTER,
    Comparison.WORSE,
    Comparison.HIGHER,
    Comparison.LOWER,
}


def _phrase(item: Benchmarked, decimals: int) -> str | None:
    if item.comparison is None or item.comparison is Comparison.NOT_COMPARED:
        return None
    name = item.name
    if item.value is not None:
        name += f" ({_number(item.value, decimals)})"
    if item.comparison is Comparison.SIMILAR:
        return f"not significantly different from {name}"
    phrase = item.comparison.phrase.format(b=name)
    return f"significantly {phrase}" if item.comparison in _SIGNIFICANT else phrase


def comparisons(finding: FindingInput) -> str:
    """England, the region and the group, with significance in words; the rank in the group."""
    if finding.value is None:
        return ""
    phrases = [p for p in (_phrase(b, finding.decimals) for b in finding.benchmarks) if p]
    parts = []
    if phrases:
        joined = (
            phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
        )
        parts.append(f"This is {joined}")
    if finding.rank is not None:
        rank = finding.rank
        parts.append(
            f"{'it' if parts else 'It'} ranks {rank.rank} of {rank.of} among {rank.group} "
            "(1 is best)"
        )
    said = ("; ".join(parts) + ".") if parts else ""
    # A benchmark the area is not compared with says why, one sentence each.
    why = [
        f"It is not compared with {item.name}: {item.reason}."
        for item in finding.benchmarks
        if item.reason and item.comparison in (None, Comparison.NOT_COMPARED)
    ]
    return " ".join([said, *why]).strip()


def trend(finding: FindingInput) -> str:
    if finding.trend is None or finding.trend is Trend.CANNOT_BE_CALCULATED:
        return ""
    over = f" over the last {finding.trend_points} periods" if finding.trend_points else ""
    if finding.trend is Trend.NO_CHANGE:
        return f"There has been no significant change{over}."
    return f"The recent trend{over}: {finding.trend.label.lower()}."


def caveats(finding: FindingInput) -> list[str]:
    notes = []
    if finding.count is not None and finding.count < SMALL_COUNT:
        notes.append(f"It rests on {finding.count:,.0f} events, so chance alone can move it a lot.")
    if (
        finding.period_end_year is not None
        and finding.current_year is not None
        and finding.current_year - finding.period_end_year > OLD_AFTER_YEARS
    ):
        age = finding.current_year - finding.period_end_year
        notes.append(f"These are the latest figures held, but they are {age} years old.")
    return notes


def sentences(finding: FindingInput) -> list[str]:
    """Two or three sentences (and any caveats), in the order a reader needs them."""
    found = [latest(finding), comparisons(finding), trend(finding), *caveats(finding)]
    return [s for s in found if s]
