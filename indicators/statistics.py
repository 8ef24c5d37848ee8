"""Fingertips-compatible indicator statistics (pure: stdlib, numpy and scipy only).

Every method follows shared/docs/STATISTICS.md; section numbers below refer to that document.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum, StrEnum
from functools import lru_cache

import numpy as np
from scipy import optimize
from scipy.stats import chi2, norm
from scipy.stats import t as student_t

# --------------------------------------------------------------------------------------------
# Constants (section 1)
# --------------------------------------------------------------------------------------------

CONFIDENCE_95 = 0.95
CONFIDENCE_998 = 0.998
STANDARD_LEVELS = (CONFIDENCE_95, CONFIDENCE_998)

# Counts below this use the exact Poisson limits; Byar's approximation from here up.
EXACT_BELOW = 10

# Fingertips hard-codes 9.54953570608324, which is exactly z(99.8%) squared; scipy's chi2.ppf
# differs from it in the 15th digit, so derive it the way Fingertips' number was derived.
TREND_CHI_SQUARED_THRESHOLD = float(norm.ppf(0.999)) ** 2
# The Fingertips trend code divides the 95% CI width by the literal 2 x 1.96, not 2 x 1.959964.
TREND_SE_DIVISOR = 3.92
TREND_POINTS = 5

SPC_LIMIT_FACTOR = 2.66
SPC_NEAR_LIMIT_FACTOR = 2 * SPC_LIMIT_FACTOR / 3
SPC_OUTLIER_SCREEN = 3.267
SPC_SHORT_SERIES = 13

SII_MIN_REPETITIONS = 1000

METHOD_BYARS = "Byars"
METHOD_EXACT = "Exact"
METHOD_WILSON = "Wilson"
METHOD_T = "Student's t"


class InvalidInput(ValueError):
    """Input data that the methods must not compute (negative counts, empty denominators...)."""


# --------------------------------------------------------------------------------------------
# Small shared helpers
# --------------------------------------------------------------------------------------------


def is_missing(value: float | None) -> bool:
    """Return True for None or NaN, the two ways a missing number arrives."""
    return value is None or (isinstance(value, float | np.floating) and math.isnan(value))


def _present(value: float | None) -> float | None:
    """Return a number as a float, or None when it is missing (None or NaN)."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _all_present(*values: float | None) -> tuple[float, ...] | None:
    """Return every value as a float, or None if any of them is missing."""
    numbers = [_present(v) for v in values]
    present = tuple(n for n in numbers if n is not None)
    return present if len(present) == len(numbers) else None


def _finite(value: float, name: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise InvalidInput(f"{name} must be a finite number, got {value!r}")
    return number


def _check_confidence(confidence: float) -> float:
    level = float(confidence)
    if not 0.0 < level < 1.0:
        raise InvalidInput(f"confidence must be a fraction between 0 and 1, got {confidence!r}")
    return level


@lru_cache(maxsize=64)
def z_for_confidence(confidence: float) -> float:
    """Return the two-sided normal quantile for a confidence level (1.959964 for 0.95)."""
    level = _check_confidence(confidence)
    return float(norm.ppf(1.0 - (1.0 - level) / 2.0))


def level_key(confidence: float) -> str:
    """Return the Fingertips label for a confidence level ("95.0", "99.8")."""
    return f"{float(confidence) * 100:.1f}"


# --------------------------------------------------------------------------------------------
# Values with confidence limits (sections 2, 3 and 4)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Estimate:
    """A value with its lower and upper confidence limits at one confidence level."""

    value: float | None
    lower: float | None
    upper: float | None
    confidence: float
    method: str | None


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    """A value with its 95% and 99.8% limits, the pair Fingertips stores for each indicator."""

    value: float | None
    lower95: float | None
    upper95: float | None
    lower998: float | None
    upper998: float | None
    method: str | None


@dataclass(frozen=True, slots=True)
class CountLimits:
    """Confidence limits for an observed Poisson count and the method that produced them."""

    lower: float
    upper: float
    method: str


def poisson_count_limits(count: float, confidence: float = CONFIDENCE_95) -> CountLimits:
    """Return exact (count < 10) or Byar's (count >= 10) limits for an observed count."""
    observed = _finite(count, "count")
    if observed < 0:
        raise InvalidInput(f"count must not be negative, got {count!r}")
    alpha = 1.0 - _check_confidence(confidence)
    if observed < EXACT_BELOW:
        # chi-squared with 0 df is a point mass at 0 in R; scipy answers NaN, so 0 is explicit.
        lower = 0.0 if observed == 0 else float(chi2.ppf(alpha / 2, 2 * observed)) / 2
        upper = float(chi2.isf(alpha / 2, 2 * observed + 2)) / 2
        return CountLimits(lower, upper, METHOD_EXACT)
    z = z_for_confidence(confidence)
    lower = observed * (1 - 1 / (9 * observed) - z / (3 * math.sqrt(observed))) ** 3
    above = observed + 1
    upper = above * (1 - 1 / (9 * above) + z / (3 * math.sqrt(above))) ** 3
    return CountLimits(lower, upper, METHOD_BYARS)


def crude_rate(
    *, count: float | None, denominator: float | None, multiplier: float, confidence: float = 0.95
) -> Estimate:
    """Return a crude rate with Byar's or exact Poisson limits; missing inputs give nulls."""
    level = _check_confidence(confidence)
    inputs = _all_present(count, denominator)
    if inputs is None:
        return Estimate(None, None, None, level, None)
    observed, people = inputs
    scale = _rate_scale(denominator=people, multiplier=multiplier)
    limits = poisson_count_limits(observed, level)
    return Estimate(
        observed * scale, limits.lower * scale, limits.upper * scale, level, limits.method
    )


def _rate_scale(*, denominator: float, multiplier: float) -> float:
    people = _finite(denominator, "denominator")
    if people <= 0:
        raise InvalidInput(f"denominator must be greater than 0, got {denominator!r}")
    factor = _finite(multiplier, "multiplier")
    if factor <= 0:
        raise InvalidInput(f"multiplier must be greater than 0, got {multiplier!r}")
    return factor / people


def wilson_proportion(
    *, count: float | None, denominator: float | None, multiplier: float, confidence: float = 0.95
) -> Estimate:
    """Return a proportion with Wilson score limits; missing inputs give nulls."""
    level = float(confidence)
    if level != 1.0:
        level = _check_confidence(confidence)
    inputs = _all_present(count, denominator)
    if inputs is None:
        return Estimate(None, None, None, level, METHOD_WILSON)
    observed = _finite(inputs[0], "count")
    total = _finite(inputs[1], "denominator")
    factor = _finite(multiplier, "multiplier")
    if observed < 0:
        raise InvalidInput(f"count must not be negative, got {count!r}")
    if total <= 0:
        raise InvalidInput(f"denominator must be greater than 0, got {denominator!r}")
    if observed > total:
        raise InvalidInput(f"count {count!r} is larger than its denominator {denominator!r}")
    if factor <= 0:
        raise InvalidInput(f"multiplier must be greater than 0, got {multiplier!r}")
    value = observed / total * factor
    if level == 1.0:
        # The package allows certainty; its limits are the whole range.
        return Estimate(value, 0.0, factor, level, METHOD_WILSON)
    z = z_for_confidence(level)
    z2 = z * z
    q = 1 - observed / total
    root = z * math.sqrt(z2 + 4 * observed * q)
    divisor = 2 * (total + z2)
    # At O = 0 and O = n the formula is exactly 0 and 1; rounding would leave 1e-17 or
    # 0.99999999999999989, so those identities are written out.
    lower = 0.0 if observed == 0 else (2 * observed + z2 - root) / divisor
    upper = 1.0 if observed == total else (2 * observed + z2 + root) / divisor
    return Estimate(value, lower * factor, upper * factor, level, METHOD_WILSON)


def rate_at_standard_levels(
    *, count: float | None, denominator: float | None, multiplier: float
) -> IndicatorValue:
    """Return a crude rate with both its 95% and 99.8% limits."""
    return _both_levels(crude_rate, count=count, denominator=denominator, multiplier=multiplier)


def proportion_at_standard_levels(
    *, count: float | None, denominator: float | None, multiplier: float
) -> IndicatorValue:
    """Return a Wilson proportion with both its 95% and 99.8% limits."""
    return _both_levels(
        wilson_proportion, count=count, denominator=denominator, multiplier=multiplier
    )


def _both_levels(
    method: Callable[..., Estimate],
    *,
    count: float | None,
    denominator: float | None,
    multiplier: float,
) -> IndicatorValue:
    at95 = method(count=count, denominator=denominator, multiplier=multiplier, confidence=0.95)
    at998 = method(count=count, denominator=denominator, multiplier=multiplier, confidence=0.998)
    return IndicatorValue(at95.value, at95.lower, at95.upper, at998.lower, at998.upper, at95.method)


@dataclass(frozen=True, slots=True)
class MeanEstimate:
    """A mean with its sample standard deviation and t-distribution limits."""

    value: float | None
    stdev: float | None
    lower: float | None
    upper: float | None
    n: int
    confidence: float
    method: str = METHOD_T


def mean_with_limits(values: Iterable[float | None], confidence: float = 0.95) -> MeanEstimate:
    """Return the mean of the non-missing values with t limits (none for fewer than 2 values)."""
    level = _check_confidence(confidence)
    data = np.array([float(v) for v in values if not is_missing(v)], dtype=float)
    n = int(data.size)
    if n == 0:
        return MeanEstimate(None, None, None, None, 0, level)
    mean = float(data.mean())
    if n < 2:
        return MeanEstimate(mean, None, None, None, n, level)
    stdev = float(data.std(ddof=1))
    half_width = abs(float(student_t.ppf((1 - level) / 2, n - 1))) * stdev / math.sqrt(n)
    return MeanEstimate(mean, stdev, mean - half_width, mean + half_width, n, level)


# --------------------------------------------------------------------------------------------
# Aggregation (section 2, "Aggregation")
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PooledCounts:
    """Summed counts and denominators for a group of areas or pooled periods."""

    count: float | None
    denominator: float | None
    parts: int


def pool_counts(
    counts: Sequence[float | None], denominators: Sequence[float | None]
) -> PooledCounts:
    """Sum counts and denominators; any missing part makes the pooled figure missing."""
    if len(counts) != len(denominators):
        raise InvalidInput("counts and denominators must have the same length")
    # A pooled rate that silently drops a district would understate the county, so one missing
    # part makes the whole aggregate missing rather than a partial sum.
    present_counts = _all_present(*counts)
    present_denominators = _all_present(*denominators)
    return PooledCounts(
        None if present_counts is None else float(sum(present_counts)),
        None if present_denominators is None else float(sum(present_denominators)),
        len(counts),
    )


def pooled_rate(
    *,
    counts: Sequence[float | None],
    denominators: Sequence[float | None],
    multiplier: float,
    confidence: float = 0.95,
) -> Estimate:
    """Return the crude rate of summed counts over summed denominators (never averaged rates)."""
    pooled = pool_counts(counts, denominators)
    return crude_rate(
        count=pooled.count,
        denominator=pooled.denominator,
        multiplier=multiplier,
        confidence=confidence,
    )


def pooled_proportion(
    *,
    counts: Sequence[float | None],
    denominators: Sequence[float | None],
    multiplier: float,
    confidence: float = 0.95,
) -> Estimate:
    """Return the Wilson proportion of summed counts over summed denominators."""
    pooled = pool_counts(counts, denominators)
    return wilson_proportion(
        count=pooled.count,
        denominator=pooled.denominator,
        multiplier=multiplier,
        confidence=confidence,
    )


# --------------------------------------------------------------------------------------------
# Benchmark comparison (section 5)
# --------------------------------------------------------------------------------------------


class Polarity(StrEnum):
    """Indicator polarity in Fingertips' own wording."""

    LOW_IS_GOOD = "RAG - Low is good"
    HIGH_IS_GOOD = "RAG - High is good"
    BOB = "BOB - Blue orange blue"
    NO_JUDGEMENT = "No judgement"
    NOT_APPLICABLE = "Not applicable"


_POLARITY_ALIASES = {
    "raglowisgood": Polarity.LOW_IS_GOOD,
    "lowisgood": Polarity.LOW_IS_GOOD,
    "raghighisgood": Polarity.HIGH_IS_GOOD,
    "highisgood": Polarity.HIGH_IS_GOOD,
    "bobblueorangeblue": Polarity.BOB,
    "bob": Polarity.BOB,
    "blueorangeblue": Polarity.BOB,
    "nojudgement": Polarity.NO_JUDGEMENT,
    "notapplicable": Polarity.NOT_APPLICABLE,
    "nocomparison": Polarity.NOT_APPLICABLE,
}


def parse_polarity(text: str | Polarity) -> Polarity:
    """Return the Polarity for Fingertips' wording, tolerating dashes, case and spacing."""
    if isinstance(text, Polarity):
        return text
    # Fingertips' metadata writes the dash as an en dash, its UI as a hyphen and FingertipsNext
    # not at all ("LowIsGood"), so compare letters only.
    key = re.sub(r"[^a-z]", "", str(text).lower())
    try:
        return _POLARITY_ALIASES[key]
    except KeyError:
        raise InvalidInput(f"unknown polarity {text!r}") from None


class Comparison(StrEnum):
    """Benchmark comparison labels exactly as Fingertips shows them."""

    BETTER = "Better"
    SIMILAR = "Similar"
    WORSE = "Worse"
    BEST = "Best"
    WORST = "Worst"
    HIGHER = "Higher"
    LOWER = "Lower"
    NOT_COMPARED = "Not compared"


def _judge(direction: int, polarity: Polarity, *, levels: int = 1) -> Comparison:
    """Map higher (+1), similar (0) or lower (-1) onto the polarity's label."""
    if polarity is Polarity.NOT_APPLICABLE:
        return Comparison.NOT_COMPARED
    if direction == 0:
        return Comparison.SIMILAR
    if polarity in (Polarity.BOB, Polarity.NO_JUDGEMENT):
        # Fingertips has no two-level labels without a judgement; both levels read Higher/Lower.
        return Comparison.HIGHER if direction > 0 else Comparison.LOWER
    good = (direction > 0) == (polarity is Polarity.HIGH_IS_GOOD)
    if levels == 2:
        return Comparison.BEST if good else Comparison.WORST
    return Comparison.BETTER if good else Comparison.WORSE


def compare_ci_overlap(
    *,
    value: float | None,
    lower: float | None,
    upper: float | None,
    benchmark: float | None,
    polarity: Polarity | str,
    area_is_benchmark: bool = False,
) -> Comparison:
    """Compare an area's interval at one level with the benchmark's value (inclusive bounds)."""
    judgement = parse_polarity(polarity)
    inputs = _all_present(value, lower, upper, benchmark)
    if area_is_benchmark or inputs is None:
        return Comparison.NOT_COMPARED
    _, low, high, reference = inputs
    if low > reference:
        return _judge(+1, judgement)
    if high < reference:
        return _judge(-1, judgement)
    return _judge(0, judgement)


def compare_ci_overlap_two_levels(
    *,
    value: float | None,
    lower95: float | None,
    upper95: float | None,
    lower998: float | None,
    upper998: float | None,
    benchmark: float | None,
    polarity: Polarity | str,
    area_is_benchmark: bool = False,
) -> Comparison:
    """Compare with the benchmark using the 95% and 99.8% intervals (Best ... Worst)."""
    judgement = parse_polarity(polarity)
    inputs = _all_present(value, lower95, upper95, lower998, upper998, benchmark)
    if area_is_benchmark or inputs is None:
        return Comparison.NOT_COMPARED
    _, low95, high95, low998, high998, reference = inputs
    if low95 <= reference <= high95:
        return _judge(0, judgement)
    if reference < low95:
        return _judge(+1, judgement, levels=1 if reference >= low998 else 2)
    return _judge(-1, judgement, levels=1 if reference <= high998 else 2)


def spc_proportion_control_limits(
    *, benchmark_proportion: float, denominator: float, confidence: float
) -> tuple[float, float]:
    """Return Wilson-type control limits (0..1) around a benchmark proportion for a denominator."""
    z = z_for_confidence(confidence)
    z2 = z * z
    total = _finite(denominator, "denominator")
    if total <= 0:
        raise InvalidInput(f"denominator must be greater than 0, got {denominator!r}")
    expected = total * benchmark_proportion
    root = z * math.sqrt(z2 + 4 * expected * (1 - expected / total))
    divisor = 2 * (total + z2)
    return (2 * expected + z2 - root) / divisor, (2 * expected + z2 + root) / divisor


def compare_spc_for_proportions(
    *,
    value: float | None,
    denominator: float | None,
    benchmark: float | None,
    polarity: Polarity | str,
    confidence: float = 0.95,
    multiplier: float = 100.0,
    area_is_benchmark: bool = False,
) -> Comparison:
    """Compare an area's proportion with control limits around the benchmark (comparator 5)."""
    judgement = parse_polarity(polarity)
    inputs = _all_present(value, denominator, benchmark)
    if area_is_benchmark or inputs is None or inputs[1] <= 0:
        return Comparison.NOT_COMPARED
    area_value, size, reference = inputs
    lower, upper = spc_proportion_control_limits(
        benchmark_proportion=reference / multiplier,
        denominator=size,
        confidence=confidence,
    )
    proportion = area_value / multiplier
    if proportion > upper:
        return _judge(+1, judgement)
    if proportion < lower:
        return _judge(-1, judgement)
    return _judge(0, judgement)


# --------------------------------------------------------------------------------------------
# Quintiles (section 5.3)
# --------------------------------------------------------------------------------------------

_QUINTILE_LABELS = {
    Polarity.HIGH_IS_GOOD: ("Worst", "Worse", "Middle", "Better", "Best"),
    Polarity.LOW_IS_GOOD: ("Best", "Better", "Middle", "Worse", "Worst"),
    Polarity.BOB: ("Lowest", "Low", "Middle", "High", "Highest"),
    Polarity.NO_JUDGEMENT: ("Lowest", "Low", "Middle", "High", "Highest"),
}


def _legacy_percentile(ordered: Sequence[float], fraction: float) -> float:
    count = len(ordered)
    rank = (count - 1) * fraction + 1
    if rank == 1:
        return ordered[0]
    if rank == count:
        return ordered[-1]
    whole = int(rank)
    part = rank - whole
    result = ordered[whole - 1] + part * (ordered[whole] - ordered[whole - 1])
    # Fingertips rounds cut points to 10 dp, away from zero, so that 30.8000000000000006 still
    # admits a value of 30.8 to the lower quintile.
    return float(Decimal(repr(result)).quantize(Decimal("1e-10"), rounding=ROUND_HALF_UP))


def quintiles_legacy(values: Sequence[float | None]) -> list[int | None]:
    """Return quintile 1..5 per value by legacy percentile cut points (None if uncategorised)."""
    numbers = [_present(v) for v in values]
    valid = sorted(n for n in numbers if n is not None)
    if len(valid) < 5:
        return [None] * len(values)
    bounds = [_legacy_percentile(valid, step / 5) for step in range(1, 5)] + [valid[-1]]
    categories: list[int | None] = []
    for number in numbers:
        if number is None:
            categories.append(None)
        else:
            categories.append(next(i for i, bound in enumerate(bounds, 1) if number <= bound))
    return categories


def quintiles_ntile(values: Sequence[float | None]) -> list[int | None]:
    """Return quintile 1..5 per value as SQL NTILE(5) over ascending values (FingertipsNext)."""
    numbers = [_present(v) for v in values]
    indexed = [(n, i) for i, n in enumerate(numbers) if n is not None]
    categories: list[int | None] = [None] * len(values)
    if len(indexed) < 5:
        return categories
    indexed.sort()  # ties keep input order, as a stable ORDER BY would
    size, extra = divmod(len(indexed), 5)
    position = 0
    for group in range(1, 6):
        # NTILE gives the first (n mod 5) groups one extra row.
        group_size = size + (1 if group <= extra else 0)
        for _, index in indexed[position : position + group_size]:
            categories[index] = group
        position += group_size
    return categories


def quintile_label(quintile: int | None, polarity: Polarity | str) -> str:
    """Return the Fingertips quintile label (Best ... Worst, or Lowest ... Highest)."""
    labels = _QUINTILE_LABELS.get(parse_polarity(polarity))
    if quintile is None or labels is None:
        return Comparison.NOT_COMPARED.value
    if not 1 <= quintile <= 5:
        raise InvalidInput(f"quintile must be 1..5, got {quintile!r}")
    return labels[quintile - 1]


# --------------------------------------------------------------------------------------------
# Recent trend (section 6)
# --------------------------------------------------------------------------------------------


class TrendMarker(StrEnum):
    """Recent-trend markers with Fingertips' enum names."""

    INCREASING = "Increasing"
    DECREASING = "Decreasing"
    NO_CHANGE = "NoChange"
    CANNOT_BE_CALCULATED = "CannotBeCalculated"


class TrendMethod(StrEnum):
    """The two recent-trend tests: weighted regression on values, or chi-squared on counts."""

    WEIGHTED_REGRESSION = "ci"
    PROPORTIONS = "proportion"


TREND_NO_CHANGE_LABEL = "No significant change"
TREND_CANNOT_LABEL = "Could not be calculated"

_TREND_JUDGED_LABELS = {
    Polarity.LOW_IS_GOOD: {
        TrendMarker.INCREASING: "Increasing and getting worse",
        TrendMarker.DECREASING: "Decreasing and getting better",
    },
    Polarity.HIGH_IS_GOOD: {
        TrendMarker.INCREASING: "Increasing and getting better",
        TrendMarker.DECREASING: "Decreasing and getting worse",
    },
}


def trend_label(marker: TrendMarker, polarity: Polarity | str) -> str:
    """Return the polarity-adjusted text Fingertips shows for a trend marker."""
    if marker is TrendMarker.NO_CHANGE:
        return TREND_NO_CHANGE_LABEL
    if marker is TrendMarker.CANNOT_BE_CALCULATED:
        return TREND_CANNOT_LABEL
    judged = _TREND_JUDGED_LABELS.get(parse_polarity(polarity))
    return judged[marker] if judged else marker.value


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
    label: str
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
    if len(run) < TREND_POINTS:
        return cannot(f"fewer than {TREND_POINTS} consecutive valid points up to the latest period")
    run.reverse()  # t = 1 (oldest) ... 5 (newest)
    used = tuple(p.period for p in run)

    if test is TrendMethod.WEIGHTED_REGRESSION:
        chi_squared, slope, direction, robust = _weighted_regression_trend(run)
    else:
        counts = np.array([p.count for p in run], dtype=float)
        denominators = np.array([p.denominator for p in run], dtype=float)
        if (counts == denominators).any():
            return cannot(
                "a count equals its denominator, so the proportion's logit is infinite", used
            )
        if ((counts == 0) | (counts > denominators)).any():
            return cannot(
                "a zero count (or one above its denominator) leaves the logit undefined", used
            )
        chi_squared, slope, direction, robust = _proportions_trend(run)

    significant = robust and chi_squared > TREND_CHI_SQUARED_THRESHOLD
    if significant:
        marker = TrendMarker.INCREASING if direction > 0 else TrendMarker.DECREASING
    else:
        marker = TrendMarker.NO_CHANGE
    return TrendResult(
        marker, trend_label(marker, judgement), test, chi_squared, slope, significant, used
    )


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


# --------------------------------------------------------------------------------------------
# Slope and relative index of inequality (section 7)
# --------------------------------------------------------------------------------------------


class ValueType(IntEnum):
    """How SII input values are scaled: 0 identity, 1 rate (log), 2 proportion (logit)."""

    OTHER = 0
    RATE = 1
    PROPORTION = 2


@dataclass(frozen=True, slots=True)
class SiiLimits:
    """Simulated confidence limits for the SII and RII at one confidence level."""

    confidence: float
    sii_lower: float
    sii_upper: float
    rii_lower: float
    rii_upper: float


@dataclass(frozen=True, slots=True)
class SiiResult:
    """SII, RII, intercept and simulated limits; calculable is False with a reason otherwise."""

    calculable: bool
    reason: str
    sii: float | None = None
    rii: float | None = None
    intercept: float | None = None
    limits: tuple[SiiLimits, ...] = ()
    repetitions: int = 0
    seed: int | None = None
    warnings: tuple[str, ...] = ()

    def limits_for(self, confidence: float) -> SiiLimits | None:
        """Return the limits at a confidence level, or None if they were not simulated."""
        key = level_key(confidence)
        return next((lim for lim in self.limits if level_key(lim.confidence) == key), None)


def _forward(values: np.ndarray, value_type: ValueType) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if value_type is ValueType.RATE:
            return np.log(values)
        if value_type is ValueType.PROPORTION:
            return np.log(values / (1 - values))
    return values


def _backward(values: np.ndarray | float, value_type: ValueType) -> np.ndarray:
    if value_type is ValueType.RATE:
        return np.exp(values)
    if value_type is ValueType.PROPORTION:
        return 1.0 / (1.0 + np.exp(-np.asarray(values)))
    return np.asarray(values)


def _fit_lines(
    shares: np.ndarray, ranks: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Fit y = alpha + beta * rank by least squares weighted by population share (rows of y)."""
    # Weighted least squares in closed form equals the package's no-intercept OLS of
    # sqrt(a)*y on sqrt(a) and b*sqrt(a); one matrix product fits every simulated row at once.
    mean_rank = shares @ ranks
    centred = ranks - mean_rank
    coefficients = shares * centred / (shares @ (centred * centred))
    beta = y @ coefficients
    alpha = y @ shares - beta * mean_rank
    return alpha, beta


def slope_index_of_inequality(
    *,
    populations: Sequence[float | None],
    values: Sequence[float | None],
    lower_cls: Sequence[float | None] | None = None,
    upper_cls: Sequence[float | None] | None = None,
    standard_errors: Sequence[float | None] | None = None,
    quantiles: Sequence[int] | None = None,
    value_type: ValueType | int = ValueType.OTHER,
    transform: bool = False,
    multiplier: float = 1.0,
    confidence: Sequence[float] = (CONFIDENCE_95,),
    repetitions: int = 100_000,
    seed: int | None = None,
) -> SiiResult:
    """Return the SII and RII over quantiles ordered 1 = most deprived, with simulated limits."""
    kind = ValueType(value_type)
    levels = tuple(_check_confidence(c) for c in confidence)
    if repetitions < SII_MIN_REPETITIONS:
        raise InvalidInput(f"repetitions must be at least {SII_MIN_REPETITIONS}, got {repetitions}")
    if multiplier == 0:
        raise InvalidInput("multiplier must not be 0")
    k = len(populations)
    columns = {
        "values": values,
        "lower_cls": lower_cls,
        "upper_cls": upper_cls,
        "se": standard_errors,
    }
    for name, column in columns.items():
        if column is not None and len(column) != k:
            raise InvalidInput(f"{name} has {len(column)} entries for {k} quantiles")
    order = list(range(k))
    if quantiles is not None:
        if len(quantiles) != k or len(set(quantiles)) != k:
            raise InvalidInput("quantiles must be distinct, one per population")
        order = sorted(order, key=lambda i: quantiles[i])

    def cannot(reason: str) -> SiiResult:
        return SiiResult(False, reason, repetitions=repetitions, seed=seed)

    if not 5 <= k <= 100:
        return cannot(f"the SII needs between 5 and 100 quantiles, got {k}")
    warnings = (f"{k} quantiles: more than 10 makes the SII unstable",) if k > 10 else ()
    people = [_present(populations[i]) for i in order]
    if any(size is None or size <= 0 for size in people):
        return cannot("every quantile needs a population greater than 0")
    if any(is_missing(values[i]) for i in order):
        return cannot("every quantile needs a value")

    pop = np.array(people, dtype=float)
    y = np.array([values[i] for i in order], dtype=float)
    if standard_errors is not None:
        if any(is_missing(standard_errors[i]) for i in order):
            return cannot("every quantile needs a standard error")
        se = np.array([standard_errors[i] for i in order], dtype=float)
        if (se < 0).any():
            raise InvalidInput("standard errors must not be negative")
    else:
        if lower_cls is None or upper_cls is None:
            raise InvalidInput("give either standard errors or both 95% limits")
        if any(is_missing(lower_cls[i]) or is_missing(upper_cls[i]) for i in order):
            return cannot("every quantile needs both 95% confidence limits")
        lower = np.array([lower_cls[i] for i in order], dtype=float)
        upper = np.array([upper_cls[i] for i in order], dtype=float)
        if kind is ValueType.PROPORTION and ((lower < 0) | (upper > 1)).any():
            raise InvalidInput("proportion limits must lie between 0 and 1")
        # Always from the 95% limits, whatever confidence the SII itself is asked for.
        se = (_forward(upper, kind) - _forward(lower, kind)) / (2 * z_for_confidence(0.95))
    if kind is ValueType.PROPORTION and ((y < 0) | (y > 1)).any():
        raise InvalidInput("proportion values must lie between 0 and 1")

    centre = _forward(y, kind)
    if not (np.isfinite(se).all() and np.isfinite(centre).all()):
        return cannot(
            "a quantile's value or lower limit is 0 (for example no deaths in a decile), so its "
            "standard error on the log/logit scale is undefined; pool more years"
        )

    shares = pop / pop.sum()
    ranks = np.cumsum(shares) - shares / 2
    fit = _SiiFit(shares=shares, ranks=ranks, kind=kind, transform=transform, multiplier=multiplier)
    sii, rii, intercept = fit.point(y, centre)
    rng_seed = seed if seed is not None else int(np.random.SeedSequence().entropy % 2**63)
    simulated_alpha, simulated_beta = _simulate_fits(
        np.random.default_rng(rng_seed),
        centre=centre,
        se=se,
        shares=shares,
        ranks=ranks,
        repetitions=repetitions,
        back_transform=None if transform else kind,
    )
    limits = fit.limits(simulated_alpha, simulated_beta, centre, levels)
    return SiiResult(True, "", sii, rii, intercept, limits, repetitions, rng_seed, warnings)


@dataclass(frozen=True)
class _SiiFit:
    """Turns fitted lines into SII, RII and intercept under the package's scaling rules."""

    shares: np.ndarray
    ranks: np.ndarray
    kind: ValueType
    transform: bool
    multiplier: float

    @property
    def flip(self) -> bool:
        # A negative multiplier reverses polarity: RII is inverted and the limits swap.
        return self.multiplier < 0

    def point(self, y: np.ndarray, centre: np.ndarray) -> tuple[float, float, float]:
        """Return SII, RII and intercept for the observed values."""
        if self.transform:
            alpha_t, beta_t = (float(x) for x in _fit_lines(self.shares, self.ranks, centre))
            top = float(_backward(alpha_t + beta_t, self.kind))
            bottom = float(_backward(alpha_t, self.kind))
            sii, rii, intercept = (top - bottom) * self.multiplier, top / bottom, bottom
            intercept *= abs(self.multiplier)
        else:
            alpha, beta = (float(x) for x in _fit_lines(self.shares, self.ranks, y))
            # Quirk kept from the package: the untransformed intercept ignores the multiplier.
            sii, rii, intercept = self.multiplier * beta, (alpha + beta) / alpha, alpha
        return sii, (1 / rii if self.flip else rii), intercept

    def limits(
        self,
        alphas: np.ndarray,
        betas: np.ndarray,
        centre: np.ndarray,
        levels: Sequence[float],
    ) -> tuple[SiiLimits, ...]:
        """Return SII and RII limits at each level from one set of simulated fits."""
        if self.transform:
            return self._transformed_limits(betas, centre, levels)
        ordered_sii = np.sort(self.multiplier * betas)
        with np.errstate(divide="ignore", invalid="ignore"):
            ordered_rii = (alphas + betas) / alphas
            if self.flip:
                ordered_rii = 1 / ordered_rii
        ordered_rii.sort()
        return tuple(
            SiiLimits(level, *_positions(ordered_sii, level), *_positions(ordered_rii, level))
            for level in levels
        )

    def _transformed_limits(
        self, betas: np.ndarray, centre: np.ndarray, levels: Sequence[float]
    ) -> tuple[SiiLimits, ...]:
        # Only the simulated slope is used, spread symmetrically about the fitted line's
        # midpoint on the transformed scale, then back-transformed (section 7.6).
        alpha_t, beta_t = (float(x) for x in _fit_lines(self.shares, self.ranks, centre))
        middle = alpha_t + beta_t / 2
        ordered = np.sort(betas)

        def gap(beta: float) -> tuple[float, float]:
            top = float(_backward(middle + beta / 2, self.kind))
            bottom = float(_backward(middle - beta / 2, self.kind))
            return (top - bottom) * self.multiplier, top / bottom

        limits = []
        for level in levels:
            low_beta, high_beta = _positions(ordered, level)
            (sii_low, rii_low), (sii_high, rii_high) = gap(low_beta), gap(high_beta)
            if self.flip:
                sii_low, sii_high = sii_high, sii_low
                rii_low, rii_high = 1 / rii_high, 1 / rii_low
            limits.append(SiiLimits(level, sii_low, sii_high, rii_low, rii_high))
        return tuple(limits)


def _simulate_fits(
    rng: np.random.Generator,
    *,
    centre: np.ndarray,
    se: np.ndarray,
    shares: np.ndarray,
    ranks: np.ndarray,
    repetitions: int,
    back_transform: ValueType | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw each quantile's value on the transformed scale and refit the line per draw."""
    # Blocks keep memory bounded (100 quantiles x 100,000 draws would need 80 MB at once).
    block = max(1, 2_000_000 // centre.size)
    alphas, betas = [], []
    for start in range(0, repetitions, block):
        rows = min(block, repetitions - start)
        draws = rng.standard_normal((rows, centre.size)) * se + centre
        if back_transform is not None:
            draws = _backward(draws, back_transform)
        alpha, beta = _fit_lines(shares, ranks, draws)
        alphas.append(alpha)
        betas.append(beta)
    return np.concatenate(alphas), np.concatenate(betas)


def _positions(ordered: np.ndarray, confidence: float) -> tuple[float, float]:
    """Return the package's order statistics round(R(1 - c)) and round(R c), 1-based."""
    reps = ordered.size
    upper_tail = confidence + (1 - confidence) / 2
    low = min(max(round(reps * (1 - upper_tail)), 1), reps)
    high = min(max(round(reps * upper_tail), 1), reps)
    return float(ordered[low - 1]), float(ordered[high - 1])


def sii_from_counts(
    *,
    counts: Sequence[float | None],
    populations: Sequence[float | None],
    value_type: ValueType | int = ValueType.RATE,
    rate_multiplier: float = 1000.0,
    quantiles: Sequence[int] | None = None,
    transform: bool = False,
    multiplier: float = 1.0,
    confidence: Sequence[float] = (CONFIDENCE_95,),
    repetitions: int = 100_000,
    seed: int | None = None,
) -> SiiResult:
    """Return the SII of rates (or proportions) built from counts with their 95% limits."""
    kind = ValueType(value_type)
    if kind is ValueType.OTHER:
        raise InvalidInput("counts only make rates (value_type 1) or proportions (value_type 2)")
    if len(counts) != len(populations):
        raise InvalidInput("counts and populations must have the same length")
    present_counts = [_present(c) for c in counts]
    if kind is ValueType.PROPORTION and any(c is not None and c <= 0 for c in present_counts):
        return SiiResult(False, "proportion SII needs a count above 0 in every quantile")
    values: list[float | None] = []
    lowers: list[float | None] = []
    uppers: list[float | None] = []
    for count, population in zip(present_counts, map(_present, populations), strict=True):
        if population is None or population <= 0:
            estimate = Estimate(None, None, None, CONFIDENCE_95, None)
        elif kind is ValueType.RATE:
            estimate = crude_rate(count=count, denominator=population, multiplier=rate_multiplier)
        else:
            estimate = wilson_proportion(count=count, denominator=population, multiplier=1.0)
        values.append(estimate.value)
        lowers.append(estimate.lower)
        uppers.append(estimate.upper)
    return slope_index_of_inequality(
        populations=populations,
        values=values,
        lower_cls=lowers,
        upper_cls=uppers,
        quantiles=quantiles,
        value_type=kind,
        transform=transform,
        multiplier=multiplier,
        confidence=confidence,
        repetitions=repetitions,
        seed=seed,
    )


# --------------------------------------------------------------------------------------------
# SPC: Making Data Count XmR charts (section 8)
# --------------------------------------------------------------------------------------------


class ImprovementDirection(StrEnum):
    """Which way is better on an SPC chart."""

    INCREASE = "increase"
    DECREASE = "decrease"
    NEUTRAL = "neutral"


class PointType(StrEnum):
    """NHSRplotthedots point types (also used as the variation icon)."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "special_cause_improvement"
    CONCERN = "special_cause_concern"
    NEUTRAL_HIGH = "special_cause_neutral_high"
    NEUTRAL_LOW = "special_cause_neutral_low"


class Assurance(StrEnum):
    """Whether the process limits say a target will be met."""

    CONSISTENT_PASS = "consistent_pass"
    CONSISTENT_FAIL = "consistent_fail"
    INCONSISTENT = "inconsistent"


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
        for value, (label, sign) in zip(y[start:stop], labels, strict=True):
            points.append(
                SpcPoint(
                    value=float(value),
                    segment=number,
                    mean=segment.mean,
                    lpl=segment.lpl,
                    upl=segment.upl,
                    special_cause_type=label,
                    point_type=_point_type(sign, direction),
                )
            )

    latest = segments[-1]
    assurance = None
    if target is not None and direction is not ImprovementDirection.NEUTRAL:
        better_up = direction is ImprovementDirection.INCREASE
        if target > latest.upl:
            assurance = Assurance.CONSISTENT_FAIL if better_up else Assurance.CONSISTENT_PASS
        elif target < latest.lpl:
            assurance = Assurance.CONSISTENT_PASS if better_up else Assurance.CONSISTENT_FAIL
        else:
            assurance = Assurance.INCONSISTENT
    return SpcResult(tuple(points), tuple(segments), points[-1].point_type, assurance)


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


# --------------------------------------------------------------------------------------------
# Funnel plots (section 5.3, "Funnel-plot significance")
# --------------------------------------------------------------------------------------------


class FunnelSignificance(StrEnum):
    """Funnel-plot significance labels as PHEindicatormethods writes them."""

    HIGH_001 = "High (0.001)"
    HIGH_025 = "High (0.025)"
    LOW_001 = "Low (0.001)"
    LOW_025 = "Low (0.025)"
    NOT_SIGNIFICANT = "Not significant"
    NOT_APPLICABLE_DSR = "Not applicable for events less than 10 for dsrs"


def funnel_proportion_limits(
    *, average: float, denominator: float, confidence: float
) -> tuple[float, float]:
    """Return funnel limits (0..1) around an average proportion for one denominator."""
    z2 = z_for_confidence(confidence) ** 2
    size = _finite(denominator, "denominator")
    if size <= 0:
        raise InvalidInput(f"denominator must be greater than 0, got {denominator!r}")
    # The Wilson interval inverted: the proportions whose Wilson limit just touches the average.
    first = average * (size / z2 + 1)
    last = 1 / z2 + 1 / size
    discriminant = 64 * first**2 - 64 * last * average * (
        size * (average * (size / z2 + 2) - 1) + z2 * (average - 1)
    )
    root = math.sqrt(max(discriminant, 0.0))
    return (first - root / 8) / last / size, (first + root / 8) / last / size


def funnel_significance_proportions(
    counts: Sequence[float | None], denominators: Sequence[float | None]
) -> list[FunnelSignificance | None]:
    """Label each area against the pooled proportion of all areas (None where data are missing)."""
    if len(counts) != len(denominators):
        raise InvalidInput("counts and denominators must have the same length")
    rows = [
        (i, pair[0], pair[1])
        for i, (c, d) in enumerate(zip(counts, denominators, strict=True))
        if (pair := _all_present(c, d)) is not None
    ]
    for _, count, size in rows:
        if count < 0 or size <= 0 or count > size:
            raise InvalidInput(f"invalid proportion {count!r}/{size!r}")
    labels: list[FunnelSignificance | None] = [None] * len(counts)
    if not rows:
        return labels
    average = sum(r[1] for r in rows) / sum(r[2] for r in rows)
    for i, count, size in rows:
        share = count / size
        low998, high998 = funnel_proportion_limits(
            average=average, denominator=size, confidence=0.998
        )
        low95, high95 = funnel_proportion_limits(average=average, denominator=size, confidence=0.95)
        if share < low998:
            labels[i] = FunnelSignificance.LOW_001
        elif share < low95:
            labels[i] = FunnelSignificance.LOW_025
        elif share > high998:
            labels[i] = FunnelSignificance.HIGH_001
        elif share > high95:
            labels[i] = FunnelSignificance.HIGH_025
        else:
            labels[i] = FunnelSignificance.NOT_SIGNIFICANT
    return labels


def funnel_significance_rates(
    *,
    counts: Sequence[float | None],
    multiplier: float,
    denominators: Sequence[float | None] | None = None,
    rates: Sequence[float | None] | None = None,
    rate_type: str = "crude",
) -> list[FunnelSignificance | None]:
    """Label each area's rate against the pooled average rate of all areas plotted."""
    if rate_type not in ("crude", "dsr"):
        raise InvalidInput(f"rate_type must be 'crude' or 'dsr', got {rate_type!r}")
    k = len(counts)
    if (denominators is not None and len(denominators) != k) or (
        rates is not None and len(rates) != k
    ):
        raise InvalidInput("counts, denominators and rates must have the same length")
    present_counts = [_present(c) for c in counts]
    derived: list[float | None] = []
    for i, count in enumerate(present_counts):
        size = None if denominators is None else _present(denominators[i])
        rate = None if rates is None else _present(rates[i])
        if count is None:
            derived.append(None)
        elif count < 0:
            raise InvalidInput(f"count must not be negative, got {count!r}")
        elif count > 0 and rate is not None:
            if rate <= 0:
                raise InvalidInput(f"a rate of {rate!r} cannot come from {count!r} events")
            # The package rebuilds each denominator from its rate, which DSRs need.
            derived.append(multiplier * count / rate)
        elif rate_type == "crude" and size is not None:
            if size <= 0:
                raise InvalidInput(f"denominator must be greater than 0, got {size!r}")
            derived.append(size)
        elif rate_type == "dsr":
            derived.append(None)
        else:
            raise InvalidInput("a crude rate with 0 events needs its denominator")
    pairs = zip(present_counts, derived, strict=True)
    used = [(c, d) for c, d in pairs if c is not None and d is not None]
    labels: list[FunnelSignificance | None] = [None] * k
    if not used:
        return labels
    average = sum(c for c, _ in used) / sum(d for _, d in used)
    for i, (count, size) in enumerate(zip(present_counts, derived, strict=True)):
        if count is None:
            continue
        if rate_type == "dsr" and count < EXACT_BELOW:
            labels[i] = FunnelSignificance.NOT_APPLICABLE_DSR
            continue
        if size is None or size <= 0:
            continue
        at998 = poisson_count_limits(count, 0.998)
        at95 = poisson_count_limits(count, 0.95)
        if average < at998.lower / size:
            labels[i] = FunnelSignificance.HIGH_001
        elif average < at95.lower / size:
            labels[i] = FunnelSignificance.HIGH_025
        elif average > at998.upper / size:
            labels[i] = FunnelSignificance.LOW_001
        elif average > at95.upper / size:
            labels[i] = FunnelSignificance.LOW_025
        else:
            labels[i] = FunnelSignificance.NOT_SIGNIFICANT
    return labels


def funnel_rate_limits(
    *, average_rate: float, denominator: float, multiplier: float, confidence: float
) -> tuple[float, float]:
    """Return funnel limits for a rate at one denominator, consistent with the area test."""
    size = _finite(denominator, "denominator")
    if size <= 0:
        raise InvalidInput(f"denominator must be greater than 0, got {denominator!r}")
    expected = average_rate / multiplier * size
    if expected <= 0:
        return 0.0, 0.0

    # A count O is significantly high when its lower limit exceeds the expected count, so the
    # upper funnel is the O whose lower limit equals it (and the lower funnel likewise); limits
    # are monotone in O, which brentq needs.
    def solve(limit_of: str) -> float:
        def gap(observed: float) -> float:
            return getattr(poisson_count_limits(observed, confidence), limit_of) - expected

        if gap(0.0) >= 0:
            return 0.0
        high = expected + 10 * math.sqrt(expected) + 20
        while gap(high) < 0:
            high *= 2
        return float(optimize.brentq(gap, 0.0, high, xtol=1e-12, rtol=1e-12))

    return solve("upper") / size * multiplier, solve("lower") / size * multiplier
