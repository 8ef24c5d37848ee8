"""Benchmark comparisons (CI overlap at one or two levels, SPC for proportions) and quintiles."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from indicators.vocabulary import Comparison

from ._common import (
    InvalidInput,
    Polarity,
    _all_present,
    _finite,
    _pick,
    _present,
    parse_polarity,
    z_for_confidence,
)

# --------------------------------------------------------------------------------------------
# Benchmark comparison (section 5)
# --------------------------------------------------------------------------------------------


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
    return _judge(_one_level(low, high, reference, _pick), judgement)


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
    direction, levels = _two_levels(low95, high95, low998, high998, reference, _pick)
    return _judge(direction, judgement, levels=levels)


def _one_level(lower, upper, benchmark, pick):
    """+1 where the interval lies above the benchmark, -1 below, 0 where it holds it: of floats
    or of arrays, given the choice that suits them (one rule for both forms)."""
    return pick(lower > benchmark, 1, pick(upper < benchmark, -1, 0))


def _two_levels(lower95, upper95, lower998, upper998, benchmark, pick):
    """The direction at 95% (as `_one_level`) and the levels it holds at: 2 where the 99.8%
    interval also lies clear of the benchmark. Of floats or of arrays, as `_one_level`."""
    holds = (lower95 <= benchmark) & (benchmark <= upper95)
    above = benchmark < lower95
    direction = pick(holds, 0, pick(above, 1, -1))
    levels = pick(above, pick(benchmark >= lower998, 1, 2), pick(benchmark <= upper998, 1, 2))
    return direction, levels


def compare_ci_overlaps(
    values: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    benchmarks: np.ndarray,
    polarity: Polarity,
    area_is_benchmark: np.ndarray,
) -> list[Comparison]:
    """`compare_ci_overlap` of many areas at once: float arrays (NaN where a figure is
    missing), a Polarity member and a bool array. The same rule, element by element."""
    with np.errstate(invalid="ignore"):
        direction = _one_level(lower, upper, benchmarks, np.where)
    missing = _missing(area_is_benchmark, values, lower, upper, benchmarks)
    return _judged(direction, np.ones_like(direction), polarity, missing)


def compare_ci_overlaps_two_levels(
    values: np.ndarray,
    lower95: np.ndarray,
    upper95: np.ndarray,
    lower998: np.ndarray,
    upper998: np.ndarray,
    benchmarks: np.ndarray,
    polarity: Polarity,
    area_is_benchmark: np.ndarray,
) -> list[Comparison]:
    """`compare_ci_overlap_two_levels` of many areas at once, as `compare_ci_overlaps`."""
    with np.errstate(invalid="ignore"):
        direction, levels = _two_levels(lower95, upper95, lower998, upper998, benchmarks, np.where)
    missing = _missing(area_is_benchmark, values, lower95, upper95, lower998, upper998, benchmarks)
    return _judged(direction, levels, polarity, missing)


def _missing(area_is_benchmark: np.ndarray, *figures: np.ndarray) -> np.ndarray:
    """Where an area is its own benchmark or any figure is NaN (missing): not compared."""
    missing = np.array(area_is_benchmark, dtype=bool)
    for figure in figures:
        missing |= np.isnan(figure)
    return missing


def _judged(direction, levels, polarity: Polarity, missing) -> list[Comparison]:
    """`_judge` of each direction and levels, Not compared where missing: the six possible
    pairs are judged once each, and each element takes its pair's label."""
    judged = [_judge(d, polarity, levels=n) for d in (-1, 0, 1) for n in (1, 2)]
    labels = np.array([*judged, Comparison.NOT_COMPARED], dtype=object)
    pair = (np.asarray(direction) + 1) * 2 + (np.asarray(levels) - 1)
    return labels[np.where(missing, len(judged), pair)].tolist()


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
