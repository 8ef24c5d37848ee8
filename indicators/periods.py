"""Fingertips time-period labels: parsing and validation (pure; no Django)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    name: number
    for number, name in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
        start=1,
    )
}


class PeriodError(ValueError):
    """A time-period label that Fingertips never writes."""


@dataclass(frozen=True, slots=True)
class Period:
    """One parsed time period: its kind, first and last years and length."""

    label: str
    kind: str  # calendar, financial, calendar_quarter, financial_quarter, month, custom_year
    start_year: int
    end_year: int
    quarter: int | None = None
    month: int | None = None

    @property
    def years(self) -> int:
        return self.end_year - self.start_year + 1

    @property
    def is_single_year(self) -> bool:
        return self.kind in {"calendar", "financial", "custom_year"} and self.years == 1

    @property
    def sortable(self) -> int:
        """The `Time period Sortable` integer Fingertips writes for this label."""
        return int(f"{self.start_year:04}{self.quarter or 0:02}{self.month or 0:02}")


def _end_year(start: int, two_digits: str) -> int:
    # "2022 - 24": the end year is written with its last two digits only.
    end = start // 100 * 100 + int(two_digits)
    if end < start:
        end += 100
    return end


_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(\d{4})$"), "calendar"),
    (re.compile(r"^(\d{4})/(\d{2})$"), "financial"),
    (re.compile(r"^(\d{4}) - (\d{2})$"), "calendar_multi"),
    (re.compile(r"^(\d{4})/(\d{2}) - (\d{2})/(\d{2})$"), "financial_multi"),
    (re.compile(r"^(\d{4}) Q([1-4])$"), "calendar_quarter"),
    (re.compile(r"^(\d{4})/(\d{2}) Q([1-4])$"), "financial_quarter"),
    (re.compile(r"^([A-Z][a-z]{2}) (\d{4})$"), "month"),
    (re.compile(r"^([A-Z][a-z]{2}) (\d{4}) ?- ?([A-Z][a-z]{2}) (\d{4})$"), "custom_year"),
]


def parse_period(label: str) -> Period:
    """Parse a Fingertips `Time period` label such as `2022 - 24` or `2017/18 Q1`."""
    text = label.strip()
    for pattern, kind in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        groups = match.groups()
        if kind == "calendar":
            year = int(groups[0])
            return Period(text, "calendar", year, year)
        if kind == "financial":
            start = int(groups[0])
            _check_next_year(text, start, groups[1])
            return Period(text, "financial", start, start)
        if kind == "calendar_multi":
            start = int(groups[0])
            return Period(text, "calendar", start, _end_year(start, groups[1]))
        if kind == "financial_multi":
            start = int(groups[0])
            _check_next_year(text, start, groups[1])
            last_start = _end_year(start, groups[2])
            _check_next_year(text, last_start, groups[3])
            return Period(text, "financial", start, last_start)
        if kind == "calendar_quarter":
            year = int(groups[0])
            return Period(text, "calendar_quarter", year, year, quarter=int(groups[1]))
        if kind == "financial_quarter":
            start = int(groups[0])
            _check_next_year(text, start, groups[1])
            return Period(text, "financial_quarter", start, start, quarter=int(groups[2]))
        if kind == "month":
            month = _month(text, groups[0])
            year = int(groups[1])
            return Period(text, "month", year, year, month=month)
        if kind == "custom_year":
            _month(text, groups[0])
            _month(text, groups[2])
            start, end = int(groups[1]), int(groups[3])
            if end < start:
                raise PeriodError(f"period {label!r} ends before it starts")
            # A non-standard year such as "Aug 2017 - Jul 2018" counts as one year.
            return Period(text, "custom_year", start, end - 1 if end > start else end)
    raise PeriodError(f"unrecognised time period {label!r}")


def _check_next_year(label: str, start: int, two_digits: str) -> None:
    if (start + 1) % 100 != int(two_digits):
        raise PeriodError(f"period {label!r}: {two_digits} does not follow {start}")


def _month(label: str, name: str) -> int:
    try:
        return MONTHS[name]
    except KeyError:
        raise PeriodError(f"period {label!r}: {name!r} is not a month") from None


def range_years(period_range: str) -> int | None:
    """Years covered by a `Time period range` such as `3y`; None for months or when absent."""
    match = re.fullmatch(r"(\d+)y", period_range.strip())
    return int(match.group(1)) if match else None


def last_day(label: str) -> date | None:
    """The last day a Fingertips time period covers ("2016 - 18": 31 December 2018;
    "2019/20": 31 March 2020), or None for a label the parser does not know."""
    try:
        period = parse_period(label)
    except PeriodError:
        return None
    if period.kind == "calendar":
        return date(period.end_year, 12, 31)
    if period.kind == "financial":
        return date(period.end_year + 1, 3, 31)
    if period.kind == "calendar_quarter":
        return _month_end(period.end_year, 3 * (period.quarter or 4))
    if period.kind == "financial_quarter":
        quarter = period.quarter or 4
        year = period.end_year + (1 if quarter == 4 else 0)
        return _month_end(year, 3 if quarter == 4 else 3 + 3 * quarter)
    if period.kind == "month":
        return _month_end(period.end_year, period.month or 12)
    # A custom year ("Aug 2017 - Jul 2018") ends with the month its label names last.
    *_, month, year = label.replace("-", " ").split()
    return _month_end(int(year), MONTHS[month])


def _month_end(year: int, month: int) -> date:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return following - timedelta(days=1)
