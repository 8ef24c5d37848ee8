"""Trend: one line per area over period labels, the main area with its 95% intervals (pure)."""

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


def trend_chart(*, series: Sequence[TrendSeries], unit: str, title: str) -> go.Figure:
    """Draw each area's values over time; the main area carries its 95% intervals."""
    periods: list[str] = []
    for item in sorted(series, key=lambda s: not s.is_main):
        periods += [p for p in item.periods if p not in periods]

    fig = go.Figure()
    others = [s for s in series if not s.is_main]
    mains = [s for s in series if s.is_main]
    # The main area is added last so its line is drawn on top; legendrank still lists it first.
    for rank, item in enumerate([*others, *mains]):
        index = others.index(item) if not item.is_main else 0
        fig.add_trace(_trend_line(item, rank=rank, index=index, unit=unit))

    annotations = [
        _no_data_note(item, period)
        for item in mains
        for period, value in zip(item.periods, item.values, strict=True)
        if value is None
    ]
    plot_height = 330
    layout = base_layout(title=title, height=520, margin={"l": 16, "r": 20, "t": 70, "b": 120})
    layout.update(
        annotations=annotations,
        legend=bottom_legend(plot_height=plot_height, gap_px=70),
        xaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": periods,
            "title": {"text": "Period"},
            "showgrid": False,
        },
        yaxis={"title": {"text": unit}, "rangemode": "tozero"},
    )
    fig.update_layout(layout)
    return fig


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


def _no_data_note(item: TrendSeries, period: str) -> dict[str, Any]:
    """Write "No data" up the main area's missing period."""
    return {
        "x": period,
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
