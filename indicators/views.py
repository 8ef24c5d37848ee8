"""Pages: the landing overview and the data page."""

from __future__ import annotations

from django.db.models import Count, Max, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from indicators.configuration import areas_config
from indicators.models import ImportRun, Indicator, Observation


def home(request: HttpRequest) -> HttpResponse:
    """Latest published figure of each indicator for the home county, region and England."""
    config = areas_config()
    columns = [config.home, config.region, config.england]
    indicators = list(Indicator.objects.filter(is_defined=True))
    latest: dict[tuple[int, str], Observation] = {}
    observations = (
        Observation.objects.headline()
        .filter(area__code__in=[a.code for a in columns], indicator__in=indicators)
        .select_related("area")
        .order_by("period_sortable")
    )
    for observation in observations:
        if observation.sex in {"Persons", "Female", "Male"}:
            latest[(observation.indicator_id, observation.area.code)] = observation
    rows = [
        {"indicator": indicator, "cells": [latest.get((indicator.pk, a.code)) for a in columns]}
        for indicator in indicators
    ]
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
    )
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
        {"sources": sources, "runs": runs, "indicators": indicators},
    )
