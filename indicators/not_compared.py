"""Why a figure says "Not compared with <benchmark>", and how its value still differs, in plain
words (the vocabulary's `NotComparedReason`; the difference said as untested by `narrative`).

Used by the overview's tiles and heat map (`presenters.overview`), the area profile's cards, the
findings and the board's measure lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from indicators.configuration import areas_config
from indicators.models import BenchmarkMethod, Indicator, Observation
from indicators.narrative import untested_difference
from indicators.vocabulary import NOT_COMPARED, NotComparedReason

if TYPE_CHECKING:  # presenters imports this module for the overview
    from indicators.presenters import Benchmark, Figure


def not_compared_reason(
    indicator: Indicator, figure: Figure, benchmark_value: float | None, benchmark_name: str
) -> str:
    """Why `figure` is not compared with its benchmark, in plain words, said after "Not compared
    with <benchmark>": no benchmark figure for its period, no confidence interval published
    (with the two values' difference said as untested where both exist), or both; the method
    where the indicator is not compared by confidence intervals; the benchmark's own figure
    says so. "" for a figure without a value."""
    if figure.value is None:
        return ""
    if figure.area_name == benchmark_name:
        return NotComparedReason.IS_BENCHMARK.say(benchmark_name)
    if indicator.benchmark_method == BenchmarkMethod.QUINTILES:
        return NotComparedReason.QUINTILES.say(benchmark_name)
    if not compared_by_intervals(indicator):
        return NotComparedReason.NO_METHOD.say(benchmark_name)
    no_figure = NotComparedReason.NO_BENCHMARK_FIGURE.say(benchmark_name, figure.period)
    if _has_interval(indicator, figure):
        return no_figure if benchmark_value is None else ""
    if benchmark_value is None:
        return f"{NotComparedReason.NO_INTERVAL.say(benchmark_name)} and {no_figure}"
    return untested_difference(figure.value, benchmark_value, benchmark_name)


def _has_interval(indicator: Indicator, figure: Figure) -> bool:
    """The figure has the limits its indicator's comparison needs."""
    at_95 = figure.lower_ci_95 is not None and figure.upper_ci_95 is not None
    at_998 = figure.lower_ci_998 is not None and figure.upper_ci_998 is not None
    if indicator.benchmark_method == BenchmarkMethod.CI_OVERLAP_998:
        return at_998
    if indicator.benchmark_method == BenchmarkMethod.CI_OVERLAP_TWO_LEVELS:
        return at_95 and at_998
    return at_95


def compared_by_intervals(indicator: Indicator) -> bool:
    """Compared by confidence intervals, so a figure without one is worth saying untested;
    an indicator compared otherwise (quintiles) or not at all gets no such note."""
    return indicator.benchmark_method in {
        BenchmarkMethod.CI_OVERLAP_95,
        BenchmarkMethod.CI_OVERLAP_998,
        BenchmarkMethod.CI_OVERLAP_TWO_LEVELS,
    }


def home_reasons(
    indicator: Indicator, home: Figure | None, held: list[Observation], codes: Sequence[str]
) -> tuple[str, str]:
    """Why the home county's latest figure is not compared with England and with the region,
    from the benchmarks' figures for its period (only where those areas were read)."""
    if home is None:
        return ("", "")
    config = areas_config()
    at_period = {o.area.code: o.value for o in held if o.period_sortable == home.period_sortable}
    reasons = []
    for area, stored in (
        (config.england, home.comparison_england),
        (config.region, home.comparison_region),
    ):
        read = area.code in codes
        reasons.append(
            not_compared_reason(indicator, home, at_period.get(area.code), area.name)
            if read and stored in {"", NOT_COMPARED}
            else ""
        )
    return (reasons[0], reasons[1])


def untested_notes(cells, at_latest, reference: Benchmark) -> tuple[str, ...]:
    """For each cell not compared with the benchmark, how its value still differs, untested."""
    base = at_latest.get(reference.code)
    notes = []
    for figure in cells:
        compared = figure is not None and figure.comparison not in {"", NOT_COMPARED}
        if figure is None or compared or figure.area_code == reference.code or base is None:
            notes.append("")
            continue
        notes.append(untested_difference(figure.value, base.value, reference.name))
    return tuple(notes)
