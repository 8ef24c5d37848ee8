"""The map card: the home county's districts and neighbours coloured by comparison."""

from __future__ import annotations

import json
from functools import cache

from django.conf import settings

from indicators import chart_text, charts
from indicators.cards.card import (
    NO_DATA_YET,
    ChartCard,
    View,
    figure_dict,
    low_is_good,
    method_paragraphs,
    titled,
)
from indicators.cards.cells import interval_cell, interval_csv, number_cell
from indicators.configuration import areas_config
from indicators.formatting import format_number
from indicators.presenters import Figure, figures_for_period
from indicators.vocabulary import NOT_COMPARED

MAP_ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right 2024"
)


@cache
def _boundary_file(path: str) -> dict:
    return json.loads((settings.BASE_DIR / path).read_text(encoding="utf-8"))


@cache
def _selected_boundaries(path: str, code_property: str, codes: tuple[str, ...]) -> dict:
    """The configured areas' shapes from a UK-wide file, in the file's order (cached)."""
    whole = _boundary_file(path)
    wanted = set(codes)
    return {
        **{k: v for k, v in whole.items() if k != "features"},
        "features": [f for f in whole["features"] if f["properties"].get(code_property) in wanted],
    }


def boundaries() -> tuple[dict, str]:
    """The map's GeoJSON (the districts and neighbours) and the property holding each code."""
    config = areas_config()
    source = config.boundaries
    codes = tuple(a.code for a in config.footprint)
    geojson = _selected_boundaries(source.districts_file, source.district_code_property, codes)
    return geojson, source.district_code_property


def map_card(view: View) -> ChartCard:
    """The home county's districts and neighbours coloured by comparison."""
    indicator, benchmark = view.indicator, view.benchmark
    card = ChartCard(
        slug="map",
        title=titled(indicator, view.period_label, "map"),
        columns=["Area", "Value", "95% confidence interval", f"Compared with {benchmark.name}"],
        csv_url=view.url("indicators:indicator-csv", chart="map"),
        api_url=view.observations_api_url(),
        permalink=view.url("indicators:indicator", "map"),
    )
    if view.period is None:
        card.empty = NO_DATA_YET
        return card
    areas = _map_areas(view)
    geojson, code_property = boundaries()
    # Without polarity a comparison says nothing good or bad: the map shows the values.
    by_value = low_is_good(indicator) is None
    fig = charts.map_chart(
        geojson=geojson,
        featureidkey=f"properties.{code_property}",
        areas=areas,
        title=card.title,
        attribution=MAP_ATTRIBUTION,
        unit=indicator.unit,
        benchmark_name=benchmark.name,
        by_value=by_value,
    )
    card.figure = figure_dict(fig)
    card.points = len(areas)
    card.alt_text = chart_text.describe_map(
        areas=areas, benchmark_name=benchmark.name, unit=indicator.unit, by_value=by_value
    )
    _fill_table(card, areas)
    card.about = [*method_paragraphs(indicator, benchmark), MAP_ATTRIBUTION]
    return card


def _map_areas(view: View) -> list[charts.MapArea]:
    """Every area of the footprint, with its figure for the period where it has one."""
    footprint = list(areas_config().footprint)
    held = figures_for_period(
        view.indicator,
        view.period,
        benchmark=view.benchmark.key,
        codes=[a.code for a in footprint],
    )
    figures = {f.area_code: f for f in held}
    return [_map_area(a.code, a.name, figures.get(a.code)) for a in footprint]


def _map_area(code: str, name: str, figure: Figure | None) -> charts.MapArea:
    if figure is None:
        return charts.MapArea(
            code=code, name=name, value=None, lower=None, upper=None, comparison=NOT_COMPARED
        )
    return charts.MapArea(
        code=code,
        name=name,
        value=figure.value,
        lower=figure.lower_ci_95,
        upper=figure.upper_ci_95,
        comparison=figure.comparison or NOT_COMPARED,
    )


def _fill_table(card: ChartCard, areas: list[charts.MapArea]) -> None:
    for a in areas:
        card.rows.append(
            [
                a.name,
                number_cell(a.value),
                interval_cell(a.lower, a.upper),
                a.comparison if a.value is not None else "No data",
            ]
        )
        card.csv_rows.append(
            [
                a.name,
                format_number(a.value),
                interval_csv(a.lower, a.upper),
                a.comparison if a.value is not None else "",
            ]
        )
