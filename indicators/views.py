"""Pages: the landing overview and the data page."""

from __future__ import annotations

from django.db.models import Count, Max, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from indicators.configuration import areas_config
from indicators.models import ImportRun, Indicator, Observation


def home(request: HttpRequest) -> HttpResponse:
    """Each indicator's latest period, for the home county beside the region and England."""
    config = areas_config()
    columns = [config.home, config.region, config.england]
    indicators = list(Indicator.objects.filter(is_defined=True))
    by_indicator: dict[int, dict[int, dict[str, Observation]]] = {}
    observations = (
        Observation.objects.headline()
        .filter(area__code__in=[a.code for a in columns], indicator__in=indicators)
        .select_related("area")
    )
    for observation in observations:
        periods = by_indicator.setdefault(observation.indicator_id, {})
        periods.setdefault(observation.period_sortable, {})[observation.area.code] = observation
    rows = []
    for indicator in indicators:
        periods = by_indicator.get(indicator.pk, {})
        latest = periods[max(periods)] if periods else {}
        period_label = next(iter(latest.values())).period_label if latest else ""
        rows.append(
            {
                "indicator": indicator,
                "period": period_label,
                "cells": [latest.get(a.code) for a in columns],
            }
        )
    return render(
        request,
        "indicators/home.html",
        {"columns": columns, "rows": rows, "last_success": ImportRun.objects.latest_success()},
    )


def data_sources(request: HttpRequest) -> HttpResponse:
    """Each source and import run: status, rows, data current at, last error."""
    latest_label = Subquery(
        Observation.objects.filter(indicator=OuterRef("pk"))
        .order_by("-period_sortable")
        .values("period_label")[:1]
    )
    indicators = Indicator.objects.annotate(
        observation_count=Count("observations"),
        latest_period=latest_label,
        data_current_at=Max("observations__import_run__data_current_at"),
    ).order_by("position", "fingertips_id")  # Meta.ordering is not applied to GROUP BY queries
    runs = list(ImportRun.objects.all()[:50])
    sources = []
    for source, label in ImportRun.Source.choices:
        of_source = [r for r in runs if r.source == source]
        if not of_source:
            continue
        last_success = next((r for r in of_source if r.status == "succeeded"), None)
        last_problem = next((r for r in of_source if r.status in {"failed", "rejected"}), None)
        sources.append(
            {
                "label": label,
                "latest": of_source[0],
                "last_success": last_success,
                # An error older than the last success is history, not the current state.
                "last_error": last_problem
                if last_problem and (not last_success or last_problem.pk > last_success.pk)
                else None,
            }
        )
    return render(
        request,
        "indicators/data.html",
        {
            "sources": sources,
            "runs": runs,
            "indicators": indicators,
            "data_in_use": ImportRun.objects.latest_success(),
        },
    )
