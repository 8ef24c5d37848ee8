"""One RAG palette: web tags take the vocabulary's colours, as the board pack does (issue 12)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from django.conf import settings

from indicators.vocabulary import Rag

CSS = Path(settings.BASE_DIR) / "static/css/plan.css"


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _tag_rules() -> dict[str, tuple[str, str]]:
    rules = re.findall(
        r"\.rag--(\w+)\s*\{\s*background:\s*(#[0-9a-f]{6});\s*color:\s*(#[0-9a-f]{6});",
        CSS.read_text(),
    )
    return {tone: (fill, ink) for tone, fill, ink in rules}


def test_web_rag_tags_use_the_vocabularys_colours_and_ink():
    rules = _tag_rules()
    for rag in Rag:
        assert rules[rag.tone] == (rag.colour.lower(), rag.ink.lower()), rag
        assert _contrast(rag.colour, rag.ink) >= 4.5, rag


def test_red_amber_and_green_tags_are_not_near_identical_tints():
    """The old pale pinks (#f4cdc6, #fcd6c3) differed by a hair; the fills must differ clearly."""
    fills = {tone: fill for tone, (fill, _) in _tag_rules().items()}
    for a, b in itertools.combinations(["red", "amber", "green"], 2):
        assert _contrast(fills[a], fills[b]) > 1.1 or _distance(fills[a], fills[b]) > 60, (a, b)


def _distance(a: str, b: str) -> float:
    return sum((int(a[i : i + 2], 16) - int(b[i : i + 2], 16)) ** 2 for i in (1, 3, 5)) ** 0.5
