"""The inequalities page: local deprivation breakdowns and England's, with their SII and RII."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from indicators import presenters
from indicators.caching import cached, cached_page
from indicators.cards.card import View
from indicators.cards.deciles import missing_in
from indicators.cards.indicator_page import cached_card
from indicators.configuration import areas_config
from indicators.deprivation import describe_missing
from indicators.disclosure import as_published, withhold_beside
from indicators.england_deciles import england_decile_gradients
from indicators.exporters import write_inequality_csv
from indicators.models import InequalityDataset
from indicators.narrative import RII_DEFINITION, SII_DEFINITION, describe_sii, rii_is_meaningful


@cached_page
def inequalities(request: HttpRequest) -> HttpResponse:
    """Local deprivation breakdowns with their SII and RII, and England's published deciles."""
    datasets = []
    for dataset in InequalityDataset.objects.select_related("indicator", "area").prefetch_related(
        "points"
    ):
        points = [_disclosed_point(p) for p in dataset.points.all()]
        missing = missing_in(dataset)
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
    missing = missing_in(dataset)
    write_inequality_csv(
        response,
        dataset,
        [_disclosed_point(point) for point in dataset.points.all()],
        missing=describe_missing(missing) if missing else "",
        rii_shown=rii_is_meaningful(dataset.rii),
    )
    return response
