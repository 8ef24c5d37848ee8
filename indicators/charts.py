"""Plotly figures for the dashboard, built from plain values (pure: no Django, no database)."""

from __future__ import annotations

import importlib.util
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

import plotly.graph_objects as go

# --------------------------------------------------------------------------------------------
# Colours, defined once so templates and legends can reuse them
# --------------------------------------------------------------------------------------------

NO_DATA = "No data"

COMPARISON_COLOURS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "Best": "#00B050",
        "Better": "#92D050",
        "Similar": "#FFC000",
        "Worse": "#C00000",
        "Worst": "#7F0000",
        "Higher": "#1F4E79",
        "Lower": "#BDD7EE",
        "Not compared": "#C9C9C9",
    }
)
# Lighter than "Not compared" so an area with no value is not mistaken for one with a value.
NO_DATA_COLOUR: Final = "#EDEDED"

# Legend order: good to bad, then the no-judgement labels, then the uncompared.
COMPARISON_ORDER: Final = (
    "Best",
    "Better",
    "Similar",
    "Worse",
    "Worst",
    "Higher",
    "Lower",
    "Not compared",
    NO_DATA,
)


class AreaRole(StrEnum):
    """What an area is to the dashboard; chart styles go by role, never by an area's name."""

    HOME = "home"
    REGION = "region"
    ENGLAND = "england"
    DISTRICT = "district"
    NEIGHBOUR = "neighbour"


MAIN_AREA_COLOUR: Final = "#d4351c"
# GOV.UK design-system colours: distinguishable for common colour-vision deficiencies and each
# paired with its own dash and marker, so no line is told apart by colour alone. Districts and
# neighbours take the next of OTHER_LINE_COLOURS when drawn as lines.
ROLE_STYLES: Final[Mapping[AreaRole, tuple[str, str, str]]] = MappingProxyType(
    {
        AreaRole.ENGLAND: ("#0b0c0c", "dash", "square"),
        AreaRole.REGION: ("#1d70b8", "dot", "diamond"),
    }
)
OTHER_LINE_COLOURS: Final = ("#00703c", "#4c2c92", "#f47738", "#28a197", "#912b88", "#b58840")
_DASHES: Final = ("dash", "dot", "dashdot", "longdash", "longdashdot")
_SYMBOLS: Final = ("square", "diamond", "triangle-up", "triangle-down", "cross", "x")

_TEXT_COLOUR: Final = "#0b0c0c"
_SECONDARY_TEXT: Final = "#505a5f"
_GRID_COLOUR: Final = "#e5e5e5"
_BAR_COLOUR: Final = "#1d70b8"
_FONT: Final = "Arimo, Arial, sans-serif"  # Arimo: the bundled font (static/vendor/arimo)

# The drawing script passes these; the figure itself also looks right without them.
PLOTLY_CONFIG: Final[Mapping[str, Any]] = MappingProxyType(
    {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
)

# A small plain-white template: the built-in ones add about 7 kB of JSON to every figure.
_TEMPLATE: Final = go.layout.Template(
    layout={
        "font": {"family": _FONT, "size": 14, "color": _TEXT_COLOUR},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hoverlabel": {"font": {"family": _FONT}},
        "xaxis": {
            "gridcolor": _GRID_COLOUR,
            "linecolor": _SECONDARY_TEXT,
            "zerolinecolor": _GRID_COLOUR,
            "ticks": "outside",
            "tickcolor": _SECONDARY_TEXT,
            "automargin": True,
        },
        "yaxis": {
            "gridcolor": _GRID_COLOUR,
            "linecolor": _SECONDARY_TEXT,
            "zerolinecolor": _GRID_COLOUR,
            "automargin": True,
        },
    }
)

_HAS_ORJSON: Final = importlib.util.find_spec("orjson") is not None


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class MapArea:
    """One area on the map: its value, 95% interval and benchmark comparison."""

    code: str
    name: str
    value: float | None
    lower: float | None
    upper: float | None
    comparison: str
    note: str = ""


@dataclass(frozen=True)
class DecileBar:
    """One deprivation decile's value (1 = most deprived) with its 95% interval."""

    decile: int
    value: float | None
    lower: float | None
    upper: float | None
    count: int | None = None
    estimated_denominator: bool = False


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


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------


def comparison_colour(label: str) -> str:
    """Return the Fingertips fill colour for a comparison label ("No data" included)."""
    if label == NO_DATA:
        return NO_DATA_COLOUR
    return COMPARISON_COLOURS.get(label, COMPARISON_COLOURS["Not compared"])


def figure_json(fig: go.Figure) -> str:
    """Serialise a figure for the page, with orjson when it is installed because it is faster."""
    if _HAS_ORJSON:
        return str(fig.to_json(engine="orjson"))
    return str(fig.to_json())


def _ordered_labels(labels: Iterable[str]) -> list[str]:
    present = set(labels)
    known = [label for label in COMPARISON_ORDER if label in present]
    return known + sorted(present - set(COMPARISON_ORDER))


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return NO_DATA
    text = f"{value:,.1f}"
    if unit == "%":
        return text + "%"
    return f"{text} {unit}".strip()


def _interval(lower: float | None, upper: float | None) -> str:
    if lower is None or upper is None:
        return "95% confidence interval not available"
    return f"95% confidence interval {lower:,.1f} to {upper:,.1f}"


def _plus(value: float | None, upper: float | None) -> float | None:
    # Rounded so floating-point noise (8.8 - 6.4 = 2.4000000000000004) does not reach the JSON.
    return None if value is None or upper is None else round(upper - value, 10)


def _minus(value: float | None, lower: float | None) -> float | None:
    return None if value is None or lower is None else round(value - lower, 10)


def _error(
    values: Sequence[float | None],
    lowers: Sequence[float | None],
    uppers: Sequence[float | None],
    *,
    colour: str = _TEXT_COLOUR,
) -> dict[str, Any]:
    return {
        "type": "data",
        "symmetric": False,
        "array": [_plus(v, u) for v, u in zip(values, uppers, strict=True)],
        "arrayminus": [_minus(v, lo) for v, lo in zip(values, lowers, strict=True)],
        "color": colour,
        "thickness": 1.3,
        "width": 4,
    }


def _layout(*, title: str, height: int, margin: Mapping[str, int]) -> dict[str, Any]:
    return {
        "template": _TEMPLATE,
        "title": {
            "text": title,
            "x": 0,
            "xanchor": "left",
            "pad": {"l": 12},
            "font": {"size": 18},
        },
        "height": height,
        "margin": dict(margin),
        "modebar": {"remove": ["select2d", "lasso2d"]},
        "hovermode": "closest",
    }


def _bottom_legend(*, plot_height: int, gap_px: int = 60) -> dict[str, Any]:
    # Legend y is in plot fractions, so convert a pixel gap below the axis title into one.
    return {
        "orientation": "h",
        "x": 0,
        "xanchor": "left",
        "y": -gap_px / max(plot_height, 1),
        "yanchor": "top",
        "font": {"size": 13},
    }


def _series_style(role: AreaRole | None, *, is_main: bool, index: int) -> tuple[str, str, str]:
    """Return (colour, dash, marker symbol) for a line, fixed for England and the region."""
    if is_main:
        return MAIN_AREA_COLOUR, "solid", "circle"
    if role in ROLE_STYLES:
        return ROLE_STYLES[role]
    return (
        OTHER_LINE_COLOURS[index % len(OTHER_LINE_COLOURS)],
        _DASHES[index % len(_DASHES)],
        _SYMBOLS[index % len(_SYMBOLS)],
    )


# --------------------------------------------------------------------------------------------
# 1. Compare areas: ranked horizontal bars with intervals and benchmark lines
# --------------------------------------------------------------------------------------------


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
    order = [b.code for b in ranked + missing]

    fig = go.Figure()
    for label in _ordered_labels(b.comparison for b in ranked):
        group = [b for b in ranked if b.comparison == label]
        values = [b.value for b in group]
        fig.add_trace(
            go.Bar(
                orientation="h",
                name=label,
                x=values,
                y=[b.code for b in group],
                marker={
                    "color": comparison_colour(label),
                    "line": {"color": _TEXT_COLOUR, "width": 0.6},
                },
                error_x=_error(values, [b.lower for b in group], [b.upper for b in group]),
                customdata=[
                    [b.name, _number(b.value, unit), _interval(b.lower, b.upper), b.note]
                    for b in group
                ],
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]}"
                    f"<br>Compared with benchmark: {label}"
                    "<br>%{customdata[3]}<extra></extra>"
                ),
            )
        )

    tops = [v for b in ranked for v in (b.value, b.upper) if v is not None]
    tops += [line.value for line in benchmarks if line.value is not None]
    bottoms = [v for b in ranked for v in (b.value, b.lower) if v is not None]
    x_min = min([0.0, *bottoms])
    x_max = max(tops, default=1.0) * 1.08 or 1.0

    annotations: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    drawn_benchmarks = [line for line in benchmarks if line.value is not None]
    for index, line in enumerate(drawn_benchmarks):
        colour, dash, _ = _series_style(line.role, is_main=False, index=index)
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
                "name": f"{line.name}: {_number(line.value)}",
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
                "yshift": 4 + 18 * (len(drawn_benchmarks) - 1 - index),
                "text": f"{line.name} {_number(line.value)}",
                "showarrow": False,
                "font": {"size": 12, "color": colour},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )
    for bar in missing:
        annotations.append(
            {
                "x": x_min,
                "xref": "x",
                "y": bar.code,
                "yref": "y",
                "xanchor": "left",
                "text": f"<i>{NO_DATA}</i>",
                "hovertext": f"{bar.name}: {NO_DATA.lower()}"
                + (f" ({bar.note})" if bar.note else ""),
                "showarrow": False,
                "font": {"size": 12, "color": _SECONDARY_TEXT},
            }
        )

    top_margin = 70 + 18 * len(drawn_benchmarks)
    plot_height = max(28 * len(order), 120)
    bottom_margin = 120
    layout = _layout(
        title=title,
        height=plot_height + top_margin + bottom_margin,
        margin={"l": 16, "r": 20, "t": top_margin, "b": bottom_margin},
    )
    layout.update(
        barmode="overlay",
        bargap=0.3,
        shapes=shapes,
        annotations=annotations,
        legend=_bottom_legend(plot_height=plot_height),
        xaxis={"title": {"text": unit}, "range": [x_min, x_max], "showgrid": True},
        yaxis={
            # Codes keep categories unique; names (bold for the home area) are the tick text.
            "type": "category",
            "categoryorder": "array",
            "categoryarray": order,
            "tickmode": "array",
            "tickvals": order,
            "ticktext": [f"<b>{b.name}</b>" if b.highlighted else b.name for b in ranked + missing],
            "autorange": "reversed",
            "showgrid": False,
            "ticklabelstandoff": 6,
        },
    )
    if not ranked:
        # No bar to give the axis its categories: without a fixed range Plotly shows only the
        # first few of the areas, each with "No data".
        layout["yaxis"].update(autorange=False, range=[len(order) - 0.5, -0.5])
    fig.update_layout(layout)
    return fig


# --------------------------------------------------------------------------------------------
# 2. Trend: one line per area over period labels
# --------------------------------------------------------------------------------------------


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
        colour, dash, symbol = _series_style(item.role, is_main=item.is_main, index=index)
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
                [_number(v, unit), _interval(lo, up)]
                for v, lo, up in zip(item.values, lowers, uppers, strict=True)
            ],
            "hovertemplate": (
                "<b>%{fullData.name}</b><br>%{x}: %{customdata[0]}"
                + ("<br>%{customdata[1]}" if item.is_main else "")
                + "<extra></extra>"
            ),
        }
        if item.is_main:
            trace["error_y"] = _error(item.values, lowers, uppers, colour=colour)
        fig.add_trace(go.Scatter(**trace))

    annotations = [
        {
            "x": period,
            "xref": "x",
            "y": 0,
            "yref": "paper",
            "yanchor": "bottom",
            "text": f"<i>{NO_DATA}</i>",
            "textangle": -90,
            "hovertext": f"{item.name}, {period}: {NO_DATA.lower()}",
            "showarrow": False,
            "font": {"size": 11, "color": _SECONDARY_TEXT},
        }
        for item in mains
        for period, value in zip(item.periods, item.values, strict=True)
        if value is None
    ]
    plot_height = 330
    layout = _layout(title=title, height=520, margin={"l": 16, "r": 20, "t": 70, "b": 120})
    layout.update(
        annotations=annotations,
        legend=_bottom_legend(plot_height=plot_height, gap_px=70),
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


# --------------------------------------------------------------------------------------------
# 3. Map: districts filled by their comparison with the benchmark
# --------------------------------------------------------------------------------------------

_COORDINATE_PLACES: Final = 5  # about 1 m: far finer than the 500 m generalised boundaries


def _property(feature: Mapping[str, Any], key: str) -> Any:
    value: Any = feature
    for part in key.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _exterior_rings(feature: Mapping[str, Any]) -> list[list[tuple[float, float]]]:
    """Return each polygon's outer ring, clockwise, with coordinates rounded."""
    geometry = feature.get("geometry") or {}
    coordinates = geometry.get("coordinates") or []
    kind = geometry.get("type")
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    rings = []
    for polygon in polygons:
        if not polygon:
            continue
        ring = [
            (round(float(p[0]), _COORDINATE_PLACES), round(float(p[1]), _COORDINATE_PLACES))
            for p in polygon[0]
        ]
        # d3-geo, which draws Plotly's maps, fills an anticlockwise ring as "the whole globe
        # except this area"; RFC 7946 GeoJSON (as ONS publishes it) winds outer rings that way.
        twice_area = sum(
            (x2 - x1) * (y2 + y1)
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True)
        )
        rings.append(ring if twice_area > 0 else ring[::-1])
    return rings


def _label_point(feature: Mapping[str, Any]) -> tuple[float, float] | None:
    """Return (lon, lat) for a label: ONS's own point if given, else the largest ring's middle."""
    properties = feature.get("properties") or {}
    lon, lat = properties.get("LONG"), properties.get("LAT")
    if isinstance(lon, int | float) and isinstance(lat, int | float):
        return float(lon), float(lat)
    rings = _exterior_rings(feature)
    if not rings:
        return None
    ring = max(rings, key=len)
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2


def map_chart(
    *,
    geojson: Mapping[str, Any],
    featureidkey: str,
    areas: Sequence[MapArea],
    title: str,
    attribution: str,
    unit: str = "",
    benchmark_name: str = "England",
) -> go.Figure:
    """Fill each area by its comparison with the benchmark, on no basemap, with attribution."""
    # Filled Scattergeo outlines rather than go.Choropleth: plotly.js fetches a world topojson
    # from cdn.plot.ly for every choropleth, even with the basemap hidden, so an offline or
    # CDN-free page draws a blank map unless each page's config points at a local copy.
    features = {_property(f, featureidkey): f for f in geojson.get("features", [])}
    drawn = [area for area in areas if area.code in features]

    def label_of(area: MapArea) -> str:
        return NO_DATA if area.value is None else area.comparison

    fig = go.Figure()
    for label in _ordered_labels(label_of(area) for area in drawn):
        group = [area for area in drawn if label_of(area) == label]
        lons: list[float | None] = []
        lats: list[float | None] = []
        for area in group:
            for ring in _exterior_rings(features[area.code]):
                # A None between rings starts a new polygon, so one trace fills every area.
                lons += [p[0] for p in ring] + [None]
                lats += [p[1] for p in ring] + [None]
        fig.add_trace(
            go.Scattergeo(
                name=label,
                lon=lons,
                lat=lats,
                mode="lines",
                fill="toself",
                fillcolor=comparison_colour(label),
                line={"color": _SECONDARY_TEXT, "width": 0.8},
                hoverinfo="skip",
                meta={"codes": [area.code for area in group]},
                legendgroup=label,
                showlegend=False,
            )
        )
        # A filled outline's legend swatch is a thin strip; a square marker reads as a key.
        fig.add_trace(
            go.Scattergeo(
                name=label,
                lon=[None],
                lat=[None],
                mode="markers",
                marker={
                    "symbol": "square",
                    "size": 14,
                    "color": comparison_colour(label),
                    "line": {"color": _SECONDARY_TEXT, "width": 1},
                },
                legendgroup=label,
                hoverinfo="skip",
            )
        )

    points = [(area, _label_point(features[area.code])) for area in drawn]
    placed = [(area, point) for area, point in points if point is not None]
    fig.add_trace(
        go.Scattergeo(
            name="Areas",
            ids=[area.code for area, _ in placed],
            lon=[point[0] for _, point in placed],
            lat=[point[1] for _, point in placed],
            # Invisible wide markers give each area a hover target; "No data" is written on
            # the area itself so a missing value is never read from the fill colour alone.
            mode="markers+text",
            marker={"size": 40, "opacity": 0},
            text=[NO_DATA if area.value is None else "" for area, _ in placed],
            textfont={"size": 12, "color": _TEXT_COLOUR},
            showlegend=False,
            customdata=[
                [
                    area.name,
                    _number(area.value, unit),
                    "" if area.value is None else "<br>" + _interval(area.lower, area.upper),
                    ""
                    if area.value is None
                    else f"<br>Compared with {benchmark_name}: {area.comparison}",
                    f"<br>{area.note}" if area.note else "",
                ]
                for area, _ in placed
            ],
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>%{customdata[1]}%{customdata[2]}%{customdata[3]}"
                "%{customdata[4]}<extra></extra>"
            ),
        )
    )

    layout = _layout(title=title, height=620, margin={"l": 16, "r": 16, "t": 60, "b": 70})
    layout.update(
        geo={
            "fitbounds": "locations",
            "visible": False,
            "projection": {"type": "mercator"},
            "bgcolor": "#ffffff",
        },
        legend={
            "title": {"text": f"Compared with {benchmark_name}"},
            "x": 1,
            "xanchor": "right",
            "y": 1,
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0.9)",
            "itemclick": False,
            "itemdoubleclick": False,
        },
        annotations=[
            {
                "text": attribution.replace("\n", "<br>"),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "xanchor": "left",
                "yanchor": "top",
                "yshift": -6,
                "align": "left",
                "showarrow": False,
                "font": {"size": 11, "color": _SECONDARY_TEXT},
            }
        ],
    )
    fig.update_layout(layout)
    return fig


# --------------------------------------------------------------------------------------------
# 4. Deprivation deciles: bars with intervals and an optional fitted SII line
# --------------------------------------------------------------------------------------------

DECILE_AXIS_TITLE: Final = "IMD decile (1 = most deprived)"


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
        if not group:
            continue
        values = [d.value for d in group]
        fig.add_trace(
            go.Bar(
                name="Births estimated (hatched)" if estimated else unit or "Value",
                x=[d.decile for d in group],
                y=values,
                marker={
                    "color": _BAR_COLOUR,
                    "line": {"color": _TEXT_COLOUR, "width": 0.6},
                    # Hatching says "estimate" without relying on colour.
                    "pattern": {
                        "shape": "/" if estimated else "",
                        "bgcolor": _BAR_COLOUR,
                        "fgcolor": "#ffffff",
                        "size": 8,
                        "solidity": 0.25,
                    },
                },
                error_y=_error(values, [d.lower for d in group], [d.upper for d in group]),
                customdata=[
                    [
                        _number(d.value, unit),
                        _interval(d.lower, d.upper),
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
        )
    if sii_line is not None:
        most, least = sii_line
        # The SII line runs over the population rank 0 (most deprived) to 1 (least), which is
        # the outer edge of decile 1 to the outer edge of decile 10 on this axis.
        fig.add_trace(
            go.Scatter(
                name="Fitted line (slope index of inequality)",
                x=[0.5, 10.5],
                y=[most, least],
                mode="lines",
                line={"color": MAIN_AREA_COLOUR, "width": 2.5, "dash": "dash"},
                hovertemplate=(
                    f"Fitted line: {_number(most, unit)} at the most deprived end, "
                    f"{_number(least, unit)} at the least deprived end<extra></extra>"
                ),
            )
        )

    annotations = [
        {
            "x": d.decile,
            "xref": "x",
            "y": 0,
            "yref": "paper",
            "yanchor": "bottom",
            "text": f"<i>{NO_DATA}</i>",
            "textangle": -90,
            "hovertext": f"Decile {d.decile}: {NO_DATA.lower()}",
            "showarrow": False,
            "font": {"size": 12, "color": _SECONDARY_TEXT},
        }
        for d in ordered
        if d.value is None
    ]
    ticks = list(range(1, 11))
    tick_text = [str(n) for n in ticks]
    tick_text[0], tick_text[-1] = "1<br>most<br>deprived", "10<br>least<br>deprived"
    plot_height = 320
    layout = _layout(title=title, height=560, margin={"l": 16, "r": 20, "t": 70, "b": 170})
    layout.update(
        annotations=annotations,
        bargap=0.25,
        barmode="overlay",
        legend=_bottom_legend(plot_height=plot_height, gap_px=110),
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
    fig.update_layout(layout)
    return fig


# --------------------------------------------------------------------------------------------
# 5. Spine chart: the Fingertips area profile
# --------------------------------------------------------------------------------------------

_RANGE_COLOUR: Final = "#D9D9D9"
_QUARTILE_COLOUR: Final = "#8F8F8F"
_SPINE_HALF_HEIGHT: Final = 0.32


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
    points: dict[str, list[tuple[int, float, SpineRow]]] = {}

    for index, row in enumerate(rows):

        def place(value: float | None, row: SpineRow = row) -> float | None:
            return spine_position(
                value=value,
                england=row.england_value,
                worst=row.worst,
                best=row.best,
                low_is_good=row.polarity_low_is_good,
            )

        y0, y1 = index - _SPINE_HALF_HEIGHT, index + _SPINE_HALF_HEIGHT
        left, right = place(row.worst), place(row.best)
        if left is not None and right is not None:
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "y",
                    "x0": min(left, right),
                    "x1": max(left, right),
                    "y0": y0,
                    "y1": y1,
                    "fillcolor": _RANGE_COLOUR,
                    "line": {"width": 0},
                    "layer": "below",
                    "name": "Range of areas (worst to best)",
                    "legendgroup": "range",
                    "showlegend": not any(s.get("legendgroup") == "range" for s in shapes),
                }
            )
        low, high = place(row.q25), place(row.q75)
        if low is not None and high is not None:
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "y",
                    "x0": min(low, high),
                    "x1": max(low, high),
                    "y0": y0,
                    "y1": y1,
                    "fillcolor": _QUARTILE_COLOUR,
                    "line": {"width": 0},
                    "layer": "below",
                    "name": "25th to 75th percentile",
                    "legendgroup": "quartiles",
                    "showlegend": not any(s.get("legendgroup") == "quartiles" for s in shapes),
                }
            )
        position = place(row.area_value)
        if position is not None:
            points.setdefault(row.comparison, []).append((index, position, row))
        else:
            reason = NO_DATA if row.area_value is None else "Not shown: no England value"
            annotations.append(
                {
                    "x": 0.5,
                    "xref": "x",
                    "y": index,
                    "yref": "y",
                    "text": f"<i>{reason}</i>",
                    "showarrow": False,
                    "bgcolor": "#ffffff",
                    "font": {"size": 12, "color": _SECONDARY_TEXT},
                }
            )
        # A value column at the right so the numbers never depend on reading the marker colour.
        annotations.append(
            {
                "x": 1.0,
                "xref": "paper",
                "xanchor": "left",
                "xshift": 12,
                "y": index,
                "yref": "y",
                "text": f"{_number(row.area_value)}  <span style='color:{_SECONDARY_TEXT}'>"
                f"({_number(row.england_value)})</span>",
                "showarrow": False,
                "align": "left",
                "font": {"size": 13},
            }
        )

    fig = go.Figure()
    for label in _ordered_labels(points):
        group = points[label]
        fig.add_trace(
            go.Scatter(
                name=label,
                x=[position for _, position, _ in group],
                y=[index for index, _, _ in group],
                mode="markers",
                marker={
                    "color": comparison_colour(label),
                    "size": 14,
                    "symbol": "circle",
                    "line": {"color": _TEXT_COLOUR, "width": 1.2},
                },
                customdata=[
                    [
                        row.indicator,
                        _number(row.area_value),
                        _number(row.england_value),
                        _number(row.worst),
                        _number(row.best),
                    ]
                    for _, _, row in group
                ],
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>Area: %{customdata[1]}<br>England: %{customdata[2]}"
                    "<br>Worst: %{customdata[3]}, best: %{customdata[4]}"
                    f"<br>Compared with England: {label}"
                    "<extra></extra>"
                ),
            )
        )
    count = len(rows)
    shapes.append(
        {
            "type": "line",
            "xref": "x",
            "yref": "y",
            "x0": 0.5,
            "x1": 0.5,
            "y0": -0.5,
            "y1": count - 0.5,
            "line": {"color": _TEXT_COLOUR, "width": 2},
            "layer": "above",
            "name": "England",
            "showlegend": True,
        }
    )
    for x, text, anchor in (
        # Short words so the three headings do not collide on a phone-width chart.
        (0, "Worst", "left"),
        (0.5, "England", "center"),
        (1, "Best", "right"),
    ):
        annotations.append(
            {
                "x": x,
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "xanchor": anchor,
                "text": f"<b>{text}</b>",
                "showarrow": False,
                "font": {"size": 12, "color": _SECONDARY_TEXT},
            }
        )
    annotations.append(
        {
            "x": 1.0,
            "xref": "paper",
            "xanchor": "left",
            "xshift": 12,
            "y": 1,
            "yref": "paper",
            "yanchor": "bottom",
            "text": "<b>Value (England)</b>",
            "showarrow": False,
            "align": "left",
            "font": {"size": 12, "color": _SECONDARY_TEXT},
        }
    )

    plot_height = max(48 * count, 120)
    layout = _layout(
        title=title, height=plot_height + 80 + 110, margin={"l": 16, "r": 150, "t": 80, "b": 110}
    )
    layout.update(
        shapes=shapes,
        annotations=annotations,
        legend=_bottom_legend(plot_height=plot_height, gap_px=20),
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
    fig.update_layout(layout)
    return fig
