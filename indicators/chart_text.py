"""Text alternatives that say in words what each chart shows (pure: no Django, no database)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from indicators import vocabulary
from indicators.vocabulary import Comparison

if TYPE_CHECKING:
    from indicators.charts import AreaBar, DecileBar, MapArea, SpineRow, TrendSeries

NO_DATA = vocabulary.NO_DATA

# Each label's phrase against a benchmark; Best/Worst are the 99.8% level of Better/Worse.
_PHRASES = {
    "Worst": "significantly worse than {b} at the 99.8% level",
    "Worse": "significantly worse than {b}",
    "Similar": "similar to {b}",
    "Better": "significantly better than {b}",
    "Best": "significantly better than {b} at the 99.8% level",
    "Higher": "significantly higher than {b}",
    "Lower": "significantly lower than {b}",
    Comparison.NOT_COMPARED: Comparison.NOT_COMPARED.phrase,
}
# Worse results first: they are what a reader of an alternative text most needs to hear.
_READING_ORDER = (
    "Worst",
    "Worse",
    "Higher",
    "Similar",
    "Lower",
    "Better",
    "Best",
    Comparison.NOT_COMPARED,
)


def _number(value: float, unit: str = "") -> str:
    text = f"{value:,.1f}"
    if unit == "%":
        return text + "%"
    return f"{text} {unit}".strip()


def _gap(value: float, unit: str) -> str:
    # A difference between two percentages is in percentage points, not per cent.
    return f"{value:,.1f} percentage points" if unit == "%" else _number(value, unit)


def _names(names: Iterable[str]) -> str:
    items = list(names)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _tied(named: Sequence[tuple[str, float]], *, pick: str) -> tuple[list[str], float]:
    """Return every name sharing the highest (or lowest) value as shown, to 1 decimal place."""
    chooser = max if pick == "highest" else min
    target = chooser(round(value, 1) for _, value in named)
    return [name for name, value in named if round(value, 1) == target], target


def _extremes(named: Sequence[tuple[str, float]], unit: str) -> str:
    if len(named) == 1:
        name, value = named[0]
        return f"Only {name} has a value: {_number(value, unit)}."
    top, high = _tied(named, pick="highest")
    bottom, low = _tied(named, pick="lowest")
    if high == low:
        return f"All areas with a value are {_number(high, unit)}."
    verb_top = "is" if len(top) == 1 else "are"
    return (
        f"{_names(top)} {verb_top} highest at {_number(high, unit)} and "
        f"{_names(bottom)} lowest at {_number(low)}."
    )


def _counts_sentence(labels: Sequence[str], benchmark_name: str) -> str:
    """Say how many areas are worse, similar and better (or higher, similar and lower)."""
    count = {label: labels.count(label) for label in set(labels)}
    worse = count.get("Worse", 0) + count.get("Worst", 0)
    better = count.get("Better", 0) + count.get("Best", 0)
    similar = count.get("Similar", 0)
    higher, lower = count.get("Higher", 0), count.get("Lower", 0)
    sentences = []
    if worse or better or (similar and not (higher or lower)):
        sentences.append(_three_counts(worse, similar, better, ("worse", "better"), benchmark_name))
        two_level = count.get("Worst", 0) + count.get("Best", 0)
        if two_level:
            sentences.append(f"{two_level} of these differ at the 99.8% level.")
    if higher or lower:
        sentences.append(_three_counts(higher, similar, lower, ("higher", "lower"), benchmark_name))
    uncompared = count.get(Comparison.NOT_COMPARED, 0)
    if uncompared:
        verb = "is" if uncompared == 1 else "are"
        sentences.append(f"{_plural(uncompared, 'area')} {verb} not compared.")
    return " ".join(sentences)


def _three_counts(
    first: int, similar: int, last: int, words: tuple[str, str], benchmark_name: str
) -> str:
    def amount(n: int) -> str:
        return str(n) if n else "none"

    if first:
        opening = f"{_plural(first, 'area')} {'is' if first == 1 else 'are'} significantly"
    else:
        opening = "No areas are significantly"
    return (
        f"{opening} {words[0]} than {benchmark_name}, {amount(similar)} similar, "
        f"{amount(last)} {words[1]}."
    )


def describe_compare_areas(
    *,
    bars: Sequence[AreaBar],
    benchmark_name: str,
    unit: str,
    title: str = "",
) -> str:
    """Say which areas are highest and lowest, how many differ from the benchmark, and gaps."""
    opening = f"{_plural(len(bars), 'area')}."
    parts = [f"{title}: {opening}" if title else opening]
    valued = [b for b in bars if b.value is not None]
    if not valued:
        return f"{parts[0]} No data for any area."
    parts.append(_extremes([(b.name, b.value) for b in valued if b.value is not None], unit))
    for bar in (b for b in valued if b.highlighted and b.value is not None):
        phrase = _PHRASES.get(bar.comparison, "compared as {b}").format(b=benchmark_name)
        interval = (
            f" (95% confidence interval {bar.lower:,.1f} to {bar.upper:,.1f})"
            if bar.lower is not None and bar.upper is not None
            else ""
        )
        parts.append(f"{bar.name} is {_number(bar.value, unit)}{interval}, {phrase}.")
    parts.append(_counts_sentence([b.comparison for b in valued], benchmark_name))
    missing = sorted(b.name for b in bars if b.value is None)
    if missing:
        parts.append(f"{NO_DATA} for: {_names(missing)}.")
    return " ".join(p for p in parts if p)


def describe_trend(*, series: Sequence[TrendSeries], unit: str) -> str:
    """Say how the main area moved from its first to its latest value, against its comparators."""
    if not series:
        return f"{NO_DATA}."
    main = next((s for s in series if s.is_main), series[0])
    parts = []
    for item in [main, *(s for s in series if s is not main)]:
        points = [(p, v) for p, v in zip(item.periods, item.values, strict=True) if v is not None]
        first_unit = unit if item is main else ""
        if not points:
            parts.append(f"{item.name}: {NO_DATA.lower()} for any period.")
            continue
        (first_period, first), (last_period, last) = points[0], points[-1]
        if len(points) == 1:
            parts.append(f"{item.name}: {_number(last, first_unit)} in {last_period} only.")
        else:
            parts.append(
                f"{item.name}: {_number(first, first_unit)} in {first_period} and "
                f"{_number(last)} in {last_period}."
            )
        if item is main and len(points) > 2:
            high_period, high = max(points, key=lambda point: point[1])
            low_period, low = min(points, key=lambda point: point[1])
            parts.append(
                f"Highest {_number(high)} in {high_period}, lowest {_number(low)} in {low_period}."
            )
        if item is main and item.lowers and item.uppers:
            index = list(item.periods).index(last_period)
            lower, upper = item.lowers[index], item.uppers[index]
            if lower is not None and upper is not None:
                parts.append(f"The latest 95% confidence interval is {lower:,.1f} to {upper:,.1f}.")
    for item in series:
        gaps = [p for p, v in zip(item.periods, item.values, strict=True) if v is None]
        if gaps and len(gaps) < len(item.periods):
            parts.append(f"{NO_DATA} for {item.name} in {_names(gaps)}.")
    return " ".join(parts)


def describe_map(
    *,
    areas: Sequence[MapArea],
    benchmark_name: str = "England",
    unit: str = "",
    by_value: bool = False,
) -> str:
    """Say how many areas fall in each comparison colour, naming them when there are few
    (`by_value`: the map is shaded by the value itself, as for an indicator without polarity)."""
    valued = [a for a in areas if a.value is not None]
    coloured = (
        "shaded by value, lighter for lower and darker for higher"
        if by_value
        else f"coloured by comparison with {benchmark_name}"
    )
    parts = [f"Map of {_plural(len(areas), 'area')} {coloured}."]
    if valued:
        groups = []
        for label in _READING_ORDER:
            names = sorted(a.name for a in valued if a.comparison == label)
            if not names:
                continue
            phrase = _PHRASES[label].format(b=benchmark_name)
            listed = f" ({_names(names)})" if len(names) <= 5 else ""
            groups.append(f"{len(names)} {phrase}{listed}")
        others = sorted(a.name for a in valued if a.comparison not in _PHRASES)
        if others:
            groups.append(f"{len(others)} with another label ({_names(others)})")
        counts = "; ".join(groups)
        parts.append(f"{counts[:1].upper()}{counts[1:]}.")
        parts.append(_extremes([(a.name, a.value) for a in valued if a.value is not None], unit))
    missing = sorted(a.name for a in areas if a.value is None)
    if missing:
        parts.append(f"{NO_DATA} for: {_names(missing)}.")
    return " ".join(parts)


def describe_deciles(
    *,
    deciles: Sequence[DecileBar],
    unit: str,
    sii: tuple[float, float] | None = None,
) -> str:
    """Say how the value changes from the most to the least deprived decile, with the SII line."""
    ordered = sorted(deciles, key=lambda d: d.decile)
    valued = [(d.decile, d.value) for d in ordered if d.value is not None]
    parts = ["Deprivation deciles, 1 (most deprived) to 10 (least deprived)."]
    if not valued:
        return f"{parts[0]} {NO_DATA} for any decile."
    high_decile, high = max(valued, key=lambda item: item[1])
    low_decile, low = min(valued, key=lambda item: item[1])
    parts.append(
        f"Highest in decile {high_decile} at {_number(high, unit)}, "
        f"lowest in decile {low_decile} at {_number(low)}."
    )
    ends = {d.decile: d.value for d in ordered}
    most, least = ends.get(1), ends.get(10)
    if most is not None and least is not None:
        parts.append(f"Decile 1: {_number(most)}; decile 10: {_number(least)}.")
    if sii is not None:
        start, end = sii
        parts.append(
            f"The fitted line (slope index of inequality) runs from {_number(start)} at the most "
            f"deprived end to {_number(end)} at the least deprived end, a gap of "
            f"{_gap(abs(start - end), unit)}."
        )
    estimated = [str(d.decile) for d in ordered if d.estimated_denominator and d.value is not None]
    if estimated:
        which = "all deciles" if len(estimated) == len(valued) else f"deciles {_names(estimated)}"
        parts.append(
            f"Births for {which} are estimated, so their 95% limits are approximate; "
            "the rates are as published."
        )
    missing = [str(d.decile) for d in ordered if d.value is None]
    if missing:
        parts.append(f"{NO_DATA} for decile{'s' if len(missing) > 1 else ''} {_names(missing)}.")
    return " ".join(parts)


def describe_spine(
    *, rows: Sequence[SpineRow], area_name: str, benchmark_name: str = "England"
) -> str:
    """List each indicator under its comparison, with the area's and the benchmark's values."""
    parts = [
        f"Area profile for {area_name}: {_plural(len(rows), 'indicator')} "
        f"compared with {benchmark_name}."
    ]

    def entry(row: SpineRow) -> str:
        area = NO_DATA if row.area_value is None else _number(row.area_value)
        if row.england_value is None:
            return f"{row.indicator} ({area}; {benchmark_name}: {NO_DATA})"
        return f"{row.indicator} ({area}; {benchmark_name} {_number(row.england_value)})"

    valued = [r for r in rows if r.area_value is not None]
    labels = [*_READING_ORDER, *sorted({r.comparison for r in valued} - set(_READING_ORDER))]
    for label in labels:
        group = [r for r in valued if r.comparison == label]
        if group:
            phrase = _PHRASES.get(label, label + " compared with {b}").format(b=benchmark_name)
            parts.append(f"{phrase[:1].upper()}{phrase[1:]}: {'; '.join(entry(r) for r in group)}.")
    missing = [r.indicator for r in rows if r.area_value is None]
    if missing:
        parts.append(f"{NO_DATA}: {_names(missing)}.")
    return " ".join(parts)
