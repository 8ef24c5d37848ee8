"""Compare areas: ranked horizontal bars with 95% intervals and benchmark lines (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from indicators.charts.common import (
    NO_DATA,
    SECONDARY_TEXT,
    TEXT_COLOUR,
    AreaRole,
    base_layout,
    bottom_legend,
    comparison_colour,
    error_bars,
    format_interval,
    format_number,
    ordered_labels,
    series_style,
)


@dataclass(frozen=True)
class AreaBar:
    """One area's value, 95% interval and benchmark comparison in a compare-areas chart."""

    code: str
    name: str
    value: float | None
    lower: float | None
    upper: float | None
    comparison: str
    note: str = ""
    highlighted: bool = False


@dataclass(frozen=True)
class BenchmarkLine:
    """A benchmark (England, the region, …) drawn as a vertical line across the bars."""

    name: str
    value: float | None
    colour: str = ""
    role: AreaRole | None = None


def compare_areas_chart(
    *,
    bars: Sequence[AreaBar],
    benchmarks: Sequence[BenchmarkLine],
    unit: str,
    title: str,
) -> go.Figure:
    """Rank areas by value with 95% intervals, colour by comparison and mark each benchmark."""
    ranked = sorted(
        (b for b in bars if b.value is not None), key=lambda b: (-(b.value or 0), b.name)
    )
    missing = sorted((b for b in bars if b.value is None), key=lambda b: b.name)

    fig = go.Figure()
    for label in ordered_labels(b.comparison for b in ranked):
        group = [b for b in ranked if b.comparison == label]
        fig.add_trace(_comparison_bars(label, group, unit))

    x_range = _value_range(ranked, benchmarks)
    drawn_benchmarks = [line for line in benchmarks if line.value is not None]
    shapes, annotations = _benchmark_marks(drawn_benchmarks)
    annotations += [_no_data_note(bar, x_min=x_range[0]) for bar in missing]
    fig.update_layout(
        _compare_layout(
            ranked=ranked,
            missing=missing,
            shapes=shapes,
            annotations=annotations,
            x_range=x_range,
            benchmark_count=len(drawn_benchmarks),
            unit=unit,
            title=title,
        )
    )
    return fig


def _comparison_bars(label: str, group: Sequence[AreaBar], unit: str) -> go.Bar:
    """One trace per comparison label, so the legend is the key to the colours."""
    values = [b.value for b in group]
    return go.Bar(
        orientation="h",
        name=label,
        x=values,
        y=[b.code for b in group],
        marker={
            "color": comparison_colour(label),
            "line": {"color": TEXT_COLOUR, "width": 0.6},
        },
        error_x=error_bars(values, [b.lower for b in group], [b.upper for b in group]),
        customdata=[
            [b.name, format_number(b.value, unit), format_interval(b.lower, b.upper), b.note]
            for b in group
        ],
        hovertemplate=(
            "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]}"
            f"<br>Compared with benchmark: {label}"
            "<br>%{customdata[3]}<extra></extra>"
        ),
    )


def _value_range(
    ranked: Sequence[AreaBar], benchmarks: Sequence[BenchmarkLine]
) -> tuple[float, float]:
    """From zero (or the lowest limit) to a little past the highest limit or benchmark."""
    tops = [v for b in ranked for v in (b.value, b.upper) if v is not None]
    tops += [line.value for line in benchmarks if line.value is not None]
    bottoms = [v for b in ranked for v in (b.value, b.lower) if v is not None]
    x_min = min([0.0, *bottoms])
    x_max = max(tops, default=1.0) * 1.08 or 1.0
    return x_min, x_max


def _benchmark_marks(
    drawn: Sequence[BenchmarkLine],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return each benchmark's vertical line and its label above the plot."""
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for index, line in enumerate(drawn):
        colour, dash, _ = series_style(line.role, is_main=False, index=index)
        colour = line.colour or colour
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": line.value,
                "x1": line.value,
                "y0": 0,
                "y1": 1,
                "line": {"color": colour, "width": 2, "dash": dash},
                "layer": "above",
                "name": f"{line.name}: {format_number(line.value)}",
                "showlegend": True,
            }
        )
        # Stacked above the plot so two close benchmarks (England 4.2, region 4.6) stay legible.
        annotations.append(
            {
                "x": line.value,
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "yshift": 4 + 18 * (len(drawn) - 1 - index),
                "text": f"{line.name} {format_number(line.value)}",
                "showarrow": False,
                "font": {"size": 12, "color": colour},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )
    return shapes, annotations


def _no_data_note(bar: AreaBar, *, x_min: float) -> dict[str, Any]:
    """Write "No data" in the row of an area with no value."""
    return {
        "x": x_min,
        "xref": "x",
        "y": bar.code,
        "yref": "y",
        "xanchor": "left",
        "text": f"<i>{NO_DATA}</i>",
        "hovertext": f"{bar.name}: {NO_DATA.lower()}" + (f" ({bar.note})" if bar.note else ""),
        "showarrow": False,
        "font": {"size": 12, "color": SECONDARY_TEXT},
    }


def _compare_layout(
    *,
    ranked: Sequence[AreaBar],
    missing: Sequence[AreaBar],
    shapes: list[dict[str, Any]],
    annotations: list[dict[str, Any]],
    x_range: tuple[float, float],
    benchmark_count: int,
    unit: str,
    title: str,
) -> dict[str, Any]:
    """A row per area (ranked, then those with no value) under the benchmarks' labels."""
    rows = [*ranked, *missing]
    order = [b.code for b in rows]
    top_margin = 70 + 18 * benchmark_count
    plot_height = max(28 * len(order), 120)
    bottom_margin = 120
    layout = base_layout(
        title=title,
        height=plot_height + top_margin + bottom_margin,
        margin={"l": 16, "r": 20, "t": top_margin, "b": bottom_margin},
    )
    layout.update(
        barmode="overlay",
        bargap=0.3,
        shapes=shapes,
        annotations=annotations,
        legend=bottom_legend(plot_height=plot_height),
        xaxis={"title": {"text": unit}, "range": list(x_range), "showgrid": True},
        yaxis={
            # Codes keep categories unique; names (bold for the home area) are the tick text.
            "type": "category",
            "categoryorder": "array",
            "categoryarray": order,
            "tickmode": "array",
            "tickvals": order,
            "ticktext": [f"<b>{b.name}</b>" if b.highlighted else b.name for b in rows],
            "autorange": "reversed",
            "showgrid": False,
            "ticklabelstandoff": 6,
        },
    )
    if not ranked:
        # No bar to give the axis its categories: without a fixed range Plotly shows only the
        # first few of the areas, each with "No data".
        layout["yaxis"].update(autorange=False, range=[len(order) - 0.5, -0.5])
    return layout
