"""Slope and relative index of inequality (SII/RII) with simulated confidence limits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from ._common import (
    CONFIDENCE_95,
    SII_MIN_REPETITIONS,
    InvalidInput,
    _check_confidence,
    _present,
    is_missing,
    level_key,
    z_for_confidence,
)
from .intervals import Estimate, crude_rate, wilson_proportion

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


class _NotCalculable(Exception):
    """Why the SII cannot be calculated from these inputs (an answer, not an error)."""


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
    columns = {
        "values": values,
        "lower_cls": lower_cls,
        "upper_cls": upper_cls,
        "se": standard_errors,
    }
    order = _quantile_order(len(populations), columns, quantiles, repetitions, multiplier)
    try:
        pop, y, warnings = _observed(populations, values, order)
        se = _standard_errors(order, kind, standard_errors, lower_cls, upper_cls)
        centre = _transformed_values(y, se, kind)
    except _NotCalculable as why:
        return SiiResult(False, str(why), repetitions=repetitions, seed=seed)

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


def _quantile_order(
    k: int,
    columns: dict[str, Sequence[float | None] | None],
    quantiles: Sequence[int] | None,
    repetitions: int,
    multiplier: float,
) -> list[int]:
    """The quantiles' positions, 1 = most deprived first, once the arguments are well formed."""
    if repetitions < SII_MIN_REPETITIONS:
        raise InvalidInput(f"repetitions must be at least {SII_MIN_REPETITIONS}, got {repetitions}")
    if multiplier == 0:
        raise InvalidInput("multiplier must not be 0")
    for name, column in columns.items():
        if column is not None and len(column) != k:
            raise InvalidInput(f"{name} has {len(column)} entries for {k} quantiles")
    order = list(range(k))
    if quantiles is not None:
        if len(quantiles) != k or len(set(quantiles)) != k:
            raise InvalidInput("quantiles must be distinct, one per population")
        order = sorted(order, key=lambda i: quantiles[i])
    return order


def _observed(
    populations: Sequence[float | None], values: Sequence[float | None], order: list[int]
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Each quantile's population and value in order, and the warning about many quantiles."""
    k = len(order)
    if not 5 <= k <= 100:
        raise _NotCalculable(f"the SII needs between 5 and 100 quantiles, got {k}")
    warnings = (f"{k} quantiles: more than 10 makes the SII unstable",) if k > 10 else ()
    people = [_present(populations[i]) for i in order]
    if any(size is None or size <= 0 for size in people):
        raise _NotCalculable("every quantile needs a population greater than 0")
    if any(is_missing(values[i]) for i in order):
        raise _NotCalculable("every quantile needs a value")
    pop = np.array(people, dtype=float)
    y = np.array([values[i] for i in order], dtype=float)
    return pop, y, warnings


def _standard_errors(
    order: list[int],
    kind: ValueType,
    standard_errors: Sequence[float | None] | None,
    lower_cls: Sequence[float | None] | None,
    upper_cls: Sequence[float | None] | None,
) -> np.ndarray:
    """Each quantile's standard error on the transformed scale: given, or from its 95% limits."""
    if standard_errors is not None:
        if any(is_missing(standard_errors[i]) for i in order):
            raise _NotCalculable("every quantile needs a standard error")
        se = np.array([standard_errors[i] for i in order], dtype=float)
        if (se < 0).any():
            raise InvalidInput("standard errors must not be negative")
        return se
    if lower_cls is None or upper_cls is None:
        raise InvalidInput("give either standard errors or both 95% limits")
    if any(is_missing(lower_cls[i]) or is_missing(upper_cls[i]) for i in order):
        raise _NotCalculable("every quantile needs both 95% confidence limits")
    lower = np.array([lower_cls[i] for i in order], dtype=float)
    upper = np.array([upper_cls[i] for i in order], dtype=float)
    if kind is ValueType.PROPORTION and ((lower < 0) | (upper > 1)).any():
        raise InvalidInput("proportion limits must lie between 0 and 1")
    # Always from the 95% limits, whatever confidence the SII itself is asked for.
    return (_forward(upper, kind) - _forward(lower, kind)) / (2 * z_for_confidence(0.95))


def _transformed_values(y: np.ndarray, se: np.ndarray, kind: ValueType) -> np.ndarray:
    """The values on the log (rates) or logit (proportions) scale, where the draws are made."""
    if kind is ValueType.PROPORTION and ((y < 0) | (y > 1)).any():
        raise InvalidInput("proportion values must lie between 0 and 1")
    centre = _forward(y, kind)
    if not (np.isfinite(se).all() and np.isfinite(centre).all()):
        raise _NotCalculable(
            "a quantile's value or lower limit is 0 (for example no deaths in a decile), so its "
            "standard error on the log/logit scale is undefined; pool more years"
        )
    return centre


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
