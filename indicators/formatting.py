"""Figures written as text, for pages and CSVs alike. Pure: no Django, no importer.

Pages and the exporters share these, so a page need not import the exporter (and through it the
importer) to write a figure.
"""

from __future__ import annotations

from typing import NamedTuple

# Fifteen significant digits: every figure Fingertips publishes (it writes at most 15) comes back
# as published, and arithmetic noise in derived figures (6.699999999999999) is rounded away.
SIGNIFICANT_DIGITS = 15


def format_number(number: float | None) -> str:
    """A figure as published (up to 15 significant digits); whole numbers without a point."""
    if number is None:
        return ""
    number = float(number)
    if number.is_integer():
        return str(int(number))
    return f"{number:.{SIGNIFICANT_DIGITS}g}"


class Limits(NamedTuple):
    """A confidence interval in a CSV row: written as two columns, lower and upper."""

    lower: str
    upper: str


class Estimate(NamedTuple):
    """A number that may be an estimate: written as the number and a yes/no column."""

    value: str
    estimated: bool
