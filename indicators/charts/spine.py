"""Spine chart: the Fingertips area profile, each row scaled so England is at the centre (pure)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import plotly.graph_objects as go

from indicators.charts.common import (
    NO_DATA,
    SECONDARY_TEXT,
    TEXT_COLOUR,
    base_layout,
    bottom_legend,
    comparison_colour,
    format_number,
    ordered_labels,
)

_RANGE_COLOUR: Final = "#D9D9D9"
_QUARTILE_COLOUR: Final = "#8F8F8F"
_SPINE_HALF_HEIGHT: Final = 0.32


@dataclass(frozen=True)
class SpineRow:
    """One indicator's row in an area profile: the area, England and the range of areas."""

    indicator: str
    area_value: float | None
    england_value: float | None
    worst: float | None
    best: float | None
    q25: float | None
    q75: float | None
    comparison: str
    polarity_low_is_good: bool | None


# An area's marker, by row: (row index, position on the row, the row).
_Point = tuple[int, float, SpineRow]


def spine_position(
    *,
    value: float | None,
    england: float | None,
    worst: float | None,
    best: float | None,
    low_is_good: bool | None,
) -> float | None:
    """Place a value on a 0-1 row with England at 0.5 and worst (or lowest) to the left."""
    if value is None or england is None:
        return None
    ends = [v for v in (worst, best, value) if v is not None]
    # Fingertips scales each row so the end furthest from England touches the edge.
    reach = max(abs(v - england) for v in ends)
    if reach == 0:
        return 0.5
    direction = -1.0 if low_is_good else 1.0
    return 0.5 + direction * (value - england) / (2 * reach)


def spine_chart(*, rows: Sequence[SpineRow], title: str) -> go.Figure:
    """Draw the Fingertips spine: each row scaled so England is centre, worst left, best right."""
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    points: dict[str, list[_Point]] = {}
    for index, row in enumerate(rows):
        shapes += _row_bands(row, index, drawn=shapes)
        position = _place(row, row.area_value)
        if position is not None:
            points.setdefault(row.comparison, []).append((index, position, row))
        else:
            annotations.append(_not_shown_note(row, index))
        annotations.append(_value_cell(row, index))

    fig = go.Figure()
    for label in ordered_labels(points):
        fig.add_trace(_area_markers(label, points[label]))
    shapes.append(_england_line(len(rows)))
    annotations += _column_headings(*end_headings(rows))
    layout = _spine_layout(rows, shapes=shapes, annotations=annotations, title=title)
    layout["meta"] = {"narrow": _narrow_layout(rows, annotations)}
    fig.update_layout(layout)
    return fig


# Below this width (a phone) static/js/charts.js draws the spine with `meta.narrow` applied.
NARROW_WIDTH: Final = 600


def _narrow_layout(rows: Sequence[SpineRow], annotations: list[dict[str, Any]]) -> dict[str, Any]:
    """A phone's spine: indicator names wrapped short in smaller type, a narrow value column
    with smaller numbers, so names, spine and values fit 320-375 px without scrolling."""
    small = []
    for note in annotations:
        note = dict(note)
        if note.get("xref") == "paper" and note.get("x") == 1.0:  # the value column
            note["xshift"] = 4
            note["font"] = {**note.get("font", {}), "size": 10 if note["yref"] == "paper" else 11}
            # "No data" is written on the row itself; the narrow column shows a dash.
            note["text"] = note["text"].replace(NO_DATA, "–")
        elif note.get("yref") == "paper":  # the headings over the spine
            note["font"] = {**note.get("font", {}), "size": 10}
            if note.get("text") == "<b>England</b>":  # above the two-line end headings
                note["yshift"] = 28
        small.append(note)
    names = ["<br>".join(textwrap.wrap(row.indicator, 16)) for row in rows]
    # Rows as tall as their wrapped names need (about 14 px a line at 11 px type).
    row_height = max(48, 14 * max((name.count("<br>") + 1 for name in names), default=1) + 8)
    plot_height = max(row_height * len(rows), 120)
    return {
        "width_below": NARROW_WIDTH,
        "height": plot_height + 80 + 110,
        "legend": bottom_legend(plot_height=plot_height, gap_px=20),
        "margin": {"l": 4, "r": 76, "t": 80, "b": 110},
        "annotations": small,
        "yaxis": {
            "ticktext": names,
            "tickfont": {"size": 11},
        },
    }


def _place(row: SpineRow, value: float | None) -> float | None:
    return spine_position(
        value=value,
        england=row.england_value,
        worst=row.worst,
        best=row.best,
        low_is_good=row.polarity_low_is_good,
    )


def _row_bands(
    row: SpineRow, index: int, *, drawn: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The row's grey range of areas and darker interquartile band, each in the legend once."""
    bands = []
    for ends, colour, name, group in (
        ((row.worst, row.best), _RANGE_COLOUR, "Range of areas", "range"),
        ((row.q25, row.q75), _QUARTILE_COLOUR, "25th to 75th percentile", "quartiles"),
    ):
        low, high = (_place(row, end) for end in ends)
        if low is None or high is None:
            continue
        bands.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "y",
                "x0": min(low, high),
                "x1": max(low, high),
                "y0": index - _SPINE_HALF_HEIGHT,
                "y1": index + _SPINE_HALF_HEIGHT,
                "fillcolor": colour,
                "line": {"width": 0},
                "layer": "below",
                "name": name,
                "legendgroup": group,
                "showlegend": not any(s.get("legendgroup") == group for s in drawn),
            }
        )
    return bands


def _not_shown_note(row: SpineRow, index: int) -> dict[str, Any]:
    """Say at the centre of the row why the area has no marker."""
    reason = NO_DATA if row.area_value is None else "Not shown: no England value"
    return {
        "x": 0.5,
        "xref": "x",
        "y": index,
        "yref": "y",
        "text": f"<i>{reason}</i>",
        "showarrow": False,
        "bgcolor": "#ffffff",
        "font": {"size": 12, "color": SECONDARY_TEXT},
    }


def _value_cell(row: SpineRow, index: int) -> dict[str, Any]:
    # A value column at the right so the numbers never depend on reading the marker colour.
    return {
        "x": 1.0,
        "xref": "paper",
        "xanchor": "left",
        "xshift": 12,
        "y": index,
        "yref": "y",
        "text": f"{format_number(row.area_value)}  <span style='color:{SECONDARY_TEXT}'>"
        f"({format_number(row.england_value)})</span>",
        "showarrow": False,
        "align": "left",
        "font": {"size": 13},
    }


def _area_markers(label: str, group: Sequence[_Point]) -> go.Scatter:
    """The area's markers on every row with one comparison label."""
    return go.Scatter(
        name=label,
        x=[position for _, position, _ in group],
        y=[index for index, _, _ in group],
        mode="markers",
        marker={
            "color": comparison_colour(label),
            "size": 14,
            "symbol": "circle",
            "line": {"color": TEXT_COLOUR, "width": 1.2},
        },
        customdata=[
            [
                row.indicator,
                format_number(row.area_value),
                format_number(row.england_value),
                format_number(row.worst),
                format_number(row.best),
                *_end_words(row),
            ]
            for _, _, row in group
        ],
        hovertemplate=(
            "<b>%{customdata[0]}</b><br>Area: %{customdata[1]}<br>England: %{customdata[2]}"
            "<br>%{customdata[5]}: %{customdata[3]}, %{customdata[6]}: %{customdata[4]}"
            f"<br>Compared with England: {label}"
            "<extra></extra>"
        ),
    )


def _end_words(row: SpineRow) -> tuple[str, str]:
    """What the row's ends are: worst and best, or lowest and highest where neither end is
    better (an indicator without polarity, as Fingertips labels it)."""
    return ("Worst", "best") if row.polarity_low_is_good is not None else ("Lowest", "highest")


def end_headings(rows: Sequence[SpineRow]) -> tuple[str, str]:
    """The spine's left and right headings: worst/best, lowest/highest, or both when mixed."""
    kinds = {row.polarity_low_is_good is None for row in rows}
    if kinds == {True}:
        return "Lowest", "Highest"
    if kinds == {False}:
        return "Worst", "Best"
    return "Worst or<br>lowest", "Best or<br>highest"


def _england_line(count: int) -> dict[str, Any]:
    return {
        "type": "line",
        "xref": "x",
        "yref": "y",
        "x0": 0.5,
        "x1": 0.5,
        "y0": -0.5,
        "y1": count - 0.5,
        "line": {"color": TEXT_COLOUR, "width": 2},
        "layer": "above",
        "name": "England",
        "showlegend": True,
    }


def _column_headings(left: str, right: str) -> list[dict[str, Any]]:
    """Worst (or lowest), England and Best (or highest) over the spine, and the value
    column's heading; each wraps onto a second line rather than run into its neighbour."""
    headings: list[dict[str, Any]] = [
        {
            "x": x,
            "xref": "x",
            "y": 1,
            "yref": "paper",
            "yanchor": "bottom",
            "xanchor": anchor,
            "text": f"<b>{text}</b>",
            "showarrow": False,
            "font": {"size": 12, "color": SECONDARY_TEXT},
        }
        for x, text, anchor in (
            # Short words so the three headings do not collide on a phone-width chart.
            (0, left, "left"),
            (0.5, "England", "center"),
            (1, right, "right"),
        )
    ]
    headings.append(
        {
            "x": 1.0,
            "xref": "paper",
            "xanchor": "left",
            "xshift": 12,
            "y": 1,
            "yref": "paper",
            "yanchor": "bottom",
            "text": "<b>Value<br>(England)</b>",
            "showarrow": False,
            "align": "left",
            "font": {"size": 12, "color": SECONDARY_TEXT},
        }
    )
    return headings


def _spine_layout(
    rows: Sequence[SpineRow],
    *,
    shapes: list[dict[str, Any]],
    annotations: list[dict[str, Any]],
    title: str,
) -> dict[str, Any]:
    """A row per indicator, its name wrapped at the left, the value column at the right."""
    count = len(rows)
    plot_height = max(48 * count, 120)
    layout = base_layout(
        title=title, height=plot_height + 80 + 110, margin={"l": 16, "r": 150, "t": 80, "b": 110}
    )
    layout.update(
        shapes=shapes,
        annotations=annotations,
        legend=bottom_legend(plot_height=plot_height, gap_px=20),
        xaxis={"range": [-0.02, 1.02], "visible": False, "fixedrange": True},
        yaxis={
            "tickmode": "array",
            "tickvals": list(range(count)),
            "ticktext": [
                "<br>".join(textwrap.wrap(row.indicator, 22)) or row.indicator for row in rows
            ],
            "range": [count - 0.5, -0.5],
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
        },
    )
    return layout
