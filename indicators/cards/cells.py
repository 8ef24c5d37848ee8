"""How a figure is written in a card's table (as shown) and in its CSV (at full precision)."""

from __future__ import annotations

from indicators.formatting import Limits, format_number
from indicators.presenters import Figure


def number_cell(value: float | None, places: int = 1) -> str:
    return "No data" if value is None else f"{value:,.{places}f}"


def value_cell(figure: Figure) -> str:
    """A figure's value; a row Fingertips published with a count but no value says so, not
    "No data" beside its count."""
    if figure.value is not None:
        return number_cell(figure.value)
    return "Value not published" if figure.count is not None else "No data"


def interval_cell(lower: float | None, upper: float | None) -> str:
    return "–" if lower is None or upper is None else f"{lower:,.1f} to {upper:,.1f}"


def count_cell(figure: Figure) -> str:
    if figure.count_state == "suppressed":
        return "Suppressed"
    return "–" if figure.count is None else f"{figure.count:,.0f}"


def figure_note(figure: Figure) -> str:
    notes = [figure.value_note] if figure.value_note else []
    if figure.limits_source == "engine":
        notes.append("limits calculated here")
    return "; ".join(notes)


def interval_csv(lower: float | None, upper: float | None) -> Limits | str:
    """An interval for the CSV, written as two columns (exporters.write_tidy_csv)."""
    return (
        "" if lower is None or upper is None else Limits(format_number(lower), format_number(upper))
    )


def limits_csv(f: Figure) -> Limits | str:
    return interval_csv(f.lower_ci_95, f.upper_ci_95)


def count_csv(f: Figure) -> str:
    return "suppressed" if f.count_state == "suppressed" else format_number(f.count)
