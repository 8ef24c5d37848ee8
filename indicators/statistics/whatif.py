"""What-if statements: how much of a rate goes with a risk factor, what change would close a gap.

Pure (stdlib and numpy). The method, the simulation and the wording rules follow the project's
WHATIF specification; section numbers below refer to it. Relative risks are data
(`fixtures/whatif/relative_risks.csv`), read by `read_parameter_sets`.
"""

from __future__ import annotations

import csv
import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._common import InvalidInput
from .intervals import crude_rate

DRAWS = 10_000
SEED = 1
Z95 = 1.959964
BEST_QUARTILE_MIN_AREAS = 5  # * a default the team can change
ENOUGH_QUALIFIER_BELOW = 0.8  # * P(enough | gap) under which the qualifier is added
INDICATIVE_BELOW = 20  # * outcomes in the period under which a statement is "indicative"

OUTCOMES = {"infant_mortality": "infant deaths", "stillbirth": "stillbirths"}
OUTCOME_NAMES = {"infant_mortality": "infant mortality", "stillbirth": "stillbirth"}
FACTOR_PHRASES = {
    "smoking_at_delivery": ("smoking at delivery", "smoking at delivery"),
    "obese_bmi30": ("obesity (BMI 30 or more) in early pregnancy", "with a BMI of 30 or more"),
    "overweight_obese_bmi25": (
        "a BMI of 25 or more in early pregnancy",
        "with a BMI of 25 or more",
    ),
    "mother_under_20": ("mothers aged under 20", "aged under 20 giving birth"),
}
COMPARATORS = ("region", "england", "best_quartile", "target")
CASES = ("significant_gap", "not_significant", "already_better", "not_enough", "not_calculated")


# --------------------------------------------------------------------------------------------
# Parameters (section 3)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RelativeRisk:
    factor: str
    outcome: str
    exposure: str
    rr: float
    lower: float | None
    upper: float | None
    interval_kind: str
    changeable: bool
    citation: str
    reviewer: str
    reviewed_on: str
    note: str

    @property
    def log_se(self) -> float | None:
        """SE of ln RR from the 95% interval; None when there is no interval (held fixed)."""
        if self.lower is None or self.upper is None:
            return None
        return (math.log(self.upper) - math.log(self.lower)) / (2 * Z95)


@dataclass(frozen=True, slots=True)
class ParameterSet:
    name: str
    version: int
    dated: str
    risks: tuple[RelativeRisk, ...]

    def risk(self, factor: str, outcome: str) -> RelativeRisk:
        for risk in self.risks:
            if risk.factor == factor and risk.outcome == outcome:
                return risk
        raise InvalidInput(f"no relative risk for {factor} and {outcome} in {self.label}")

    @property
    def label(self) -> str:
        return f"parameter set {self.name!r} version {self.version} ({self.dated})"


def _optional_float(text: str) -> float | None:
    return float(text) if text.strip() else None


INTERVAL_KINDS = ("published", "derived", "assumed")


def _row_problem(key: tuple[str, int], risk: RelativeRisk, earlier) -> str:
    """What section 3 asks of a row and this one lacks, or ""."""
    if key[1] < 1:
        return f"version must be a whole number from 1, got {key[1]}"
    if not key[0].strip():
        return "the parameter set has no name"
    if not risk.exposure.strip():
        return "the exposure definition is missing"
    if not risk.citation.strip():
        return "the citation is missing"
    if risk.interval_kind not in INTERVAL_KINDS:
        return f"interval kind {risk.interval_kind!r} is not published, derived or assumed"
    if (risk.lower is None) != (risk.upper is None):
        return "give both ends of the interval or neither"
    if risk.lower is not None and not (0 < risk.lower <= risk.rr <= risk.upper):
        return f"the interval {risk.lower} to {risk.upper} does not hold the rr {risk.rr}"
    if any((r.factor, r.outcome) == (risk.factor, risk.outcome) for r in earlier):
        return f"{risk.factor} and {risk.outcome} are given twice in version {key[1]}"
    return ""


def read_parameter_sets(path: Path | str) -> dict[tuple[str, int], ParameterSet]:
    """Every (name, version) set in the relative-risks file; errors name the row and column."""
    rows: dict[tuple[str, int], list[RelativeRisk]] = {}
    dates: dict[tuple[str, int], str] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            column = "version"
            try:
                key = (row["parameter_set"], int(row["version"]))
                set_date = row["set_date"]
                column = "rr"
                risk = RelativeRisk(
                    factor=row["factor"],
                    outcome=row["outcome"],
                    exposure=row["exposure"],
                    rr=float(row["rr"]),
                    lower=_optional_float(row["lower"]),
                    upper=_optional_float(row["upper"]),
                    interval_kind=row["interval_kind"],
                    changeable=row["changeable"] == "yes",
                    citation=row["citation"],
                    reviewer=row["reviewer"],
                    reviewed_on=row["reviewed_on"],
                    note=row["note"],
                )
            except (KeyError, ValueError) as error:
                raise InvalidInput(f"{path}, row {number}, column {column}: {error}") from None
            if risk.rr <= 0 or risk.outcome not in OUTCOMES or risk.factor not in FACTOR_PHRASES:
                raise InvalidInput(f"{path}, row {number}: factor, outcome or rr is not valid")
            problem = _row_problem(key, risk, rows.get(key, ()))
            if problem:
                raise InvalidInput(f"{path}, row {number}: {problem}")
            rows.setdefault(key, []).append(risk)
            dates[key] = set_date
    return {key: ParameterSet(key[0], key[1], dates[key], tuple(r)) for key, r in rows.items()}


def latest_set(sets: dict[tuple[str, int], ParameterSet], name: str = "default") -> ParameterSet:
    versions = [version for set_name, version in sets if set_name == name]
    if not versions:
        raise InvalidInput(f"no parameter set named {name!r}")
    return sets[(name, max(versions))]


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
# Uncertainty by simulation (section 5)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spread:
    median: float
    p10: float
    p90: float
    p2_5: float
    p97_5: float

    @classmethod
    def of(cls, values: np.ndarray) -> Spread:
        q = np.percentile(values, [50, 10, 90, 2.5, 97.5])
        return cls(*(float(v) for v in q))


@dataclass(frozen=True, slots=True)
class Simulation:
    draws: int
    seed: int
    p_gap: float | None
    p_enough_given_gap: float | None
    women: Spread | None
    attributable_per_year: Spread
    scenario_averted_per_year: Spread | None = None
    rate_median: float = 0.0


def _first_quartile_by_row(rates: np.ndarray) -> np.ndarray:
    """Each row's 25th percentile, interpolated at rank (m - 1)/4 + 1 (as `best_quartile`).

    One partial sort at the upper of the two ranks needed, then the largest value left of it
    (the lower rank): the same two order statistics as a two-rank partition, which numpy does
    not vectorise (about 37 ms on 10,000 rows of 150 against 6 ms for this).
    """
    width = rates.shape[1]
    position = (width - 1) * 0.25
    low = int(position)
    high = min(low + 1, width - 1)
    parted = np.partition(rates, high, axis=1)
    upper = parted[:, high]
    lower = parted[:, :high].max(axis=1) if high > low else upper
    return lower + (upper - lower) * (position - low)


KEEP_DRAWS_UP_TO = 20_000  # more draws than this are drawn afresh: at most 32 × 160 kB kept


def _best_quartile_draws(
    members: tuple[tuple[float, float], ...], draws: int, seed: int
) -> np.ndarray:
    """The best quartile's draws, kept for reuse (`_kept_best_quartile_draws`) unless there
    are more than KEEP_DRAWS_UP_TO of them; the same numbers either way."""
    if draws <= KEEP_DRAWS_UP_TO:
        return _kept_best_quartile_draws(members, draws, seed)
    return _kept_best_quartile_draws.__wrapped__(members, draws, seed)


@functools.lru_cache(maxsize=32)
def _kept_best_quartile_draws(
    members: tuple[tuple[float, float], ...], draws: int, seed: int
) -> np.ndarray:
    """The best quartile recomputed in every draw from each member's own Gamma draw.

    Drawn from the first child stream of `default_rng(seed)` (numpy's `spawn`: its seed
    derives from the seed, not from how many numbers the parent stream has used), so the
    draws depend only on the members, the number of draws and the seed: an answer for
    another area, outcome, factor or scenario against the same group and seed reuses them
    instead of drawing draws × members Gamma variates again (about 25 ms of processor time
    for 10,000 × 146). Read-only, as it is shared.
    """
    child = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    counts = np.array([m[0] for m in members], dtype=float)
    births = np.array([m[1] for m in members], dtype=float)
    # standard_gamma(a) draws the same numbers as gamma(a, 1.0), twice as fast for arrays.
    rates = child.standard_gamma(counts + 0.5, size=(draws, len(members)))
    rates *= 1000  # in place, as 1000 × Gamma / births
    rates /= births
    quartile = _first_quartile_by_row(rates)
    quartile.setflags(write=False)
    return quartile


def _comparator_draws(rng, comparator: Comparator, draws: int, seed: int) -> np.ndarray | None:
    if comparator.kind == "target" or (comparator.count is None and not comparator.members):
        return None if comparator.value is None else np.full(draws, comparator.value)
    if comparator.kind == "best_quartile":
        members = tuple((float(c), float(n)) for c, n in comparator.members)
        return _best_quartile_draws(members, draws, seed)
    return 1000 * rng.standard_gamma(comparator.count + 0.5, size=draws) / comparator.denominator


def simulate(
    outcome: Outcome,
    prevalence: Prevalence,
    risk: RelativeRisk,
    comparator: Comparator | None,
    scenario_p: float | None = None,
    draws: int = DRAWS,
    seed: int = SEED,
) -> Simulation:
    """Draws in the order rate, prevalence, RR, comparator from default_rng(seed) (a best
    quartile's members from its first child stream, reused: `_best_quartile_draws`)."""
    if draws < 100 or draws > 200_000:
        raise InvalidInput("draws must be between 100 and 200,000")
    rng = np.random.default_rng(seed)
    # standard_gamma(a) draws the same numbers as gamma(a, 1.0), twice as fast for arrays.
    rate = 1000 * rng.standard_gamma(outcome.count + 0.5, size=draws) / outcome.denominator
    x, n = prevalence.count, prevalence.denominator
    p = rng.beta(x + 0.5, n - x + 0.5, size=draws)
    se = risk.log_se
    rr = np.exp(rng.normal(math.log(risk.rr), se, size=draws)) if se else np.full(draws, risk.rr)
    target = _comparator_draws(rng, comparator, draws, seed) if comparator else None
    r0 = rate / (1 + p * (rr - 1))
    per_year = outcome.count / outcome.years
    attributable = (1 - r0 / rate) * per_year
    scenario = None
    if scenario_p is not None:
        scenario = Spread.of((p - scenario_p) * (rr - 1) / (1 + p * (rr - 1)) * per_year)
    p_gap = p_enough = women = None
    if target is not None:
        gap = rate > target
        enough = r0 <= target
        with np.errstate(divide="ignore", invalid="ignore"):
            k = np.where(gap, (rate - target) / (r0 * (rr - 1)) * n, 0.0)
        p_gap = float(gap.mean())
        p_enough = float(enough[gap].mean()) if gap.any() else None
        women = Spread.of(k)
    return Simulation(
        draws=draws,
        seed=seed,
        p_gap=p_gap,
        p_enough_given_gap=p_enough,
        women=women,
        attributable_per_year=Spread.of(attributable),
        scenario_averted_per_year=scenario,
        rate_median=float(np.median(rate)),
    )


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


def simulate_joint(
    outcome: Outcome,
    prevalences: Sequence[Prevalence],
    risks: Sequence[RelativeRisk],
    comparator: Comparator | None,
    scenario_ps: Sequence[float] | None = None,
    draws: int = DRAWS,
    seed: int = SEED,
) -> Simulation:
    """As `simulate`, for several factors: draws in the order rate, each factor's prevalence,
    each factor's RR (in the factors' order), comparator. `women` is None."""
    if draws < 100 or draws > 200_000:
        raise InvalidInput("draws must be between 100 and 200,000")
    rng = np.random.default_rng(seed)
    rate = 1000 * rng.standard_gamma(outcome.count + 0.5, size=draws) / outcome.denominator
    ps = [rng.beta(v.count + 0.5, v.denominator - v.count + 0.5, size=draws) for v in prevalences]
    rrs = [
        np.exp(rng.normal(math.log(r.rr), r.log_se, size=draws))
        if r.log_se
        else np.full(draws, r.rr)
        for r in risks
    ]
    target = _comparator_draws(rng, comparator, draws, seed) if comparator else None
    now = np.prod([1 + p * (rr - 1) for p, rr in zip(ps, rrs, strict=True)], axis=0)
    r0 = rate / now
    per_year = outcome.count / outcome.years
    attributable = (1 - 1 / now) * per_year
    scenario = None
    if scenario_ps is not None:
        after = np.prod([1 + s * (rr - 1) for s, rr in zip(scenario_ps, rrs, strict=True)], axis=0)
        scenario = Spread.of((1 - after / now) * per_year)
    p_gap = p_enough = None
    if target is not None:
        gap = rate > target
        p_gap = float(gap.mean())
        p_enough = float((r0 <= target)[gap].mean()) if gap.any() else None
    return Simulation(
        draws=draws,
        seed=seed,
        p_gap=p_gap,
        p_enough_given_gap=p_enough,
        women=None,
        attributable_per_year=Spread.of(attributable),
        scenario_averted_per_year=scenario,
        rate_median=float(np.median(rate)),
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
