"""The engine's confidence limits of stored rows, and their check against the published ones.

For `indicators.derived`: the indicator's own method (Byar's/exact or Wilson, both levels) on a
row's count and denominator, singly (`engine_limits`) or for all of an indicator's rows at once
(`limits_of`, through the statistics package's array forms, which give the same figures bit for
bit); and which published figures differ from the engine's by more than their rounding.
"""

from __future__ import annotations

import functools
import operator
from collections import defaultdict, namedtuple
from decimal import Decimal
from typing import Any

import numpy as np

from indicators import statistics as stats
from indicators.models import CIMethod, Indicator, LimitsCheck, Origin

_CI_METHODS = {
    CIMethod.BYARS_EXACT: stats.rate_at_standard_levels,
    CIMethod.WILSON: stats.proportion_at_standard_levels,
}
# The same methods on a whole indicator's counts at once.
_CI_ARRAYS = {
    CIMethod.BYARS_EXACT: stats.rates_at_standard_levels,
    CIMethod.WILSON: stats.proportions_at_standard_levels,
}

#: The engine's figures of one row, named as `stats.IndicatorValue` names them.
Limits = namedtuple("Limits", ["value", "lower95", "upper95", "lower998", "upper998", "method"])


def engine_limits(indicator: Indicator, count, denominator) -> stats.IndicatorValue | None:
    """The indicator's own method on a count and denominator; None where it has none."""
    if count is None or denominator is None:
        return None
    method = _CI_METHODS.get(indicator.ci_method)
    if method is None:
        return None
    divisor = indicator.ci_count_divisor or 1.0
    try:
        return method(
            count=count / divisor,
            denominator=denominator / divisor,
            multiplier=indicator.multiplier,
        )
    except stats.InvalidInput:
        return None


def limits_of(indicator: Indicator, rows: list) -> dict[int, Limits | None]:
    """`engine_limits` of each row (with .pk, .count and .denominator), keyed by its id, as
    Limits: from the array form of the indicator's method for the rows it accepts, the rest
    (a missing or refused input) from the single form, which says what becomes of them."""
    computed: dict[int, Any] = dict.fromkeys(row.pk for row in rows)  # None: no count or method
    many = _CI_ARRAYS.get(indicator.ci_method)
    rows = [row for row in rows if row.count is not None and row.denominator is not None]
    if many is None or not rows:
        return computed
    divisor = indicator.ci_count_divisor or 1.0
    arrays = many(
        [row.count / divisor for row in rows],
        [row.denominator / divisor for row in rows],
        multiplier=indicator.multiplier,
    )
    figures = (arrays.value, arrays.lower95, arrays.upper95, arrays.lower998, arrays.upper998)
    each = map(_new_limits, zip(*(f.tolist() for f in figures), arrays.method, strict=True))
    for row, limits, accepted in zip(rows, each, arrays.accepted.tolist(), strict=True):
        if accepted:
            computed[row.pk] = limits
        else:
            single = engine_limits(indicator, row.count, row.denominator)
            computed[row.pk] = None if single is None else Limits(*_figures(single), single.method)
    return computed


_new_limits = functools.partial(tuple.__new__, Limits)  # Limits._make without its length check


def _figures(computed) -> tuple:
    """The value and the four limits, in `FIGURES` order."""
    return computed.value, computed.lower95, computed.upper95, computed.lower998, computed.upper998


# Older exports were computed with z rounded to 1.96; that moves a limit by about 2e-5 of its
# distance from the value, so full-precision figures get this much relative slack.
RELATIVE_TOLERANCE = 1e-4


def rounding_tolerance(published: float) -> float:
    """Half a unit in the last decimal place the figure was published with, or 0.01%."""
    shown = repr(published)
    if "e" in shown or "n" in shown:  # 1e-05, inf, nan: as Decimal reads them
        exponent = Decimal(shown).as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    else:  # the digits after the point, as Decimal(repr(x)) counts them, without building it
        point = shown.find(".")
        places = len(shown) - point - 1 if point >= 0 else 0
    return max(0.5 * 10.0**-places, RELATIVE_TOLERANCE * abs(published))


def beyond_rounding(published: float, difference: float) -> bool:
    """Whether a difference from a published figure exceeds its rounding tolerance + 1e-12."""
    if _within_slack(published, difference):
        return False
    return difference > rounding_tolerance(published) + 1e-12


def _within_slack(published, difference):
    """Whether a difference is within the relative slack (+ 1e-12) of a published figure, of
    floats or of arrays. The rounding tolerance is never less than that slack, so such a
    difference is within it too, found without reading the figure's digits (the slow part)."""
    return difference <= RELATIVE_TOLERANCE * abs(published) + 1e-12


#: The published figures checked, in the order `disagreements` takes them.
FIGURES = ("value", "lower 95%", "upper 95%", "lower 99.8%", "upper 99.8%")


def check_limits(published: dict[str, float | None], computed: stats.IndicatorValue) -> list[str]:
    """Each published figure that the engine's differs from by more than its rounding."""
    return disagreements(tuple(published[name] for name in FIGURES), _figures(computed))


def disagreements(published: tuple, ours: tuple) -> list[str]:
    """`check_limits` of the published and the engine's figures, each in `FIGURES` order."""
    problems = []
    for name, theirs, mine in zip(FIGURES, published, ours, strict=False):
        if theirs is None or mine is None:
            continue
        if beyond_rounding(theirs, abs(theirs - mine)):
            problems.append(f"{name}: published {theirs:g}, engine {mine:.6g}")
    return problems


_NOT_CHECKED, _AGREE, _DISAGREE = map(
    str, (LimitsCheck.NOT_CHECKED, LimitsCheck.AGREE, LimitsCheck.DISAGREE)
)
#: A row's published figures, in `FIGURES` order.
published_figures = operator.attrgetter(
    "value", "lower_ci_95", "upper_ci_95", "lower_ci_998", "upper_ci_998"
)
_NONE_PUBLISHED = (None,) * len(FIGURES)
_AGREED = (_AGREE, "")


def limits_checks(rows: list, limits: list[Limits | None]) -> list[tuple[str, str]]:
    """Each published row's `check_limits` against the engine's figures (`limits`, row by row),
    as its LimitsCheck value and note; not checked without the engine's figures or any of its
    own. The differences are taken for all rows at once; only those beyond the relative slack
    are looked at singly."""
    checks = [(_NOT_CHECKED, "")] * len(rows)
    shown = list(map(published_figures, rows))
    checked = [
        i
        for i, (row, engine, figures) in enumerate(zip(rows, limits, shown, strict=True))
        if engine is not None and figures != _NONE_PUBLISHED and row.origin == Origin.PUBLISHED
    ]
    if not checked:
        return checks
    # None becomes NaN, whose difference from anything is NaN: never beyond rounding, as a
    # missing figure is never checked.
    published = np.array([shown[i] for i in checked], dtype=float)
    ours = np.array([limits[i][:5] for i in checked], dtype=float)  # Limits: FIGURES, method
    with np.errstate(invalid="ignore"):
        difference = np.abs(published - ours)
        unsettled = ~_within_slack(published, difference) & ~np.isnan(difference)
    problems = defaultdict(list)
    for at, figure in zip(*np.nonzero(unsettled), strict=True):  # row by row, in FIGURES order
        theirs, mine = float(published[at, figure]), float(ours[at, figure])
        if beyond_rounding(theirs, float(difference[at, figure])):
            problems[at].append(f"{FIGURES[figure]}: published {theirs:g}, engine {mine:.6g}")
    for i in checked:
        checks[i] = _AGREED
    for at, found in problems.items():
        checks[checked[at]] = (_DISAGREE, "; ".join(found))
    return checks
