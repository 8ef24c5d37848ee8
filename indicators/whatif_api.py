"""GET /api/v1/whatif/: a what-if statement with every input, period, parameter and source.

Numbers are unrounded; only `wording` is rounded (WHATIF specification, section 8).
"""

from __future__ import annotations

import dataclasses
import math

from django.http import HttpRequest, JsonResponse

from indicators import whatif_inputs as wi
from indicators.api import BadRequest, endpoint
from indicators.configuration import areas_config
from indicators.statistics import InvalidInput
from indicators.statistics import whatif as w
from indicators.statistics import whatif_simulation as ws

PARAMETERS = {
    "area": "ONS code of the area (default: the home county)",
    "outcome": "infant_mortality or stillbirth",
    "indicator": "the outcome's Fingertips id, instead of outcome (92196 or 92530)",
    "factor": ", ".join(wi.FACTOR_INDICATORS)
    + "; repeat for a joint scenario (several factors changed together: a rate and deaths "
    "averted, never a number of women)",
    "comparator": "region, england or best_quartile (with group), or give target",
    "group": "comma-separated ONS codes of the best quartile's group (default: every council)",
    "target": "a rate per 1,000 to reach",
    "scenario_prevalence": "a prevalence (0 to 1) to show the deaths averted at; for a joint "
    "scenario one per factor, in the factors' order",
    "period": "the outcome's period label, e.g. 2016 - 18 (default: the latest)",
    "parameter_set": "name of the relative-risk set (default: default)",
    "version": "version of the set (default: the latest)",
    "draws": "number of simulation draws (default 10000)",
    "seed": "seed of the simulation (default 1)",
}


def _number(request, name, kind=float, low=-math.inf, high=math.inf):
    text = request.GET.get(name)
    if text is None or text == "":
        return None
    try:
        value = kind(text)
    except ValueError:
        raise BadRequest(f"{name} must be a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise BadRequest(f"{name} must be between {low:g} and {high:g}")
    return value


def _default(value, default):
    return default if value is None else value


def _outcome(request) -> str:
    if indicator := request.GET.get("indicator"):
        by_id = {str(v): k for k, v in wi.OUTCOME_INDICATORS.items()}
        if indicator not in by_id:
            raise BadRequest(f"indicator must be one of {', '.join(by_id)}")
        return by_id[indicator]
    outcome = request.GET.get("outcome", "infant_mortality")
    if outcome not in wi.OUTCOME_INDICATORS:
        raise BadRequest(f"outcome must be one of {', '.join(wi.OUTCOME_INDICATORS)}")
    return outcome


def _query(request) -> dict:
    factors = request.GET.getlist("factor") or ["smoking_at_delivery"]
    unknown = [f for f in factors if f not in wi.FACTOR_INDICATORS]
    if unknown:
        raise BadRequest(f"factor must be one of {', '.join(wi.FACTOR_INDICATORS)}")
    scenarios = [_scenario_share(text) for text in request.GET.getlist("scenario_prevalence")]
    if len(factors) == 1 and len(scenarios) > 1:
        raise BadRequest("scenario_prevalence: give one value for one factor")
    if len(factors) > 1 and scenarios and len(scenarios) != len(factors):
        raise BadRequest(
            "scenario_prevalence: give one value per factor, in the factors' order, or none"
        )
    target = _number(request, "target", low=0, high=1000)
    comparator = request.GET.get("comparator", "target" if target is not None else "region")
    if comparator not in w.COMPARATORS:
        raise BadRequest(f"comparator must be one of {', '.join(w.COMPARATORS)}")
    group = [c for c in request.GET.get("group", "").split(",") if c] or None
    return {
        "code": request.GET.get("area") or areas_config().home.code,
        "outcome_key": _outcome(request),
        "factors": factors,
        "comparator_kind": comparator,
        "target": target,
        "group": group,
        "scenarios": scenarios or None,
        "period": request.GET.get("period") or None,
        "set_name": request.GET.get("parameter_set", "default"),
        "version": _number(request, "version", int, low=1, high=10**6),
        "draws": _default(_number(request, "draws", int, low=100, high=200_000), ws.DRAWS),
        "seed": _default(_number(request, "seed", int, low=0, high=2**32 - 1), ws.SEED),
    }


def _scenario_share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise BadRequest("scenario_prevalence must be a number") from None
    if not math.isfinite(value) or not 0 <= value <= 1:
        raise BadRequest("scenario_prevalence must be between 0 and 1")
    return value


def _not_cached(request, versions):
    return None  # every parameter is free: answered from the database each time


def _finite(value):
    """JSON has no infinity or NaN: such a number (an RR at or below 1) is given as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _source(src: wi.Source) -> dict:
    return dataclasses.asdict(src)


def as_json(statement: wi.Statement, code: str) -> dict:
    """The answer's body: inputs, parameters, estimates, uncertainty and wording."""
    body: dict = {"area": {"code": code}, "sources": [_source(s) for s in statement.sources]}
    result = statement.result
    if result is None:
        body["wording"] = {"case": "not_calculated", "headline": statement.missing}
        return body
    out, params = result.outcome, result.parameter_set
    joint = isinstance(result, w.JointRun)
    prevalences = result.prevalences if joint else (result.prevalence,)
    risks = result.risks if joint else (result.risk,)
    outcome_source = statement.sources[0]
    body["area"]["name"] = result.area_name
    body["outcome"] = {
        "key": out.outcome,
        "indicator_id": outcome_source.indicator_id,
        **dataclasses.asdict(out),
        "denominator_estimated": outcome_source.estimated_denominator,
        "source": outcome_source.source,
        "data_as_of": outcome_source.data_as_of,
    }
    body["factors"] = [
        {
            "key": prev.factor,
            "indicator_id": factor_source.indicator_id,
            "period": prev.period,
            "count": prev.count,
            "denominator": prev.denominator,
            "prevalence": prev.p,
            "exposure": prev.exposure,
            "source": factor_source.source,
            "data_as_of": factor_source.data_as_of,
            **{k: v for k, v in dataclasses.asdict(risk).items() if k not in ("factor",)},
        }
        for prev, risk, factor_source in zip(prevalences, risks, statement.sources[1:], strict=True)
    ]
    body["joint"] = joint
    body["parameter_set"] = {"name": params.name, "version": params.version, "date": params.dated}
    comp = result.comparator
    body["comparator"] = {
        "kind": comp.kind,
        "name": comp.name,
        "value": comp.value,
        "count": comp.count,
        "denominator": comp.denominator,
        "members": len(comp.members) or None,
        "excluded": comp.excluded,
    }
    body["estimates"] = dataclasses.asdict(result.estimates)
    body["uncertainty"] = dataclasses.asdict(result.simulation)
    body["wording"] = dataclasses.asdict(statement.wording)
    return body


@endpoint(parameters=_not_cached)
def whatif(request: HttpRequest) -> JsonResponse:
    query = _query(request)
    factors, scenarios = query.pop("factors"), query.pop("scenarios")
    try:
        if len(factors) > 1:
            statement = wi.joint_statement(**query, factors=factors, scenario_ps=scenarios)
        else:
            scenario_p = scenarios[0] if scenarios else None
            statement = wi.statement(**query, factor=factors[0], scenario_p=scenario_p)
    except InvalidInput as error:
        raise BadRequest(str(error)) from None
    return JsonResponse(_finite(as_json(statement, query["code"])))


def schema_path() -> dict:
    """The endpoint's entry in the OpenAPI schema."""
    parameters = [
        {"name": name, "in": "query", "description": text, "schema": {"type": "string"}}
        for name, text in PARAMETERS.items()
    ]
    return {
        "get": {
            "summary": "What-if: the change in a risk factor that would close a gap, with "
            "uncertainty, every input and the sources of its relative risks",
            "parameters": parameters,
            "responses": {
                "200": {
                    "description": "Inputs, parameter set, comparator, estimates (unrounded), "
                    "simulation and wording; wording.case is significant_gap, not_significant, "
                    "already_better, not_enough or not_calculated",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "400": {"description": "A parameter the API cannot use; the body says which"},
            },
        }
    }
