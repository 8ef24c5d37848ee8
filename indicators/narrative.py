"""Plain-English sentences that state a result with its comparator and confidence (pure)."""

from __future__ import annotations

#: The one definition of the RII the pages use, as PHEindicatormethods' phe_sii computes it.
RII_DEFINITION = (
    "The relative index of inequality (RII) is the fitted value at the least deprived end of the "
    "gradient divided by the fitted value at the most deprived end (as PHEindicatormethods "
    "calculates it). An RII of 1 means no gap; below 1, the value is lower in the least deprived "
    "areas; above 1, higher. It is a ratio only while the fitted line stays above zero at both "
    "ends: where it reaches zero or below (the RII is then 0 or negative), the RII is not "
    "meaningful and the SII alone describes the gap."
)
SII_DEFINITION = (
    "The slope index of inequality (SII) is the gap between the fitted values at the least and the "
    "most deprived ends of the gradient, least deprived minus most deprived: a negative SII means "
    "the value falls as deprivation falls."
)


def rii_is_meaningful(rii: float | None) -> bool:
    """A ratio of two fitted values both above zero; 0 or below means the line crossed zero."""
    return rii is not None and rii > 0


def describe_rii(rii: float | None) -> str:
    """The RII in words that match its definition (`RII_DEFINITION`)."""
    if rii is None:
        return "The relative index of inequality could not be calculated."
    if not rii_is_meaningful(rii):
        return (
            "The relative index of inequality is not meaningful here: the fitted line falls to "
            "zero or below at one end of the gradient, so the two ends' values have no ratio."
        )
    return (
        f"The fitted value at the least deprived end is {rii:.2f} times the fitted value at the "
        f"most deprived end (RII {rii:.2f})."
    )


def describe_sii(
    *,
    sii: float | None,
    lower: float | None,
    upper: float | None,
    rii: float | None,
    unit: str,
    reason: str = "",
) -> str:
    """Say what an SII and RII mean; deciles run from 1 (most) to 10 (least deprived)."""
    if sii is None:
        text = "The slope index of inequality cannot be calculated"
        return f"{text}: {reason}." if reason else f"{text}."
    direction = "lower" if sii < 0 else "higher"
    # A gap between two percentages is in percentage points.
    unit = "percentage points" if unit == "%" else unit
    text = (
        f"Across the deprivation gradient, the modelled value at the least deprived end is "
        f"{abs(sii):,.1f} {unit} {direction} than at the most deprived end"
    )
    if lower is not None and upper is not None:
        text += f" (95% confidence interval {lower:,.1f} to {upper:,.1f})"
        if lower <= 0 <= upper:
            text += "; the interval includes zero, so the gap is not statistically significant"
    text += "."
    if rii is not None:
        text += " " + describe_rii(rii)
    return text


def untested_difference(
    value: float | None, benchmark_value: float | None, benchmark_name: str
) -> str:
    """Where a figure could not be tested against its benchmark (no confidence interval), how
    the two values still compare, said as untested; "" when either value is missing."""
    if value is None or benchmark_value is None:
        return ""
    if value == benchmark_value:
        how = f"the same value as {benchmark_name}"
    else:
        how = f"{'higher' if value > benchmark_value else 'lower'} than {benchmark_name}"
    places = 1
    while (
        value != benchmark_value
        and places < 4
        and f"{value:.{places}f}" == f"{benchmark_value:.{places}f}"
    ):
        places += 1  # enough decimals to show the difference the words state
    return (
        f"{how} ({value:,.{places}f} against {benchmark_value:,.{places}f}); not tested for "
        "significance: no confidence interval"
    )
