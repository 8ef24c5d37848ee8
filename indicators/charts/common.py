"""What every chart shares: colours, area roles, the template, layout and number formats (pure)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

import plotly.graph_objects as go

from indicators import vocabulary

# --------------------------------------------------------------------------------------------
# Colours, defined once so templates and legends can reuse them
# --------------------------------------------------------------------------------------------

# The comparisons' colours and legend order are the vocabulary's (indicators.vocabulary).
NO_DATA = vocabulary.NO_DATA

COMPARISON_COLOURS: Final[Mapping[str, str]] = MappingProxyType(
    {c.value: c.colour for c in vocabulary.Comparison}
)
# Lighter than "Not compared" so an area with no value is not mistaken for one with a value.
NO_DATA_COLOUR: Final = vocabulary.NO_DATA_COLOUR

# Legend order: good to bad, then the no-judgement labels, then the uncompared.
COMPARISON_ORDER: Final = vocabulary.COMPARISON_ORDER


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

TEXT_COLOUR: Final = "#0b0c0c"
SECONDARY_TEXT: Final = "#505a5f"
_GRID_COLOUR: Final = "#e5e5e5"
BAR_COLOUR: Final = "#1d70b8"
_FONT: Final = "Arimo, Arial, sans-serif"  # Arimo: the bundled font (static/vendor/arimo)

# The drawing script passes these; the figure itself also looks right without them.
PLOTLY_CONFIG: Final[Mapping[str, Any]] = MappingProxyType(
    {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
)

# A small plain-white template: the built-in ones add about 7 kB of JSON to every figure.
_TEMPLATE: Final = go.layout.Template(
    layout={
        "font": {"family": _FONT, "size": 14, "color": TEXT_COLOUR},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hoverlabel": {"font": {"family": _FONT}},
        "xaxis": {
            "gridcolor": _GRID_COLOUR,
            "linecolor": SECONDARY_TEXT,
            "zerolinecolor": _GRID_COLOUR,
            "ticks": "outside",
            "tickcolor": SECONDARY_TEXT,
            "automargin": True,
        },
        "yaxis": {
            "gridcolor": _GRID_COLOUR,
            "linecolor": SECONDARY_TEXT,
            "zerolinecolor": _GRID_COLOUR,
            "automargin": True,
        },
    }
)

_HAS_ORJSON: Final = importlib.util.find_spec("orjson") is not None


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------


def comparison_colour(label: str) -> str:
    """Return the Fingertips fill colour for a comparison label ("No data" included)."""
    if label == NO_DATA:
        return NO_DATA_COLOUR
    return COMPARISON_COLOURS.get(label, vocabulary.Comparison.NOT_COMPARED.colour)


def figure_json(fig: go.Figure) -> str:
    """Serialise a figure for the page, with orjson when it is installed because it is faster."""
    if _HAS_ORJSON:
        return str(fig.to_json(engine="orjson"))
    return str(fig.to_json())


def ordered_labels(labels: Iterable[str]) -> list[str]:
    present = set(labels)
    known = [label for label in COMPARISON_ORDER if label in present]
    return known + sorted(present - set(COMPARISON_ORDER))


def format_number(value: float | None, unit: str = "") -> str:
    if value is None:
        return NO_DATA
    text = f"{value:,.1f}"
    if unit == "%":
        return text + "%"
    return f"{text} {unit}".strip()


def format_interval(lower: float | None, upper: float | None) -> str:
    if lower is None or upper is None:
        return "95% confidence interval not available"
    return f"95% confidence interval {lower:,.1f} to {upper:,.1f}"


def _plus(value: float | None, upper: float | None) -> float | None:
    # Rounded so floating-point noise (8.8 - 6.4 = 2.4000000000000004) does not reach the JSON.
    return None if value is None or upper is None else round(upper - value, 10)


def _minus(value: float | None, lower: float | None) -> float | None:
    return None if value is None or lower is None else round(value - lower, 10)


def error_bars(
    values: Sequence[float | None],
    lowers: Sequence[float | None],
    uppers: Sequence[float | None],
    *,
    colour: str = TEXT_COLOUR,
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


def base_layout(*, title: str, height: int, margin: Mapping[str, int]) -> dict[str, Any]:
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


def bottom_legend(*, plot_height: int, gap_px: int = 60) -> dict[str, Any]:
    # Legend y is in plot fractions, so convert a pixel gap below the axis title into one.
    return {
        "orientation": "h",
        "x": 0,
        "xanchor": "left",
        "y": -gap_px / max(plot_height, 1),
        "yanchor": "top",
        "font": {"size": 13},
    }


def series_style(role: AreaRole | None, *, is_main: bool, index: int) -> tuple[str, str, str]:
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
