"""Read-only JSON and CSV API at /api/v1/, over the same numbers the pages show."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from indicators import presenters
from indicators.caching import cached_page
from indicators.exporters import Provenance, fingertips_provenance, write_tidy_csv
from indicators.models import Area, AreaLevel, Indicator

DEFAULT_LIMIT = 1000
MAX_LIMIT = 5000
INDICATOR_FIELDS = [
    "fingertips_id",
    "name",
    "short_name",
    "unit",
    "multiplier",
    "value_type",
    "ci_method",
    "polarity",
    "benchmark_method",
    "period_type",
    "definition",
    "numerator",
    "denominator",
    "source",
    "id_confirmed",
]
AREA_FIELDS = ["code", "name", "level", "parent"]


class BadRequest(ValueError):
    """A query parameter the API cannot use; the message says which and why."""


def _respond(
    request: HttpRequest,
    rows: list[dict],
    fields: Sequence[str],
    name: str,
    provenance: Provenance | None = None,
    **meta,
):
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        # Numbers as published (whole numbers without ".0"), then the source, licence and data
        # current at on every row; text a spreadsheet would run as a formula is neutralised.
        write_tidy_csv(
            response,
            list(fields),
            [[row.get(field) for field in fields] for row in rows],
            provenance or fingertips_provenance(),
        )
        return response
    return JsonResponse({**meta, "count": len(rows), "results": rows})


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _format(request: HttpRequest) -> None:
    """Check the parameters every endpoint shares."""
    if any("\x00" in value for value in request.GET.values()):
        raise BadRequest("parameters must not contain NUL characters")
    if request.GET.get("format", "json") not in {"json", "csv"}:
        raise BadRequest("format must be json or csv")


def _format_only(request: HttpRequest, versions) -> dict:
    return {"format": request.GET.get("format", "json")}


def endpoint(view=None, *, indicator=None, parameters=_format_only):
    """A GET-only endpoint whose bad parameters become a 400 that says what is wrong.

    `indicator(request)` names the one indicator an answer holds, for the cache (`cached_page`);
    `parameters(request, versions)` checks the parameters the answer depends on before the
    cache is used and returns the values that key it (or None: not cached), or raises
    `BadRequest`.
    """
    if view is None:
        return functools.partial(endpoint, indicator=indicator, parameters=parameters)

    def checked(request: HttpRequest, versions, *args, **kwargs):
        try:
            _format(request)
            return parameters(request, versions)
        except BadRequest as exc:
            return _error(str(exc))

    @csrf_exempt  # read-only: any other method gets 405, not a CSRF 403
    @require_GET
    @cached_page(indicator=indicator, parameters=checked)
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:  # parameters checked already; what only the view can tell is reported here
            return view(request, *args, **kwargs)
        except BadRequest as exc:
            return _error(str(exc))

    return wrapper


@endpoint
def indicators(request: HttpRequest) -> HttpResponse:
    rows = list(Indicator.objects.shown().values(*INDICATOR_FIELDS))
    return _respond(request, rows, INDICATOR_FIELDS, "indicators")


def _area_parameters(request: HttpRequest, versions) -> dict:
    level = request.GET.get("level")
    if level is not None and level not in AreaLevel.values:
        raise BadRequest(f"level must be one of {', '.join(AreaLevel.values)}")
    return {**_format_only(request, versions), "level": level or ""}


@endpoint(parameters=_area_parameters)
def areas(request: HttpRequest) -> HttpResponse:
    queryset = Area.objects.select_related("parent")
    if level := request.GET.get("level"):
        queryset = queryset.filter(level=level)
    rows = [
        {
            "code": a.code,
            "name": a.name,
            "level": a.level,
            "parent": a.parent.code if a.parent else None,
        }
        for a in queryset
    ]
    return _respond(request, rows, AREA_FIELDS, "areas")


def _asked_indicator(request: HttpRequest) -> str | None:
    return request.GET.get("indicator")


def _observation_parameters(request: HttpRequest, versions) -> dict | None:
    """Every parameter checked against what the indicator has, before the cache is used.

    The area must be one held, the period one the indicator has figures for. Pages of the
    default or the largest size that hold rows are cached; any other slice is read from the
    database each time, so offsets and limits cannot fill the cache.
    """
    value = request.GET.get("indicator")
    choices = presenters.cached_choices(_indicator_id(value), versions)
    if choices is None:
        raise BadRequest(f"no indicator with id {value[:40]}")
    benchmark = _benchmark(request)
    limit, offset = _slice(request)
    area = request.GET.get("area", "")
    if area and area not in choices.area_codes and not Area.objects.filter(code=area).exists():
        raise BadRequest(f"no area with code {area[:40]!r}")
    period = request.GET.get("period", "")
    if period and not (
        period in choices.periods.values()
        or (_digits(period) and len(period) == 8 and int(period) in choices.periods)
    ):
        raise BadRequest(
            f"indicator {choices.fingertips_id} has no figures for the period {period[:40]!r}"
        )
    past_the_end = offset and offset >= choices.rows
    if limit not in {DEFAULT_LIMIT, MAX_LIMIT} or offset % limit or past_the_end:
        return None
    return {
        "indicator": choices.fingertips_id,
        "format": request.GET.get("format", "json"),
        "benchmark": benchmark,
        "limit": limit,
        "offset": offset,
        "area": area,
        "period": period,
    }


def _benchmark(request: HttpRequest) -> str:
    benchmark = request.GET.get("benchmark", "england")
    if benchmark not in presenters.BENCHMARK_FIELDS:
        raise BadRequest("benchmark must be england, region or home")
    return benchmark


def _slice(request: HttpRequest) -> tuple[int, int]:
    limit = _integer(
        request.GET.get("limit"), "limit", default=DEFAULT_LIMIT, low=1, high=MAX_LIMIT
    )
    offset = _integer(request.GET.get("offset"), "offset", default=0, low=0, high=10**9)
    return limit, offset


@endpoint(indicator=_asked_indicator, parameters=_observation_parameters)
def observations(request: HttpRequest) -> HttpResponse:
    """Figures of one indicator, filtered by area and period, with limits and comparisons."""
    indicator = _indicator(request.GET.get("indicator"))
    benchmark = _benchmark(request)
    limit, offset = _slice(request)
    queryset = presenters.headline_observations(indicator)
    if area := request.GET.get("area"):
        queryset = queryset.filter(area__code=area)
    if period := request.GET.get("period"):
        queryset = (
            queryset.filter(period_sortable=int(period))
            if _digits(period) and len(period) == 8
            else queryset.filter(period_label=period)
        )
    page = queryset[offset : offset + limit]
    rows = [presenters.figure_of(o, benchmark=benchmark).as_dict() for o in page]
    return _respond(
        request,
        rows,
        presenters.FIGURE_FIELDS,
        f"observations-{indicator.fingertips_id}",
        fingertips_provenance(indicator),
        indicator=indicator.fingertips_id,
        benchmark=benchmark,
        offset=offset,
        limit=limit,
    )


def _indicator_id(value: str | None) -> int:
    if not value:
        raise BadRequest("indicator is required (a Fingertips indicator id)")
    if not _digits(value):
        raise BadRequest(f"indicator must be a number, not {value[:40]!r}")
    # Ids beyond the column's range cannot exist; the database would refuse the query.
    if int(value) > 2**31 - 1:
        raise BadRequest(f"no indicator with id {value[:40]}")
    return int(value)


def _indicator(value: str | None) -> Indicator:
    try:
        return Indicator.objects.get(fingertips_id=_indicator_id(value))
    except Indicator.DoesNotExist:
        raise BadRequest(f"no indicator with id {value[:40]}") from None


def _digits(value: str) -> bool:
    """Decimal digits, which `int` reads (any script's); `str.isdigit` also takes '²'."""
    return value.isdecimal()


def _integer(value: str | None, name: str, *, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    if not _digits(value) or not low <= int(value) <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}")
    return int(value)


def _string_fields(fields: Sequence[str], numbers: set[str], integers: set[str]) -> dict:
    properties = {}
    for field in fields:
        if field in integers:
            properties[field] = {"type": "integer"}
        elif field in numbers:
            properties[field] = {"type": "number", "nullable": True}
        else:
            properties[field] = {"type": "string"}
    return {"type": "object", "properties": properties}


# The Figure fields that hold numbers, read from its own annotations.
FIGURE_NUMBERS = {
    name for name, kind in presenters.Figure.__annotations__.items() if "float" in str(kind)
}


def openapi_schema() -> dict:
    """The OpenAPI 3 description of this API, built from the same field lists it serialises."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Infant mortality dashboard API",
            "version": "1",
            "description": "Read-only figures from OHID Fingertips and the statistics derived "
            "from them. Contains public sector information licensed under the Open Government "
            "Licence v3.0.",
        },
        "paths": {
            "/api/v1/": {
                "get": {
                    "summary": "This index: every endpoint, its parameters and the schema",
                    "responses": {"200": {"description": "JSON"}},
                }
            },
            "/api/v1/indicators/": _listing_path(
                "Indicators shown on the dashboard", "Indicator", []
            ),
            "/api/v1/areas/": _listing_path("Areas held", "Area", [_LEVEL_PARAMETER]),
            "/api/v1/observations/": _listing_path(
                "Figures of one indicator, with limits, counts and comparisons",
                "Figure",
                _OBSERVATION_PARAMETERS,
            ),
            "/api/v1/whatif/": _whatif_path(),
            **_local_paths(),
        },
        "components": {"schemas": _component_schemas()},
    }


def _component_schemas() -> dict:
    """The fields of each listing's rows: strings, except the numbers named."""
    indicator_schema = _string_fields(INDICATOR_FIELDS, set(), {"fingertips_id", "multiplier"})
    indicator_schema["properties"]["id_confirmed"] = {"type": "boolean"}
    area_schema = _string_fields(AREA_FIELDS, set(), set())
    area_schema["properties"]["parent"] = {"type": "string", "nullable": True}
    return {
        "Indicator": indicator_schema,
        "Area": area_schema,
        "Figure": _string_fields(
            presenters.FIGURE_FIELDS, FIGURE_NUMBERS, {"indicator_id", "period_sortable"}
        ),
    }


def _listing_path(summary: str, schema_name: str, parameters: list[dict]) -> dict:
    """A GET listing rows of one schema, as JSON or CSV, with `format` and its own parameters."""
    return {
        "get": {
            "summary": summary,
            "parameters": [_FORMAT_PARAMETER, *parameters],
            "responses": {
                "200": {
                    "description": "JSON (default) or CSV with format=csv",
                    "content": {
                        "application/json": {"schema": _listing_rows(schema_name)},
                        "text/csv": {
                            "schema": {
                                "type": "string",
                                "description": "The same fields, then source, licence and "
                                "data_current_at on every row",
                            }
                        },
                    },
                },
                "400": {"description": "A parameter the API cannot use; the body says which"},
            },
        }
    }


def _listing_rows(schema_name: str) -> dict:
    return {
        "type": "object",
        "properties": {
            "count": {"type": "integer"},
            "results": {
                "type": "array",
                "items": {"$ref": f"#/components/schemas/{schema_name}"},
            },
        },
    }


def _query(name: str, schema: dict, **more) -> dict:
    return {"name": name, "in": "query", **more, "schema": schema}


_FORMAT_PARAMETER = _query("format", {"type": "string", "enum": ["json", "csv"]})
_LEVEL_PARAMETER = _query("level", {"type": "string", "enum": list(AreaLevel.values)})
_OBSERVATION_PARAMETERS = [
    _query("indicator", {"type": "integer"}, required=True),
    _query("area", {"type": "string"}, description="The code of an area held (see /api/v1/areas/)"),
    _query(
        "period",
        {"type": "string"},
        description="A label such as '2022 - 24' or a sortable period, "
        "one the indicator has figures for",
    ),
    _query("benchmark", {"type": "string", "enum": ["england", "region", "home"]}),
    _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
    _query("offset", {"type": "integer", "minimum": 0}),
]


def _whatif_path() -> dict:
    from indicators.whatif_api import schema_path  # its module imports this one

    return schema_path()


# Other apps serving under /api/v1/ add a function giving their schema entries (in their
# AppConfig.ready), so this module never imports them.
SCHEMA_EXTENSIONS: list[Callable[[], dict]] = []


def _local_paths() -> dict:
    return {url: entry for extend in SCHEMA_EXTENSIONS for url, entry in extend().items()}


@endpoint
def schema(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_schema())


def endpoint_index() -> dict:
    """What /api/v1/ answers: each endpoint of the OpenAPI description, with its parameters."""
    description = openapi_schema()
    return {
        "title": description["info"]["title"],
        "version": description["info"]["version"],
        "description": description["info"]["description"],
        "schema": "/api/v1/schema/",
        "endpoints": [
            {
                "url": url,
                "summary": operation["get"]["summary"],
                "parameters": [
                    {
                        "name": p["name"],
                        "required": p.get("required", False),
                        **({"values": p["schema"]["enum"]} if "enum" in p["schema"] else {}),
                    }
                    for p in operation["get"].get("parameters", [])
                ],
            }
            for url, operation in description["paths"].items()
        ],
    }


@endpoint
def index(request: HttpRequest) -> JsonResponse:
    return JsonResponse(endpoint_index())
