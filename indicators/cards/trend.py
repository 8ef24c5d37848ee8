"""The trend card: the chosen area against England and the region over time."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from indicators import chart_text, charts
from indicators.cards.card import NO_DATA_YET, ChartCard, View, figure_dict, method_paragraphs
from indicators.cards.cells import interval_cell, interval_csv, number_cell
from indicators.configuration import areas_config
from indicators.formatting import format_number
from indicators.presenters import Figure, dashboard_areas, series


def trend_card(view: View) -> ChartCard:
    """The chosen area against England and the region over time, with its intervals."""
    indicator = view.indicator
    config = areas_config()
    names = {a.code: a.name for a in dashboard_areas(config)}
    area_code = view.area_code if view.area_code in names else config.home.code
    codes = [area_code, config.region.code, config.england.code]
    card = ChartCard(
        slug="trend",
        title=f"{indicator.short_name or indicator.name}: {names[area_code]} over time",
        columns=["Period", *[names[c] for c in codes], f"{names[area_code]} 95% interval"],
        csv_url=view.url("indicators:indicator-csv", chart="trend"),
        api_url=f"{reverse('api:observations')}?"
        + urlencode({"indicator": indicator.fingertips_id, "area": area_code}),
        permalink=view.url("indicators:indicator", "trend"),
    )
    by_area = series(indicator, codes=codes, benchmark=view.benchmark.key)
    labels = sorted({(f.period_sortable, f.period) for fs in by_area.values() for f in fs})
    if not labels:
        card.empty = NO_DATA_YET
        return card
    periods = [label for _, label in labels]
    lookup = {(c, f.period): f for c, fs in by_area.items() for f in fs}
    trend_series = [
        _trend_series(
            [lookup.get((code, p)) for p in periods],
            name=names[code],
            periods=periods,
            is_main=code == area_code,
            role=config.role(code),
        )
        for code in codes
    ]
    fig = charts.trend_chart(series=trend_series, unit=indicator.unit, title=card.title)
    card.figure = figure_dict(fig)
    card.points = sum(v is not None for s in trend_series for v in s.values)
    card.alt_text = chart_text.describe_trend(series=trend_series, unit=indicator.unit)
    _fill_table(card, periods, trend_series)
    _add_missing_periods(card, periods, len(trend_series))
    card.about = _about(view, lookup.get((area_code, periods[-1])))
    return card


def _trend_series(row: list[Figure | None], **line) -> charts.TrendSeries:
    """One area's line: its figure for each period, or None where it has none."""
    return charts.TrendSeries(
        values=[f.value if f else None for f in row],
        lowers=[f.lower_ci_95 if f else None for f in row],
        uppers=[f.upper_ci_95 if f else None for f in row],
        **line,
    )


def _fill_table(card: ChartCard, periods: list[str], trend_series: list) -> None:
    """A row per period: each area's value, and the chosen area's (the first line's) interval."""
    main = trend_series[0]
    for i, period in enumerate(periods):
        card.rows.append(
            [
                period,
                *[number_cell(s.values[i]) for s in trend_series],
                interval_cell(main.lowers[i], main.uppers[i]),
            ]
        )
        card.csv_rows.append(
            [
                period,
                *[format_number(s.values[i]) for s in trend_series],
                interval_csv(main.lowers[i], main.uppers[i]),
            ]
        )


def _add_missing_periods(card: ChartCard, periods: list[str], areas: int) -> None:
    """Rows for the periods between the first and last that have no figures (the chart shades
    them), each in its place in time order."""
    gaps = charts.missing_periods(periods)
    for gap in gaps:
        card.rows.append([gap, *["No data"] * areas, "–"])
        card.csv_rows.append([gap, *[""] * areas, ""])
    if gaps:
        card.rows.sort(key=lambda row: charts.period_position(row[0]) or 0)
        card.csv_rows.sort(key=lambda row: charts.period_position(row[0]) or 0)


def _about(view: View, latest: Figure | None) -> list[str]:
    return [
        *method_paragraphs(view.indicator, view.benchmark),
        "Recent trend (Fingertips' method, on the five latest single years): "
        + (latest.computed_trend or "Could not be calculated" if latest else "No data")
        + ".",
    ]
