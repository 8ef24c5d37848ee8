"""The what-if interval chart in the board pack (WHATIF section 7: "the board pack prints
sentence, caveat and chart"), drawn with ReportLab's shapes as the pack's other drawings are.

`chart_values` turns one what-if statement into plain values (the same curve, comparator,
markers and range of women the web chart draws: `indicators.charts.whatif`), kept in the pack
and in a frozen pack's JSON; `flowables` draws them and touches no database. A pack stored
before the chart was added has none and prints as it did.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import KeepTogether, Paragraph

from actionplan.boardpack.drawing import BOLD, FONT, GREY, INK, RULE, WIDTH, _clip, _text, day


@dataclass(frozen=True, slots=True)
class CurveValue:
    """The expected rate per 1,000 at one prevalence (a share), with its 80% and 95% ranges."""

    prevalence: float
    rate: float
    low80: float
    high80: float
    low95: float
    high95: float


@dataclass(frozen=True, slots=True)
class WomenRange:
    """The range bar for k: fewer women a year that would close the gap (a significant gap)."""

    point: float
    low80: float
    high80: float
    low95: float
    high95: float
    words: str  # rounded as the statement rounds them


@dataclass(frozen=True, slots=True)
class WhatIfChart:
    title: str  # what is drawn, for whom, and its period
    factor: str  # "smoking at delivery": the x axis, in %
    outcome: str  # "infant mortality"
    curve: tuple[CurveValue, ...]
    today: float  # the prevalence now (p), a share
    today_rate: float
    comparator: str  # "England", "the North West"
    comparator_value: float | None  # per 1,000
    comparator_period: str
    to_match: float | None  # p - delta p, where it is 0% or more
    women: WomenRange | None
    period: str  # the outcome's and the factor's
    source: str  # the figures' sources and the relative risk
    description: str  # what the chart shows, in words (its text alternative after the finding)


def chart_values(statement) -> WhatIfChart | None:
    """The chart of one what-if statement (`indicators.whatif_inputs.Statement`), or None."""
    from indicators.charts import whatif as wc
    from indicators.statistics import whatif_parameters as wp

    result = statement.result
    if result is None:
        return None
    factor = wp.FACTOR_PHRASES[result.prevalence.factor][0]
    outcome = wp.OUTCOME_NAMES[result.outcome.outcome]
    rows = wc.curve(result)
    est, risk = result.estimates, result.risk
    spread = wc.women_range(result)
    women = None
    if spread is not None:
        women = WomenRange(
            *(float(spread[k]) for k in ("point", "low80", "high80", "low95", "high95")),
            words=wc.women_text(spread, factor=factor),
        )
    target = result.comparator.value if result.comparator else None
    new = est.new_prevalence
    sources = "; ".join(
        f"{s.name} ({s.indicator_id}), {s.period}, {s.source}"
        + (f", data as of {day(date.fromisoformat(s.data_as_of))}" if s.data_as_of else "")
        for s in statement.sources
    )
    return WhatIfChart(
        title=(
            f"Expected {outcome} rate by {factor}: {result.area_name}, "
            f"against {result.comparator_name}"
        ),
        factor=factor,
        outcome=outcome,
        curve=tuple(
            CurveValue(
                *(float(v) for v in (r.prevalence, r.rate, r.low80, r.high80)),
                float(r.low95),
                float(r.high95),
            )
            for r in rows
        ),
        today=float(result.prevalence.p),
        today_rate=float(est.r0 * (1 + result.prevalence.p * (risk.rr - 1))),
        comparator=result.comparator_name,
        comparator_value=None if target is None else float(target),
        comparator_period=result.outcome.period,
        to_match=float(new) if new is not None and new >= 0 else None,
        women=women,
        period=(
            f"{outcome.capitalize()} {result.outcome.period}; {factor} {result.prevalence.period}"
        ),
        source="; ".join(filter(None, [sources, f"relative risk {risk.rr:g}"]))
        + f" ({result.parameter_set.label})",
        description=(
            wc.alt_text(result, rows, factor=factor) + (f" {women.words}" if women else "")
        ),
    )


# ------------------------------------------------------------------------------------------
# Drawing
# ------------------------------------------------------------------------------------------

BLUE = colors.HexColor("#1d70b8")
BAND95 = colors.HexColor("#d2e2f1")  # the web's blue at 0.15 and 0.30 on white
BAND80 = colors.HexColor("#a5c6e3")
SIZE = 7
HEIGHT = 190
LEFT, RIGHT_KEY, BOTTOM, TOP = 46, 128, 34, 10
PLOT_RIGHT = WIDTH - RIGHT_KEY


def _upper(words: str) -> str:
    return words[:1].upper() + words[1:]


def _step(top: float, ticks: int = 5) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` ticks."""
    raw = top / ticks if top > 0 else 1
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def _ticks(top: float) -> tuple[list[float], float]:
    step = _step(top)
    count = math.ceil(top / step - 1e-9)
    return [i * step for i in range(count + 1)], count * step


def _number(value: float, step: float) -> str:
    """A tick label with as many decimals as the step has (0, 1 or 2)."""
    decimals = len(f"{step:.2f}".rstrip("0").split(".")[1])
    return f"{value:,.{decimals}f}"


def _string(x, y, text, *, anchor="start", size=SIZE, font=FONT, colour=INK) -> String:
    return String(x, y, text, fontName=font, fontSize=size, fillColor=colour, textAnchor=anchor)


def _y_title(drawing: Drawing, x: float, y: float, text: str) -> None:
    group = Group(_string(0, 0, text, anchor="middle"))
    group.transform = (0, 1, -1, 0, x, y)  # turned a quarter left, read bottom to top
    drawing.add(group)


@dataclass(frozen=True, slots=True)
class _Plot:
    """The plot's ticks, and where a prevalence (%) and a rate (per 1,000) fall on it."""

    x_ticks: list[float]
    x_end: float
    y_ticks: list[float]
    y_end: float
    y0: float = BOTTOM
    y1: float = HEIGHT - TOP

    @classmethod
    def of(cls, chart: WhatIfChart) -> _Plot:
        x_top = max(p.prevalence for p in chart.curve) * 100 or 1.0
        highest = max(
            [p.high95 for p in chart.curve]
            + ([chart.comparator_value] if chart.comparator_value is not None else [])
        )
        return cls(*_ticks(x_top), *_ticks(highest * 1.05))

    def sx(self, percent: float) -> float:
        return LEFT + (PLOT_RIGHT - LEFT) * percent / self.x_end

    def sy(self, rate: float) -> float:
        return self.y0 + (self.y1 - self.y0) * rate / self.y_end


def _curve_drawing(chart: WhatIfChart) -> Drawing:
    d = Drawing(WIDTH, HEIGHT)
    plot = _Plot.of(chart)
    _axes(d, chart, plot)
    for low, high, fill in (("low95", "high95", BAND95), ("low80", "high80", BAND80)):
        upper = [(plot.sx(100 * p.prevalence), plot.sy(getattr(p, high))) for p in chart.curve]
        lower = [
            (plot.sx(100 * p.prevalence), plot.sy(getattr(p, low))) for p in reversed(chart.curve)
        ]
        points = [v for xy in upper + lower for v in xy]
        d.add(Polygon(points, fillColor=fill, strokeColor=None))
    line = [v for p in chart.curve for v in (plot.sx(100 * p.prevalence), plot.sy(p.rate))]
    d.add(PolyLine(line, strokeColor=BLUE, strokeWidth=1.6))
    if chart.comparator_value is not None:
        _comparator_line(d, chart, plot)
    _marks(d, chart, plot)
    _key(d, chart)
    return d


def _axes(d: Drawing, chart: WhatIfChart, plot: _Plot) -> None:
    """The grid, both axes with their tick labels, and the axis titles."""
    y0, y1, sx, sy = plot.y0, plot.y1, plot.sx, plot.sy
    x_step = plot.x_ticks[1] - plot.x_ticks[0]
    y_step = plot.y_ticks[1] - plot.y_ticks[0]
    for value in plot.y_ticks:  # grid and y labels
        d.add(Line(LEFT, sy(value), PLOT_RIGHT, sy(value), strokeColor=RULE, strokeWidth=0.3))
        d.add(_string(LEFT - 4, sy(value) - 2.5, _number(value, y_step), anchor="end"))
    for value in plot.x_ticks:
        d.add(Line(sx(value), y0, sx(value), y0 - 3, strokeColor=INK, strokeWidth=0.5))
        d.add(_string(sx(value), y0 - 11, _number(value, x_step) + "%", anchor="middle"))
    d.add(Line(LEFT, y0, PLOT_RIGHT, y0, strokeColor=INK, strokeWidth=0.6))
    d.add(Line(LEFT, y0, LEFT, y1, strokeColor=INK, strokeWidth=0.6))
    d.add(_string((LEFT + PLOT_RIGHT) / 2, 4, f"{_upper(chart.factor)} (%)", anchor="middle"))
    _y_title(d, 9, (y0 + y1) / 2, f"{_upper(chart.outcome)} rate per 1,000")


def _comparator_line(d: Drawing, chart: WhatIfChart, plot: _Plot) -> None:
    """The comparator as a dashed line, labelled beside it."""
    y = plot.sy(chart.comparator_value)
    d.add(Line(LEFT, y, PLOT_RIGHT, y, strokeColor=GREY, strokeWidth=1, strokeDashArray=[4, 2]))
    label = f"{_upper(chart.comparator)} {chart.comparator_value:.2f}"
    # Beside the line, on the side the 95% range leaves clear at the right.
    last = chart.curve[-1]
    below = last.low95 > chart.comparator_value and y - 10 > plot.y0
    d.add(
        _string(
            PLOT_RIGHT - 2,
            y - 9 if below else y + 3,
            _clip(label, 60),
            anchor="end",
            colour=GREY,
        )
    )


def _marks(d: Drawing, chart: WhatIfChart, plot: _Plot) -> None:
    """Today's prevalence (filled) and, where reachable, the one to match (open)."""
    marks = [(chart.today, chart.today_rate, "Today", True)]
    if chart.to_match is not None and chart.comparator_value is not None:
        marks.append((chart.to_match, chart.comparator_value, "To match", False))
    for share, rate, label, filled in marks:
        x, y = plot.sx(100 * share), plot.sy(rate)
        d.add(
            Circle(
                x,
                y,
                3.2,
                fillColor=INK if filled else colors.white,
                strokeColor=INK,
                strokeWidth=1.2,
            )
        )
        d.add(_string(x, y + 6, f"{label} {100 * share:.1f}%", anchor="middle", font=BOLD))


def _key(d: Drawing, chart: WhatIfChart) -> None:
    """The key, right of the plot; every item is also named in the caption."""
    x, y = PLOT_RIGHT + 14, HEIGHT - TOP - 8
    items = [
        ("band", BAND95, "95% range"),
        ("band", BAND80, "80% range"),
        ("line", BLUE, "Expected rate"),
    ]
    if chart.comparator_value is not None:
        items.append(("dash", GREY, _clip(_upper(chart.comparator), 24)))
    items.append(("dot", INK, "Today"))
    if chart.to_match is not None and chart.comparator_value is not None:
        items.append(("ring", INK, "To match"))
    for kind, colour, label in items:
        if kind == "band":
            d.add(Rect(x, y - 1, 14, 7, fillColor=colour, strokeColor=None))
        elif kind == "line":
            d.add(Line(x, y + 2.5, x + 14, y + 2.5, strokeColor=colour, strokeWidth=1.6))
        elif kind == "dash":
            d.add(Line(x, y + 2.5, x + 14, y + 2.5, strokeColor=colour, strokeDashArray=[4, 2]))
        else:
            fill = colour if kind == "dot" else colors.white
            d.add(Circle(x + 7, y + 2.5, 3, fillColor=fill, strokeColor=INK, strokeWidth=1.2))
        d.add(_string(x + 19, y, label))
        y -= 13


def _women_drawing(chart: WhatIfChart) -> Drawing:
    """The range bar for k: 95% and 80% ranges of the women a year, and the point estimate."""
    women = chart.women
    d = Drawing(WIDTH, 56)
    ticks, end = _ticks(women.high95 * 1.05)
    step = ticks[1] - ticks[0]

    def sx(value: float) -> float:
        return LEFT + (PLOT_RIGHT - LEFT) * value / end

    y = 34
    d.add(_string(LEFT - 4, y - 2.5, "Women", anchor="end"))
    d.add(
        Rect(
            sx(women.low95),
            y - 7,
            sx(women.high95) - sx(women.low95),
            14,
            fillColor=BAND95,
            strokeColor=None,
        )
    )
    d.add(
        Rect(
            sx(women.low80),
            y - 7,
            sx(women.high80) - sx(women.low80),
            14,
            fillColor=BAND80,
            strokeColor=None,
        )
    )
    d.add(Line(sx(women.point), y - 9, sx(women.point), y + 9, strokeColor=INK, strokeWidth=1.6))
    d.add(Line(LEFT, 22, PLOT_RIGHT, 22, strokeColor=INK, strokeWidth=0.6))
    for value in ticks:
        d.add(Line(sx(value), 22, sx(value), 19, strokeColor=INK, strokeWidth=0.5))
        d.add(_string(sx(value), 11, _number(value, step), anchor="middle"))
    title = f"Fewer women {chart.factor} a year to match {chart.comparator}"
    d.add(_string((LEFT + PLOT_RIGHT) / 2, 0, _clip(title, 90), anchor="middle"))
    d.add(Line(PLOT_RIGHT + 21, y - 7, PLOT_RIGHT + 21, y + 7, strokeColor=INK, strokeWidth=1.6))
    d.add(_string(PLOT_RIGHT + 33, y - 2.5, "From the figures"))
    return d


def flowables(chart: WhatIfChart, headline: str, s) -> list:
    """The chart under its heading (period, comparator, source) and above its caption, whose
    first line is the statement's finding: one block, never split across pages."""
    comparator = _text(_upper(chart.comparator)) + (
        f", {chart.comparator_value:.2f} per 1,000 ({_text(chart.comparator_period)})"
        if chart.comparator_value is not None
        else ""
    )
    parts = [
        Paragraph(
            f"<b>Chart:</b> {_text(chart.title)}",
            ParagraphStyle("chart", parent=s["small"], spaceBefore=8),
        ),
        Paragraph(
            f"Periods: {_text(chart.period)}. Comparator: {comparator}. "
            f"Sources: {_text(chart.source)}.",
            s["hint"],
        ),
        _curve_drawing(chart),
    ]
    if chart.women is not None:
        parts.append(_women_drawing(chart))
    parts.append(
        Paragraph(
            f"<b>Chart in words:</b> {_text(headline)} {_text(chart.description)}",
            ParagraphStyle("caption", parent=s["hint"], spaceBefore=4),
        )
    )
    return [KeepTogether(parts)]
