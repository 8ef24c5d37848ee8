"""The RAG palette stays told apart by people with colour-vision deficiency (issue 12).

Each pair of RAG colours is put through a simulation of protanopia, deuteranopia and
tritanopia (Machado, Oliveira and Fernandes 2009, full severity, applied in linear RGB) and the
simulated colours are compared by CIEDE2000. Every pair must differ by at least 20, clearly
more than the "just noticeable" 2 or so: the old GOV.UK red and green differed by about 6
under protanopia. The colours are read from the one place they are declared, the vocabulary,
which the web's CSS and the board pack both take (tests/test_palette.py keeps the CSS in step).
"""

from __future__ import annotations

import itertools
import math

import pytest

from indicators.vocabulary import Rag

# Machado et al. (2009), severity 1.0, rows give simulated linear R, G, B.
SIMULATIONS = {
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
    "typical vision": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
}
SHOWN = [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.NOT_RATED, Rag.COMPLETE]
LEAST_DIFFERENCE = 20


def _linear(colour: str) -> list[float]:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    return [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]


def _simulate(colour: str, matrix) -> list[float]:
    rgb = _linear(colour)
    return [min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb, strict=True)))) for row in matrix]


def _lab(rgb: list[float]) -> tuple[float, float, float]:
    r, g, b = rgb
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _ciede2000(lab1, lab2) -> float:
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360
    h2p = math.degrees(math.atan2(b2, a2p)) % 360
    dl, dc = l2 - l1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    else:
        dh = h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360
    dh_big = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_bar, cp_bar = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_bar - 30))
        + 0.24 * math.cos(math.radians(2 * h_bar))
        + 0.32 * math.cos(math.radians(3 * h_bar + 6))
        - 0.20 * math.cos(math.radians(4 * h_bar - 63))
    )
    rotation = 30 * math.exp(-(((h_bar - 275) / 25) ** 2))
    rc = 2 * math.sqrt(cp_bar**7 / (cp_bar**7 + 25**7))
    sl = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    sc = 1 + 0.045 * cp_bar
    sh = 1 + 0.015 * cp_bar * t
    rt = -math.sin(math.radians(2 * rotation)) * rc
    return math.sqrt(
        (dl / sl) ** 2 + (dc / sc) ** 2 + (dh_big / sh) ** 2 + rt * (dc / sc) * (dh_big / sh)
    )


def difference(a: str, b: str, vision: str) -> float:
    matrix = SIMULATIONS[vision]
    return _ciede2000(_lab(_simulate(a, matrix)), _lab(_simulate(b, matrix)))


def test_the_ciede2000_routine_matches_sharma_wu_and_dalals_published_pairs():
    """Three pairs from Sharma, Wu and Dalal (2005), Table 1, so the routine is the standard one."""
    assert _ciede2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(2.0425, abs=1e-4)
    assert _ciede2000((50, 2.5, 0), (73, 25, -18)) == pytest.approx(27.1492, abs=1e-4)
    assert _ciede2000((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514)) == pytest.approx(
        0.9082, abs=1e-4
    )


def test_the_simulation_merges_the_old_red_and_green():
    """The palette before issue 12 (GOV.UK red #d4351c, green #00703c) is what this test guards
    against: plain to typical vision, within about 6 of each other to a protanope."""
    assert difference("#d4351c", "#00703c", "typical vision") > 60
    assert difference("#d4351c", "#00703c", "protanopia") < 10


@pytest.mark.parametrize("vision", list(SIMULATIONS))
def test_every_pair_of_rag_colours_stays_clearly_different(vision: str):
    close = [
        (a.label, b.label, round(difference(a.colour, b.colour, vision), 1))
        for a, b in itertools.combinations(SHOWN, 2)
        if difference(a.colour, b.colour, vision) < LEAST_DIFFERENCE
    ]
    assert not close, f"{vision}: {close}"


def test_the_label_on_every_tag_reads_at_wcag_aa():
    def luminance(colour: str) -> float:
        r, g, b = _linear(colour)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    for rag in Rag:
        hi, lo = sorted([luminance(rag.colour), luminance(rag.ink)], reverse=True)
        assert (hi + 0.05) / (lo + 0.05) >= 4.5, rag


def test_every_rag_display_says_its_word_not_colour_alone():
    """The web's one RAG tag template and the board pack's tag both print the rating's word;
    no other template paints a RAG colour class of its own."""
    import re
    from pathlib import Path

    from django.conf import settings
    from django.template.loader import render_to_string

    from actionplan.boardpack.drawing import _tag

    for rag in Rag:
        html = render_to_string("actionplan/_rag.html", {"r": rag})
        assert re.search(rf'class="[^"]*rag--{rag.tone}[^"]*">{re.escape(rag.label)}<', html), rag
        assert f"<b>&nbsp;{rag.label}&nbsp;</b>" in _tag(rag), rag
    painting = [
        path.relative_to(settings.BASE_DIR)
        for path in Path(settings.BASE_DIR, "templates").rglob("*.html")
        if "rag--" in path.read_text() and path.name != "_rag.html"
    ]
    assert painting == []
