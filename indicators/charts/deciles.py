"""Deprivation deciles: bars with 95% intervals and an optional fitted SII line (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import plotly.graph_objects as go

from indicators.charts.common import (
    BAR_COLOUR,
    MAIN_AREA_COLOUR,
    NO_DATA,
    SECONDARY_TEXT,
    TEXT_COLOUR,
    base_layout,
    bottom_legend,
    error_bars,
    format_interval,
    format_number,
)

DECILE_AXIS_TITLE: Final = "IMD decile (1 = most deprived)"


@dataclass(frozen=True)
class DecileBar:
    """One deprivation decile's value (1 = most deprived) with its 95% interval."""

    decile: int
    value: float | None
    lower: float | None
    upper: float | None
    count: int | None = None
    estimated_denominator: bool = False


def deciles_chart(
    *,
    deciles: Sequence[DecileBar],
    unit: str,
    title: str,
    sii_line: tuple[float, float] | None = None,
) -> go.Figure:
    """Show each deprivation decile's value with its interval and the fitted SII line."""
    ordered = sorted(deciles, key=lambda d: d.decile)
    drawn = [d for d in ordered if d.value is not None]
    fig = go.Figure()
    for estimated in (False, True):
        group = [d for d in drawn if d.estimated_denominator is estimated]
        if group:
            fig.add_trace(_decile_bars(group, estimated=estimated, unit=unit))
    if sii_line is not None:
        fig.add_trace(_sii_line(*sii_line, unit=unit))
    annotations = [_no_data_note(d) for d in ordered if d.value is None]
    fig.update_layout(_deciles_layout(annotations=annotations, unit=unit, title=title))
    return fig


def _decile_bars(group: Sequence[DecileBar], *, estimated: bool, unit: str) -> go.Bar:
    """The deciles with counted births, or (hatched) those whose births are estimated."""
    values = [d.value for d in group]
    return go.Bar(
        name="Births estimated (hatched)" if estimated else unit or "Value",
        x=[d.decile for d in group],
        y=values,
        marker={
            "color": BAR_COLOUR,
            "line": {"color": TEXT_COLOUR, "width": 0.6},
            # Hatching says "estimate" without relying on colour.
            "pattern": {
                "shape": "/" if estimated else "",
                "bgcolor": BAR_COLOUR,
                "fgcolor": "#ffffff",
                "size": 8,
                "solidity": 0.25,
            },
        },
        error_y=error_bars(values, [d.lower for d in group], [d.upper for d in group]),
        customdata=[
            [
                format_number(d.value, unit),
                format_interval(d.lower, d.upper),
                "" if d.count is None else f"<br>{d.count:,} infant deaths",
                "<br>Denominator: estimated births" if estimated else "",
            ]
            for d in group
        ],
        hovertemplate=(
            "<b>Decile %{x}</b><br>%{customdata[0]}<br>%{customdata[1]}"
            "%{customdata[2]}%{customdata[3]}<extra></extra>"
        ),
    )


def _sii_line(most: float, least: float, *, unit: str) -> go.Scatter:
    # The SII line runs over the population rank 0 (most deprived) to 1 (least), which is
    # the outer edge of decile 1 to the outer edge of decile 10 on this axis.
    return go.Scatter(
        name="Fitted line (slope index of inequality)",
        x=[0.5, 10.5],
        y=[most, least],
        mode="lines",
        line={"color": MAIN_AREA_COLOUR, "width": 2.5, "dash": "dash"},
        hovertemplate=(
            f"Fitted line: {format_number(most, unit)} at the most deprived end, "
            f"{format_number(least, unit)} at the least deprived end<extra></extra>"
        ),
    )


def _no_data_note(decile: DecileBar) -> dict[str, Any]:
    """Write "No data" up the empty decile's column."""
    return {
        "x": decile.decile,
        "xref": "x",
        "y": 0,
        "yref": "paper",
        "yanchor": "bottom",
        "text": f"<i>{NO_DATA}</i>",
        "textangle": -90,
        "hovertext": f"Decile {decile.decile}: {NO_DATA.lower()}",
        "showarrow": False,
        "font": {"size": 12, "color": SECONDARY_TEXT},
    }


def _deciles_layout(*, annotations: list[dict[str, Any]], unit: str, title: str) -> dict[str, Any]:
    """Deciles 1 to 10 with their ends named, the value axis from zero."""
    ticks = list(range(1, 11))
    tick_text = [str(n) for n in ticks]
    tick_text[0], tick_text[-1] = "1<br>most<br>deprived", "10<br>least<br>deprived"
    plot_height = 320
    layout = base_layout(title=title, height=560, margin={"l": 16, "r": 20, "t": 70, "b": 170})
    layout.update(
        annotations=annotations,
        bargap=0.25,
        barmode="overlay",
        legend=bottom_legend(plot_height=plot_height, gap_px=110),
        xaxis={
            "title": {"text": DECILE_AXIS_TITLE},
            "tickmode": "array",
            "tickvals": ticks,
            "ticktext": tick_text,
            "range": [0.4, 10.6],
            "showgrid": False,
        },
        yaxis={"title": {"text": unit}, "rangemode": "tozero"},
    )
    return layout
