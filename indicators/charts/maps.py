"""Map: districts filled by their comparison with the benchmark, on no basemap (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from indicators.charts.common import (
    NO_DATA,
    SECONDARY_TEXT,
    TEXT_COLOUR,
    base_layout,
    comparison_colour,
    format_interval,
    format_number,
    ordered_labels,
)

_COORDINATE_PLACES: Final = 5  # about 1 m: far finer than the 500 m generalised boundaries


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


def _map_label(area: MapArea) -> str:
    return NO_DATA if area.value is None else area.comparison


def map_chart(
    *,
    geojson: Mapping[str, Any],
    featureidkey: str,
    areas: Sequence[MapArea],
    title: str,
    attribution: str,
    unit: str = "",
    benchmark_name: str = "England",
    by_value: bool = False,
) -> go.Figure:
    """Fill each area by its comparison with the benchmark, on no basemap, with attribution.

    `by_value`: for an indicator without polarity (higher is neither better nor worse), fill by
    the value itself on a continuous colour-blind-safe scale (light to dark) with a colour bar.
    """
    # Filled Scattergeo outlines rather than go.Choropleth: plotly.js fetches a world topojson
    # from cdn.plot.ly for every choropleth, even with the basemap hidden, so an offline or
    # CDN-free page draws a blank map unless each page's config points at a local copy.
    features = {_property(f, featureidkey): f for f in geojson.get("features", [])}
    drawn = [area for area in areas if area.code in features]

    fig = go.Figure()
    if by_value and any(area.value is not None for area in drawn):
        for trace in _value_fills(drawn, features, unit=unit):
            fig.add_trace(trace)
        fig.add_trace(_hover_targets(drawn, features, unit=unit, benchmark_name=benchmark_name))
        layout = _map_layout(title=title, attribution=attribution, benchmark_name=benchmark_name)
        layout["legend"]["title"] = {"text": ""}
        fig.update_layout(layout)
        return fig
    for label in ordered_labels(_map_label(area) for area in drawn):
        group = [area for area in drawn if _map_label(area) == label]
        fig.add_trace(_filled_outlines(label, group, features))
        fig.add_trace(_legend_swatch(label))
    fig.add_trace(_hover_targets(drawn, features, unit=unit, benchmark_name=benchmark_name))
    fig.update_layout(
        _map_layout(title=title, attribution=attribution, benchmark_name=benchmark_name)
    )
    return fig


def _filled_outlines(
    label: str,
    group: Sequence[MapArea],
    features: Mapping[Any, Mapping[str, Any]],
    *,
    fill: str | None = None,
) -> go.Scattergeo:
    """Every area with one comparison label, filled in one trace."""
    lons: list[float | None] = []
    lats: list[float | None] = []
    for area in group:
        for ring in _exterior_rings(features[area.code]):
            # A None between rings starts a new polygon, so one trace fills every area.
            lons += [p[0] for p in ring] + [None]
            lats += [p[1] for p in ring] + [None]
    return go.Scattergeo(
        name=label,
        lon=lons,
        lat=lats,
        mode="lines",
        fill="toself",
        fillcolor=fill or comparison_colour(label),
        line={"color": SECONDARY_TEXT, "width": 0.8},
        hoverinfo="skip",
        meta={"codes": [area.code for area in group]},
        legendgroup=label,
        showlegend=False,
    )


# Cividis: designed to read the same with red-green colour-vision deficiency, light to dark.
VALUE_SCALE: Final = "Cividis_r"


def _value_fills(
    drawn: Sequence[MapArea], features: Mapping[Any, Mapping[str, Any]], *, unit: str
) -> list[go.Scattergeo]:
    """One filled outline per area, coloured by its value, and a colour bar as the legend."""
    values = [area.value for area in drawn if area.value is not None]
    low, high = min(values), max(values)
    traces = []
    for area in drawn:
        if area.value is None:
            colour = comparison_colour(NO_DATA)
        else:
            share = 0.5 if high == low else (area.value - low) / (high - low)
            colour = sample_colorscale(VALUE_SCALE, [share])[0]
        traces.append(_filled_outlines(area.name, [area], features, fill=colour))
    traces.append(
        go.Scattergeo(
            name=unit or "Value",
            lon=[None],
            lat=[None],
            mode="markers",
            marker={
                "color": [low, high],
                "colorscale": VALUE_SCALE,
                "cmin": low,
                "cmax": high,
                "showscale": True,
                "colorbar": {
                    "title": {"text": unit or "Value"},
                    "thickness": 14,
                    "len": 0.6,
                    "x": 1,
                    "xanchor": "right",
                },
            },
            hoverinfo="skip",
            showlegend=False,
        )
    )
    return traces


def _legend_swatch(label: str) -> go.Scattergeo:
    # A filled outline's legend swatch is a thin strip; a square marker reads as a key.
    return go.Scattergeo(
        name=label,
        lon=[None],
        lat=[None],
        mode="markers",
        marker={
            "symbol": "square",
            "size": 14,
            "color": comparison_colour(label),
            "line": {"color": SECONDARY_TEXT, "width": 1},
        },
        legendgroup=label,
        hoverinfo="skip",
    )


def _hover_targets(
    drawn: Sequence[MapArea],
    features: Mapping[Any, Mapping[str, Any]],
    *,
    unit: str,
    benchmark_name: str,
) -> go.Scattergeo:
    """A point inside each area that carries its hover text and, if it has none, "No data"."""
    points = [(area, _label_point(features[area.code])) for area in drawn]
    placed = [(area, point) for area, point in points if point is not None]
    return go.Scattergeo(
        name="Areas",
        ids=[area.code for area, _ in placed],
        lon=[point[0] for _, point in placed],
        lat=[point[1] for _, point in placed],
        # Invisible wide markers give each area a hover target; "No data" is written on
        # the area itself so a missing value is never read from the fill colour alone.
        mode="markers+text",
        marker={"size": 40, "opacity": 0},
        text=[NO_DATA if area.value is None else "" for area, _ in placed],
        textfont={"size": 12, "color": TEXT_COLOUR},
        showlegend=False,
        customdata=[
            _hover_text(area, unit=unit, benchmark_name=benchmark_name) for area, _ in placed
        ],
        hovertemplate=(
            "<b>%{customdata[0]}</b><br>%{customdata[1]}%{customdata[2]}%{customdata[3]}"
            "%{customdata[4]}<extra></extra>"
        ),
    )


def _hover_text(area: MapArea, *, unit: str, benchmark_name: str) -> list[str]:
    return [
        area.name,
        format_number(area.value, unit),
        "" if area.value is None else "<br>" + format_interval(area.lower, area.upper),
        "" if area.value is None else f"<br>Compared with {benchmark_name}: {area.comparison}",
        f"<br>{area.note}" if area.note else "",
    ]


def _map_layout(*, title: str, attribution: str, benchmark_name: str) -> dict[str, Any]:
    """The areas fitted to the frame, the legend top right and the attribution underneath."""
    layout = base_layout(title=title, height=620, margin={"l": 16, "r": 16, "t": 60, "b": 70})
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
                "font": {"size": 11, "color": SECONDARY_TEXT},
            }
        ],
    )
    return layout
