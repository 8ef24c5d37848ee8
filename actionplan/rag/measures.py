"""The proposed RAG of a performance measure: its comparisons, trend, target and how current."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from indicators.vocabulary import (
    Comparison,
    Direction,
    TargetProgress,
    Trend,
    parse_comparison,
    parse_direction,
    parse_trend,
)

from . import rules as r
from .rules import OUT_OF_DATE_LIMIT, REGION, Proposal, Rule, propose
from .words import at_least_as_good, day, figure, number


@dataclass(frozen=True, slots=True)
class TargetAssessment:
    """A measure's progress toward its target and the value expected by now, if known."""

    progress: TargetProgress
    expected: float | None = None


@dataclass(frozen=True, slots=True)
class OutOfDate:
    """The limit before which a figure is too old to rate, and how the page names it."""

    before: date
    name: str = OUT_OF_DATE_LIMIT


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
    latest, target, baseline = number(latest_value), number(target_value), number(baseline_value)
    if latest is None or target is None:
        return TargetAssessment(TargetProgress.NO_TARGET)
    if at_least_as_good(latest, target, way):
        return TargetAssessment(TargetProgress.MET)
    if target_date is not None and as_of >= target_date:
        return TargetAssessment(TargetProgress.MISSED)
    if baseline is not None and not at_least_as_good(latest, baseline, way):
        # Moving away from the baseline is behind any trajectory toward the target.
        return TargetAssessment(TargetProgress.BEHIND, baseline)
    if baseline is None or baseline_date is None or target_date is None:
        return TargetAssessment(TargetProgress.NOT_ASSESSED)
    if target_date <= baseline_date:
        return TargetAssessment(TargetProgress.NOT_ASSESSED)
    span = (target_date - baseline_date).days
    elapsed = min(max((as_of - baseline_date).days, 0), span)
    expected = baseline + (target - baseline) * elapsed / span
    on_track = at_least_as_good(latest, expected, way)
    return TargetAssessment(
        TargetProgress.ON_TRACK if on_track else TargetProgress.BEHIND, expected
    )


@dataclass(frozen=True, slots=True)
class _Reading:
    """A measure's evidence, each part already turned the measure's way."""

    england: Comparison  # Better, Similar, Worse or Not compared
    region: Comparison
    movement: int | None  # +1 getting better, -1 getting worse, 0 no change, None unknown
    progress: TargetProgress


def propose_measure_rag(
    *,
    today: date,
    direction: Direction | str,
    latest_value: float | Decimal | None,
    england: Comparison | str | None = None,
    versus_region: Comparison | str | None = None,
    region: str = REGION,
    trend: Trend | str | None = None,
    baseline_value: float | Decimal | None = None,
    baseline_date: date | None = None,
    target_value: float | Decimal | None = None,
    target_date: date | None = None,
    latest_date: date | None = None,
    period: str = "",
    period_end: date | None = None,
    out_of_date: OutOfDate | None = None,
) -> Proposal:
    """Return the proposed RAG for a measure from its comparisons, trend and target progress.

    `period` is the latest value's period as the page names it (every reason states it);
    `period_end` its last day. A figure whose period ended before `out_of_date.before` is never
    rated Red or Green: it is proposed as Not rated: data out of date.
    """
    way = parse_direction(direction)
    verdict = _verdict(trend, way)
    target = assess_target(
        direction=way,
        latest_value=latest_value,
        target_value=target_value,
        target_date=target_date,
        baseline_value=baseline_value,
        baseline_date=baseline_date,
        as_of=latest_date or today,
    )
    evidence = _evidence(
        period=period,
        england=_stated(england),
        versus_region=_stated(versus_region),
        region=region,
        trend=trend,
        verdict=verdict,
        target=target,
        target_value=number(target_value),
        target_date=target_date,
    )
    if number(latest_value) is None:
        return propose(r.MEASURE_NO_VALUE, "No value has been published yet.")
    stale = _out_of_date(out_of_date, period, period_end, evidence)
    if stale is not None:
        return stale
    reading = _Reading(
        england=_standing(england, way),
        region=_standing(versus_region, way),
        movement=verdict.movement,
        progress=target.progress,
    )
    rule, headline = _branch(reading)
    return propose(rule, f"{headline} ({evidence}).", headline)


def _out_of_date(
    out_of_date: OutOfDate | None, period: str, period_end: date | None, evidence: str
) -> Proposal | None:
    """Not rated: data out of date, for a figure whose period ended before the limit; else None."""
    if out_of_date and period_end is not None and period_end < out_of_date.before:
        limit = day(out_of_date.before)
        named = out_of_date.name if out_of_date.name == limit else f"{out_of_date.name} ({limit})"
        return propose(
            r.MEASURE_OUT_OF_DATE,
            f"Not rated: data out of date. The latest value is for {period or 'a period'} "
            f"(ended {day(period_end)}), before {named} ({evidence}).",
            f"The latest value ended {day(period_end)}, before {named}",
        )
    return None


def _branch(m: _Reading) -> tuple[Rule, str]:
    """The first measure rule that fits, with its headline."""
    better, worse = 1, -1
    if (
        m.england is Comparison.NOT_COMPARED
        and m.region is Comparison.NOT_COMPARED
        and m.movement is None
        and m.progress in (TargetProgress.NO_TARGET, TargetProgress.NOT_ASSESSED)
    ):
        return r.MEASURE_NOT_ENOUGH_DATA, "Not enough data to judge"
    if m.progress is TargetProgress.MISSED:
        return r.MEASURE_TARGET_MISSED, "The target date has been reached and the target was missed"
    if m.england is Comparison.WORSE and m.movement != better:
        return r.MEASURE_WORSE_NOT_IMPROVING, "Worse than England and not getting better"
    behind = m.progress is TargetProgress.BEHIND
    if m.movement == worse and behind:
        return r.MEASURE_WORSENING_BEHIND_TARGET, "Getting worse and behind target"
    if m.progress in (TargetProgress.MET, TargetProgress.ON_TRACK) and m.movement != worse:
        met = m.progress is TargetProgress.MET
        return r.MEASURE_TARGET_ON_TRACK, "Target met" if met else "On track for the target"
    if (
        m.england is Comparison.BETTER
        and m.region is not Comparison.WORSE
        and m.movement != worse
        and not behind
    ):
        return r.MEASURE_BETTER_THAN_ENGLAND, "Better than England"
    if m.movement == better and m.england is not Comparison.WORSE and not behind:
        return r.MEASURE_IMPROVING, "Getting better"
    if m.england is Comparison.WORSE:
        # Only an improving trend reaches here: the Red branch took the rest.
        return r.MEASURE_WORSE_BUT_IMPROVING, "Worse than England but getting better"
    if m.movement == worse:
        return r.MEASURE_WORSENING, "Getting worse"
    if behind:
        return r.MEASURE_BEHIND_TARGET, "Behind the target trajectory"
    return r.MEASURE_NO_CLEAR_PROGRESS, "No clear progress"


def _stated(label: Comparison | str | None) -> Comparison:
    if isinstance(label, Comparison):
        return label
    return parse_comparison(label) or Comparison.NOT_COMPARED


def _standing(label: Comparison | str | None, way: Direction) -> Comparison:
    """Better, Similar, Worse or Not compared, the measure's way round."""
    stated = _stated(label)
    if stated in (Comparison.HIGHER, Comparison.LOWER):
        # Fingertips says Higher/Lower when the indicator carries no judgement; the measure does.
        higher = stated is Comparison.HIGHER
        return Comparison.BETTER if higher == (way is Direction.HIGHER) else Comparison.WORSE
    judged = {1: Comparison.BETTER, 0: Comparison.SIMILAR, -1: Comparison.WORSE}
    return judged.get(stated.judgement, Comparison.NOT_COMPARED)  # type: ignore[arg-type]


def _verdict(trend: Trend | str | None, way: Direction) -> Trend:
    """The trend read the measure's way: its direction decides what a rise or fall means."""
    stated = trend if isinstance(trend, Trend) else parse_trend(trend)
    if stated is None:
        return Trend.CANNOT_BE_CALCULATED
    return Trend.of(stated.marker, way.polarity)


def _evidence(
    *,
    period: str,
    england: Comparison,
    versus_region: Comparison,
    region: str,
    trend: Trend | str | None,
    verdict: Trend,
    target: TargetAssessment,
    target_value: float | None,
    target_date: date | None,
) -> str:
    parts = [f"latest value for {period}"] if period else []
    parts += [
        f"England: {england.label}",
        f"{region}: {versus_region.label}",
        f"recent trend: {_trend_words(trend, verdict)}",
    ]
    if target.progress is not TargetProgress.NO_TARGET and target_value is not None:
        by = f" by {day(target_date)}" if target_date else ""
        words = f"target {figure(target_value)}{by}: {target.progress.value}"
        if target.progress in (TargetProgress.ON_TRACK, TargetProgress.BEHIND) and (
            target.expected is not None
        ):
            words += f", {figure(target.expected)} expected by now"
        parts.append(words)
    else:
        parts.append("no target")
    return "; ".join(parts)


def _trend_words(trend: Trend | str | None, verdict: Trend) -> str:
    stated = trend if isinstance(trend, Trend) else parse_trend(trend)
    if stated is None:
        return Trend.CANNOT_BE_CALCULATED.label
    if verdict.movement and verdict.movement != stated.movement:
        # A trend without a judgement ("Increasing"), or judged the other way round, gets the
        # measure's reading of it.
        return f"{stated.label} ({'getting better' if verdict.movement > 0 else 'getting worse'})"
    return str(trend) if not isinstance(trend, Trend) else stated.label
