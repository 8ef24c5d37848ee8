"""Comparisons with a benchmark and trends."""

from __future__ import annotations

from indicators.vocabulary.base import Term
from indicators.vocabulary.plan import Polarity

# --------------------------------------------------------------------------------------------
# Comparisons with a benchmark
# --------------------------------------------------------------------------------------------

NO_DATA = "No data"
NO_DATA_COLOUR = "#EDEDED"  # lighter than Not compared, so no value is not mistaken for one


class Comparison(Term):
    """A comparison with a benchmark, as Fingertips shows it. Best and Worst are the 99.8%
    level of a two-level comparison; Higher and Lower are for indicators without polarity."""

    BEST = "Best", "Best", "significantly better than {b} (99.8%)", "▲▲", "#00B050"
    BETTER = "Better", "Better", "better than {b}", "▲", "#92D050"
    SIMILAR = "Similar", "Similar", "similar to {b}", "●", "#FFC000"
    WORSE = "Worse", "Worse", "worse than {b}", "▼", "#C00000"
    WORST = "Worst", "Worst", "significantly worse than {b} (99.8%)", "▼▼", "#7F0000"
    HIGHER = "Higher", "Higher", "higher than {b}", "▲", "#1F4E79"
    LOWER = "Lower", "Lower", "lower than {b}", "▼", "#BDD7EE"
    NOT_COMPARED = "Not compared", "Not compared", "not compared with {b}", "", "#C9C9C9"

    @property
    def judgement(self) -> int | None:
        """+1 better, 0 similar, -1 worse; None where nothing was judged (Higher/Lower too)."""
        return _COMPARISON_JUDGEMENT.get(self)

    def describe(self, benchmark: str) -> str:
        """The comparison in words: "Worse than England", "Not compared with the region"."""
        text = self.phrase.format(b=benchmark)
        return text[:1].upper() + text[1:]

    @classmethod
    def of(cls, value: str | None) -> Comparison:
        """The stored comparison, or Not compared where none is stored."""
        return cls(value) if value else cls.NOT_COMPARED


NOT_COMPARED = Comparison.NOT_COMPARED


class NotComparedReason(Term):
    """Why a figure was not compared with a benchmark, said after "Not compared with <b>: ".
    The phrase takes the benchmark `{b}` and the figure's `{period}`."""

    NO_BENCHMARK_FIGURE = (
        "no_benchmark_figure",
        "No benchmark figure",
        "no {b} figure for {period}",
    )
    NO_INTERVAL = "no_interval", "No confidence interval", "no confidence interval published"
    IS_BENCHMARK = "is_benchmark", "The benchmark itself", "this is {b}'s own figure"
    QUINTILES = (
        "quintiles",
        "Ranked by quintiles",
        "this indicator ranks areas by quintiles and is not tested against {b}",
    )
    NO_METHOD = (
        "no_method",
        "No comparison made",
        "Fingertips makes no comparison with {b} for this indicator",
    )

    def say(self, benchmark: str, period: str = "") -> str:
        return self.phrase.format(b=benchmark, period=period)


_COMPARISON_JUDGEMENT = {
    Comparison.BEST: 1,
    Comparison.BETTER: 1,
    Comparison.SIMILAR: 0,
    Comparison.WORSE: -1,
    Comparison.WORST: -1,
}
# Legend order: good to bad, then the no-judgement words, then the uncompared and no data.
COMPARISON_ORDER = (*(m.value for m in Comparison), NO_DATA)


# --------------------------------------------------------------------------------------------
# Trends
# --------------------------------------------------------------------------------------------


class TrendMarker(Term):
    """The recent-trend marker with Fingertips' enum names, before polarity is applied."""

    INCREASING = "Increasing", "Increasing", "increasing", "↑"
    DECREASING = "Decreasing", "Decreasing", "decreasing", "↓"
    NO_CHANGE = "NoChange", "No significant change", "no significant change", "→"
    CANNOT_BE_CALCULATED = "CannotBeCalculated", "Could not be calculated", "", ""


class Trend(Term):
    """A trend verdict as shown: the marker with polarity applied. Values are the words stored
    in `computed_trend` and shown on pages; `movement` says better (+1), worse (-1) or neither."""

    INCREASING_BETTER = (
        "Increasing and getting better",
        "Increasing and getting better",
        "",
        "↑",
        "#00703c",
    )
    INCREASING_WORSE = (
        "Increasing and getting worse",
        "Increasing and getting worse",
        "",
        "↑",
        "#d4351c",
    )
    DECREASING_BETTER = (
        "Decreasing and getting better",
        "Decreasing and getting better",
        "",
        "↓",
        "#00703c",
    )
    DECREASING_WORSE = (
        "Decreasing and getting worse",
        "Decreasing and getting worse",
        "",
        "↓",
        "#d4351c",
    )
    INCREASING = "Increasing", "Increasing", "", "↑", "#1d70b8"
    DECREASING = "Decreasing", "Decreasing", "", "↓", "#1d70b8"
    NO_CHANGE = "No significant change", "No significant change", "", "→", "#505a5f"
    CANNOT_BE_CALCULATED = "Could not be calculated", "Could not be calculated", "", "", "#505a5f"

    @property
    def marker(self) -> TrendMarker:
        return _TREND_MARKER[self]

    @property
    def movement(self) -> int | None:
        """+1 getting better, -1 getting worse, 0 no change; None if not judged or unknown."""
        if self in (Trend.INCREASING_BETTER, Trend.DECREASING_BETTER):
            return 1
        if self in (Trend.INCREASING_WORSE, Trend.DECREASING_WORSE):
            return -1
        return 0 if self is Trend.NO_CHANGE else None

    @classmethod
    def of(cls, marker: TrendMarker, polarity: Polarity) -> Trend:
        """The verdict a marker gives for a polarity."""
        if marker is TrendMarker.NO_CHANGE:
            return cls.NO_CHANGE
        if marker is TrendMarker.CANNOT_BE_CALCULATED:
            return cls.CANNOT_BE_CALCULATED
        up = marker is TrendMarker.INCREASING
        if not polarity.judged:
            return cls.INCREASING if up else cls.DECREASING
        if up:
            return cls.INCREASING_BETTER if polarity.better > 0 else cls.INCREASING_WORSE
        return cls.DECREASING_BETTER if polarity.better < 0 else cls.DECREASING_WORSE


_TREND_MARKER = {
    Trend.INCREASING_BETTER: TrendMarker.INCREASING,
    Trend.INCREASING_WORSE: TrendMarker.INCREASING,
    Trend.INCREASING: TrendMarker.INCREASING,
    Trend.DECREASING_BETTER: TrendMarker.DECREASING,
    Trend.DECREASING_WORSE: TrendMarker.DECREASING,
    Trend.DECREASING: TrendMarker.DECREASING,
    Trend.NO_CHANGE: TrendMarker.NO_CHANGE,
    Trend.CANNOT_BE_CALCULATED: TrendMarker.CANNOT_BE_CALCULATED,
}
