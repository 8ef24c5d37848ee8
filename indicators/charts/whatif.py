"""The what-if interval chart (WHATIF section 7), pure: prevalence on x, the expected rate with
its 80% and 95% bands, the comparator as a line, markers at today's prevalence and at the
prevalence that would close the gap; with the same figures as a table for its text alternative."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from indicators.charts.common import base_layout
from indicators.statistics import whatif as w

POINTS = 21
DRAWS = 2000
SEED = 1


def _upper(words: str) -> str:
    """The first letter a capital, the rest as written ("the North West", "BMI" kept)."""
    return words[:1].upper() + words[1:]


@dataclass(frozen=True)
class CurvePoint:
    prevalence: float  # a share, 0 to 1
    rate: float  # expected rate per 1,000 at that prevalence, from the observed inputs
    low80: float
    high80: float
    low95: float
    high95: float


def curve(result: w.Result, points: int = POINTS, draws: int = DRAWS, seed: int = SEED):
    """The expected rate as the prevalence moves from 0 to twice today's (at most 100%):
    r0 × (1 + x (RR - 1)), drawn as the method draws its inputs (rate, prevalence, RR)."""
    out, prev, risk = result.outcome, result.prevalence, result.risk
    rng = np.random.default_rng(seed)
    rate = 1000 * rng.standard_gamma(out.count + 0.5, size=draws) / out.denominator
    p = rng.beta(prev.count + 0.5, prev.denominator - prev.count + 0.5, size=draws)
    se = risk.log_se
    rr = np.exp(rng.normal(math.log(risk.rr), se, size=draws)) if se else np.full(draws, risk.rr)
    r0 = rate / (1 + p * (rr - 1))
    top = min(1.0, 2 * prev.p)
    rows = []
    for x in np.linspace(0.0, top, points):
        drawn = r0 * (1 + x * (rr - 1))
        low95, low80, high80, high95 = np.percentile(drawn, [2.5, 10, 90, 97.5])
        expected = result.estimates.r0 * (1 + x * (risk.rr - 1))
        rows.append(CurvePoint(float(x), expected, low80, high80, low95, high95))
    return rows


def table(rows: list[CurvePoint]) -> tuple[list[str], list[list[str]]]:
    """The chart's figures as text: the columns and one row per prevalence."""
    columns = ["Prevalence", "Expected rate per 1,000", "80% range", "95% range"]
    body = [
        [
            f"{100 * r.prevalence:.1f}%",
            f"{r.rate:.2f}",
            f"{r.low80:.2f} to {r.high80:.2f}",
            f"{r.low95:.2f} to {r.high95:.2f}",
        ]
        for r in rows
    ]
    return columns, body


def figure(result: w.Result, rows: list[CurvePoint], *, factor: str) -> go.Figure:
    """The chart: bands, the expected rate, the comparator, and where the prevalence is and
    would need to be."""
    xs = [100 * r.prevalence for r in rows]
    fig = go.Figure()
    _add_bands(fig, xs, rows)
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=[r.rate for r in rows],
            mode="lines",
            name="Expected rate",
            line={"color": "#1d70b8", "width": 2},
        )
    )
    if result.comparator and result.comparator.value is not None:
        fig.add_hline(
            y=result.comparator.value,
            line={"color": "#505a5f", "dash": "dash"},
            annotation_text=result.comparator_name,
            annotation_position="top left",
        )
    _add_marks(fig, result)
    layout = base_layout(
        title="Expected rate by prevalence",
        height=400,
        margin={"l": 60, "r": 20, "t": 50, "b": 110},
    )
    # The legend below the plot, so a phone's narrow chart keeps its width for the curve.
    legend = {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.3, "yanchor": "top"}
    fig.update_layout(**layout, legend=legend)
    fig.update_xaxes(title_text=f"{_upper(factor)} (%)", rangemode="tozero")
    fig.update_yaxes(title_text="Rate per 1,000", rangemode="tozero")
    return fig


def _add_bands(fig: go.Figure, xs: list[float], rows: list[CurvePoint]) -> None:
    """The 95% and 80% ranges as shaded bands: an unseen upper edge, then the filled lower."""
    for low, high, name, shade in (
        ("low95", "high95", "95% range", "rgba(29, 112, 184, 0.15)"),
        ("low80", "high80", "80% range", "rgba(29, 112, 184, 0.30)"),
    ):
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=[getattr(r, high) for r in rows],
                mode="lines",
                line={"width": 0},
                showlegend=False,
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=[getattr(r, low) for r in rows],
                mode="lines",
                line={"width": 0},
                fill="tonexty",
                fillcolor=shade,
                name=name,
            )
        )


def _add_marks(fig: go.Figure, result: w.Result) -> None:
    """Markers on the curve at today's prevalence and, where reachable, the one to match."""
    est = result.estimates
    marks = [(result.prevalence.p, "Today")]
    if est.new_prevalence is not None and est.new_prevalence >= 0:
        marks.append((est.new_prevalence, "To match"))
    for p, label in marks:
        fig.add_trace(
            go.Scatter(
                x=[100 * p],
                y=[est.r0 * (1 + p * (result.risk.rr - 1))],
                mode="markers+text",
                text=[label],
                textposition="top center",
                name=label,
                marker={"size": 9, "color": "#0b0c0c"},
            )
        )


def alt_text(result: w.Result, rows: list[CurvePoint], *, factor: str) -> str:
    """What the chart shows, in words (its caption, for screen readers and print)."""
    first, last = rows[0], rows[-1]
    words = (
        f"Expected rate per 1,000 as {factor} goes from 0% to {100 * last.prevalence:.0f}%: "
        f"{first.rate:.2f} at 0% and {last.rate:.2f} at {100 * last.prevalence:.0f}%, "
        f"{result.outcome.rate:.2f} at today's {100 * result.prevalence.p:.1f}%."
    )
    target = result.comparator.value if result.comparator else None
    if target is not None:
        words += f" {_upper(result.comparator_name)}: {target:.2f}."
    new = result.estimates.new_prevalence
    if new is not None and new >= 0:
        words += f" Matching it needs {factor} at about {100 * new:.1f}%."
    return words + " Shaded: the 80% and 95% ranges."


def women_range(result: w.Result) -> dict | None:
    """The range bar for k, the women a year (section 7): only where the statement gives a
    number of women (a significant gap), never where the gap is within chance variation."""
    women = result.simulation.women
    if result.case != "significant_gap" or women is None or result.estimates.women is None:
        return None
    return {
        "point": result.estimates.women,
        "median": women.median,
        "low80": women.p10,
        "high80": women.p90,
        "low95": women.p2_5,
        "high95": women.p97_5,
        "all": result.prevalence.count,
    }


def women_figure(spread: dict, *, factor: str) -> go.Figure:
    """A horizontal range bar: the 95% and 80% ranges of k with the point estimate."""
    fig = go.Figure()
    for low, high, name, colour, width in (
        ("low95", "high95", "95% range", "rgba(29, 112, 184, 0.30)", 26),
        ("low80", "high80", "80% range", "rgba(29, 112, 184, 0.65)", 26),
    ):
        fig.add_trace(
            go.Scatter(
                x=[spread[low], spread[high]],
                y=["Women", "Women"],
                mode="lines",
                line={"color": colour, "width": width},
                name=name,
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[spread["point"]],
            y=["Women"],
            mode="markers",
            marker={"color": "#0b0c0c", "size": 12, "symbol": "line-ns-open"},
            name="From the observed figures",
        )
    )
    layout = base_layout(
        title=f"Fewer women {factor} a year",
        height=200,
        margin={"l": 70, "r": 20, "t": 40, "b": 90},
    )
    legend = {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.6, "yanchor": "top"}
    fig.update_layout(**layout, legend=legend)
    fig.update_xaxes(title_text="Women a year", rangemode="tozero")
    return fig


def women_text(spread: dict, *, factor: str) -> str:
    """The range bar in words (rounded as the statement is)."""

    def shown(value: float) -> str:
        return w.women_text(value, spread["all"])

    return (
        f"Fewer women {factor} a year that would close the gap: about {shown(spread['point'])} "
        f"from the observed figures; 80% range {shown(spread['low80'])} to "
        f"{shown(spread['high80'])}, 95% range {shown(spread['low95'])} to "
        f"{shown(spread['high95'])}."
    )


CSV_COLUMNS = [
    "series",
    "prevalence",
    "value",
    "80% range: lower",
    "80% range: upper",
    "95% range: lower",
    "95% range: upper",
]


def csv_rows(rows: list[CurvePoint], spread: dict | None) -> list[list[object]]:
    """The chart's figures at full precision: the curve (prevalence as a share, the expected
    rate per 1,000) and, where the statement gives one, the women a year."""
    out: list[list[object]] = [
        ["expected rate per 1,000", r.prevalence, r.rate, r.low80, r.high80, r.low95, r.high95]
        for r in rows
    ]
    if spread is not None:
        out.append(
            [
                "women a year to close the gap",
                "",
                spread["point"],
                spread["low80"],
                spread["high80"],
                spread["low95"],
                spread["high95"],
            ]
        )
    return out
