"""Pages: the overview, an indicator's page and an area's profile (with their CSVs).

The data sources page is `data_views`, the inequalities page `inequality_views`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from indicators import presenters, profiles, whatif_inputs
from indicators.bundled import report_figures
from indicators.caching import cached, cached_page, canonical_redirect
from indicators.cards.card import View
from indicators.cards.indicator_page import CARD_BUILDERS, cached_card
from indicators.cards.profile import newest_held, profile_card, profile_lines
from indicators.charts import COMPARISON_ORDER
from indicators.configuration import areas_config
from indicators.definitions import INDICATORS
from indicators.exporters import fingertips_provenance, write_tidy_csv
from indicators.models import Area, ImportRun, Indicator
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
