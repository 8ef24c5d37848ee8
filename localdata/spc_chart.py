"""A Making Data Count SPC chart as inline SVG (pure; no script, so it prints without JS).

Colours follow NHS England's Making Data Count: common cause grey, improvement blue, concern
orange, neutral purple; the mean solid, process limits dashed grey, the target dashed red.
"""

from __future__ import annotations

from html import escape

from localdata.statistics import SpcView

COLOURS = {
    "common_cause": "#7B7D7D",
    "special_cause_improvement": "#289DE0",
    "special_cause_concern": "#FAB428",
    "special_cause_neutral_high": "#361475",
    "special_cause_neutral_low": "#361475",
    "": "#7B7D7D",
}
VARIATION_WORDS = {
    "common_cause": "Common cause variation",
    "special_cause_improvement": "Special cause variation: improvement",
    "special_cause_concern": "Special cause variation: concern",
    "special_cause_neutral_high": "Special cause variation: neutral, higher",
    "special_cause_neutral_low": "Special cause variation: neutral, lower",
}
ASSURANCE_WORDS = {
    "consistent_pass": ("P", "Assurance: the process consistently passes the target"),
    "consistent_fail": ("F", "Assurance: the process consistently fails the target"),
    "inconsistent": ("?", "Assurance: hit and miss; the target falls within the limits"),
}
# A narrow drawing with large type, so that on a phone (about 340 px wide) the labels stay
# legible; a desktop shows it at most 600 px wide (localdata.css).
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 480, 280, 52, 36, 14, 40
FONT_SIZE = 14


def spc_svg(view: SpcView, *, title: str, target: float | None, unit: str = "%") -> str:
    """The chart as an SVG element with a title and description for screen readers."""
    shown = [v for v in view.values if v is not None]
    lines = [x for x in (view.lpl, view.upl, target) if x is not None]
    if not shown:
        return ""
    low, high = min(shown + lines), max(shown + lines)
    pad = (high - low) * 0.1 or 1
    low, high = low - pad, high + pad
    n = len(view.values)

    def x(i: float) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (i / max(n - 1, 1))

    def y(v: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (v - low) / (high - low))

    parts = [
        f'<svg class="spc-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{_id(title)}-t {_id(title)}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{_id(title)}-t">{escape(title)}</title>',
        f'<desc id="{_id(title)}-d">{escape(describe(view, target=target, unit=unit))}</desc>',
    ]
    parts += _axes(low, high, y, x, view.labels, unit)
    for value, colour, dash in (
        (view.upl, "#9a9a9a", "6 4"),
        (view.lpl, "#9a9a9a", "6 4"),
        (view.mean, "#333333", ""),
        (target, "#d5281b", "2 3"),
    ):
        if value is not None:
            dashes = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" '
                f'y2="{y(value):.1f}" stroke="{colour}" stroke-width="1.5"{dashes}/>'
            )
    parts.append(_series(view, x, y))
    parts.append("</svg>")
    return "".join(parts)


def _id(title: str) -> str:
    return "spc-" + "".join(c if c.isalnum() else "-" for c in title.lower())[:40]


def _axes(low, high, y, x, labels, unit: str = "%") -> list[str]:
    out = [f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="#505a5f"/>']
    digits = 1 if high - low < 8 else 0  # a narrow range needs a decimal to tell ticks apart
    for k in range(5):
        v = low + (high - low) * k / 4
        out.append(
            f'<text x="{LEFT - 6}" y="{y(v) + 5:.1f}" text-anchor="end" '
            f'font-size="{FONT_SIZE}" fill="#0b0c0c">{v:.{digits}f}{escape(unit)}</text>'
        )
    step = max(1, -(-len(labels) // 4))  # at most four labels, so they never overlap
    for i in range(0, len(labels), step):
        out.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 20}" text-anchor="middle" '
            f'font-size="{FONT_SIZE}" fill="#0b0c0c">{escape(labels[i])}</text>'
        )
    return out


def _series(view: SpcView, x, y) -> str:
    out, path = [], []
    for i, value in enumerate(view.values):
        if value is None:  # a suppressed or missing point breaks the line
            if len(path) > 1:
                out.append(f'<polyline points="{" ".join(path)}" fill="none" stroke="#7B7D7D"/>')
            path = []
            continue
        path.append(f"{x(i):.1f},{y(value):.1f}")
    if len(path) > 1:
        out.append(f'<polyline points="{" ".join(path)}" fill="none" stroke="#7B7D7D"/>')
    for i, value in enumerate(view.values):
        if value is None:
            continue
        kind = view.point_types[i] if i < len(view.point_types) else ""
        out.append(
            f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="4.5" '
            f'fill="{COLOURS.get(kind, "#7B7D7D")}"><title>{escape(view.labels[i])}: '
            f"{value:.1f}</title></circle>"
        )
    return "".join(out)


def describe(view: SpcView, *, target: float | None, unit: str = "%") -> str:
    """The chart in words (its text alternative)."""
    points = [(label, v) for label, v in zip(view.labels, view.values, strict=True)]
    shown = [p for p in points if p[1] is not None]
    if not shown:
        return "No values to chart."
    latest = shown[-1]
    text = f"{len(shown)} points; latest {latest[0]}: {latest[1]:.1f}{unit}."
    gaps = len(points) - len(shown)
    if gaps:
        text += f" {gaps} point{'s' if gaps > 1 else ''} withheld or missing."
    if view.mean is None:
        return text + f" No process limits: {view.reason}."
    text += (
        f" Mean {view.mean:.1f}{unit}, process limits {view.lpl:.1f} to {view.upl:.1f}"
        f"{' (trial limits: a short baseline)' if view.trial_limits else ''}."
    )
    text += f" {VARIATION_WORDS.get(view.variation, '')}."
    if target is not None:
        text += f" Target {target:g}{unit}."
        if view.assurance:
            text += f" {ASSURANCE_WORDS[view.assurance][1]}."
    return text


def _badge(colour: str, letter: str, words: str) -> str:
    return (
        f'<svg class="localdata-badge-icon" viewBox="0 0 32 32" width="32" height="32" role="img" '
        f'aria-label="{escape(words)}"><circle cx="16" cy="16" r="14" fill="white" '
        f'stroke="{colour}" stroke-width="3"/><text x="16" y="21" text-anchor="middle" '
        f'font-size="14" font-weight="700" fill="{colour}">{escape(letter)}</text></svg>'
    )


def variation_badge(view: SpcView) -> tuple[str, str]:
    """The variation icon's letter and colour (the PDF draws them itself); ("", "") if none."""
    if not view.variation:
        return "", ""
    shown = [v for v in view.values if v is not None]
    high = view.mean is not None and shown and shown[-1] > view.mean
    letter = "~" if view.variation == "common_cause" else ("H" if high else "L")
    return letter, COLOURS[view.variation]


def variation_icon(view: SpcView) -> str:
    """The Making Data Count variation icon of the latest point, as inline SVG."""
    if not view.variation:
        return ""
    letter, colour = variation_badge(view)
    return _badge(colour, letter, VARIATION_WORDS[view.variation])


ASSURANCE_COLOURS = {
    "consistent_pass": "#289DE0",
    "consistent_fail": "#FAB428",
    "inconsistent": "#7B7D7D",
}


def assurance_icon(view: SpcView) -> str:
    """The Making Data Count assurance icon (P, F or ?), as inline SVG."""
    if not view.assurance:
        return ""
    letter, words = ASSURANCE_WORDS[view.assurance]
    return _badge(ASSURANCE_COLOURS[view.assurance], letter, words)
