"""What-if inputs read from stored figures, for the pages, the API and the board pack.

The method is `indicators.statistics.whatif` (pure); this module only finds the figures it
needs (the outcome, the factor's prevalence, the comparator) and says which one is missing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from indicators import presenters
from indicators.configuration import areas_config
from indicators.models import Area, AreaLevel, Indicator, Observation
from indicators.statistics import InvalidInput
from indicators.statistics import whatif as w
from indicators.statistics import whatif_parameters as wp
from indicators.statistics import whatif_simulation as ws
from indicators.statistics.whatif_wording import word, word_joint

PARAMETERS_FILE = Path(settings.BASE_DIR) / "fixtures" / "whatif" / "relative_risks.csv"
OUTCOME_INDICATORS = {"infant_mortality": 92196, "stillbirth": 92530}
# factor key → (indicator id, the exposure its prevalence measures); None: not held.
FACTOR_INDICATORS = {
    "smoking_at_delivery": (93085, "smoking at delivery"),
    "obese_bmi30": (93584, "BMI 30 or more in early pregnancy"),
    "overweight_obese_bmi25": (None, "BMI 25 or more in early pregnancy"),
    "mother_under_20": (None, "mother aged under 20"),
}


class Missing(InvalidInput):
    """An input the statement needs is not held; the message names it."""


@functools.cache
def parameter_sets() -> dict:
    return wp.read_parameter_sets(PARAMETERS_FILE)


def parameter_set(name: str = "default", version: int | None = None) -> wp.ParameterSet:
    sets = parameter_sets()
    if version is None:
        return wp.latest_set(sets, name)
    if (name, version) not in sets:
        raise InvalidInput(f"no parameter set {name!r} version {version}")
    return sets[(name, version)]


@dataclass(frozen=True)
class Source:
    """Where a figure came from, for the API and the page's inputs table."""

    indicator_id: int
    name: str
    area: str
    period: str
    source: str
    data_as_of: str
    estimated_denominator: bool = False


def _rows(fingertips_id: int, code: str, period: str | None = None):
    indicator = Indicator.objects.filter(fingertips_id=fingertips_id).first()
    if indicator is None:
        return None, Observation.objects.none()
    rows = presenters.headline_observations(indicator).filter(area__code=code)
    if period:
        rows = rows.filter(period_label=period)
    rows = rows.select_related("import_run").filter(value__isnull=False)
    return indicator, rows.order_by("-period_sortable")


def _as_of(row: Observation) -> str:
    run = row.import_run
    moment = run and (run.data_current_at or run.finished_at or run.started_at)
    return moment.date().isoformat() if moment else ""


def _denominator(row: Observation, multiplier: float) -> tuple[float | None, bool]:
    if row.denominator:
        return row.denominator, False
    if row.count is not None and row.value:
        return row.count / row.value * multiplier, True  # estimated as count ÷ rate
    return None, False


def outcome(key: str, code: str, period: str | None = None) -> tuple[w.Outcome, Source]:
    if key not in OUTCOME_INDICATORS:
        raise InvalidInput(f"outcome must be one of {', '.join(OUTCOME_INDICATORS)}")
    indicator, rows = _rows(OUTCOME_INDICATORS[key], code, period)
    row = rows.filter(count__isnull=False).first()
    if row is None:
        where = f" for {period}" if period else ""
        raise Missing(f"no {wp.OUTCOME_NAMES[key]} rate with a count is held for {code}{where}")
    births, estimated = _denominator(row, indicator.multiplier)
    years = row.period_end_year - row.period_start_year + 1
    result = w.Outcome(
        outcome=key,
        rate=row.value,
        count=row.count,
        denominator=births,
        years=years,
        period=row.period_label,
        lower95=row.lower_ci_95 if row.lower_ci_95 is not None else row.computed_lower_ci_95,
        upper95=row.upper_ci_95 if row.upper_ci_95 is not None else row.computed_upper_ci_95,
    )
    src = Source(
        indicator.fingertips_id,
        indicator.name,
        code,
        row.period_label,
        indicator.source,
        _as_of(row),
        estimated,
    )
    return result, src


def prevalence(factor: str, code: str, period: str | None = None):
    if factor not in FACTOR_INDICATORS:
        raise InvalidInput(f"factor must be one of {', '.join(FACTOR_INDICATORS)}")
    fingertips_id, exposure = FACTOR_INDICATORS[factor]
    if fingertips_id is None:
        raise Missing(f"no prevalence of {wp.FACTOR_PHRASES[factor][0]} is held")
    indicator, rows = _rows(fingertips_id, code, period)
    row = rows.filter(count__isnull=False, denominator__isnull=False).first()
    if row is None:
        raise Missing(f"no {wp.FACTOR_PHRASES[factor][0]} figure with counts is held for {code}")
    result = w.Prevalence(factor, row.count, row.denominator, exposure, row.period_label)
    src = Source(
        indicator.fingertips_id,
        indicator.name,
        code,
        row.period_label,
        indicator.source,
        _as_of(row),
    )
    return result, src


def _benchmark(kind: str, key: str, out: w.Outcome) -> w.Comparator:
    config = areas_config()
    area = config.region if kind == "region" else config.england
    name = f"the {area.name}" if kind == "region" else area.name
    indicator, rows = _rows(OUTCOME_INDICATORS[key], area.code, out.period)
    row = rows.first()
    if row is None:
        raise Missing(f"no {wp.OUTCOME_NAMES[key]} rate for {area.name} in {out.period}")
    births, _ = _denominator(row, indicator.multiplier)
    if row.count is None or births is None:  # no count: the comparator is held fixed
        return w.Comparator(kind, value=row.value, name=name)
    return w.Comparator(kind, value=row.value, count=row.count, denominator=births, name=name)


def _best_quartile(key: str, out: w.Outcome, codes: list[str] | None) -> w.Comparator:
    indicator = Indicator.objects.get(fingertips_id=OUTCOME_INDICATORS[key])
    rows = presenters.headline_observations(indicator).filter(period_label=out.period)
    if codes:
        rows = rows.filter(area__code__in=codes)
    else:
        rows = rows.filter(area__level__in=[AreaLevel.COUNTY, AreaLevel.UNITARY])
    members, excluded = [], 0
    for row in rows:
        births, _ = _denominator(row, indicator.multiplier)
        if row.value is None or row.count is None or births is None:
            excluded += 1
        else:
            members.append((row.count, births, row.value))
    if len(members) < w.BEST_QUARTILE_MIN_AREAS:
        raise Missing(
            f"only {len(members)} areas have a {wp.OUTCOME_NAMES[key]} rate for {out.period}: "
            f"the best quartile needs {w.BEST_QUARTILE_MIN_AREAS}"
        )
    value = w.best_quartile(m[2] for m in members)
    return w.Comparator(
        "best_quartile",
        value=value,
        members=tuple((c, b) for c, b, _ in members),
        excluded=excluded,
        name=f"the best quarter of {len(members)} councils",
    )


def comparator(kind: str, key: str, out: w.Outcome, target=None, group=None) -> w.Comparator:
    if kind in ("region", "england"):
        return _benchmark(kind, key, out)
    if kind == "best_quartile":
        return _best_quartile(key, out, group)
    if kind == "target":
        if target is None:
            raise InvalidInput("a target comparator needs target (per 1,000)")
        return w.Comparator("target", value=target, name=f"the target of {target:g} per 1,000")
    raise InvalidInput("comparator must be region, england, best_quartile or target")


@dataclass(frozen=True)
class Statement:
    """One what-if: the result (or why there is none), its words and where its inputs came from."""

    outcome_key: str
    factor: str
    comparator_kind: str
    result: w.Result | None
    wording: object | None
    sources: tuple[Source, ...]
    missing: str = ""


def statement(
    code: str,
    outcome_key: str,
    factor: str,
    comparator_kind: str,
    *,
    target: float | None = None,
    group: list[str] | None = None,
    scenario_p: float | None = None,
    period: str | None = None,
    set_name: str = "default",
    version: int | None = None,
    draws: int = ws.DRAWS,
    seed: int = ws.SEED,
) -> Statement:
    """The what-if for one area; a missing input gives a statement naming it, never a number."""
    params = parameter_set(set_name, version)
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise InvalidInput(f"no area with code {code!r}")
    sources: list[Source] = []
    try:
        out, src = outcome(outcome_key, code, period)
        sources.append(src)
        prev, src = prevalence(factor, code)
        sources.append(src)
        comp = comparator(comparator_kind, outcome_key, out, target, group)
    except Missing as error:
        missing = str(error).replace(code, area.name)
        return Statement(outcome_key, factor, comparator_kind, None, None, tuple(sources), missing)
    result = w.run(area.name, out, prev, params, comp, scenario_p, draws, seed)
    return Statement(outcome_key, factor, comparator_kind, result, word(result), tuple(sources))


def joint_statement(
    code: str,
    outcome_key: str,
    factors: list[str],
    comparator_kind: str,
    *,
    target: float | None = None,
    group: list[str] | None = None,
    scenario_ps: list[float] | None = None,
    period: str | None = None,
    set_name: str = "default",
    version: int | None = None,
    draws: int = ws.DRAWS,
    seed: int = ws.SEED,
) -> Statement:
    """Several factors changed together (WHATIF section 2): a scenario for the rate and the
    deaths averted, never a number of women. A missing input names itself, as `statement`."""
    params = parameter_set(set_name, version)
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise InvalidInput(f"no area with code {code!r}")
    w._check_joint([w.Prevalence(f, 0, 1, "") for f in factors], scenario_ps)
    sources: list[Source] = []
    try:
        out, src = outcome(outcome_key, code, period)
        sources.append(src)
        prevalences = []
        for factor in factors:
            prev, src = prevalence(factor, code)
            prevalences.append(prev)
            sources.append(src)
        comp = comparator(comparator_kind, outcome_key, out, target, group)
    except Missing as error:
        missing = str(error).replace(code, area.name)
        key = "+".join(factors)
        return Statement(outcome_key, key, comparator_kind, None, None, tuple(sources), missing)
    result = w.run_joint(area.name, out, prevalences, params, comp, scenario_ps, draws, seed)
    key = "+".join(factors)
    return Statement(outcome_key, key, comparator_kind, result, word_joint(result), tuple(sources))


def page_statements(fingertips_id: int, code: str | None = None) -> list[Statement]:
    """The what-if statements an indicator's page shows: the outcome's pages show every factor
    held; a factor's page shows every outcome. Against the region and England."""
    code = code or areas_config().home.code
    by_outcome = {v: k for k, v in OUTCOME_INDICATORS.items()}
    by_factor = {v[0]: k for k, v in FACTOR_INDICATORS.items() if v[0]}
    if fingertips_id in by_outcome:
        pairs = [(by_outcome[fingertips_id], f) for f, (i, _) in FACTOR_INDICATORS.items() if i]
    elif fingertips_id in by_factor:
        pairs = [(o, by_factor[fingertips_id]) for o in OUTCOME_INDICATORS]
    else:
        return []
    return [
        statement(code, outcome_key, factor, kind, scenario_p=_scenario(factor))
        for outcome_key, factor in pairs
        for kind in ("region", "england")
    ]


def held_factors(code: str | None = None) -> list[str]:
    """The risk factors whose prevalence, with counts, is held for the area."""
    code = code or areas_config().home.code
    held = []
    for factor, (fingertips_id, _) in FACTOR_INDICATORS.items():
        if fingertips_id is None:
            continue
        try:
            prevalence(factor, code)
        except Missing:
            continue
        held.append(factor)
    return held


def page_joint_statement(fingertips_id: int, code: str | None = None) -> Statement | None:
    """The joint scenario an outcome's page offers (every factor held, changed together,
    against England), only where two factors or more are held; None elsewhere."""
    by_outcome = {v: k for k, v in OUTCOME_INDICATORS.items()}
    if fingertips_id not in by_outcome:
        return None
    code = code or areas_config().home.code
    factors = held_factors(code)
    if len(factors) < 2:
        return None
    return joint_statement(code, by_outcome[fingertips_id], factors, "england")


def page_indicators(fingertips_id: int) -> tuple[int, ...]:
    """Every indicator whose figures an indicator page's what-if statements read (its own
    included when it has statements), so that a change to any of them rebuilds the page."""
    outcomes = set(OUTCOME_INDICATORS.values())
    factors = {i for i, _ in FACTOR_INDICATORS.values() if i}
    if fingertips_id in outcomes:
        return tuple(sorted({fingertips_id, *factors}))
    if fingertips_id in factors:
        return tuple(sorted({fingertips_id, *outcomes}))
    return ()


def _scenario(factor: str) -> float | None:
    """The scenario prevalence shown first: 6% for smoking at delivery (the national ambition)."""
    return 0.06 if factor == "smoking_at_delivery" else None


@dataclass(frozen=True)
class BoardLine:
    """One what-if statement as the board pack prints it: sentence, scenario and caveats."""

    title: str
    headline: str
    scenario: str
    caveats: tuple[str, ...]
    period: str = ""  # the outcome's period and the factor's
    source: str = ""  # the relative risk, its citation and its parameter set
    statement: Statement | None = None  # what it was worded from (the pack draws its chart)


def _risk_source(result: w.Result) -> str:
    risk = result.risk
    interval = (
        f" (95% interval {risk.lower:g} to {risk.upper:g})"
        if risk.lower is not None and risk.upper is not None
        else ""
    )
    return f"Relative risk {risk.rr:g}{interval}: {risk.citation}; {result.parameter_set.label}."


def board_lines(fingertips_ids, code: str | None = None) -> list[BoardLine]:
    """The what-if statements for a priority area's measures (their indicators' ids), each
    once, only those with a number (a missing input is left to the pages, which name it)."""
    seen, lines = set(), []
    for fingertips_id in fingertips_ids:
        for s in page_statements(fingertips_id, code):
            key = (s.outcome_key, s.factor, s.comparator_kind)
            if s.result is None or key in seen:
                continue
            seen.add(key)
            title = (
                f"{wp.FACTOR_PHRASES[s.factor][0].capitalize()} and "
                f"{wp.OUTCOME_NAMES[s.outcome_key]}, against {s.result.comparator_name}"
            )
            words = s.wording
            headline = " ".join(filter(None, [words.headline, words.qualifier, words.indicative]))
            period = (
                f"{wp.OUTCOME_NAMES[s.outcome_key].capitalize()} {s.result.outcome.period}; "
                f"{wp.FACTOR_PHRASES[s.factor][0]} {s.result.prevalence.period}"
            )
            lines.append(
                BoardLine(
                    title,
                    headline,
                    words.scenario,
                    tuple(words.caveats),
                    period,
                    _risk_source(s.result),
                    s,
                )
            )
    return lines
