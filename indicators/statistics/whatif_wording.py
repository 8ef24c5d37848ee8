"""The words of a what-if statement (WHATIF specification, sections 5 and 7). Pure.

Numbers are rounded only here: women to 2 significant figures, rates and deaths a year to
1 decimal, probabilities to whole percent.
"""

from __future__ import annotations

from dataclasses import dataclass

from .whatif import (
    ENOUGH_QUALIFIER_BELOW,
    JointRun,
    Result,
    one_decimal,
    percent,
    women_text,
)
from .whatif_parameters import FACTOR_PHRASES, OUTCOME_NAMES, OUTCOMES


@dataclass(frozen=True, slots=True)
class Wording:
    case: str
    headline: str
    scenario: str
    qualifier: str
    caveats: tuple[str, ...]
    indicative: str


def _pct(p: float) -> str:
    return f"{100 * p:.1f}%"


def _rate(value: float) -> str:
    return one_decimal(value)


def _case_without_women(result: Result | JointRun) -> str | None:
    """The first sentence of the cases one factor and several say alike (no statement; already
    better; no significant gap), or None for the cases that name the factors."""
    out, area, comp, target = (
        result.outcome,
        result.area_name,
        result.comparator_name,
        result.estimates.target,
    )
    name = OUTCOME_NAMES[out.outcome]
    if result.case == "not_calculated":
        return f"No statement can be made: {result.reason or 'the comparator is missing'}."
    lower, upper = out.limits()
    if result.case == "already_better":
        how = "significantly lower than" if upper < target else "at or below"
        return (
            f"{area}'s {name} rate ({_rate(out.rate)}) is already {how} {comp} ({_rate(target)})."
        )
    if result.case == "not_significant":
        return (
            f"{area}'s {name} rate ({_rate(out.rate)}, 95% CI {_rate(lower)} to {_rate(upper)}) "
            f"is similar to {comp} ({_rate(target)}); the difference is within chance variation, "
            "so no target is given."
        )
    return None


def headline(result: Result) -> str:
    """The first sentence, by the case (section 7)."""
    out, est, sim = result.outcome, result.estimates, result.simulation
    area, comp = result.area_name, result.comparator_name
    name = OUTCOME_NAMES[out.outcome]
    deaths = OUTCOMES[out.outcome]
    factor, women_phrase = FACTOR_PHRASES[result.prevalence.factor]
    target = est.target
    shared = _case_without_women(result)
    if shared is not None:
        return shared
    if result.case == "not_enough":
        return (
            f"Reducing {factor} to 0% alone would not bring {area}'s {name} rate down to {comp} "
            f"({_rate(target)}): it would fall to about {_rate(est.r0)} per 1,000, about "
            f"{one_decimal(est.attributable_per_year)} fewer {deaths} a year. Any reduction in "
            f"{factor} will help; other factors need action too."
        )
    all_women = result.prevalence.count
    women = sim.women
    return (
        f"{area}'s {name} rate ({_rate(out.rate)} per 1,000, {out.period}) is significantly "
        f"higher than {comp} ({_rate(target)}). If {factor} causes the extra risk seen in studies, "
        f"about {women_text(est.women, all_women)} fewer women {women_phrase} a year (80% range "
        f"{women_text(women.p10, all_women)} to {women_text(women.p90, all_women)}), from "
        f"{_pct(result.prevalence.p)} to {_pct(est.new_prevalence)}, could bring it to {comp}: "
        f"about {one_decimal(est.averted_per_year)} fewer {deaths} a year."
    )


def scenario(result: Result) -> str:
    est, sim = result.estimates, result.simulation
    if est.scenario_prevalence is None or sim.scenario_averted_per_year is None:
        return ""
    factor, _ = FACTOR_PHRASES[result.prevalence.factor]
    spread = sim.scenario_averted_per_year
    deaths = OUTCOMES[result.outcome.outcome]
    return (
        f"If {factor} fell from {_pct(result.prevalence.p)} to {_pct(est.scenario_prevalence)}, "
        f"we would expect about {one_decimal(est.scenario_averted_per_year)} "
        f"({one_decimal(spread.p2_5)} to {one_decimal(spread.p97_5)}) fewer {deaths} a year."
    )


def qualifier(result: Result) -> str:
    p_enough = result.simulation.p_enough_given_gap
    if result.case != "significant_gap" or p_enough is None:
        return ""
    if p_enough >= ENOUGH_QUALIFIER_BELOW:
        return ""
    factor, _ = FACTOR_PHRASES[result.prevalence.factor]
    return f"There is a {percent(1 - p_enough)} chance that {factor} alone could not close the gap."


def caveats(result: Result, *, periods_differ: bool | None = None, ccg: bool = False) -> list:
    risk = result.risk
    factor, _ = FACTOR_PHRASES[result.prevalence.factor]
    found = (
        f"RR {risk.rr:.2f}"
        + (f", 95% CI {risk.lower:.2f} to {risk.upper:.2f}" if risk.lower else ", no interval")
        + f"; {risk.citation}"
    )
    lines = [
        "These are expected numbers for the whole population, not predictions for any woman or "
        f"baby. They assume the extra risk found in studies ({found}) is caused by {factor} and "
        "applies here. Figures for different factors overlap and must not be added. Small "
        "numbers of deaths make differences uncertain."
    ]
    key = result.prevalence.factor
    if key == "smoking_at_delivery":
        lines.append("Smoking is self-reported at delivery and under-counted.")
    if key in ("obese_bmi30", "overweight_obese_bmi25"):
        lines.append(
            "The evidence for obesity is weaker, and benefit comes from women starting pregnancy "
            "at a healthier weight, over years."
        )
    if key == "mother_under_20":
        lines.append("The relative risk compares mothers under 20 with mothers of all ages.")
    if risk.lower is None:
        lines.append("The relative risk has no interval, so it is held fixed in the simulation.")
    if periods_differ is None:
        periods_differ = result.outcome.period != result.prevalence.period
    if periods_differ:
        lines.append(
            f"The periods differ: {OUTCOME_NAMES[result.outcome.outcome]} "
            f"{result.outcome.period}, {factor} {result.prevalence.period}."
        )
    if ccg:
        lines.append("The prevalence is for a clinical commissioning group, not the council.")
    return lines


def indicative(result: Result) -> str:
    if not result.indicative:
        return ""
    return (
        f"Indicative only: fewer than 20 {OUTCOMES[result.outcome.outcome]} in the period; "
        "pooling 5 years of data would make the figures steadier."
    )


def word(result: Result, **caveat_options) -> Wording:
    return Wording(
        case=result.case,
        headline=headline(result),
        scenario=scenario(result),
        qualifier=qualifier(result),
        caveats=tuple(caveats(result, **caveat_options)),
        indicative=indicative(result),
    )


# --------------------------------------------------------------------------------------------
# Several factors together: a scenario (rate, deaths averted), never a number of women
# --------------------------------------------------------------------------------------------

JOINT_APPROXIMATION = (
    "Joint figures assume the factors occur independently and multiply each other's risks; "
    "in fact they cluster in the same women, so this is an approximation. A joint result is "
    "a scenario for the rate, never a number of women."
)


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _factor_names(result: JointRun) -> list[str]:
    return [FACTOR_PHRASES[p.factor][0] for p in result.prevalences]


def joint_headline(result: JointRun) -> str:
    out, est = result.outcome, result.estimates
    area, comp, target = result.area_name, result.comparator_name, est.target
    name, deaths = OUTCOME_NAMES[out.outcome], OUTCOMES[out.outcome]
    factors = _and(_factor_names(result))
    shared = _case_without_women(result)
    if shared is not None:
        return shared
    if result.case == "not_enough":
        return (
            f"Reducing {factors} all to 0% together would not bring {area}'s {name} rate down "
            f"to {comp} ({_rate(target)}): it would fall to about {_rate(est.r0)} per 1,000, "
            f"about {one_decimal(est.attributable_per_year)} fewer {deaths} a year. Any "
            "reduction will help; other factors need action too."
        )
    return (
        f"{area}'s {name} rate ({_rate(out.rate)} per 1,000, {out.period}) is significantly "
        f"higher than {comp} ({_rate(target)}). If {factors} cause the extra risk seen in "
        f"studies, reducing them all to 0% together would bring it to about {_rate(est.r0)} per "
        f"1,000, about {one_decimal(est.attributable_per_year)} fewer {deaths} a year; smaller "
        "reductions together could be enough."
    )


def joint_scenario_text(result: JointRun) -> str:
    est, sim = result.estimates, result.simulation
    if est.scenario_prevalences is None or sim.scenario_averted_per_year is None:
        return ""
    changes = [
        f"{FACTOR_PHRASES[p.factor][0]} from {_pct(p.p)} to {_pct(s)}"
        for p, s in zip(result.prevalences, est.scenario_prevalences, strict=True)
    ]
    spread = sim.scenario_averted_per_year
    deaths = OUTCOMES[result.outcome.outcome]
    return (
        f"If {_and(changes)} fell together, we would expect about "
        f"{one_decimal(est.scenario_averted_per_year)} ({one_decimal(spread.p2_5)} to "
        f"{one_decimal(spread.p97_5)}) fewer {deaths} a year."
    )


def joint_qualifier(result: JointRun) -> str:
    p_enough = result.simulation.p_enough_given_gap
    if result.case != "significant_gap" or p_enough is None or p_enough >= ENOUGH_QUALIFIER_BELOW:
        return ""
    return (
        f"There is a {percent(1 - p_enough)} chance that these factors alone could not close "
        "the gap."
    )


def joint_caveats(result: JointRun) -> list[str]:
    found = "; ".join(
        f"{FACTOR_PHRASES[p.factor][0]}: RR {r.rr:.2f}"
        + (f", 95% CI {r.lower:.2f} to {r.upper:.2f}" if r.lower else ", no interval")
        + f", {r.citation}"
        for p, r in zip(result.prevalences, result.risks, strict=True)
    )
    lines = [
        "These are expected numbers for the whole population, not predictions for any woman or "
        f"baby. They assume the extra risks found in studies ({found}) are caused by these "
        "factors and apply here. Small numbers of deaths make differences uncertain.",
        JOINT_APPROXIMATION,
    ]
    keys = {p.factor for p in result.prevalences}
    if "smoking_at_delivery" in keys:
        lines.append("Smoking is self-reported at delivery and under-counted.")
    if keys & {"obese_bmi30", "overweight_obese_bmi25"}:
        lines.append(
            "The evidence for obesity is weaker, and benefit comes from women starting pregnancy "
            "at a healthier weight, over years."
        )
    if "mother_under_20" in keys:
        lines.append("The relative risk compares mothers under 20 with mothers of all ages.")
    if any(r.lower is None for r in result.risks):
        lines.append(
            "A relative risk without an interval is held fixed in the simulation: "
            + ", ".join(
                FACTOR_PHRASES[p.factor][0]
                for p, r in zip(result.prevalences, result.risks, strict=True)
                if r.lower is None
            )
            + "."
        )
    periods = {p.period for p in result.prevalences} | {result.outcome.period}
    if len(periods) > 1:
        lines.append(
            f"The periods differ: {OUTCOME_NAMES[result.outcome.outcome]} "
            f"{result.outcome.period}, "
            + ", ".join(f"{FACTOR_PHRASES[p.factor][0]} {p.period}" for p in result.prevalences)
            + "."
        )
    return lines


def word_joint(result: JointRun) -> Wording:
    return Wording(
        case=result.case,
        headline=joint_headline(result),
        scenario=joint_scenario_text(result),
        qualifier=joint_qualifier(result),
        caveats=tuple(joint_caveats(result)),
        indicative=indicative(result),
    )
