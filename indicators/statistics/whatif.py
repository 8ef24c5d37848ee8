"""What-if statements: how much of a rate goes with a risk factor, what change would close a gap.

Pure (stdlib and numpy). The method, the case and the wording rules follow the project's
WHATIF specification; section numbers below refer to it. The relative risks (section 3) are
read by `whatif_parameters`; the uncertainty (section 5) is drawn by `whatif_simulation`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ._common import InvalidInput
from .intervals import crude_rate
from .whatif_parameters import OUTCOMES, ParameterSet, RelativeRisk
from .whatif_simulation import DRAWS, SEED, Simulation, simulate, simulate_joint

BEST_QUARTILE_MIN_AREAS = 5  # * a default the team can change
ENOUGH_QUALIFIER_BELOW = 0.8  # * P(enough | gap) under which the qualifier is added
INDICATIVE_BELOW = 20  # * outcomes in the period under which a statement is "indicative"

COMPARATORS = ("region", "england", "best_quartile", "target")
CASES = ("significant_gap", "not_significant", "already_better", "not_enough", "not_calculated")


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """d deaths in y years out of n births, with the published rate R per 1,000."""

    outcome: str
    rate: float
    count: float
    denominator: float
    years: int
    period: str = ""
    lower95: float | None = None
    upper95: float | None = None

    def limits(self) -> tuple[float, float]:
        if self.lower95 is not None and self.upper95 is not None:
            return self.lower95, self.upper95
        estimate = crude_rate(count=self.count, denominator=self.denominator, multiplier=1000)
        return estimate.lower, estimate.upper


@dataclass(frozen=True, slots=True)
class Prevalence:
    """x women with the factor out of N (one year), with the exposure definition measured."""

    factor: str
    count: float
    denominator: float
    exposure: str
    period: str = ""

    @property
    def p(self) -> float:
        return self.count / self.denominator


@dataclass(frozen=True, slots=True)
class Comparator:
    """A comparator: region or England (rate, with count and births for its own Gamma), a
    best quartile (each member's (count, births)), or a fixed user target."""

    kind: str
    value: float | None = None
    count: float | None = None
    denominator: float | None = None
    members: tuple[tuple[float, float], ...] = ()
    excluded: int = 0
    name: str = ""


@dataclass(frozen=True, slots=True)
class Estimates:
    r0: float
    r1: float
    paf: float
    attributable_per_year: float
    target: float | None
    delta_p: float | None
    new_prevalence: float | None
    women: float | None
    averted_per_year: float | None
    enough: bool | None
    scenario_prevalence: float | None = None
    scenario_rate: float | None = None
    scenario_averted_per_year: float | None = None


# --------------------------------------------------------------------------------------------
# Method (section 2)
# --------------------------------------------------------------------------------------------


def unexposed_rate(rate: float, p: float, rr: float) -> float:
    return rate / (1 + p * (rr - 1))


def attributable_fraction(p: float, rr: float) -> float:
    """Levin's population attributable fraction."""
    return p * (rr - 1) / (1 + p * (rr - 1))


def impact_fraction(p: float, scenario_p: float, rr: float) -> float:
    """Potential impact fraction when prevalence falls from p to scenario_p."""
    return (p - scenario_p) * (rr - 1) / (1 + p * (rr - 1))


def miettinen_fraction(exposed_share_of_deaths: float, adjusted_rr: float) -> float:
    """Miettinen's PAF from the exposed share of deaths and a mutually adjusted RR."""
    return exposed_share_of_deaths * (adjusted_rr - 1) / adjusted_rr


@dataclass(frozen=True, slots=True)
class JointResult:
    paf: float
    r0: float
    pif: float | None
    scenario_rate: float | None


def joint_scenario(
    rate: float, factors: Sequence[tuple[float, float, float | None]]
) -> JointResult:
    """Several factors (p, RR, scenario p′ or None) with independent exposures and
    multiplicative risks: a scenario, never a count of women (an approximation)."""
    if not factors:
        raise InvalidInput("a joint scenario needs at least one factor")
    now = math.prod(1 + p * (rr - 1) for p, rr, _ in factors)
    paf = 1 - math.prod(1 - attributable_fraction(p, rr) for p, rr, _ in factors)
    pif = scenario_rate = None
    if all(scenario is not None for *_, scenario in factors):
        after = math.prod(1 + scenario * (rr - 1) for _, rr, scenario in factors)
        pif = 1 - after / now
        scenario_rate = rate * (1 - pif)
    return JointResult(paf=paf, r0=rate / now, pif=pif, scenario_rate=scenario_rate)


def estimate(
    outcome: Outcome,
    prevalence: Prevalence,
    rr: float,
    target: float | None,
    scenario_p: float | None = None,
) -> Estimates:
    """Point estimates from the observed inputs (section 2, items 1 to 6)."""
    _check(outcome, prevalence, rr)
    rate, p, per_year = outcome.rate, prevalence.p, outcome.count / outcome.years
    r0 = unexposed_rate(rate, p, rr)
    paf = attributable_fraction(p, rr)
    delta_p = new_p = women = averted = enough = None
    if target is not None and rate > target:
        delta_p = (rate - target) / (r0 * (rr - 1)) if rr > 1 else math.inf
        new_p = p - delta_p
        women = delta_p * prevalence.denominator
        enough = delta_p <= p
        averted = impact_fraction(p, max(new_p, 0.0), rr) * per_year if enough else paf * per_year
    scenario_rate = scenario_averted = None
    if scenario_p is not None:
        scenario_rate = r0 * (1 + scenario_p * (rr - 1))
        scenario_averted = impact_fraction(p, scenario_p, rr) * per_year
    return Estimates(
        r0=r0,
        r1=rr * r0,
        paf=paf,
        attributable_per_year=paf * per_year,
        target=target,
        delta_p=delta_p,
        new_prevalence=new_p,
        women=women,
        averted_per_year=averted,
        enough=enough,
        scenario_prevalence=scenario_p,
        scenario_rate=scenario_rate,
        scenario_averted_per_year=scenario_averted,
    )


def _check(outcome: Outcome, prevalence: Prevalence, rr: float) -> None:
    if outcome.outcome not in OUTCOMES:
        raise InvalidInput(f"unknown outcome {outcome.outcome!r}")
    if not (outcome.denominator > 0 and outcome.count >= 0 and outcome.years > 0):
        raise InvalidInput("the outcome needs a count, births and years")
    if not (prevalence.denominator > 0 and 0 <= prevalence.count <= prevalence.denominator):
        raise InvalidInput("the prevalence needs 0 <= count <= denominator")
    if rr <= 0:
        raise InvalidInput("a relative risk must be positive")


def check_exposure(prevalence: Prevalence, risk: RelativeRisk) -> None:
    """Refuse an RR whose exposure definition differs from the prevalence's (BMI ≥ 30 vs ≥ 25)."""
    if prevalence.factor != risk.factor or prevalence.exposure != risk.exposure:
        raise InvalidInput(
            f"the prevalence measures {prevalence.exposure!r} but the relative risk is for "
            f"{risk.exposure!r}"
        )


def best_quartile(rates: Iterable[float]) -> float:
    """25th percentile of the group's rates (low is good), interpolated at rank (m - 1)/4 + 1."""
    ordered = sorted(rates)
    if len(ordered) < BEST_QUARTILE_MIN_AREAS:
        raise InvalidInput(f"fewer than {BEST_QUARTILE_MIN_AREAS} areas: not calculated")
    return float(np.percentile(ordered, 25))


# --------------------------------------------------------------------------------------------
# The case and its rounding (section 5, wording rules)
# --------------------------------------------------------------------------------------------


def classify(outcome: Outcome, estimates: Estimates | JointEstimates) -> str:
    """First match wins: already better, not significant, not enough, significant gap (for a
    joint scenario, "not enough" when removing every factor would not reach the target)."""
    target = estimates.target
    if target is None:
        return "not_calculated"
    if outcome.rate <= target:
        return "already_better"
    lower, upper = outcome.limits()
    if lower <= target <= upper:
        return "not_significant"
    if estimates.r0 > target:
        return "not_enough"
    return "significant_gap"


def round_significant(value: float, figures: int = 2) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    digits = figures - 1 - math.floor(math.log10(abs(value)))
    return round(value, digits)


def women_text(value: float, all_women: float) -> str:
    """Women to 2 significant figures; above everyone with the factor, 'more than all x women'."""
    if value > all_women:
        return f"more than all {all_women:,.0f} women"
    return f"{round_significant(value):,.0f}"


def one_decimal(value: float) -> str:
    return f"{value:,.1f}"


def percent(value: float) -> str:
    return f"{100 * value:.0f}%"


@dataclass(frozen=True, slots=True)
class Result:
    """Everything one statement is made from, for the page, the API and the board pack."""

    area_name: str
    comparator_name: str
    outcome: Outcome
    prevalence: Prevalence
    risk: RelativeRisk
    parameter_set: ParameterSet
    comparator: Comparator | None
    estimates: Estimates
    simulation: Simulation
    case: str
    reason: str = ""
    extras: dict = field(default_factory=dict)

    @property
    def indicative(self) -> bool:
        return self.outcome.count < INDICATIVE_BELOW


def run(
    area_name: str,
    outcome: Outcome,
    prevalence: Prevalence,
    parameter_set: ParameterSet,
    comparator: Comparator | None,
    scenario_p: float | None = None,
    draws: int = DRAWS,
    seed: int = SEED,
) -> Result:
    """The whole what-if for one area, outcome, factor and comparator."""
    risk = parameter_set.risk(prevalence.factor, outcome.outcome)
    check_exposure(prevalence, risk)
    target = comparator.value if comparator else None
    estimates = estimate(outcome, prevalence, risk.rr, target, scenario_p)
    simulation = simulate(outcome, prevalence, risk, comparator, scenario_p, draws, seed)
    return Result(
        area_name=area_name,
        comparator_name=(comparator.name if comparator else ""),
        outcome=outcome,
        prevalence=prevalence,
        risk=risk,
        parameter_set=parameter_set,
        comparator=comparator,
        estimates=estimates,
        simulation=simulation,
        case=classify(outcome, estimates),
    )


# --------------------------------------------------------------------------------------------
# Several factors together (section 2, "Several factors"): a scenario, never a count of women
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JointEstimates:
    """Point estimates of a joint scenario from the observed inputs. `r0` is the lowest rate
    reachable with every factor removed; `women` is always None (a joint result is never a
    count of women)."""

    r0: float
    paf: float
    attributable_per_year: float
    target: float | None
    enough: bool | None
    scenario_prevalences: tuple[float, ...] | None = None
    pif: float | None = None
    scenario_rate: float | None = None
    scenario_averted_per_year: float | None = None
    women: None = None
    joint: bool = True


# Exposures that hold the same women: a joint scenario of both would count them twice.
OVERLAPPING = ({"obese_bmi30", "overweight_obese_bmi25"},)


def _check_joint(prevalences: Sequence[Prevalence], scenario_ps) -> None:
    keys = [p.factor for p in prevalences]
    if len(keys) < 2:
        raise InvalidInput("a joint scenario needs at least two factors")
    if len(set(keys)) != len(keys):
        raise InvalidInput("each factor may be given once in a joint scenario")
    for pair in OVERLAPPING:
        if pair <= set(keys):
            raise InvalidInput(
                f"{' and '.join(sorted(pair))} hold the same women: give one of them"
            )
    if scenario_ps is not None and len(scenario_ps) != len(prevalences):
        raise InvalidInput("give one scenario prevalence per factor, in the factors' order")


def estimate_joint(
    outcome: Outcome,
    prevalences: Sequence[Prevalence],
    rrs: Sequence[float],
    target: float | None,
    scenario_ps: Sequence[float] | None = None,
) -> JointEstimates:
    """Independent exposures, multiplicative risks (an approximation: factors cluster)."""
    for prevalence, rr in zip(prevalences, rrs, strict=True):
        _check(outcome, prevalence, rr)
    per_year = outcome.count / outcome.years
    joint = joint_scenario(
        outcome.rate,
        [
            (prev.p, rr, scenario_ps[i] if scenario_ps is not None else None)
            for i, (prev, rr) in enumerate(zip(prevalences, rrs, strict=True))
        ],
    )
    enough = None
    if target is not None and outcome.rate > target:
        enough = joint.r0 <= target
    return JointEstimates(
        r0=joint.r0,
        paf=joint.paf,
        attributable_per_year=joint.paf * per_year,
        target=target,
        enough=enough,
        scenario_prevalences=tuple(scenario_ps) if scenario_ps is not None else None,
        pif=joint.pif,
        scenario_rate=joint.scenario_rate,
        scenario_averted_per_year=None if joint.pif is None else joint.pif * per_year,
    )


@dataclass(frozen=True, slots=True)
class JointRun:
    """A joint scenario for one area, outcome and comparator: every factor's inputs and RR."""

    area_name: str
    comparator_name: str
    outcome: Outcome
    prevalences: tuple[Prevalence, ...]
    risks: tuple[RelativeRisk, ...]
    parameter_set: ParameterSet
    comparator: Comparator | None
    estimates: JointEstimates
    simulation: Simulation
    case: str
    reason: str = ""

    @property
    def indicative(self) -> bool:
        return self.outcome.count < INDICATIVE_BELOW


def run_joint(
    area_name: str,
    outcome: Outcome,
    prevalences: Sequence[Prevalence],
    parameter_set: ParameterSet,
    comparator: Comparator | None,
    scenario_ps: Sequence[float] | None = None,
    draws: int = DRAWS,
    seed: int = SEED,
) -> JointRun:
    """Several factors changed together (independent exposures, multiplicative risks)."""
    _check_joint(prevalences, scenario_ps)
    risks = tuple(parameter_set.risk(p.factor, outcome.outcome) for p in prevalences)
    for prevalence, risk in zip(prevalences, risks, strict=True):
        check_exposure(prevalence, risk)
    target = comparator.value if comparator else None
    estimates = estimate_joint(outcome, prevalences, [r.rr for r in risks], target, scenario_ps)
    simulation = simulate_joint(outcome, prevalences, risks, comparator, scenario_ps, draws, seed)
    return JointRun(
        area_name=area_name,
        comparator_name=(comparator.name if comparator else ""),
        outcome=outcome,
        prevalences=tuple(prevalences),
        risks=risks,
        parameter_set=parameter_set,
        comparator=comparator,
        estimates=estimates,
        simulation=simulation,
        case=classify(outcome, estimates),
    )
