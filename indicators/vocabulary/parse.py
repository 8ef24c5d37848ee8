"""Fingertips' wording, parsed once at import into the vocabulary's members."""

from __future__ import annotations

import re

from indicators.vocabulary.base import UnknownWording, _listed
from indicators.vocabulary.figures import Comparison, Trend
from indicators.vocabulary.plan import Direction, Polarity

# --------------------------------------------------------------------------------------------
# Fingertips' wording, parsed once at import
# --------------------------------------------------------------------------------------------

_POLARITY_ALIASES = {
    "raglowisgood": Polarity.LOW_IS_GOOD,
    "lowisgood": Polarity.LOW_IS_GOOD,
    "lowerisbetter": Polarity.LOW_IS_GOOD,
    "raghighisgood": Polarity.HIGH_IS_GOOD,
    "highisgood": Polarity.HIGH_IS_GOOD,
    "higherisbetter": Polarity.HIGH_IS_GOOD,
    "bobblueorangeblue": Polarity.BOB,
    "bob": Polarity.BOB,
    "blueorangeblue": Polarity.BOB,
    "nojudgement": Polarity.NO_JUDGEMENT,
    "notapplicable": Polarity.NOT_APPLICABLE,
    "nocomparison": Polarity.NOT_APPLICABLE,
}


def parse_polarity(text: str) -> Polarity:
    """Polarity from Fingertips' wording, whatever its dash, case and spacing."""
    if isinstance(text, Polarity):
        return text
    # The metadata writes an en dash, the site a hyphen and FingertipsNext none ("LowIsGood").
    try:
        return _POLARITY_ALIASES[re.sub(r"[^a-z]", "", str(text).lower())]
    except KeyError:
        raise UnknownWording(f"unknown polarity {text!r}") from None


_DIRECTION_ALIASES = {"lower": Direction.LOWER, "higher": Direction.HIGHER}


def parse_direction(text: str) -> Direction:
    """A plan measure's direction from "lower"/"higher", its label or a judged polarity."""
    if isinstance(text, Direction):
        return text
    key = re.sub(r"[^a-z]", "", str(text).lower())
    if key in _DIRECTION_ALIASES:
        return _DIRECTION_ALIASES[key]
    for member in Direction:
        if key == re.sub(r"[^a-z]", "", member.label.lower()):
            return member
    polarity = _POLARITY_ALIASES.get(key)
    if polarity is not None and polarity.judged:
        return Direction.LOWER if polarity.better < 0 else Direction.HIGHER
    raise UnknownWording(f"unknown direction {text!r}: give lower or higher")


_LEVEL = re.compile(r"^\s*(?P<word>[A-Za-z ]+?)\s*(?P<level>95|99\.8)?\s*%?\s*$")
_TWO_LEVEL = {Comparison.BETTER: Comparison.BEST, Comparison.WORSE: Comparison.WORST}


def parse_comparison(text: str | None) -> Comparison | None:
    """A comparison from Fingertips' wording ("Better", "Better 95%", "Worse 99.8%", "Lower"),
    or None for an empty cell. At 99.8% Better and Worse are Best and Worst."""
    if text is None or not str(text).strip():
        return None
    match = _LEVEL.match(str(text))
    if match is None:
        raise UnknownWording(f"unknown comparison {text!r}")
    word = match["word"].strip().lower()
    found = next((m for m in Comparison if m.value.lower() == word), None)
    if found is None:
        raise UnknownWording(f"unknown comparison {text!r} ({_listed(Comparison)})")
    if match["level"] == "99.8":
        return _TWO_LEVEL.get(found, found)
    return found


_TREND_ALIASES = {
    "cannotbecalculated": Trend.CANNOT_BE_CALCULATED,
    "couldnotbecalculated": Trend.CANNOT_BE_CALCULATED,
    "nochange": Trend.NO_CHANGE,
    "nosignificantchange": Trend.NO_CHANGE,
}


def parse_trend(text: str | None) -> Trend | None:
    """A trend verdict from Fingertips' wording ("Increasing and getting worse", "Cannot be
    calculated", "Decreasing"), or None for an empty cell."""
    if text is None or not str(text).strip():
        return None
    key = re.sub(r"[^a-z]", "", str(text).lower())
    if key in _TREND_ALIASES:
        return _TREND_ALIASES[key]
    for member in Trend:
        if key == re.sub(r"[^a-z]", "", member.value.lower()):
            return member
    raise UnknownWording(f"unknown trend {text!r}")
