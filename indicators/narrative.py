"""Plain-English sentences that state a result with its comparator and confidence (pure)."""

from __future__ import annotations


def describe_sii(
    *,
    sii: float | None,
    lower: float | None,
    upper: float | None,
    rii: float | None,
    unit: str,
) -> str:
    """Say what an SII and RII mean; deciles run from 1 (most) to 10 (least deprived)."""
    if sii is None:
        return "The slope index of inequality could not be calculated."
    direction = "lower" if sii < 0 else "higher"
    # A gap between two percentages is in percentage points.
    unit = "percentage points" if unit == "%" else unit
    text = (
        f"Across the deprivation gradient, the modelled value at the least deprived end is "
        f"{abs(sii):.1f} {unit} {direction} than at the most deprived end"
    )
    if lower is not None and upper is not None:
        text += f" (95% confidence interval {lower:.1f} to {upper:.1f})"
        if lower <= 0 <= upper:
            text += "; the interval includes zero, so the gap is not statistically significant"
    text += "."
    if rii is not None:
        text += f" The least deprived end's value is {rii:.2f} times the most deprived end's (RII)."
    return text
