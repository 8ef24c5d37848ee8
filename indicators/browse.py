"""The index pages: every indicator, with what it is and whether it has data; every area by type."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from indicators.bundled import ReportFigure, report_figures
from indicators.caching import cached_page
from indicators.configuration import areas_config
from indicators.definitions import INDICATORS, REPORT_ONLY_MEASURES
from indicators.models import Area, AreaLevel, Indicator, Observation

REPORT_MEASURES = {d.fingertips_id: d.report_measure for d in INDICATORS}


@dataclass(frozen=True)
class IndicatorEntry:
    indicator: Indicator
    latest_period: str  # "" when no figures are held
    areas: int  # areas with a headline figure
    report_figure: ReportFigure | None


@cached_page
def indicator_index(request: HttpRequest) -> HttpResponse:
    """Every indicator shown: what it is, its latest period, or that it awaits data."""
    config = areas_config()
    printed = report_figures(config)
    indicators = list(Indicator.objects.shown())
    held = {
        row["indicator"]: row
        for row in Observation.objects.headline()
        .filter(indicator__in=indicators, value__isnull=False)
        .values("indicator")
        .annotate(areas=Count("area", distinct=True), latest=Max("period_sortable"))
        .order_by()
    }
    entries = [
        IndicatorEntry(
            indicator=i,
            latest_period=_latest_label(i, held),
            areas=held[i.pk]["areas"] if i.pk in held else 0,
            report_figure=printed.get(REPORT_MEASURES.get(i.fingertips_id, "")),
        )
        for i in indicators
    ]
    return render(
        request,
        "indicators/indicator_index.html",
        {
            "with_data": [e for e in entries if e.latest_period],
            "awaiting": [e for e in entries if not e.latest_period],
            "report_only": [printed[m] for m in REPORT_ONLY_MEASURES if m in printed],
            "home": config.home,
        },
    )


def _latest_label(indicator: Indicator, held: dict) -> str:
    if indicator.pk not in held:
        return ""
    latest = held[indicator.pk]["latest"]
    return (
        Observation.objects.headline()
        .filter(indicator=indicator, period_sortable=latest)
        .values_list("period_label", flat=True)
        .first()
        or ""
    )


# The order the area types are listed in, largest first.
LEVEL_ORDER = [
    AreaLevel.ENGLAND,
    AreaLevel.REGION,
    AreaLevel.COUNTY,
    AreaLevel.UNITARY,
    AreaLevel.DISTRICT,
]


@cached_page
def area_index(request: HttpRequest) -> HttpResponse:
    """Every area held, grouped by type, the configured ones marked."""
    config = areas_config()
    configured = set(config.all_codes)
    areas = Area.objects.order_by("name")
    groups = []
    for level in [*LEVEL_ORDER, *(lv for lv in AreaLevel if lv not in LEVEL_ORDER)]:
        members = [a for a in areas if a.level == level]
        if members:
            groups.append({"level": level, "label": AreaLevel(level).label, "areas": members})
    return render(
        request,
        "indicators/area_index.html",
        {"groups": groups, "configured": configured, "home": config.home},
    )
