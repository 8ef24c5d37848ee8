"""Funnel-plot limits and significance labels for proportions and rates."""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import StrEnum

from scipy import optimize

from ._common import EXACT_BELOW, InvalidInput, _all_present, _finite, _present, z_for_confidence
from .intervals import poisson_count_limits

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
    derived = [
        _pooling_denominator(
            count,
            None if denominators is None else _present(denominators[i]),
            None if rates is None else _present(rates[i]),
            multiplier,
            rate_type,
        )
        for i, count in enumerate(present_counts)
    ]
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
        labels[i] = _rate_significance(count, size, average)
    return labels


def _pooling_denominator(
    count: float | None,
    size: float | None,
    rate: float | None,
    multiplier: float,
    rate_type: str,
) -> float | None:
    """The denominator an area adds to the pooled average (None: it adds nothing)."""
    if count is None:
        return None
    if count < 0:
        raise InvalidInput(f"count must not be negative, got {count!r}")
    if count > 0 and rate is not None:
        if rate <= 0:
            raise InvalidInput(f"a rate of {rate!r} cannot come from {count!r} events")
        # The package rebuilds each denominator from its rate, which DSRs need.
        return multiplier * count / rate
    if rate_type == "crude" and size is not None:
        if size <= 0:
            raise InvalidInput(f"denominator must be greater than 0, got {size!r}")
        return size
    if rate_type == "dsr":
        return None
    raise InvalidInput("a crude rate with 0 events needs its denominator")


def _rate_significance(count: float, size: float, average: float) -> FunnelSignificance:
    """An area's label: where the pooled average falls against its count's Poisson limits."""
    at998 = poisson_count_limits(count, 0.998)
    at95 = poisson_count_limits(count, 0.95)
    if average < at998.lower / size:
        return FunnelSignificance.HIGH_001
    if average < at95.lower / size:
        return FunnelSignificance.HIGH_025
    if average > at998.upper / size:
        return FunnelSignificance.LOW_001
    if average > at95.upper / size:
        return FunnelSignificance.LOW_025
    return FunnelSignificance.NOT_SIGNIFICANT


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
