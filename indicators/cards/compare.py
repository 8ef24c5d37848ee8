"""The compare-areas card: ranked bars with 95% intervals, coloured by comparison."""

from __future__ import annotations

from indicators import chart_text, charts
from indicators.cards.card import (
    NO_DATA_YET,
    ChartCard,
    View,
    figure_dict,
    method_paragraphs,
    titled,
)
from indicators.cards.cells import (
    count_cell,
    count_csv,
    figure_note,
    interval_cell,
    limits_csv,
    value_cell,
)
from indicators.configuration import AreasConfig, areas_config
from indicators.formatting import format_number
from indicators.presenters import Benchmark, Figure, dashboard_areas, figures_for_period
from indicators.vocabulary import NOT_COMPARED


def compare_card(view: View) -> ChartCard:
    """Ranked bars with 95% intervals, coloured by comparison with the chosen benchmark."""
    indicator, benchmark = view.indicator, view.benchmark
    card = ChartCard(
        slug="compare",
        title=titled(indicator, view.period_label, "compare areas"),
        columns=[
            "Area",
            "Value",
            "95% confidence interval",
            "Count",
            f"Compared with {benchmark.name}",
            "Note",
        ],
        csv_url=view.url("indicators:indicator-csv", chart="compare"),
        api_url=view.observations_api_url(),
        permalink=view.url("indicators:indicator", "compare"),
    )
    if view.period is None:
        card.empty = NO_DATA_YET
        return card
    config = areas_config()
    figures, missing = _held_and_missing(view, config)
    bars = _bars(figures, missing, config)
    fig = charts.compare_areas_chart(
        bars=bars,
        benchmarks=_benchmark_lines(figures, config),
        unit=indicator.unit,
        title=card.title,
    )
    card.figure = figure_dict(fig)
    card.points = sum(1 for b in bars if b.value is not None)
    card.alt_text = chart_text.describe_compare_areas(
        bars=bars, benchmark_name=benchmark.name, unit=indicator.unit, title=card.title
    )
    _fill_table(card, view, figures, missing)
    card.about = method_paragraphs(indicator, benchmark)
    return card


def _held_and_missing(view: View, config: AreasConfig) -> tuple[list[Figure], list[Benchmark]]:
    """The period's figures for the dashboard's areas, and the areas (not England or the
    region) that have none."""
    areas = dashboard_areas(config)
    figures = figures_for_period(
        view.indicator, view.period, benchmark=view.benchmark.key, codes=[a.code for a in areas]
    )
    held = {f.area_code for f in figures}
    benchmarks = {config.england.code, config.region.code}
    missing = [a for a in areas if a.code not in held and a.code not in benchmarks]
    return figures, missing


def _bars(figures: list[Figure], missing: list[Benchmark], config: AreasConfig):
    """A bar per area with a figure (England and the region are lines), then one per area
    without."""
    benchmarks = {config.england.code, config.region.code}
    return [
        charts.AreaBar(
            code=f.area_code,
            name=f.area_name,
            value=f.value,
            lower=f.lower_ci_95,
            upper=f.upper_ci_95,
            comparison=f.comparison or NOT_COMPARED,
            note=figure_note(f),
            highlighted=f.area_code == config.home.code,
        )
        for f in figures
        if f.area_code not in benchmarks
    ] + [charts.AreaBar(a.code, a.name, None, None, None, NOT_COMPARED) for a in missing]


def _benchmark_lines(figures: list[Figure], config: AreasConfig):
    by_code = {f.area_code: f for f in figures}
    return [
        charts.BenchmarkLine(name=area.name, value=by_code[area.code].value, role=role)
        for area, role in (
            (config.england, charts.AreaRole.ENGLAND),
            (config.region, charts.AreaRole.REGION),
        )
        if area.code in by_code
    ]


def _fill_table(
    card: ChartCard, view: View, figures: list[Figure], missing: list[Benchmark]
) -> None:
    """Every figure held, highest value first, then the areas without one."""
    ranked = sorted(figures, key=lambda f: (f.value is None, -(f.value or 0)))
    for f in ranked:
        comparison = f.comparison if f.area_code != view.benchmark.code else "Benchmark"
        if f.value is None:
            comparison = "No value to compare"
        shown = [value_cell(f), interval_cell(f.lower_ci_95, f.upper_ci_95), count_cell(f)]
        exact = [format_number(f.value), limits_csv(f), count_csv(f)]
        card.rows.append([f.area_name, *shown, comparison or NOT_COMPARED, figure_note(f)])
        card.csv_rows.append([f.area_name, *exact, comparison or NOT_COMPARED, figure_note(f)])
    for a in missing:
        note = f"No data for {view.period_label}"
        card.rows.append([a.name, "No data", "–", "–", NOT_COMPARED, note])
        card.csv_rows.append([a.name, "", "", "", NOT_COMPARED, note])
