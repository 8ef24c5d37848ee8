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


def quantiles_expected(quantile_type: str) -> int | None:
    """How many quantiles a breakdown named so has: 10 for deciles, 5 for quintiles."""
    name = quantile_type.lower()
    return 10 if "decile" in name else 5 if "quintile" in name else None


def missing_quantiles(
    held: Sequence[int], values: Sequence[float | None], expected: int | None
) -> list[int]:
    """The quantiles (1 = most deprived) with no value: absent, or present without one."""
    with_value = {q for q, v in zip(held, values, strict=True) if v is not None}
    every = range(1, (expected or max(held, default=0)) + 1)
    return [q for q in every if q not in with_value]


def describe_missing(missing: Sequence[int], *, kind: str = "decile") -> str:
    """Why an SII cannot be calculated, naming the quantiles with no value ("deciles 2 to 4")."""
    runs: list[list[int]] = []
    for q in sorted(missing):
        if runs and q == runs[-1][-1] + 1:
            runs[-1].append(q)
        else:
            runs.append([q])
    parts = [f"{r[0]} to {r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs]
    listed = ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else parts[0]
    plural = "s" if len(missing) > 1 else ""
    return (
        f"no value for {kind}{plural} {listed} (1 = most deprived); the SII needs a value for "
        f"every {kind}, as PHEindicatormethods does"
    )


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
    missing = missing_quantiles(deciles, values, 10)
    if missing:
        return stats.SiiResult(False, describe_missing(missing))
    if None in deciles or sorted(deciles) != list(range(1, 11)):
        return stats.SiiResult(False, "needs each of the ten deciles once")
    without = [d for d, p in zip(deciles, populations, strict=True) if p is None]
    if without:
        return stats.SiiResult(
            False, f"no denominator to weight decile {', '.join(map(str, sorted(without)))} by"
        )
    return stats.slope_index_of_inequality(
        populations=populations,
        values=values,
        lower_cls=lowers,
        upper_cls=uppers,
        quantiles=deciles,
        seed=seed,
    )
