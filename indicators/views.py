"""Pages: the overview, the data page and the inequalities page."""

from __future__ import annotations

import csv

from django.conf import settings
from django.db.models import Count, Max, Min, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from indicators.configuration import areas_config
from indicators.deprivation import decile_number, sii_over_deciles
from indicators.disclosure import disclose
from indicators.exporters import format_number
from indicators.models import (
    ImportRun,
    Indicator,
    InequalityDataset,
    LimitsCheck,
    Observation,
)
from indicators.narrative import describe_sii


def home(request: HttpRequest) -> HttpResponse:
    """Each indicator's latest period, for the home county beside the region and England."""
    config = areas_config()
    columns = [config.home, config.region, config.england]
    indicators = list(Indicator.objects.shown())
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
    disagreements = (
        Observation.objects.filter(limits_check=LimitsCheck.DISAGREE)
        .values("indicator__fingertips_id", "indicator__name")
        .annotate(rows=Count("pk"), first=Min("period_label"), last=Max("period_label"))
        .order_by("indicator__fingertips_id")
    )
    examples = (
        Observation.objects.filter(limits_check=LimitsCheck.DISAGREE)
        .select_related("indicator", "area")
        .order_by("indicator__fingertips_id", "-period_sortable", "area__code")[:25]
    )
    return render(
        request,
        "indicators/data.html",
        {
            "sources": sources,
            "runs": runs,
            "indicators": indicators,
            "data_in_use": ImportRun.objects.latest_success(),
            "checked": Observation.objects.exclude(limits_check="").count(),
            "disagreements": disagreements,
            "disagreement_examples": examples,
        },
    )


def inequalities(request: HttpRequest) -> HttpResponse:
    """Local deprivation breakdowns with their SII and RII, and England's published deciles."""
    threshold = settings.DISCLOSURE_THRESHOLD
    datasets = []
    for dataset in InequalityDataset.objects.select_related("indicator", "area").prefetch_related(
        "points"
    ):
        points = [
            {"point": p, "count": disclose(p.count, threshold=threshold)}
            for p in dataset.points.all()
        ]
        narrative = describe_sii(
            sii=dataset.sii,
            lower=dataset.sii_lower,
            upper=dataset.sii_upper,
            rii=dataset.rii,
            unit=dataset.indicator.unit,
        )
        datasets.append({"dataset": dataset, "points": points, "narrative": narrative})
    return render(
        request,
        "indicators/inequalities.html",
        {
            "datasets": datasets,
            "england": england_decile_gradients(),
            "threshold": threshold,
        },
    )


def inequality_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The numbers of one local dataset's table, with estimates and suppression marked."""
    dataset = get_object_or_404(InequalityDataset, slug=slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "quantile",
            "count",
            "count_state",
            "denominator",
            "denominator_is_estimate",
            "value_per_1000",
            "lower_ci_95",
            "upper_ci_95",
            "published_value",
        ]
    )
    for point in dataset.points.all():
        count = disclose(point.count, threshold=settings.DISCLOSURE_THRESHOLD)
        writer.writerow(
            [
                point.quantile,
                format_number(count.value),
                count.state,
                format_number(point.denominator),
                "estimated" if point.denominator_is_estimate else "",
                format_number(point.value),
                format_number(point.lower_ci_95),
                format_number(point.upper_ci_95),
                format_number(point.published_value),
            ]
        )
    writer.writerow([])
    writer.writerow(["sii", format_number(dataset.sii), "lower", format_number(dataset.sii_lower),
                     "upper", format_number(dataset.sii_upper)])  # fmt: skip
    writer.writerow(["rii", format_number(dataset.rii), "lower", format_number(dataset.rii_lower),
                     "upper", format_number(dataset.rii_upper)])  # fmt: skip
    writer.writerow(["note", dataset.sii_note])
    return response


def england_decile_gradients() -> list[dict]:
    """For each shown indicator, England's latest published decile breakdown and its SII."""
    rows = (
        Observation.objects.filter(
            area__code=areas_config().england.code,
            indicator__shown=True,
            category_type__icontains="deprivation deciles",
        )
        .select_related("indicator")
        .order_by("indicator__position", "-period_sortable", "category_type")
    )
    groups: dict[tuple, list[Observation]] = {}
    for row in rows:
        groups.setdefault((row.indicator_id, row.period_sortable, row.category_type), []).append(
            row
        )
    latest: dict[int, tuple] = {}
    for key in groups:  # ordered newest first within each indicator
        latest.setdefault(key[0], key)
    gradients = []
    for key in latest.values():
        observations = sorted(groups[key], key=lambda o: decile_number(o.category) or 99)
        deciles = [decile_number(o.category) for o in observations]
        result = sii_over_deciles(
            deciles=deciles,
            values=[o.value for o in observations],
            lowers=[o.lower_95 for o in observations],
            uppers=[o.upper_95 for o in observations],
            populations=[o.denominator for o in observations],
        )
        gradients.append(
            {
                "indicator": observations[0].indicator,
                "period": observations[0].period_label,
                "category_type": key[2],
                "observations": observations,
                "sii": result,
                "limits": result.limits[0] if result.calculable and result.limits else None,
            }
        )
    return gradients
