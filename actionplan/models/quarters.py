"""Financial quarters: a plan's reviews are held for April to June, July to September, and so on."""

from __future__ import annotations

from datetime import date


def quarter_starts(financial_year: int, quarter: int) -> date:
    """The first day of a financial quarter: (2020, 1) is 1 April 2020, (2020, 4) 1 January 2021."""
    year = financial_year + (quarter == 4)
    return date(year, 1 if quarter == 4 else 1 + 3 * quarter, 1)


def financial_quarter(day: date) -> tuple[int, int]:
    """(financial year, quarter) of a day: April to June 2020 is (2020, 1)."""
    year = day.year if day.month >= 4 else day.year - 1
    return year, ((day.month - 4) % 12) // 3 + 1
