"""`/api/v1/local/…`: JSON of the disclosure-controlled values (tier 2), a status on every value."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from localdata import presenters
from localdata.disclosure import Shown, Tier
from localdata.views import public_cache

NOTE = (
    "Disclosure-controlled: counts 1-7 suppressed, others rounded to 5, rates withheld under "
    "8 deaths, secondary suppression. status is ok, suppressed, provider_suppressed, "
    "missing, not_applicable or low_quality; value is null unless ok."
)


SUMMARIES = {
    "deprivation": "Local infant deaths and live births by deprivation decile, pooled over "
    "3 years, with IMR and 95% limits (disclosure-controlled)",
    "reviews": "Child death review categories and modifiable factors, with percentages and "
    "95% limits (disclosure-controlled)",
    "measures": "Local service measures by period, with SPC limits (disclosure-controlled)",
}


def schema_paths() -> dict:
    """The entries of `/api/v1/local/…` in the API's OpenAPI schema, one per endpoint."""
    from localdata.api_urls import urlpatterns  # that module imports this one

    described = "Every value is an object: value (null unless status is ok), status, status_reason"
    return {
        f"/api/v1/local/{p.pattern}": {
            "get": {
                "summary": SUMMARIES[p.name],
                "responses": {
                    "200": {
                        "description": f"JSON. {described}. {NOTE}",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        }
        for p in urlpatterns
    }


def _value(shown: Shown) -> dict:
    return {"value": shown.value, "status": shown.state.status, "status_reason": str(shown.reason)}


@csrf_exempt  # read-only: any other method gets 405, not a CSRF 403
@require_GET
@public_cache
def deprivation(request: HttpRequest) -> JsonResponse:
    data = presenters.deprivation(Tier.PUBLIC)
    rows = []
    if data.grid:
        for row in [*data.grid.rows, data.grid.county]:
            cells = {str(d): c.as_dict() for d, c in zip(range(1, 11), row.cells, strict=True)}
            rows.append(
                {
                    "area_code": row.code,
                    "area_name": row.name,
                    "deciles": cells,
                    "all": row.total.as_dict(),
                }
            )
    return JsonResponse(
        {
            "period": data.pool_label,
            "decile_basis": data.basis,
            "synthetic": data.synthetic,
            "note": NOTE,
            "areas": rows,
        }
    )


@csrf_exempt  # read-only: any other method gets 405, not a CSRF 403
@require_GET
@public_cache
def reviews(request: HttpRequest) -> JsonResponse:
    data = presenters.reviews(Tier.PUBLIC)

    def row(r, reviewed=True):
        out = {
            "label": r.label,
            "numerator": _value(r.numerator),
            "percent": _value(r.percent),
            "lower_95": _value(r.lower),
            "upper_95": _value(r.upper),
        }
        out["reviews" if reviewed else "denominator"] = _value(
            r.reviewed if reviewed else r.denominator
        )
        return out

    return JsonResponse(
        {
            "area_code": data.area,
            "periods": data.periods,
            "note": NOTE,
            "synthetic": data.synthetic,
            "categories": [row(r) for r in data.categories],
            "factors": [row(r, reviewed=False) for r in data.factors],
        }
    )


@csrf_exempt  # read-only: any other method gets 405, not a CSRF 403
@require_GET
@public_cache
def measures(request: HttpRequest) -> JsonResponse:
    out = []
    for s in presenters.measures(Tier.PUBLIC):
        out.append(
            {
                "measure_code": s.code,
                "area_code": s.area,
                "target": s.target,
                "points": [
                    {
                        "period": label,
                        "period_start": r.period_start.isoformat(),
                        "percent": _value(shown),
                        "data_status": r.status,
                    }
                    for (r, shown), label in zip(s.points, s.labels, strict=True)
                ],
                "spc": {
                    "mean": s.spc.mean,
                    "lower_limit": s.spc.lpl,
                    "upper_limit": s.spc.upl,
                    "variation": s.spc.variation,
                    "assurance": s.spc.assurance,
                },
            }
        )
    return JsonResponse({"note": NOTE, "measures": out})
