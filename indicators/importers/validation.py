"""Validating a Fingertips export row by row: every row a typed record, or the file rejected
naming each bad row and column (the PostgreSQL fast path in `staged` checks the same rules in
SQL and falls back to this when it doubts a row)."""

from __future__ import annotations

import functools
import math
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from indicators.csv_safety import QUOTE, restore
from indicators.definitions import LARGEST_FIGURE, VALUE_RANGES, ValueRange
from indicators.fingertips_columns import (
    DROPPED_BY_THE_2020_LAYOUT,
    NUMBER_COLUMNS,
    PARENT_COMPARISON,
    REQUIRED_COLUMNS,
)
from indicators.importers.reading import MAX_ERRORS_REPORTED, ImportRejected, RawExport
from indicators.importers.records import ObservationRecord, merge_duplicate
from indicators.models import Area, Indicator, Observation
from indicators.periods import PeriodError, parse_period, range_years
from indicators.vocabulary import UnknownWording, parse_comparison, parse_trend

_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_AREA_CODE = re.compile(r"^[A-Za-z0-9]{3,16}$")
_ASCII_DIGITS = re.compile(r"^[0-9]{1,12}$")
MAX_ID = 2**31 - 1  # an indicator id beyond the database's integer cannot be stored
# Files saved from the Fingertips website carry its markup: a no-data marker in empty number
# cells and value notes wrapped in a tooltip span.
_NO_DATA_MARKUP = re.compile(r'^<div class="no-data">\s*-\s*</div>$')
_TAG = re.compile(r"</?(span|div)\b[^>]*>")
LIMITS = {"95": "95%", "998": "99.8%"}


class _RowErrors:
    def __init__(self, file_name: str, row_number: int):
        self.prefix = f"{file_name}, row {row_number}"
        self.errors: list[str] = []

    def add(self, column: str, message: str) -> None:
        self.errors.append(f"{self.prefix}, column '{column}': {message}")


@dataclass(frozen=True, slots=True)
class ValidatedExport:
    records: list[ObservationRecord]
    rows: int
    # Figures kept as published but worth a look, each with the key of its observation.
    warnings: list[tuple[tuple, str]] = field(default_factory=list)


def check_header(raw: RawExport) -> None:
    """Reject a header that lacks a column the importer needs or names one twice."""
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.header]
    if "Time period Sortable" not in raw.header:
        missing.append("Time period Sortable")
    if missing:
        raise ImportRejected(
            [f"{raw.name}, row 1: the header lacks the column(s) {', '.join(missing)}"]
        )
    duplicated = sorted({h for h in raw.header if raw.header.count(h) > 1 and h})
    if duplicated:
        raise ImportRejected([f"{raw.name}, row 1: the header repeats {', '.join(duplicated)}"])


def validate_export(raw: RawExport) -> ValidatedExport:
    """Turn every row into a typed record, or reject the file naming each bad row and column."""
    check_header(raw)
    index = {name: i for i, name in enumerate(raw.header)}
    lengths = _length_checks(index)
    width = len(raw.header)
    widths = {width, width - 1} if raw.header[-1] == DROPPED_BY_THE_2020_LAYOUT else {width}
    errors: list[str] = []
    records: dict[tuple, ObservationRecord] = {}
    rows = 0
    for row_number, row in raw.rows():
        rows += 1
        if len(row) > width:
            errors.append(
                f"{raw.name}, row {row_number}: {len(row)} fields but the header has {width}"
            )
            continue
        if len(row) not in widths:
            errors.append(
                f"{raw.name}, row {row_number}, column '{raw.header[len(row)]}': the row ends "
                f"after {len(row)} of {width} fields (the file looks cut short)"
            )
            continue
        cells = row + [""] * (width - len(row))
        row_errors = _RowErrors(raw.name, row_number)
        record = _validate_row(cells, index, row_errors, row_number, lengths)
        if row_errors.errors:
            errors.extend(row_errors.errors)
            continue
        assert record is not None
        first = records.get(record.key)
        if first is None:
            records[record.key] = record
            continue
        conflict = merge_duplicate(first, record)
        if conflict:
            errors.append(
                f"{raw.name}, row {row_number}, column '{conflict}': the row repeats row "
                f"{first.row_number} (same indicator, area, sex, age, category and period) "
                "with a different value"
            )
        if len(errors) > MAX_ERRORS_REPORTED * 5:
            break
    if errors:
        raise ImportRejected(errors, rows=rows)
    if not records:
        raise ImportRejected([f"{raw.name}: the file has a header but no data rows"])
    warnings = [
        (record.key, warning)
        for record in records.values()
        for warning in _outside_own_limits(record, raw.name)
    ]
    return ValidatedExport(list(records.values()), rows, warnings)


def _validate_row(
    cells: list[str],
    index: dict[str, int],
    errors: _RowErrors,
    row_number: int,
    lengths: Sequence[tuple[int, str, int]],
) -> ObservationRecord | None:
    cells = _clean(cells)

    def text(column: str) -> str:
        i = index.get(column)
        return cells[i] if i is not None else ""

    indicator_id = _check_key(cells, text, errors, lengths)
    period, sortable, period_range = _check_period(text, errors)
    numbers = _check_numbers(text, indicator_id, errors)
    if errors.errors or period is None:
        return None
    # Fingertips' wording is parsed here, once: what is stored is the vocabulary's value.
    recent_trend = _worded(parse_trend, text, "Recent Trend", errors)
    compared_to_england = _worded(
        parse_comparison, text, "Compared to England value or percentiles", errors
    )
    compared_to_parent = _worded(parse_comparison, text, PARENT_COMPARISON, errors)
    if errors.errors:
        return None
    parent_code = text("Parent Code")
    return ObservationRecord(
        indicator_id=indicator_id,
        indicator_name=text("Indicator Name"),
        area_code=text("Area Code"),
        area_name=text("Area Name") or text("Area Code"),
        parent_code=parent_code,
        parent_name=text("Parent Name"),
        sex=text("Sex"),
        age=text("Age"),
        category_type=text("Category Type"),
        category=text("Category"),
        period_label=period.label,
        period_sortable=sortable,
        period_range=period_range,
        period_start_year=period.start_year,
        period_end_year=period.end_year,
        value_note=text("Value note"),
        recent_trend=recent_trend,
        compared_to_england=compared_to_england,
        compared_to_goal=text("Compared to goal"),
        new_data=text("New data"),
        parent_comparisons=(
            {parent_code: [compared_to_england, compared_to_parent]}
            if compared_to_england or compared_to_parent
            else {}
        ),
        row_number=row_number,
        **numbers,
    )


def _clean(cells: list[str]) -> list[str]:
    # Strip every cell once; website markup is rare, so only those cells pay for unwrapping.
    # A cell our own export neutralised for spreadsheets (`csv_safety`) is read as it was.
    # Each row's cells are checked at once for either, so most rows take the fast path.
    joined = "".join(cells)
    if "<" in joined:
        cells = [_unwrap(c) if "<" in c else c.strip() for c in cells]
    else:
        cells = list(map(str.strip, cells))
    if QUOTE in joined:
        cells = [restore(c) for c in cells]
    # Names, labels and notes repeat down the file: one copy of each is kept, not one a row.
    return list(map(sys.intern, cells))


def _check_key(
    cells: list[str],
    text: Callable[[str], str],
    errors: _RowErrors,
    lengths: Sequence[tuple[int, str, int]],
) -> int:
    """The indicator id (0 if it is not one); the codes, sex, age and text lengths checked."""
    indicator_text = text("Indicator ID")
    indicator_id = 0
    if not _ASCII_DIGITS.match(indicator_text) or not 0 < int(indicator_text) <= MAX_ID:
        errors.add("Indicator ID", f"{indicator_text!r} is not an indicator id")
    else:
        indicator_id = int(indicator_text)
    for i, column, limit in lengths:
        if len(cells[i]) > limit:
            errors.add(column, f"is {len(cells[i])} characters long; at most {limit} fit")
    area_code = text("Area Code")
    if not _AREA_CODE.match(area_code):
        errors.add("Area Code", f"{area_code!r} is not an area code")
    parent_code = text("Parent Code")
    if parent_code and not _AREA_CODE.match(parent_code):
        errors.add("Parent Code", f"{parent_code!r} is not an area code")
    for column in ("Sex", "Age"):
        if not text(column):
            errors.add(column, "is empty")
    return indicator_id


def _check_period(text: Callable[[str], str], errors: _RowErrors) -> tuple:
    """The parsed period (None if it is not one), the sortable period and the range."""
    label = text("Time period")
    period = None
    try:
        period = _parse_period(label)
    except PeriodError as exc:
        errors.add("Time period", str(exc))
    sortable_text = text("Time period Sortable")
    sortable = 0
    if not (len(sortable_text) == 8 and _ASCII_DIGITS.match(sortable_text)):
        errors.add("Time period Sortable", f"{sortable_text!r} is not an 8-digit sortable period")
    else:
        sortable = int(sortable_text)
        if period is not None and sortable // 10000 != period.start_year:
            errors.add(
                "Time period Sortable",
                f"{sortable_text} does not match the time period {label!r}",
            )
    period_range = text("Time period range")
    if period_range:
        if not re.fullmatch(r"[0-9]{1,3}[ym]", period_range):
            errors.add("Time period range", f"{period_range!r} is not a range such as 1y or 3y")
        elif (
            period is not None
            and period.kind in {"calendar", "financial"}
            and range_years(period_range) != period.years
        ):
            errors.add(
                "Time period range", f"{period_range!r} does not match the time period {label!r}"
            )
    return period, sortable, period_range


def _check_numbers(
    text: Callable[[str], str], indicator_id: int, errors: _RowErrors
) -> dict[str, float | None]:
    """The seven numbers, held to the universal rules and the indicator's value range."""
    numbers: dict[str, float | None] = {}
    for attribute, column in NUMBER_COLUMNS.items():
        numbers[attribute] = _number(text(column), column, errors)
    for attribute in ("count", "denominator"):
        number = numbers[attribute]
        if number is not None and number < 0:
            errors.add(NUMBER_COLUMNS[attribute], f"{number:g} is negative")
    # A 99.8% interval holds the 95% one: no lower limit, of either level, may pass an upper one.
    for low_level, high_level in ((a, b) for a in LIMITS for b in LIMITS):
        lower, upper = numbers[f"lower_ci_{low_level}"], numbers[f"upper_ci_{high_level}"]
        if lower is not None and upper is not None and lower > upper:
            errors.add(
                NUMBER_COLUMNS[f"lower_ci_{low_level}"],
                f"lower limit {_shown(lower)} is above the upper {LIMITS[high_level]} limit "
                f"{_shown(upper)}",
            )
    value_range = VALUE_RANGES.get(indicator_id)
    if value_range is not None:
        _check_range(numbers, value_range, errors)
    return numbers


def _worded(parse: Callable, text: Callable[[str], str], column: str, errors) -> str:
    """A cell of Fingertips' wording as the vocabulary's stored value ("" for an empty cell);
    wording the vocabulary does not know is an error naming the row and column."""
    try:
        return str(parse(text(column)) or "")
    except UnknownWording as exc:
        errors.add(column, str(exc))
        return ""


@functools.cache
def _max_lengths() -> dict[str, int]:
    """The longest text each stored column takes; a longer cell is a bad row, not a crash."""
    observation, area = Observation._meta.get_field, Area._meta.get_field
    return {
        "Indicator Name": Indicator._meta.get_field("name").max_length,
        "Area Name": area("name").max_length,
        "Parent Name": area("name").max_length,
        "Sex": observation("sex").max_length,
        "Age": observation("age").max_length,
        "Category Type": observation("category_type").max_length,
        "Category": observation("category").max_length,
        "Time period": observation("period_label").max_length,
        "Recent Trend": observation("recent_trend").max_length,
        "Compared to England value or percentiles": observation("compared_to_england").max_length,
        "Compared to goal": observation("compared_to_goal").max_length,
        "New data": observation("new_data").max_length,
    }


def _length_checks(index: dict[str, int]) -> list[tuple[int, str, int]]:
    """(cell position, column, longest text) of each length-checked column this header has."""
    return [(index[c], c, limit) for c, limit in _max_lengths().items() if c in index]


# A file repeats a handful of period labels thousands of times.
_parse_period = functools.lru_cache(maxsize=1024)(parse_period)


def _unwrap(cell: str) -> str:
    cell = cell.strip()
    if "<" not in cell:
        return cell
    if _NO_DATA_MARKUP.match(cell):
        return ""
    unwrapped = _TAG.sub("", cell).strip()
    return unwrapped.removeprefix("* ") if unwrapped != cell else cell


def _number(raw: str, column: str, errors: _RowErrors) -> float | None:
    if raw == "":
        return None
    candidate = raw.replace(",", "") if "," in raw and _THOUSANDS.match(raw) else raw
    try:
        number = float(candidate)
    except ValueError:
        errors.add(column, f"{raw!r} is not a number")
        return None
    if not math.isfinite(number):
        errors.add(column, f"{raw!r} is not a finite number")
        return None
    if abs(number) > LARGEST_FIGURE:
        errors.add(
            column, f"{raw!r} is beyond any figure Fingertips publishes (over {LARGEST_FIGURE:.0e})"
        )
        return None
    return number


def _check_range(numbers: dict[str, float | None], allowed: ValueRange, errors: _RowErrors) -> None:
    """Hold the value and its limits to what the indicator's value type allows."""
    if numbers["value"] is None:
        # A suppressed figure has no value; Fingertips writes -1 in its limits. Kept as written.
        return
    for attribute in ("value", "lower_ci_95", "upper_ci_95", "lower_ci_998", "upper_ci_998"):
        number = numbers[attribute]
        if number is None:
            continue
        maximum = allowed.maximum if attribute == "value" else allowed.limits_maximum
        if allowed.minimum is not None and number < allowed.minimum:
            errors.add(
                NUMBER_COLUMNS[attribute],
                f"{_shown(number)} is below {_shown(allowed.minimum)}: impossible for "
                f"{allowed.what}",
            )
        elif maximum is not None and number > maximum:
            errors.add(
                NUMBER_COLUMNS[attribute],
                f"{_shown(number)} is above {_shown(maximum)}: impossible for {allowed.what}",
            )


def _outside_own_limits(record: ObservationRecord, file_name: str) -> list[str]:
    """A value outside its own published limits: kept (Fingertips publishes a few), but said."""
    if record.value is None:
        return []
    warnings = []
    for level, label in LIMITS.items():
        lower = getattr(record, f"lower_ci_{level}")
        upper = getattr(record, f"upper_ci_{level}")
        if (lower is not None and record.value < lower) or (
            upper is not None and record.value > upper
        ):
            limits = f"{_shown(lower) if lower is not None else '–'} to " + (
                _shown(upper) if upper is not None else "–"
            )
            warnings.append(
                f"{file_name}, row {record.row_number}, column 'Value': {_shown(record.value)} "
                f"lies outside its own {label} confidence limits ({limits}); kept as published"
            )
    return warnings


def _shown(number: float) -> str:
    # Full precision, without a trailing ".0": 94.7261896202678, 4, 1e+12.
    return f"{number:.15g}"
