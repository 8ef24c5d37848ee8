"""Plotly figures for the dashboard, built from plain values (pure: no Django, no database).

One module per chart kind (`compare`, `trend`, `maps`, `deciles`, `spine`) and `common` for what
they share: colours, area roles, the template and number formats. Callers import from here.
"""

from indicators.charts.common import (
    COMPARISON_COLOURS,
    COMPARISON_ORDER,
    MAIN_AREA_COLOUR,
    NO_DATA,
    NO_DATA_COLOUR,
    OTHER_LINE_COLOURS,
    PLOTLY_CONFIG,
    ROLE_STYLES,
    AreaRole,
    comparison_colour,
    figure_json,
)
from indicators.charts.compare import AreaBar, BenchmarkLine, compare_areas_chart
from indicators.charts.deciles import DECILE_AXIS_TITLE, DecileBar, deciles_chart
from indicators.charts.maps import MapArea, map_chart
from indicators.charts.spine import SpineRow, spine_chart, spine_position
from indicators.charts.trend import TrendSeries, missing_periods, period_position, trend_chart

__all__ = [
    "COMPARISON_COLOURS",
    "COMPARISON_ORDER",
    "DECILE_AXIS_TITLE",
    "MAIN_AREA_COLOUR",
    "NO_DATA",
    "NO_DATA_COLOUR",
    "OTHER_LINE_COLOURS",
    "PLOTLY_CONFIG",
    "ROLE_STYLES",
    "AreaBar",
    "AreaRole",
    "BenchmarkLine",
    "DecileBar",
    "MapArea",
    "SpineRow",
    "TrendSeries",
    "compare_areas_chart",
    "comparison_colour",
    "deciles_chart",
    "figure_json",
    "map_chart",
    "missing_periods",
    "period_position",
    "spine_chart",
    "spine_position",
    "trend_chart",
]
