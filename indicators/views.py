"""Pages: the overview, the data page and the inequalities page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, Max, Min, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from alerts.alerting import banner_for
from indicators import presenters, profiles, whatif_inputs
from indicators.bundled import report_figures
from indicators.caching import cached, cached_page, canonical_redirect
from indicators.cards import (
    CARD_BUILDERS,
    View,
    cached_card,
    newest_held,
    profile_card,
    profile_lines,
)
from indicators.charts import COMPARISON_ORDER
from indicators.configuration import areas_config
from indicators.definitions import INDICATORS
from indicators.deprivation import (
    decile_number,
    describe_missing,
    missing_quantiles,
    quantiles_expected,
    sii_over_deciles,
)
from indicators.disclosure import as_published, withhold_beside
from indicators.exporters import fingertips_provenance, write_inequality_csv, write_tidy_csv
from indicators.import_runs import close_stale_runs
from indicators.models import (
    Area,
    ImportRun,
    Indicator,
    InequalityDataset,
    LimitsCheck,
    Observation,
)
from indicators.narrative import (
    RII_DEFINITION,
    SII_DEFINITION,
    describe_sii,
    rii_is_meaningful,
)
from indicators.vocabulary import NOT_COMPARED


def _home_parameters(request: HttpRequest, versions) -> dict | HttpResponse:
    """The overview's one choice, the benchmark; an unknown one is dropped by a redirect."""
    given = request.GET.get("benchmark", "")
    if given and given not in {b.key for b in presenters.benchmarks()}:
        return canonical_redirect(request, {})
    return {"benchmark": presenters.benchmark_for(given).key}


@cached_page(parameters=_home_parameters)
def home(request: HttpRequest) -> HttpResponse:
    """Headline tiles for the home county and the heat map of indicators by area."""
    config = areas_config()
    benchmark = presenters.benchmark_for(request.GET.get("benchmark"))
    areas = presenters.dashboard_areas(config)
    rows = cached(
        ("overview", benchmark.key),
        lambda: presenters.overview(
            list(Indicator.objects.shown()),
            codes=[a.code for a in areas],
            home=config.home.code,
            benchmark=benchmark.key,
        ),
    )
    with_data = [r for r in rows if r.has_data]
    return render(
        request,
        "indicators/home.html",
        {
            "areas": areas,
            # Indicators with no figures yet are listed once, as awaiting data, not as rows.
            "rows": with_data,
            "awaiting": [r.indicator for r in rows if not r.has_data],
            "tiles": [r for r in with_data if r.indicator.fingertips_id in HEADLINE_INDICATORS],
            "benchmark": benchmark,
            "benchmarks": presenters.benchmarks(config),
            "home": config.home,
            "region": config.region,
            "legend": [label for label in COMPARISON_ORDER if label in LEGEND],
            "last_success": ImportRun.objects.latest_success(),
            # The newest extract date recorded; a run that records none is said so, not dated.
            "last_dated": ImportRun.objects.succeeded()
            .exclude(data_current_at=None)
            .order_by("-finished_at", "-id")
            .first(),
            "some_undated": ImportRun.objects.succeeded().filter(data_current_at=None).exists(),
        },
    )


DEFINITIONS = {d.fingertips_id: d for d in INDICATORS}
LEGEND = {"Better", "Similar", "Worse", "Higher", "Lower", NOT_COMPARED, "No data"}
# The tiles at the top of the overview, infant mortality first.
HEADLINE_INDICATORS = (92196, 20101, 93085, 20401)


def _view(request: HttpRequest, indicator: Indicator) -> View:
    """Read the analyst's choices from the query string; anything unknown falls back to defaults."""
    available = presenters.periods(indicator)
    chosen = request.GET.get("period", "") or str(presenters.opening_period(indicator))
    period = next(
        (p for p in available if str(p[0]) == chosen), available[0] if available else None
    )
    area = request.GET.get("area", "")
    return View(
        indicator=indicator,
        period=period[0] if period else None,
        period_label=period[1] if period else "",
        benchmark=presenters.benchmark_for(request.GET.get("benchmark")),
        area_code=area if area in {a.code for a in _trend_areas()} else areas_config().home.code,
    )


def _trend_areas():
    """Areas whose trend can be drawn: the districts, neighbours and the home county."""
    return presenters.dashboard_areas()[:-2]


def _shown_indicator(request: HttpRequest, fingertips_id: int, **kwargs) -> int:
    return fingertips_id


def _page_indicators(request: HttpRequest, fingertips_id: int, **kwargs) -> tuple[int, ...]:
    """The indicator a page shows and those its what-if section reads (several indicators)."""
    return (fingertips_id, *whatif_inputs.page_indicators(fingertips_id))


VIEW_PARAMETERS = ("period", "benchmark", "area")


def _view_parameters(
    request: HttpRequest, versions, fingertips_id: int, **kwargs
) -> dict | HttpResponse:
    """An indicator page's period, benchmark and trend area, checked before the cache is used.

    Each is one the page offers or absent (its default); any other value is dropped by a
    redirect to the page's canonical URL, so it never keys a cached page.
    """
    choices = presenters.cached_choices(fingertips_id, versions)
    if choices is None or not choices.shown:
        raise Http404("No such indicator")
    given = {name: request.GET.get(name, "") for name in VIEW_PARAMETERS}
    offered = {
        "period": {str(sortable) for sortable in choices.periods},
        "benchmark": {b.key for b in presenters.benchmarks()},
        "area": {a.code for a in _trend_areas()},
    }
    valid = {name: value for name, value in given.items() if not value or value in offered[name]}
    if valid != given:
        return canonical_redirect(request, valid)
    opening = choices.opening_period or next(iter(choices.periods), None)
    return {
        "period": int(given["period"]) if given["period"] else opening,
        "benchmark": presenters.benchmark_for(given["benchmark"]).key,
        "area": given["area"] or areas_config().home.code,
    }


@cached_page(indicator=_page_indicators, parameters=_view_parameters)
def indicator_detail(request: HttpRequest, fingertips_id: int) -> HttpResponse:
    """One indicator: compare areas, trend, map, inequalities, and its definition."""
    indicator = get_object_or_404(Indicator.objects.shown(), fingertips_id=fingertips_id)
    view = _view(request, indicator)
    periods = presenters.periods(indicator)
    config = areas_config()
    printed = report_figures(config).get(_report_measure(indicator))
    return render(
        request,
        "indicators/indicator.html",
        {
            "indicator": indicator,
            "view": view,
            # An indicator without figures has no charts: the page says why and what comes next.
            "cards": [cached_card(name, view) for name in CARD_BUILDERS] if periods else [],
            "periods": periods,
            "benchmarks": presenters.benchmarks(),
            "areas": _trend_areas(),
            "data_current_at": _data_current_at(indicator),
            "last_refresh": ImportRun.objects.filter(source=ImportRun.Source.API).first(),
            "report_figure": printed,
            "home": config.home,
        },
    )


def _report_measure(indicator: Indicator) -> str:
    definition = DEFINITIONS.get(indicator.fingertips_id)
    return definition.report_measure if definition else ""


@cached_page(indicator=_shown_indicator, parameters=_view_parameters)
def indicator_csv(request: HttpRequest, fingertips_id: int, chart: str) -> HttpResponse:
    """Exactly the numbers of one chart's table, at full precision."""
    indicator = get_object_or_404(Indicator.objects.shown(), fingertips_id=fingertips_id)
    if chart not in CARD_BUILDERS:
        raise Http404("No such chart")
    card = cached_card(chart, _view(request, indicator))
    return _card_csv(card, f"{indicator.fingertips_id}-{chart}", fingertips_provenance(indicator))


def _card_csv(card, name: str, provenance) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    write_tidy_csv(response, card.columns, card.csv_rows, provenance)
    return response


@cached_page
def area_profile(request: HttpRequest, code: str) -> HttpResponse:
    """A spine chart of every indicator for one area against England."""
    area = get_object_or_404(Area, code=code)
    rows, card = _profile(area)
    return render(request, "indicators/area.html", {"area": area, "card": card, "profile": rows})


@cached_page
def area_profile_csv(request: HttpRequest, code: str) -> HttpResponse:
    """The numbers of an area profile's table, at full precision."""
    area = get_object_or_404(Area, code=code)
    return _card_csv(_profile(area)[1], f"profile-{area.code}", fingertips_provenance())


def _profile(area: Area):
    def build():
        indicators = list(Indicator.objects.shown())
        rows = profiles.area_profile(area, indicators)
        newest = newest_held(indicators)
        return profile_lines(area, rows, newest), profile_card(area, rows, newest)

    return cached(("profile", area.code), build)


@dataclass(frozen=True)
class DataCurrentAt:
    """When an indicator's figures were taken from Fingertips: the newest recorded extract date
    of the runs that brought them, and whether some run recorded none."""

    latest: datetime | None
    some_not_recorded: bool


def _data_current_at(indicator: Indicator) -> DataCurrentAt | None:
    """None when no figures are held."""
    dates = set(
        ImportRun.objects.filter(observations__indicator=indicator)
        .values_list("data_current_at", flat=True)
        .distinct()
    )
    if not dates:
        return None
    recorded = [d for d in dates if d is not None]
    return DataCurrentAt(max(recorded) if recorded else None, None in dates)


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


def data_sources(request: HttpRequest) -> HttpResponse:
    """Each source and import run: status, rows, data current at, last error."""
    latest_label = Subquery(
        Observation.objects.filter(indicator=OuterRef("pk"))
        .order_by("-period_sortable")
        .values("period_label")[:1]
    )
    undated = Observation.objects.filter(
        indicator=OuterRef("pk"), import_run__data_current_at__isnull=True
    )
    indicators = (
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
    # A run whose worker stopped without closing it is shown as failed, not "Running" for ever.
    close_stale_runs()
    runs = list(ImportRun.objects.all()[:50])
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
    disagreements = (
        Observation.objects.filter(limits_check=LimitsCheck.DISAGREE)
        .values("indicator__fingertips_id", "indicator__name")
        .annotate(rows=Count("pk"), first=Min("period_label"), last=Max("period_label"))
        .order_by("indicator__fingertips_id")
    )
    # Examples from the areas this dashboard shows; comparator councils' rows are counted above.
    examples = (
        Observation.objects.filter(
            limits_check=LimitsCheck.DISAGREE, area__code__in=areas_config().all_codes
        )
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
            # Administrators only: open alerts (a failed refresh, overdue figures, email).
            "alert_banner": banner_for(request.user),
        },
    )


@cached_page
def inequalities(request: HttpRequest) -> HttpResponse:
    """Local deprivation breakdowns with their SII and RII, and England's published deciles."""
    datasets = []
    for dataset in InequalityDataset.objects.select_related("indicator", "area").prefetch_related(
        "points"
    ):
        points = [_disclosed_point(p) for p in dataset.points.all()]
        missing = _missing_quantiles(dataset)
        narrative = describe_sii(
            sii=None if missing else dataset.sii,
            lower=dataset.sii_lower,
            upper=dataset.sii_upper,
            rii=dataset.rii,
            unit=dataset.indicator.unit,
            reason=describe_missing(missing) if missing else "",
        )
        datasets.append(
            {
                "dataset": dataset,
                # The decile chart with intervals and the fitted SII line, as on its page.
                "card": cached_card("inequalities", _dataset_view(dataset)),
                "points": points,
                "narrative": narrative,
                "calculable": dataset.sii is not None and not missing,
                "rii_meaningful": rii_is_meaningful(dataset.rii),
            }
        )
    return render(
        request,
        "indicators/inequalities.html",
        {
            "datasets": datasets,
            "england": cached(("england-deciles",), england_decile_gradients),
            "sii_definition": SII_DEFINITION,
            "rii_definition": RII_DEFINITION,
        },
    )


def _dataset_view(dataset: InequalityDataset) -> View:
    return View(
        indicator=dataset.indicator,
        period=None,
        period_label="",
        benchmark=presenters.benchmark_for(None),
        area_code=areas_config().home.code,
    )


def _missing_quantiles(dataset: InequalityDataset) -> list[int]:
    """The dataset's quantiles with no value; its stored SII is not shown when there are any."""
    points = list(dataset.points.all())
    return missing_quantiles(
        [p.quantile for p in points],
        [p.value for p in points],
        quantiles_expected(dataset.quantile_type),
    )


def _disclosed_point(point) -> dict:
    """A quantile's row of the report's printed table, shown as published (it is public)."""
    count = as_published(point.count)
    beside = withhold_beside(
        count.state,
        value=point.value,
        lower=point.lower_ci_95,
        upper=point.upper_ci_95,
        denominator=point.denominator,
        published_value=point.published_value,
    )
    return {"point": point, "count": count, **beside}


@cached_page
def inequality_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """One local dataset's table as a tidy CSV (exporters.write_inequality_csv)."""
    dataset = get_object_or_404(InequalityDataset, slug=slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
    missing = _missing_quantiles(dataset)
    write_inequality_csv(
        response,
        dataset,
        [_disclosed_point(point) for point in dataset.points.all()],
        missing=describe_missing(missing) if missing else "",
        rii_shown=rii_is_meaningful(dataset.rii),
    )
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
        # One sex and age per breakdown: Persons where published (ordered first below).
        key = (row.indicator_id, row.period_sortable, row.category_type, row.sex, row.age)
        groups.setdefault(key, []).append(row)
    first_seen = {key[0]: n for n, key in reversed(list(enumerate(groups)))}
    groups = dict(
        sorted(
            groups.items(),
            key=lambda item: (first_seen[item[0][0]], -item[0][1], item[0][3] != "Persons"),
        )
    )

    latest: dict[int, tuple] = {}
    for key, members in groups.items():  # ordered newest first within each indicator
        # A breakdown published without a single value (withheld) is not the latest figure.
        if any(o.value is not None for o in members):
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
        limits = result.limits[0] if result.calculable and result.limits else None
        gradients.append(
            {
                "narrative": describe_sii(
                    sii=result.sii if result.calculable else None,
                    lower=limits.sii_lower if limits else None,
                    upper=limits.sii_upper if limits else None,
                    rii=result.rii if result.calculable else None,
                    unit=observations[0].indicator.unit,
                    reason=result.reason,
                ),
                "rii_meaningful": rii_is_meaningful(result.rii),
                "indicator": observations[0].indicator,
                "period": observations[0].period_label,
                "category_type": key[2],
                "observations": observations,
                "sii": result,
                "limits": result.limits[0] if result.calculable and result.limits else None,
            }
        )
    return gradients
