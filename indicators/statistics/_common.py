"""Constants, input checks, confidence-level helpers and polarity shared by every method."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy.stats import norm

from indicators.vocabulary import Polarity, UnknownWording
from indicators.vocabulary import parse_polarity as _parse_polarity

# --------------------------------------------------------------------------------------------
# Constants (section 1)
# --------------------------------------------------------------------------------------------

CONFIDENCE_95 = 0.95
CONFIDENCE_998 = 0.998
STANDARD_LEVELS = (CONFIDENCE_95, CONFIDENCE_998)

# Counts below this use the exact Poisson limits; Byar's approximation from here up.
EXACT_BELOW = 10

# Fingertips hard-codes 9.54953570608324, which is exactly z(99.8%) squared; scipy's chi2.ppf
# differs from it in the 15th digit, so derive it the way Fingertips' number was derived.
TREND_CHI_SQUARED_THRESHOLD = float(norm.ppf(0.999)) ** 2
# The Fingertips trend code divides the 95% CI width by the literal 2 x 1.96, not 2 x 1.959964.
TREND_SE_DIVISOR = 3.92
TREND_POINTS = 5

SPC_LIMIT_FACTOR = 2.66
SPC_NEAR_LIMIT_FACTOR = 2 * SPC_LIMIT_FACTOR / 3
SPC_OUTLIER_SCREEN = 3.267
SPC_SHORT_SERIES = 13

SII_MIN_REPETITIONS = 1000

METHOD_BYARS = "Byars"
METHOD_EXACT = "Exact"
METHOD_WILSON = "Wilson"
METHOD_T = "Student's t"


class InvalidInput(ValueError):
    """Input data that the methods must not compute (negative counts, empty denominators...)."""


# --------------------------------------------------------------------------------------------
# Small shared helpers
# --------------------------------------------------------------------------------------------


def is_missing(value: float | None) -> bool:
    """Return True for None or NaN, the two ways a missing number arrives."""
    return value is None or (isinstance(value, float | np.floating) and math.isnan(value))


def _present(value: float | None) -> float | None:
    """Return a number as a float, or None when it is missing (None or NaN)."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _all_present(*values: float | None) -> tuple[float, ...] | None:
    """Return every value as a float, or None if any of them is missing."""
    numbers = [_present(v) for v in values]
    present = tuple(n for n in numbers if n is not None)
    return present if len(present) == len(numbers) else None


def _pick(condition: bool, then, otherwise):
    """`then` if the condition holds, else `otherwise`: numpy.where for a single value, so that
    one formula serves floats and arrays alike."""
    return then if condition else otherwise


def _finite(value: float, name: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise InvalidInput(f"{name} must be a finite number, got {value!r}")
    return number


def _check_confidence(confidence: float) -> float:
    level = float(confidence)
    if not 0.0 < level < 1.0:
        raise InvalidInput(f"confidence must be a fraction between 0 and 1, got {confidence!r}")
    return level


@lru_cache(maxsize=64)
def z_for_confidence(confidence: float) -> float:
    """Return the two-sided normal quantile for a confidence level (1.959964 for 0.95)."""
    level = _check_confidence(confidence)
    return float(norm.ppf(1.0 - (1.0 - level) / 2.0))


def level_key(confidence: float) -> str:
    """Return the Fingertips label for a confidence level ("95.0", "99.8")."""
    return f"{float(confidence) * 100:.1f}"


# --------------------------------------------------------------------------------------------
# Polarity (section 5): the vocabulary's, with the engine's own error for unknown wording
# --------------------------------------------------------------------------------------------


def parse_polarity(text: str | Polarity) -> Polarity:
    """Return the Polarity for Fingertips' wording, tolerating dashes, case and spacing."""
    try:
        return _parse_polarity(text)
    except UnknownWording as exc:
        raise InvalidInput(str(exc)) from None
