"""Values with confidence limits: Poisson counts, crude rates, Wilson proportions, means, pools."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2
from scipy.stats import t as student_t

from ._common import (
    CONFIDENCE_95,
    EXACT_BELOW,
    METHOD_BYARS,
    METHOD_EXACT,
    METHOD_T,
    METHOD_WILSON,
    STANDARD_LEVELS,
    InvalidInput,
    _all_present,
    _check_confidence,
    _finite,
    _pick,
    is_missing,
    z_for_confidence,
)

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
        return _exact_count_limits(observed, alpha)
    lower, upper = _byars(observed, z_for_confidence(confidence), math.sqrt, _cube)
    return CountLimits(lower, upper, METHOD_BYARS)


def _byars(observed, z, sqrt, cube):
    """Byar's limits of a count, or of an array of counts: the one formula both forms use, given
    the square root and cube that suit the argument (math's for a float, numpy's for arrays)."""
    lower = observed * cube(1 - 1 / (9 * observed) - z / (3 * sqrt(observed)))
    above = observed + 1
    upper = above * cube(1 - 1 / (9 * above) + z / (3 * sqrt(above)))
    return lower, upper


def _cube(number: float) -> float:
    return number**3


def _cubes(numbers: np.ndarray) -> np.ndarray:
    # Python's ** (the C library's pow) on each element: numpy's vectorised power may differ from
    # it in the last bit, and the arrays must give exactly what the scalar form gives.
    return np.array([number**3 for number in numbers.tolist()], dtype=float)


@functools.lru_cache(maxsize=4096)
def _exact_count_limits(observed: float, alpha: float) -> CountLimits:
    # Small counts repeat across a dataset and scipy's quantiles are slow: compute each once.
    # chi-squared with 0 df is a point mass at 0 in R; scipy answers NaN, so 0 is explicit.
    lower = 0.0 if observed == 0 else float(chi2.ppf(alpha / 2, 2 * observed)) / 2
    upper = float(chi2.isf(alpha / 2, 2 * observed + 2)) / 2
    return CountLimits(lower, upper, METHOD_EXACT)


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
    lower, upper = _wilson(observed, total, z_for_confidence(level), math.sqrt, _pick)
    return Estimate(value, lower * factor, upper * factor, level, METHOD_WILSON)


def _wilson(observed, total, z, sqrt, pick):
    """Wilson score limits (0..1) of a count out of a total, or of arrays of them: the one
    formula both forms use, given the square root and the choice that suit the argument."""
    z2 = z * z
    q = 1 - observed / total
    root = z * sqrt(z2 + 4 * observed * q)
    divisor = 2 * (total + z2)
    # At O = 0 and O = n the formula is exactly 0 and 1; rounding would leave 1e-17 or
    # 0.99999999999999989, so those identities are written out.
    lower = pick(observed == 0, 0.0, (2 * observed + z2 - root) / divisor)
    upper = pick(observed == total, 1.0, (2 * observed + z2 + root) / divisor)
    return lower, upper


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


@dataclass(frozen=True)
class StandardLevels:
    """Many values with their 95% and 99.8% limits, as arrays (one element per input).

    `accepted` marks the inputs the arrays were computed for: a count and denominator present,
    finite and valid for the method. Elsewhere the arrays hold NaN and `method` None; what the
    scalar form says of such inputs (nulls, or InvalidInput) is its own to say, so ask it.
    """

    value: np.ndarray
    lower95: np.ndarray
    upper95: np.ndarray
    lower998: np.ndarray
    upper998: np.ndarray
    method: list[str | None]
    accepted: np.ndarray


def rates_at_standard_levels(
    counts: Sequence[float], denominators: Sequence[float], *, multiplier: float
) -> StandardLevels:
    """`rate_at_standard_levels` of many counts and denominators at once, exactly as it gives
    each (the same formula, bit for bit), for the inputs in `accepted`."""
    observed, people, accepted = _arrays(counts, denominators, multiplier)
    scale = np.full(observed.shape, np.nan)
    scale[accepted] = float(multiplier) / people[accepted]
    byars = accepted & (observed >= EXACT_BELOW)
    exact = np.flatnonzero(accepted & ~byars)
    limits = []
    for level in STANDARD_LEVELS:
        lower, upper = np.full(observed.shape, np.nan), np.full(observed.shape, np.nan)
        z = z_for_confidence(level)
        lower[byars], upper[byars] = _byars(observed[byars], z, np.sqrt, _cubes)
        for i in exact.tolist():
            small = _exact_count_limits(float(observed[i]), 1.0 - level)
            lower[i], upper[i] = small.lower, small.upper
        limits += [lower * scale, upper * scale]
    method = np.full(observed.shape, None, dtype=object)
    method[byars] = METHOD_BYARS
    method[exact] = METHOD_EXACT
    return StandardLevels(observed * scale, *limits, method.tolist(), accepted)


def proportions_at_standard_levels(
    counts: Sequence[float], denominators: Sequence[float], *, multiplier: float
) -> StandardLevels:
    """`proportion_at_standard_levels` of many counts and denominators at once, exactly as it
    gives each (the same formula, bit for bit), for the inputs in `accepted`."""
    observed, total, accepted = _arrays(counts, denominators, multiplier)
    accepted &= observed <= np.where(accepted, total, np.inf)
    observed, total = np.where(accepted, observed, np.nan), np.where(accepted, total, np.nan)
    factor = float(multiplier)
    limits = []
    for level in STANDARD_LEVELS:
        lower, upper = _wilson(observed, total, z_for_confidence(level), np.sqrt, np.where)
        limits += [lower * factor, upper * factor]
    method = np.where(accepted, METHOD_WILSON, None).tolist()
    return StandardLevels(observed / total * factor, *limits, method, accepted)


def _arrays(counts, denominators, multiplier) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts and denominators as float arrays, and which of them the methods accept."""
    observed = np.asarray(counts, dtype=float)
    people = np.asarray(denominators, dtype=float)
    factor = float(multiplier)
    with np.errstate(invalid="ignore"):
        accepted = np.isfinite(observed) & (observed >= 0) & np.isfinite(people) & (people > 0)
    if not (math.isfinite(factor) and factor > 0):
        accepted[:] = False
    return observed, people, accepted


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
