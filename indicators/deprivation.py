"""Fingertips' deprivation-decile categories and the SII across them (pure; no Django)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from indicators import statistics as stats

_ORDINALS = {
    "most": 1,
    "second most": 2,
    "third more": 3,
    "fourth more": 4,
    "fifth more": 5,
    "fifth less": 6,
    "fourth less": 7,
    "third less": 8,
    "second least": 9,
    "least": 10,
}
_DECILE = re.compile(r"^(?P<ordinal>[a-z ]+?) deprived decile\b", re.IGNORECASE)


def decile_number(category: str) -> int | None:
    """1 for "Most deprived decile (IMD2019)" … 10 for "Least deprived decile (IMD2019)"."""
    match = _DECILE.match(category.strip())
    return _ORDINALS.get(match.group("ordinal").lower()) if match else None


def is_decile_breakdown(category_type: str) -> bool:
    return "deprivation deciles" in category_type.lower()


def sii_over_deciles(
    *,
    deciles: Sequence[int],
    values: Sequence[float | None],
    lowers: Sequence[float | None],
    uppers: Sequence[float | None],
    populations: Sequence[float | None],
    seed: int = 20240601,
) -> stats.SiiResult:
    """The SII and RII of published decile values, weighted by their denominators."""
    if sorted(deciles) != list(range(1, 11)):
        return stats.SiiResult(False, "needs all ten deciles")
    if any(p is None for p in populations):
        return stats.SiiResult(False, "a decile has no denominator to weight it by")
    return stats.slope_index_of_inequality(
        populations=populations,
        values=values,
        lower_cls=lowers,
        upper_cls=uppers,
        quantiles=deciles,
        seed=seed,
    )
