"""Pages and CSV downloads of local data, disclosure-controlled by audience (thin views)."""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from indicators.caching import cached_page
from indicators.csv_safety import neutralise
from localdata import loading, presenters
from localdata.access import analyst_required, can_upload, tier_for
from localdata.disclosure import STATE_WORDS, Tier
from localdata.spc_chart import (
    ASSURANCE_WORDS,
    VARIATION_WORDS,
    assurance_icon,
    describe,
    spc_svg,
    variation_icon,
)


def local_versions(request: HttpRequest, versions, *args, **kwargs) -> dict:
    """Public pages are cached until an upload changes what they show (the latest uploads)."""
    return {"local": loading.versions()}


public_cache = cached_page(parameters=local_versions)


def _context(request: HttpRequest, tier: Tier, **extra) -> dict:
    return {
        "tier": tier,
        "states": [(s, *w) for s, w in STATE_WORDS.items()],
        "can_upload": can_upload(request.user),
        **extra,
    }


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "localdata/index.html", _context(request, tier_for(request)))


def _deprivation_page(request: HttpRequest, tier: Tier) -> HttpResponse:
    data = presenters.deprivation(tier)
    quintiles = presenters.quintile_shares(data.grid) if data.grid else {}
    return render(
        request,
        "localdata/deprivation.html",
        _context(
            request,
            tier,
            data=data,
            report=presenters.report_quintiles(),
            quintiles=quintiles,
            deciles=range(1, 11),
            synthetic=data.synthetic,
        ),
    )


@public_cache
def deprivation(request: HttpRequest) -> HttpResponse:
    """District × decile grid: tier 1 for plan roles, tier 2 for everyone else."""
    return _deprivation_page(request, tier_for(request))


@never_cache
@analyst_required
def deprivation_restricted(request: HttpRequest) -> HttpResponse:
    """The same grid unsuppressed, for analysts, under a "Restricted" banner."""
    return _deprivation_page(request, Tier.RESTRICTED)


def _csv_response(name: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return response


def deprivation_rows(data: presenters.Deprivation):
    """Every cell of the grid as a download row: value empty when withheld, with its status."""
    grid = data.grid
    if grid is None:
        return
    for row in [*grid.rows, grid.county]:
        cells = [(str(d), c) for d, c in zip(range(1, 11), row.cells, strict=True)]
        for decile, cell in [*cells, ("ALL", row.total)]:
            for measure, shown in (
                ("live_births", cell.births),
                ("infant_deaths", cell.deaths),
                ("imr_per_1000", cell.rate),
                ("imr_lower_95", cell.lower),
                ("imr_upper_95", cell.upper),
            ):
                yield [
                    data.pool_label,
                    row.code,
                    row.name,
                    decile,
                    measure,
                    "" if shown.value is None else round(shown.value, 4),
                    shown.state.status,
                    str(shown.reason),
                    "u" if shown.unreliable else "",
                ]


DEPRIVATION_HEADER = [
    "period",
    "area_code",
    "area_name",
    "imd_decile",
    "measure",
    "value",
    "status",
    "status_reason",
    "reliability",
]


@public_cache
def deprivation_csv(request: HttpRequest) -> HttpResponse:
    """Every download is tier 2, whoever asks."""
    data = presenters.deprivation(Tier.PUBLIC)
    return _csv_response("local-deprivation.csv", DEPRIVATION_HEADER, deprivation_rows(data))


@public_cache
def reviews(request: HttpRequest) -> HttpResponse:
    tier = tier_for(request)
    data = presenters.reviews(tier)
    return render(
        request,
        "localdata/reviews.html",
        _context(request, tier, data=data, synthetic=data.synthetic),
    )


@public_cache
def measures(request: HttpRequest) -> HttpResponse:
    tier = tier_for(request)
    series = presenters.measures(tier)
    charts = [
        {
            "series": s,
            "svg": spc_svg(s.spc, title=f"{s.name}, {s.area_name}", target=s.target),
            "alt": describe(s.spc, target=s.target),
            "variation": VARIATION_WORDS.get(s.spc.variation, ""),
            "variation_icon": variation_icon(s.spc),
            "assurance_icon": assurance_icon(s.spc),
            "assurance": ASSURANCE_WORDS.get(s.spc.assurance, ("", "")),
        }
        for s in series
    ]
    return render(
        request,
        "localdata/measures.html",
        _context(request, tier, charts=charts, synthetic=any(s.synthetic for s in series)),
    )


def measure_rows(series):
    for s in series:
        for (row, shown), label in zip(s.points, s.labels, strict=True):
            yield [
                s.code,
                s.area,
                label,
                row.period_start.isoformat(),
                "" if shown.value is None else round(shown.value, 4),
                shown.state.status,
                str(shown.reason),
                "" if s.target is None else s.target,
                row.status,
                row.value_note,
            ]


MEASURE_HEADER = [
    "measure_code",
    "area_code",
    "period",
    "period_start",
    "percent",
    "status",
    "status_reason",
    "target",
    "data_status",
    "value_note",
]


@public_cache
def measures_csv(request: HttpRequest) -> HttpResponse:
    return _csv_response(
        "local-measures.csv", MEASURE_HEADER, measure_rows(presenters.measures(Tier.PUBLIC))
    )
