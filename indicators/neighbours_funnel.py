"""A funnel plot of a group's rates or proportions: each area against the group's pooled value,
with 95% and 99.8% limits that widen as the population shrinks. Pure (the statistics package's
limits: Byar's for rates, the inverted Wilson interval for proportions; plain dicts for
Plotly)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from indicators.statistics import (
    funnel_proportion_limits,
    funnel_rate_limits,
    funnel_significance_proportions,
    funnel_significance_rates,
)

STEPS = 40
WORDS = {
    "High (0.001)": "above the 99.8% limit",
    "High (0.025)": "above the 95% limit",
    "Low (0.001)": "below the 99.8% limit",
    "Low (0.025)": "below the 95% limit",
    "Not significant": "within the limits",
}


@dataclass(frozen=True, slots=True)
class Point:
    name: str
    count: float
    denominator: float
    value: float
    is_area: bool = False


@dataclass(frozen=True, slots=True)
class Funnel:
    average: float
    grid: tuple[float, ...]
    limits: dict  # "95" / "99.8" → (lowers, uppers)
    labels: tuple[str, ...]  # each point's position in words
    points: tuple[Point, ...]
    kind: str = "rate"  # or "proportion"

    def text(self, group: str, unit: str) -> str:
        """The chart's text alternative."""
        outside = [
            f"{p.name} {w}"
            for p, w in zip(self.points, self.labels, strict=True)
            if w != WORDS["Not significant"]
        ]
        said = "; ".join(outside) if outside else "every area is within the limits"
        return (
            f"Funnel plot, {group}: {len(self.points)} areas against their pooled {self.kind} of "
            f"{self.average:.1f}{'' if unit == '%' else ' '}{unit}: {said}."
        )


def funnel(points: Sequence[Point], multiplier: float, kind: str = "rate") -> Funnel | None:
    """Limits over the range of the points' denominators; None for fewer than 3 points.

    `kind` "rate": counts of events per population (Byar's limits around the pooled rate);
    "proportion": counts of people out of a denominator, shown × multiplier (100 for a
    percentage), with the statistics package's Wilson limits around the pooled proportion.
    """
    if kind not in ("rate", "proportion"):
        raise ValueError(f"kind must be rate or proportion, not {kind!r}")
    usable = [p for p in points if p.denominator and p.denominator > 0 and p.count is not None]
    if kind == "proportion":
        usable = [p for p in usable if 0 <= p.count <= p.denominator]
    if len(usable) < 3:
        return None
    pooled = sum(p.count for p in usable) / sum(p.denominator for p in usable)
    average = pooled * multiplier
    low, high = min(p.denominator for p in usable), max(p.denominator for p in usable)
    low, high = low * 0.8, high * 1.2
    grid = tuple(low * (high / low) ** (i / (STEPS - 1)) for i in range(STEPS))
    limits = {}
    for key, level in (("95", 0.95), ("99.8", 0.998)):
        if kind == "proportion":
            # The limits' normal form can pass 0 % or 100 % for small denominators; a
            # proportion cannot, so the drawn limits stop there.
            pairs = [
                tuple(
                    multiplier * min(max(v, 0.0), 1.0)
                    for v in funnel_proportion_limits(
                        average=pooled, denominator=n, confidence=level
                    )
                )
                for n in grid
            ]
        else:
            pairs = [
                funnel_rate_limits(
                    average_rate=average, denominator=n, multiplier=multiplier, confidence=level
                )
                for n in grid
            ]
        limits[key] = (tuple(p[0] for p in pairs), tuple(p[1] for p in pairs))
    counts = [p.count for p in usable]
    denominators = [p.denominator for p in usable]
    if kind == "proportion":
        labels = funnel_significance_proportions(counts, denominators)
    else:
        labels = funnel_significance_rates(
            counts=counts, denominators=denominators, multiplier=multiplier
        )
    words = tuple(WORDS.get(str(label), "not judged") for label in labels)
    return Funnel(average, grid, limits, words, tuple(usable), kind)


def figure(result: Funnel, *, title: str, unit: str, population: str) -> dict:
    """Plotly's data and layout: the limits as lines, the areas as markers (the area marked)."""
    data = [*_limit_lines(result), *_markers(result)]
    layout = {
        "title": {"text": title},
        "height": 420,
        "margin": {"l": 60, "r": 20, "t": 60, "b": 110},
        "font": {"family": "Arimo, Arial, sans-serif", "size": 14, "color": "#0b0c0c"},
        "xaxis": {"title": {"text": population}, "type": "log"},
        "yaxis": {"title": {"text": unit}, "rangemode": "tozero"},
        "legend": {"orientation": "h", "y": -0.3},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    return {"data": data, "layout": layout}


def _limit_lines(result: Funnel) -> list[dict]:
    """The 99.8% and 95% limits (each side a line, one legend entry a level), then the pooled
    value as a flat line."""
    lines = []
    for key, dash in (("99.8", "dot"), ("95", "dash")):
        lowers, uppers = result.limits[key]
        for side, values in (("lower", lowers), ("upper", uppers)):
            lines.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": list(result.grid),
                    "y": list(values),
                    "name": f"{key}% limits",
                    "legendgroup": key,
                    "showlegend": side == "upper",
                    "line": {"color": "#505a5f", "dash": dash, "width": 1},
                    "hoverinfo": "skip",
                }
            )
    lines.append(
        {
            "type": "scatter",
            "mode": "lines",
            "x": [result.grid[0], result.grid[-1]],
            "y": [result.average] * 2,
            "name": f"Pooled {result.kind}",
            "line": {"color": "#0b0c0c", "width": 1.5},
            "hoverinfo": "skip",
        }
    )
    return lines


def _markers(result: Funnel) -> list[dict]:
    """The group's members as circles, then the area itself as a larger diamond."""
    markers = []
    for is_area, colour, size, name in (
        (False, "#1d70b8", 9, "Members"),
        (True, "#d4351c", 13, ""),
    ):
        chosen = [p for p in result.points if p.is_area == is_area]
        if not chosen:
            continue
        markers.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [p.denominator for p in chosen],
                "y": [p.value for p in chosen],
                "text": [p.name for p in chosen],
                "name": name or chosen[0].name,
                "marker": {
                    "color": colour,
                    "size": size,
                    "symbol": "diamond" if is_area else "circle",
                },
                "hovertemplate": "%{text}: %{y:.1f}<extra></extra>",
            }
        )
    return markers
