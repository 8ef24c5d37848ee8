"""Making Data Count XmR (SPC) charts: limits, special-cause rules, icons and assurance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from indicators.vocabulary import ImprovementDirection, SpcAssurance, SpcVariation

from ._common import (
    SPC_LIMIT_FACTOR,
    SPC_NEAR_LIMIT_FACTOR,
    SPC_OUTLIER_SCREEN,
    SPC_SHORT_SERIES,
    InvalidInput,
    is_missing,
)

# --------------------------------------------------------------------------------------------
# SPC: Making Data Count XmR charts (section 8)
# --------------------------------------------------------------------------------------------


# NHSRplotthedots' words and values, declared once in the vocabulary.
PointType = SpcVariation
Assurance = SpcAssurance
COMMON_CAUSE_LABEL = "Common Cause"


@dataclass(frozen=True, slots=True)
class SpcSegment:
    """Centre line and limits for one run of points between rebases."""

    start: int
    stop: int
    mean: float
    mean_moving_range: float
    lpl: float
    upl: float
    near_lpl: float
    near_upl: float
    trial_limits: bool


@dataclass(frozen=True, slots=True)
class SpcPoint:
    """One charted point with its segment's limits, special-cause label and point type."""

    value: float
    segment: int
    mean: float
    lpl: float
    upl: float
    special_cause_type: str
    point_type: PointType


@dataclass(frozen=True, slots=True)
class SpcResult:
    """An XmR chart: points, segments, the latest limits, variation icon and assurance."""

    points: tuple[SpcPoint, ...]
    segments: tuple[SpcSegment, ...]
    variation_icon: PointType
    assurance: Assurance | None

    @property
    def mean(self) -> float:
        """Return the latest segment's centre line."""
        return self.segments[-1].mean

    @property
    def lpl(self) -> float:
        """Return the latest segment's lower process limit."""
        return self.segments[-1].lpl

    @property
    def upl(self) -> float:
        """Return the latest segment's upper process limit."""
        return self.segments[-1].upl

    @property
    def short_series_warning(self) -> bool:
        """Return True when any segment is too short for anything but trial limits."""
        return any(segment.trial_limits for segment in self.segments)


def xmr_chart(
    values: Sequence[float],
    *,
    improvement_direction: ImprovementDirection | str,
    screen_outliers: bool = True,
    fix_after_n_points: int | None = None,
    rebase_at: Sequence[int] = (),
    target: float | None = None,
    trend_length: int = 7,
    shift_length: int = 7,
    short_series_threshold: int = SPC_SHORT_SERIES,
) -> SpcResult:
    """Return a Making Data Count XmR chart for values in date order."""
    direction = ImprovementDirection(improvement_direction)
    if len(values) < 2:
        raise InvalidInput("an SPC chart needs at least 2 points")
    if any(is_missing(v) for v in values):
        raise InvalidInput("SPC values must not have gaps; every point needs a value")
    if fix_after_n_points is not None and fix_after_n_points < 12:
        raise InvalidInput("limits can only be fixed after 12 or more points")
    if trend_length < 2 or shift_length < 2:
        raise InvalidInput("run lengths must be at least 2")
    y = np.array(values, dtype=float)
    starts = sorted({0, *rebase_at})
    if starts[-1] >= len(y) or starts[0] < 0:
        raise InvalidInput("rebase positions must lie inside the series")
    stops = [*starts[1:], len(y)]

    points: list[SpcPoint] = []
    segments: list[SpcSegment] = []
    for number, (start, stop) in enumerate(zip(starts, stops, strict=True)):
        segment = _spc_limits(
            y[start:stop],
            start=start,
            screen_outliers=screen_outliers,
            fix_after_n_points=fix_after_n_points,
            short_series_threshold=short_series_threshold,
        )
        segments.append(segment)
        labels = _special_causes(
            y[start:stop], segment, trend_length=trend_length, shift_length=shift_length
        )
        points.extend(_segment_points(y[start:stop], number, segment, labels, direction))
    assurance = _assurance(target, direction, segments[-1])
    return SpcResult(tuple(points), tuple(segments), points[-1].point_type, assurance)


def _segment_points(
    y: np.ndarray,
    number: int,
    segment: SpcSegment,
    labels: list[tuple[str, int]],
    direction: ImprovementDirection,
) -> list[SpcPoint]:
    """One segment's points, each with its segment's limits and its special cause."""
    return [
        SpcPoint(
            value=float(value),
            segment=number,
            mean=segment.mean,
            lpl=segment.lpl,
            upl=segment.upl,
            special_cause_type=label,
            point_type=_point_type(sign, direction),
        )
        for value, (label, sign) in zip(y, labels, strict=True)
    ]


def _assurance(
    target: float | None, direction: ImprovementDirection, latest: SpcSegment
) -> Assurance | None:
    """Whether the latest limits always, never or sometimes meet the target (None without one)."""
    if target is None or direction is ImprovementDirection.NEUTRAL:
        return None
    better_up = direction is ImprovementDirection.INCREASE
    if target > latest.upl:
        return Assurance.CONSISTENT_FAIL if better_up else Assurance.CONSISTENT_PASS
    if target < latest.lpl:
        return Assurance.CONSISTENT_PASS if better_up else Assurance.CONSISTENT_FAIL
    return Assurance.INCONSISTENT


def _spc_limits(
    y: np.ndarray,
    *,
    start: int,
    screen_outliers: bool,
    fix_after_n_points: int | None,
    short_series_threshold: int,
) -> SpcSegment:
    baseline = y if fix_after_n_points is None else y[:fix_after_n_points]
    if baseline.size < 2:
        raise InvalidInput("each SPC segment needs at least 2 points for a moving range")
    mean = float(baseline.mean())
    moving_ranges = np.abs(np.diff(baseline))
    mean_range = float(moving_ranges.mean())
    if screen_outliers and mean_range > 0:
        # NHSRplotthedots drops ranges at or above 3.267 x the mean range once; the MDC Excel
        # tool does not, hence the option. A flat series (all ranges 0) has nothing to screen,
        # and screening it would drop every range and leave no limits at all.
        mean_range = float(moving_ranges[moving_ranges < SPC_OUTLIER_SCREEN * mean_range].mean())
    return SpcSegment(
        start=start,
        stop=start + y.size,
        mean=mean,
        mean_moving_range=mean_range,
        lpl=mean - SPC_LIMIT_FACTOR * mean_range,
        upl=mean + SPC_LIMIT_FACTOR * mean_range,
        near_lpl=mean - SPC_NEAR_LIMIT_FACTOR * mean_range,
        near_upl=mean + SPC_NEAR_LIMIT_FACTOR * mean_range,
        trial_limits=y.size < short_series_threshold,
    )


def _runs(signs: np.ndarray) -> list[tuple[int, int]]:
    """Return [start, stop) of each maximal run of equal non-zero signs."""
    runs = []
    start = 0
    for i in range(1, signs.size + 1):
        if i == signs.size or signs[i] != signs[start]:
            if signs[start] != 0:
                runs.append((start, i))
            start = i
    return runs


def _special_causes(
    y: np.ndarray, segment: SpcSegment, *, trend_length: int, shift_length: int
) -> list[tuple[str, int]]:
    """Label each point by the first special-cause rule it meets, with its direction (+1/-1)."""
    n = y.size
    outside = (y > segment.upl) | (y < segment.lpl)
    side = np.sign(y - segment.mean).astype(int)
    near = ~outside & ((y < segment.near_lpl) | (y > segment.near_upl))

    steps = np.sign(np.diff(y)).astype(int)
    in_trend = np.zeros(n, dtype=bool)
    for first, stop in _runs(steps):
        if stop - first >= trend_length - 1:
            in_trend[first : stop + 1] = True

    in_shift = np.zeros(n, dtype=bool)
    for first, stop in _runs(side):
        if stop - first >= shift_length:
            in_shift[first:stop] = True

    two_of_three = np.zeros(n, dtype=bool)
    for first in range(n - 2):
        window = slice(first, first + 3)
        # Points on opposite sides of the mean never qualify (NHSRplotthedots test).
        if near[window].sum() >= 2 and abs(side[window].sum()) == 3:
            two_of_three[window] |= near[window]

    labels: list[tuple[str, int]] = []
    for i in range(n):
        if outside[i]:
            labels.append(("Above UCL", 1) if y[i] > segment.upl else ("Below LCL", -1))
        elif in_trend[i]:
            # A point joining two runs takes the direction of the step it starts.
            forward = i + 1 < n and in_trend[i + 1] and steps[i] != 0
            sign = int(steps[i] if forward else steps[i - 1])
            word = "Increasing" if sign > 0 else "Decreasing"
            labels.append((f"{trend_length} Point Trend ({word})", sign))
        elif two_of_three[i]:
            labels.append((f"2 in 3 {'Above' if side[i] > 0 else 'Below'} CL", int(side[i])))
        elif in_shift[i]:
            word = "Above" if side[i] > 0 else "Below"
            labels.append((f"{shift_length} Points {word} CL", int(side[i])))
        else:
            labels.append((COMMON_CAUSE_LABEL, 0))
    return labels


def _point_type(sign: int, direction: ImprovementDirection) -> PointType:
    if sign == 0:
        return PointType.COMMON_CAUSE
    if direction is ImprovementDirection.NEUTRAL:
        return PointType.NEUTRAL_HIGH if sign > 0 else PointType.NEUTRAL_LOW
    better = 1 if direction is ImprovementDirection.INCREASE else -1
    return PointType.IMPROVEMENT if sign == better else PointType.CONCERN
