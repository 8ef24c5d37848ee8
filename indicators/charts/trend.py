"""Trend: one line per area over time, the main area with its 95% intervals (pure).

Periods sit at their real place in time (the end of each period), so unequal steps look
unequal; a period of the same cadence that has no figures breaks every line and is shaded
"No data", and `missing_periods` names such periods for the table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from indicators.charts.common import (
    NO_DATA,
    SECONDARY_TEXT,
    AreaRole,
    base_layout,
    bottom_legend,
    error_bars,
    format_interval,
    format_number,
    series_style,
)
from indicators.periods import PeriodError, last_day, parse_period


@dataclass(frozen=True)
class TrendSeries:
    """One area's values by period label, with 95% limits where known."""

    name: str
    periods: Sequence[str]
    values: Sequence[float | None]
    lowers: Sequence[float | None] = ()
    uppers: Sequence[float | None] = ()
    is_main: bool = False
    role: AreaRole | None = None

    def __post_init__(self) -> None:
        if len(self.values) != len(self.periods):
            raise ValueError(
                f"{self.name}: {len(self.values)} values for {len(self.periods)} periods"
            )
        for label, limits in (("lowers", self.lowers), ("uppers", self.uppers)):
            if limits and len(limits) != len(self.periods):
                raise ValueError(
                    f"{self.name}: {len(limits)} {label} for {len(self.periods)} periods"
                )


def period_position(label: str) -> float | None:
    """Where a period sits on a time axis: its last day, as a fractional year."""
    try:
        end = last_day(label)
    except PeriodError:
        return None
    if end is None:
        return None
    return end.year + (end.timetuple().tm_yday - 1) / 365.25


def missing_periods(labels: Sequence[str]) -> list[str]:
    """Periods of the same yearly cadence between the first and last that are not in `labels`.

    Works for single years ("2019"), rolling multi-year periods ("2016 - 18") and financial
    years ("2019/20"); other kinds (quarters, months) give no gaps rather than a wrong guess.
    """
    try:
        parsed = [parse_period(label) for label in labels]
    except PeriodError:
        return []
    if not parsed or len({(p.kind, p.end_year - p.start_year) for p in parsed}) != 1:
        return []
    template = parsed[0]
    present = {p.start_year for p in parsed}
    missing = []
    for start in range(min(present) + 1, max(present)):
        label = _label_like(template, start)
        if label is None:
            return []
        if start not in present:
            missing.append(label)
    return missing


def _label_like(template, start: int) -> str | None:
    span = template.end_year - template.start_year
    if template.kind == "calendar" and template.quarter is None and template.month is None:
        return str(start) if span == 0 else f"{start} - {(start + span) % 100:02d}"
    if template.kind == "financial" and span == 0:
        return f"{start}/{(start + 1) % 100:02d}"
    return None


def trend_chart(*, series: Sequence[TrendSeries], unit: str, title: str) -> go.Figure:
    """Draw each area's values over time; the main area carries its 95% intervals."""
    periods: list[str] = []
    for item in sorted(series, key=lambda s: not s.is_main):
        periods += [p for p in item.periods if p not in periods]
    positions = {p: period_position(p) for p in periods}
    timed = all(v is not None for v in positions.values())
    gaps = missing_periods(periods) if timed else []
    positions.update({p: period_position(p) for p in gaps})

    fig = go.Figure()
    others = [s for s in series if not s.is_main]
    mains = [s for s in series if s.is_main]
    # The main area is added last so its line is drawn on top; legendrank still lists it first.
    for rank, item in enumerate([*others, *mains]):
        index = others.index(item) if not item.is_main else 0
        line = _trend_line(item, rank=rank, index=index, unit=unit)
        if timed:
            _place_in_time(line, positions, gaps)
        fig.add_trace(line)

    annotations = [
        _no_data_note(item, period, positions[period] if timed else period)
        for item in mains
        for period, value in zip(item.periods, item.values, strict=True)
        if value is None
    ]
    plot_height = 330
    layout = base_layout(title=title, height=520, margin={"l": 16, "r": 20, "t": 70, "b": 120})
    layout.update(
        annotations=annotations + [_gap_note(positions[p], p) for p in gaps],
        shapes=[_gap_band(positions[p]) for p in gaps],
        legend=bottom_legend(plot_height=plot_height, gap_px=70),
        xaxis=_time_axis(periods, positions) if timed else _category_axis(periods),
        yaxis={"title": {"text": unit}, "rangemode": "tozero"},
    )
    fig.update_layout(layout)
    return fig


def _category_axis(periods: list[str]) -> dict[str, Any]:
    return {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": periods,
        "title": {"text": "Period"},
        "showgrid": False,
    }


def _time_axis(periods: list[str], positions: dict[str, float | None]) -> dict[str, Any]:
    """A linear axis in years, ticked at the periods held and labelled with their labels."""
    ordered = sorted(periods, key=lambda p: positions[p])
    first, last = positions[ordered[0]], positions[ordered[-1]]
    pad = max(0.5, (last - first) * 0.04)
    return {
        "type": "linear",
        "tickmode": "array",
        "tickvals": [positions[p] for p in ordered],
        "ticktext": ordered,
        "range": [first - pad, last + pad],
        "title": {"text": "Period (placed at each period's end, to scale)"},
        "showgrid": False,
        "zeroline": False,
    }


def _place_in_time(line: go.Scatter, positions: dict, gaps: list[str]) -> None:
    """Put a line's points at their time and break it at every missing period."""
    points = {
        positions[p]: (p, y, c) for p, y, c in zip(line.x, line.y, line.customdata, strict=True)
    }
    for gap in gaps:
        points.setdefault(positions[gap], (gap, None, [NO_DATA, ""]))
    ordered = sorted(points.items())
    error = (
        line.error_y.to_plotly_json() if line.error_y and line.error_y.array is not None else None
    )
    if error:
        by_period = dict(
            zip(line.x, zip(error["array"], error["arrayminus"], strict=True), strict=True)
        )
        error["array"] = [by_period.get(p, (None, None))[0] for _, (p, _, _) in ordered]
        error["arrayminus"] = [by_period.get(p, (None, None))[1] for _, (p, _, _) in ordered]
        line.error_y = error
    line.x = [x for x, _ in ordered]
    line.y = [y for _, (_, y, _) in ordered]
    line.customdata = [[*c, p] for _, (p, _, c) in ordered]
    line.text = [p for _, (p, _, _) in ordered]
    line.hovertemplate = line.hovertemplate.replace("%{x}", "%{text}")


def _gap_band(position: float) -> dict[str, Any]:
    return {
        "type": "rect",
        "xref": "x",
        "yref": "paper",
        "x0": position - 0.5,
        "x1": position + 0.5,
        "y0": 0,
        "y1": 1,
        "fillcolor": "#f3f2f1",
        "line": {"width": 0},
        "layer": "below",
    }


def _gap_note(position: float, period: str) -> dict[str, Any]:
    return {
        "x": position,
        "xref": "x",
        "y": 0,
        "yref": "paper",
        "yanchor": "bottom",
        "text": f"<i>{NO_DATA}</i>",
        "textangle": -90,
        "hovertext": f"{period}: no figures published",
        "showarrow": False,
        "font": {"size": 11, "color": SECONDARY_TEXT},
    }


def _trend_line(item: TrendSeries, *, rank: int, index: int, unit: str) -> go.Scatter:
    """One area's line, styled by its role; only the main area's has error bars."""
    colour, dash, symbol = series_style(item.role, is_main=item.is_main, index=index)
    lowers = list(item.lowers) or [None] * len(item.periods)
    uppers = list(item.uppers) or [None] * len(item.periods)
    trace: dict[str, Any] = {
        "name": item.name,
        "x": list(item.periods),
        "y": list(item.values),
        "mode": "lines+markers",
        "connectgaps": False,
        "line": {"color": colour, "dash": dash, "width": 3 if item.is_main else 2},
        "marker": {"color": colour, "symbol": symbol, "size": 8 if item.is_main else 6},
        "legendrank": 1 if item.is_main else 10 + rank,
        "customdata": [
            [format_number(v, unit), format_interval(lo, up)]
            for v, lo, up in zip(item.values, lowers, uppers, strict=True)
        ],
        "hovertemplate": (
            "<b>%{fullData.name}</b><br>%{x}: %{customdata[0]}"
            + ("<br>%{customdata[1]}" if item.is_main else "")
            + "<extra></extra>"
        ),
    }
    if item.is_main:
        trace["error_y"] = error_bars(item.values, lowers, uppers, colour=colour)
    return go.Scatter(**trace)


def _no_data_note(item: TrendSeries, period: str, x: float | str) -> dict[str, Any]:
    """Write "No data" up the main area's missing period."""
    return {
        "x": x,
        "xref": "x",
        "y": 0,
        "yref": "paper",
        "yanchor": "bottom",
        "text": f"<i>{NO_DATA}</i>",
        "textangle": -90,
        "hovertext": f"{item.name}, {period}: {NO_DATA.lower()}",
        "showarrow": False,
        "font": {"size": 11, "color": SECONDARY_TEXT},
    }
