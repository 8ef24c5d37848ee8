"""The data sources page: each source and import run, what is held, and the limits checked."""

from __future__ import annotations

from django.db.models import Count, Exists, Max, Min, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alerts.alerting import banner_for
from indicators.configuration import areas_config
from indicators.import_runs import close_stale_runs
from indicators.models import ImportRun, Indicator, LimitsCheck, Observation


def data_sources(request: HttpRequest) -> HttpResponse:
    """Each source and import run: status, rows, data current at, last error."""
    # A run whose worker stopped without closing it is shown as failed, not "Running" for ever.
    close_stale_runs()
    runs = list(ImportRun.objects.all()[:50])
    return render(
        request,
        "indicators/data.html",
        {
            "sources": _sources(runs),
            "runs": runs,
            "indicators": _indicators_held(),
            "data_in_use": ImportRun.objects.latest_success(),
            "checked": Observation.objects.exclude(limits_check="").count(),
            "disagreements": _limits_disagreements(),
            "disagreement_examples": _disagreement_examples(),
            # Administrators only: open alerts (a failed refresh, overdue figures, email).
            "alert_banner": banner_for(request.user),
        },
    )


def _indicators_held() -> QuerySet[Indicator]:
    """Each indicator with its count of figures, latest period and newest extract date."""
    latest_label = Subquery(
        Observation.objects.filter(indicator=OuterRef("pk"))
        .order_by("-period_sortable")
        .values("period_label")[:1]
    )
    undated = Observation.objects.filter(
        indicator=OuterRef("pk"), import_run__data_current_at__isnull=True
    )
    return (
        Indicator.objects.annotate(
            observation_count=Count("observations"),
            latest_period=latest_label,
            data_current_at=Max("observations__import_run__data_current_at"),
            undated_runs=Exists(undated.exclude(import_run=None)),
        )
        # An indicator no longer declared and without figures is not the product's data.
        .exclude(is_defined=False, observation_count=0)
        .order_by("position", "fingertips_id")  # Meta.ordering is not applied to GROUP BY
    )


def _sources(runs: list[ImportRun]) -> list[dict]:
    """Per source with a run among `runs` (newest first): its latest run, last success, the
    error that stands, and the figures held from it."""
    sources = []
    held_by_date = _held_by_extract_date()
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
                # The figures held from this source, by their run's extract date (newest first,
                # undated last): a source loaded from several files can have both.
                "held_by_date": held_by_date.get(source, []),
                "last_success": last_success,
                # An error older than the last success is history, not the current state.
                "last_error": last_problem
                if last_problem and (not last_success or last_problem.pk > last_success.pk)
                else None,
            }
        )
    return sources


def _held_by_extract_date() -> dict[str, list[dict]]:
    """Per source, the figures held from it by their run's extract date (newest first, undated
    last): a source loaded from several files can have both. One query for every source."""
    held = (
        Observation.objects.exclude(import_run=None)
        .values("import_run__source", "import_run__data_current_at")
        .annotate(figures=Count("pk"))
    )
    by_source: dict[str, list[dict]] = {}
    for h in held:
        by_source.setdefault(h["import_run__source"], []).append(
            {"date": h["import_run__data_current_at"], "figures": h["figures"]}
        )
    for rows in by_source.values():
        rows.sort(key=lambda r: -r["date"].timestamp() if r["date"] else float("inf"))
    return by_source


def _limits_disagreements() -> QuerySet:
    """Per indicator, the figures whose published limits disagree with those calculated here."""
    return (
        Observation.objects.filter(limits_check=LimitsCheck.DISAGREE)
        .values("indicator__fingertips_id", "indicator__name")
        .annotate(rows=Count("pk"), first=Min("period_label"), last=Max("period_label"))
        .order_by("indicator__fingertips_id")
    )


def _disagreement_examples() -> QuerySet[Observation]:
    # Examples from the areas this dashboard shows; comparator councils' rows are counted above.
    return (
        Observation.objects.filter(
            limits_check=LimitsCheck.DISAGREE, area__code__in=areas_config().all_codes
        )
        .select_related("indicator", "area")
        # The rest of the natural key settles ties (England's decile rows share area and
        # period), so the same 25 are shown whatever plan the database picks.
        .order_by(
            "indicator__fingertips_id",
            "-period_sortable",
            "area__code",
            "sex",
            "age",
            "category_type",
            "category",
        )[:25]
    )
