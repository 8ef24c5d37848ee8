"""The Fingertips recent-trend marker over the five latest yearly points of a series."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from indicators.vocabulary import Trend, TrendMarker

from ._common import (
    TREND_CHI_SQUARED_THRESHOLD,
    TREND_POINTS,
    TREND_SE_DIVISOR,
    InvalidInput,
    Polarity,
    _all_present,
    is_missing,
    parse_polarity,
)

# --------------------------------------------------------------------------------------------
# Recent trend (section 6)
# --------------------------------------------------------------------------------------------


class TrendMethod(StrEnum):
    """The two recent-trend tests: weighted regression on values, or chi-squared on counts."""

    WEIGHTED_REGRESSION = "ci"
    PROPORTIONS = "proportion"


TREND_NO_CHANGE_LABEL = Trend.NO_CHANGE.value
TREND_CANNOT_LABEL = Trend.CANNOT_BE_CALCULATED.value


def trend_label(marker: TrendMarker, polarity: Polarity | str) -> Trend:
    """Return the polarity-adjusted verdict Fingertips shows for a trend marker."""
    return Trend.of(TrendMarker(marker), parse_polarity(polarity))


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One single-year point of a series: value, 95% limits, count and denominator."""

    period: int
    value: float | None
    lower95: float | None = None
    upper95: float | None = None
    count: float | None = None
    denominator: float | None = None


@dataclass(frozen=True, slots=True)
class TrendResult:
    """The recent trend: marker, label, test statistic and the periods it used."""

    marker: TrendMarker
    label: Trend
    method: TrendMethod
    chi_squared: float | None
    slope: float | None
    significant: bool
    periods_used: tuple[int, ...]
    reason: str = ""


def recent_trend(
    points: Sequence[TrendPoint],
    *,
    polarity: Polarity | str,
    method: TrendMethod | str = TrendMethod.WEIGHTED_REGRESSION,
    period_length_years: int = 1,
) -> TrendResult:
    """Return the Fingertips recent-trend marker for the 5 latest points of a yearly series."""
    test = TrendMethod(method)
    judgement = parse_polarity(polarity)

    def cannot(reason: str, used: tuple[int, ...] = ()) -> TrendResult:
        marker = TrendMarker.CANNOT_BE_CALCULATED
        return TrendResult(
            marker, trend_label(marker, judgement), test, None, None, False, used, reason
        )

    if period_length_years != 1:
        return cannot("recent trends are only calculated for single-year, non-overlapping periods")
    periods = [p.period for p in points]
    if len(set(periods)) != len(periods):
        raise InvalidInput("trend points must not repeat a period")

    run = _latest_run(points, test)
    if len(run) < TREND_POINTS:
        return cannot(f"fewer than {TREND_POINTS} consecutive valid points up to the latest period")
    run.reverse()  # t = 1 (oldest) ... 5 (newest)
    used = tuple(p.period for p in run)

    if test is TrendMethod.WEIGHTED_REGRESSION:
        chi_squared, slope, direction, robust = _weighted_regression_trend(run)
    else:
        problem = _logit_problem(run)
        if problem:
            return cannot(problem, used)
        chi_squared, slope, direction, robust = _proportions_trend(run)

    significant = robust and chi_squared > TREND_CHI_SQUARED_THRESHOLD
    if significant:
        marker = TrendMarker.INCREASING if direction > 0 else TrendMarker.DECREASING
    else:
        marker = TrendMarker.NO_CHANGE
    return TrendResult(
        marker, trend_label(marker, judgement), test, chi_squared, slope, significant, used
    )


def _latest_run(points: Sequence[TrendPoint], test: TrendMethod) -> list[TrendPoint]:
    """Up to TREND_POINTS valid points back from the latest period, newest first."""
    run: list[TrendPoint] = []
    for point in sorted(points, key=lambda p: p.period, reverse=True):
        # The run back from the latest period ends at the first missing year or invalid point
        # (legacy Fingertips and the guidance's "no breaks in the series").
        if run and point.period != run[-1].period - 1:
            break
        if not _trend_point_is_valid(point, test):
            break
        run.append(point)
        if len(run) == TREND_POINTS:
            break
    return run


def _logit_problem(run: list[TrendPoint]) -> str:
    """Why the proportions' logits cannot be taken, or "" when they can."""
    counts = np.array([p.count for p in run], dtype=float)
    denominators = np.array([p.denominator for p in run], dtype=float)
    if (counts == denominators).any():
        return "a count equals its denominator, so the proportion's logit is infinite"
    if ((counts == 0) | (counts > denominators)).any():
        return "a zero count (or one above its denominator) leaves the logit undefined"
    return ""


def _trend_point_is_valid(point: TrendPoint, test: TrendMethod) -> bool:
    # A missing value means a suppressed point even when count and denominator exist.
    if any(is_missing(x) for x in (point.value, point.count, point.denominator)):
        return False
    if test is TrendMethod.WEIGHTED_REGRESSION:
        limits = _all_present(point.lower95, point.upper95)
        # Equal limits would give an infinite weight.
        return limits is not None and limits[1] > limits[0]
    return True


def _same_signs(slopes: Iterable[float]) -> bool:
    # Fingertips counts a slope of exactly 0 as positive.
    signs = {slope >= 0 for slope in slopes}
    return len(signs) == 1


def _weighted_regression_trend(run: Sequence[TrendPoint]) -> tuple[float, float, int, bool]:
    t = np.arange(1.0, len(run) + 1)
    y = np.array([p.value for p in run], dtype=float)
    se = np.array([p.upper95 for p in run], float) - np.array([p.lower95 for p in run], float)
    w = 1.0 / (se / TREND_SE_DIVISOR) ** 2

    def slope_and_variance(keep: np.ndarray) -> tuple[float, float]:
        s1 = w[keep].sum()
        s2 = (w * t * y)[keep].sum()
        s3 = (w * t)[keep].sum()
        s4 = (w * y)[keep].sum()
        s5 = (w * t * t)[keep].sum()
        determinant = s1 * s5 - s3 * s3
        return (s1 * s2 - s3 * s4) / determinant, s1 / determinant

    everything = np.ones(len(run), dtype=bool)
    slope, variance = slope_and_variance(everything)
    left_out = [
        slope_and_variance(everything & (np.arange(len(run)) != i))[0] for i in range(len(run))
    ]
    chi_squared = slope * slope / variance
    return float(chi_squared), float(slope), 1 if slope > 0 else -1, _same_signs([slope, *left_out])


def _proportions_trend(run: Sequence[TrendPoint]) -> tuple[float, float, int, bool]:
    t = np.arange(1.0, len(run) + 1)
    r = np.array([p.count for p in run], dtype=float)
    n = np.array([p.denominator for p in run], dtype=float)
    total, events = n.sum(), r.sum()
    contrast = total * (r * t).sum() - events * (n * t).sum()
    spread = total * (n * t * t).sum() - (n * t).sum() ** 2
    chi_squared = total * contrast**2 / (events * (total - events) * spread)
    logit = np.log(r / (n - r))

    def ols_slope(keep: np.ndarray) -> float:
        tk, yk = t[keep], logit[keep]
        k = tk.size
        return float(
            (k * (tk * yk).sum() - yk.sum() * tk.sum()) / (k * (tk * tk).sum() - tk.sum() ** 2)
        )

    everything = np.ones(len(run), dtype=bool)
    slope = ols_slope(everything)
    left_out = [ols_slope(everything & (np.arange(len(run)) != i)) for i in range(len(run))]
    direction = 1 if contrast > 0 else -1
    return float(chi_squared), slope, direction, _same_signs([slope, *left_out])
