"""Importer for Fingertips CSV exports, in three stages: read, validate, load.

Every layout Fingertips has written is accepted (26 or 27 columns, a renamed parent-comparison
column, BOM, `AreaName`, CRLF or LF, newlines inside quoted fields, the 2020 layout's rows one
field short). A file with any bad row is rejected whole, with the file, row (as a spreadsheet
numbers it) and column named, and nothing is written: a row cut short, a number that is not
finite or is beyond any published figure, a negative count, a lower limit above an upper one, or
a value its indicator's value type cannot take (a negative rate, a percentage over 100). A value
outside its own confidence limits is kept, as Fingertips publishes a few, and recorded as a
warning on the run. A file that cannot be read at all still leaves a failed run saying why.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import io
import json
import math
import operator
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from indicators import import_runs as runs
from indicators.bulk import Upserted, upsert_rows
from indicators.csv_safety import QUOTE, restore
from indicators.definitions import LARGEST_FIGURE, VALUE_RANGES, ValueRange, sync_definitions
from indicators.derived import recompute
from indicators.fingertips_columns import (
    DROPPED_BY_THE_2020_LAYOUT,
    NUMBER_COLUMNS,
    PARENT_COMPARISON,
    PARENT_COMPARISON_NAME,
    RENAMED,
    REQUIRED_COLUMNS,
)
from indicators.importers import staged as staged_import
from indicators.models import (
    Area,
    DataVersion,
    ImportRun,
    Indicator,
    Observation,
    level_for_code,
)
from indicators.observation_fields import (
    MERGED_COLUMNS,
    NATURAL_KEY_COLUMNS,
    OBSERVATION_COLUMNS,
    PUBLISHED_FIELDS,
    STAMPED_COLUMNS,
)
from indicators.periods import PeriodError, parse_period, range_years
from indicators.vocabulary import UnknownWording, parse_comparison, parse_trend

# ---------------------------------------------------------------------------------------------
# The export layout
# ---------------------------------------------------------------------------------------------

_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_AREA_CODE = re.compile(r"^[A-Za-z0-9]{3,16}$")
_ASCII_DIGITS = re.compile(r"^[0-9]{1,12}$")
MAX_ID = 2**31 - 1  # an indicator id beyond the database's integer cannot be stored
# Files saved from the Fingertips website carry its markup: a no-data marker in empty number
# cells and value notes wrapped in a tooltip span.
_NO_DATA_MARKUP = re.compile(r'^<div class="no-data">\s*-\s*</div>$')
_TAG = re.compile(r"</?(span|div)\b[^>]*>")
MAX_ERRORS_REPORTED = 20
MAX_WARNINGS_KEPT = 50
LIMITS = {"95": "95%", "998": "99.8%"}
#: The largest real export here is 2.4 MB (7,208 rows); 100 MB is some 300,000 rows, more than
#: any call the refresh makes returns. A larger file is refused before it is read into memory.
MAX_EXPORT_BYTES = 100 * 2**20
# Formats people save or download by mistake, told by their first bytes.
_NOT_CSV = {
    b"PK\x03\x04": "a zip archive (an Excel .xlsx workbook?)",
    b"\x1f\x8b": "gzip-compressed",
    b"\xd0\xcf\x11\xe0": "an old Excel .xls workbook",
    b"%PDF": "a PDF",
    b"\xff\xfe": "UTF-16 text (save it as CSV UTF-8)",
    b"\xfe\xff": "UTF-16 text (save it as CSV UTF-8)",
}


class ImportRejected(Exception):
    """A file that cannot be imported; the message names the file, row and column."""

    def __init__(self, errors: Sequence[str], *, rows: int = 0):
        self.errors = list(errors)
        self.rows = rows  # data rows read before the file was rejected
        more = len(self.errors) - MAX_ERRORS_REPORTED
        shown = self.errors[:MAX_ERRORS_REPORTED]
        super().__init__("; ".join(shown) + (f"; and {more} more" if more > 0 else ""))


# ---------------------------------------------------------------------------------------------
# Read
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RawExport:
    """A CSV export as read: normalised header names, and its rows yielded on demand."""

    name: str
    checksum: str
    header: list[str]
    text: str

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Each data row with its number as a spreadsheet shows it (the header is row 1).

        Rows are read one at a time to save memory. A row is a record, not a line: a quoted cell
        may hold a line break (the 2020 export's indicator names do), so lines run ahead of rows.
        """
        reader = csv.reader(_lines(self.text), strict=True)
        next(reader)
        row_number = 1
        try:
            for row in reader:
                row_number += 1  # a blank line is a row in a spreadsheet too
                if row:
                    yield row_number, row
        except csv.Error as exc:
            raise ImportRejected(
                [f"{self.name}, row {row_number + 1} (line {reader.line_num}): {exc}"]
            ) from None


# A line and its ending, as a StringIO opened with newline="" yields them (\r\n, \r or \n).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _lines(text: str) -> Iterator[str]:
    # One line at a time from the text itself: a StringIO would hold a second copy of the whole
    # file at four bytes a character.
    return (match.group() for match in _LINE.finditer(text))


def read_export(data: bytes, *, name: str) -> RawExport:
    """Read the bytes of one export: decode, check it is whole, and read its header."""
    checksum = hashlib.sha256(data).hexdigest()
    if len(data) > MAX_EXPORT_BYTES:
        raise ImportRejected([f"{name}: {_too_large(len(data))}"])
    kind = next((kind for magic, kind in _NOT_CSV.items() if data.startswith(magic)), None)
    if kind:
        raise ImportRejected([f"{name}: the file is {kind}, not a CSV export"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            [f"{name}: not UTF-8 text (byte {exc.start}), so not a Fingertips CSV export"]
        ) from None
    if not text.strip():
        raise ImportRejected([f"{name}: the file is empty"])
    if text.lstrip()[:1] in {"<", "{", "["}:
        start = text.lstrip()[:40]
        raise ImportRejected([f"{name}: the file is not a CSV export (it starts {start!r})"])
    if "\x00" in text:
        raise ImportRejected([f"{name}: the file holds NUL bytes; it is not a CSV export"])
    if not text.endswith(("\n", "\r")):
        # Fingertips ends every record with a line break; a body without one was cut short.
        lines = text.count("\n") + 1
        raise ImportRejected([f"{name}, line {lines}: the file ends mid-row (it looks truncated)"])
    try:
        first = next(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise ImportRejected([f"{name}, line 1: {exc}"]) from None
    header = [RENAMED.get(h.strip(), h.strip()) for h in first]
    return RawExport(name=name, checksum=checksum, header=_name_parent_column(header), text=text)


def _too_large(size: int) -> str:
    limit = MAX_EXPORT_BYTES // 2**20
    return f"the file is {size / 2**20:,.0f} MB; an export is at most {limit} MB"


def _name_parent_column(header: list[str]) -> list[str]:
    # Column 23 is called after the parent's area type ("Compared to Regions (statistical) ...",
    # "Compared to percentiles", "Compared to Region ..."): give it one name whatever it says.
    return [PARENT_COMPARISON if PARENT_COMPARISON_NAME.match(h) else h for h in header]


# ---------------------------------------------------------------------------------------------
# Validate
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ObservationRecord:
    """One validated observation, with its key, values and published comparisons."""

    indicator_id: int
    indicator_name: str
    area_code: str
    area_name: str
    parent_code: str
    parent_name: str
    sex: str
    age: str
    category_type: str
    category: str
    period_label: str
    period_sortable: int
    period_range: str
    period_start_year: int
    period_end_year: int
    value: float | None
    lower_ci_95: float | None
    upper_ci_95: float | None
    lower_ci_998: float | None
    upper_ci_998: float | None
    count: float | None
    denominator: float | None
    value_note: str
    recent_trend: str
    compared_to_england: str
    compared_to_goal: str
    new_data: str
    parent_comparisons: dict[str, list[str]] = field(default_factory=dict)
    row_number: int = 0
    # Everything imported is published; a stored aggregate with this key is replaced by it.
    origin: str = "published"

    @property
    def key(self) -> tuple:
        return (
            self.indicator_id,
            self.area_code,
            self.sex,
            self.age,
            self.category_type,
            self.category,
            self.period_sortable,
        )

    def data(self) -> tuple:
        """The stored fields other than the key and the comparisons by parent."""
        return _data_of(self)


DATA_FIELDS = PUBLISHED_FIELDS
_data_of = operator.attrgetter(*DATA_FIELDS)


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
        conflict = _merge_duplicate(first, record)
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
    cells = list(map(sys.intern, cells))

    def text(column: str) -> str:
        i = index.get(column)
        return cells[i] if i is not None else ""

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
    return ObservationRecord(
        indicator_id=indicator_id,
        indicator_name=text("Indicator Name"),
        area_code=area_code,
        area_name=text("Area Name") or area_code,
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


def _merge_duplicate(first: ObservationRecord, other: ObservationRecord) -> str | None:
    """Fold a repeated row (England twice in parent-15 exports) into the first; name a conflict."""
    for name in DATA_FIELDS:
        mine, theirs = getattr(first, name), getattr(other, name)
        if mine != theirs and name not in {"new_data", "compared_to_goal"}:
            return _column_for(name)
    first.new_data = first.new_data or other.new_data
    first.compared_to_goal = first.compared_to_goal or other.compared_to_goal
    first.parent_comparisons.update(other.parent_comparisons)
    # England's row under parent England compares England with itself; prefer another parent's.
    if first.parent_code == first.area_code or not first.compared_to_england:
        first.compared_to_england = other.compared_to_england
        first.parent_code, first.parent_name = other.parent_code, other.parent_name
    return None


def _column_for(attribute: str) -> str:
    names = {
        "period_label": "Time period",
        "period_range": "Time period range",
        "value_note": "Value note",
        "recent_trend": "Recent Trend",
    }
    return NUMBER_COLUMNS.get(attribute) or names.get(attribute, attribute)


# ---------------------------------------------------------------------------------------------
# Load
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # The natural key (indicator and area as database ids) of each row this load created or
    # changed: derived.recompute re-derives only what those rows feed.
    changed: frozenset[tuple] = frozenset()
    # Indicators (database ids) whose figures must all be derived again: their definitions
    # were rewritten, or an area of theirs was given its region.
    whole: frozenset[int] = frozenset()

    def __add__(self, other: LoadCounts) -> LoadCounts:
        return LoadCounts(
            self.created + other.created,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.changed | other.changed,
            self.whole | other.whole,
        )


def load_records(records: Sequence[ObservationRecord], *, run: ImportRun) -> LoadCounts:
    """Upsert on the natural key in the caller's transaction; unchanged rows are not written.

    The rows are staged in bulk (COPY on PostgreSQL) and written by one guarded upsert that
    touches only rows whose figures differ, and says which rows (by natural key) it changed.
    """
    names, parents = _names_of(records)

    def write(indicator_pks: dict[int, int], area_pks: dict[str, int]) -> Upserted:
        return upsert_rows(
            Observation,
            OBSERVATION_COLUMNS,
            _observation_rows(records, indicator_pks, area_pks, run.pk),
            key=NATURAL_KEY_COLUMNS,
            merged=MERGED_COLUMNS,
            stamped=STAMPED_COLUMNS,
            report=NATURAL_KEY_COLUMNS,
        )

    indicator_names = {r.indicator_id: r.indicator_name for r in records}
    return _load(indicator_names, names, parents, write, rows=len(records))


def load_staged(staged: staged_import.Staged, *, run: ImportRun) -> LoadCounts:
    """Load a file checked clean in the staging table (PostgreSQL), as `load_records` would."""
    return _load(
        staged.indicator_names,
        staged.area_names,
        staged.parents,
        lambda indicators, areas: staged.write(indicators, areas, run.pk),
        rows=staged.rows,
    )


def _load(
    indicator_names: dict[int, str],
    area_names: dict[str, str],
    parents: dict[str, str],
    write: Callable[[dict[int, int], dict[str, int]], Upserted],
    *,
    rows: int,
) -> LoadCounts:
    with _transaction():
        redefined = set(sync_definitions())
        indicator_pks = _ensure_indicators(indicator_names)
        area_pks, reparented = _ensure_areas(area_names, parents)
        upserted = write(indicator_pks, area_pks)
        # Cached pages of these indicators (and those showing every indicator) are rebuilt;
        # the versions move in this transaction, so they become visible with the figures.
        fingertips_ids = {pk: fid for fid, pk in indicator_pks.items()}
        DataVersion.bump_indicators(fingertips_ids[i] for i, *_ in upserted.changed)
    whole = {indicator_pks[f] for f in redefined if f in indicator_pks}
    if reparented:
        whole |= set(indicator_pks.values())
    return LoadCounts(
        created=upserted.created,
        updated=upserted.updated,
        unchanged=rows - upserted.created - upserted.updated,
        changed=upserted.changed,
        whole=frozenset(whole),
    )


def _transaction():
    # One transaction per import: inside the importer's own, no savepoint is made.
    return contextlib.nullcontext() if connection.in_atomic_block else transaction.atomic()


def _observation_rows(
    records: Iterable[ObservationRecord],
    indicator_pks: dict[int, int],
    area_pks: dict[str, int],
    run_pk: int,
) -> Iterator[tuple]:
    for r in records:
        yield (
            indicator_pks[r.indicator_id],
            area_pks[r.area_code],
            r.sex,
            r.age,
            r.category_type,
            r.category,
            r.period_sortable,
            *r.data(),
            r.compared_to_england,
            json.dumps(r.parent_comparisons, sort_keys=True, separators=(",", ":")),
            run_pk,
        )


def _ensure_indicators(names: dict[int, str]) -> dict[int, int]:
    known = dict(
        Indicator.objects.filter(fingertips_id__in=names).values_list("fingertips_id", "pk")
    )
    for fingertips_id in sorted(set(names) - set(known)):
        # Not declared in definitions.py: kept, but marked so the data page can say so.
        indicator = Indicator.objects.create(
            fingertips_id=fingertips_id,
            name=names[fingertips_id] or f"Indicator {fingertips_id}",
            is_defined=False,
            refresh=False,
            id_confirmation_note="Seen in an imported Fingertips export; not declared.",
        )
        known[fingertips_id] = indicator.pk
    return known


def _names_of(records: Iterable[ObservationRecord]) -> tuple[dict[str, str], dict[str, str]]:
    """Each area's first name in the records (as an area or a parent), and its first parent
    that is a region or England."""
    names: dict[str, str] = {}
    parents: dict[str, str] = {}
    for r in records:
        names.setdefault(r.area_code, r.area_name)
        if r.parent_code and r.parent_code != r.area_code:
            names.setdefault(r.parent_code, r.parent_name or r.parent_code)
            # Only a region or England is a geographic parent; an export's parent may be either.
            if level_for_code(r.parent_code) in {"region", "england"}:
                parents.setdefault(r.area_code, r.parent_code)
    return names, parents


def _ensure_areas(names: dict[str, str], parents: dict[str, str]) -> tuple[dict[str, int], bool]:
    """The database id of every area named (new ones created), and whether an area already
    stored was given its region, which changes its comparisons with the region."""
    known = dict(Area.objects.filter(code__in=names).values_list("code", "pk"))
    Area.objects.bulk_create(
        [
            Area(code=code, name=names[code], level=level_for_code(code))
            for code in sorted(set(names) - set(known))
        ]
    )
    areas = {a.code: a for a in Area.objects.filter(code__in=names)}
    orphans = [
        area
        for code, area in areas.items()
        if area.parent_id is None and code in parents and parents[code] in areas
    ]
    for area in orphans:
        area.parent = areas[parents[area.code]]
    Area.objects.bulk_update(orphans, ["parent"])
    return {code: area.pk for code, area in areas.items()}, any(a.code in known for a in orphans)


# ---------------------------------------------------------------------------------------------
# Runs: the one entry point that commands and tasks call
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What one import did, in the shape the import command prints."""

    file: str
    status: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error: str = ""
    run_id: int | None = None
    warnings: tuple[str, ...] = ()

    def as_json(self) -> str:
        return json.dumps(
            {
                "file": self.file,
                "status": self.status,
                "rows": self.rows,
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "error": self.error or None,
                "warnings": list(self.warnings),
            }
        )


def start_run(*, source: str, location: str, data_current_at: datetime | None = None) -> ImportRun:
    """Record that an import has begun, so that even a crash leaves a trace on the data page.

    Runs left running by a process that has since stopped are closed first, as failed.
    """
    runs.close_stale_runs()
    # The lock is taken before the run is visible, so no other process can think it stopped.
    with transaction.atomic():
        run = ImportRun.objects.create(
            source=source, location=location, data_current_at=data_current_at, owner=runs.owner()
        )
        runs.hold(run)
    return run


def import_bodies(run: ImportRun, bodies: Sequence[tuple[str, bytes]]) -> ImportOutcome:
    """Import one or more export bodies into a started run: all of them land, or none does."""
    run.checksum = _combined_checksum(bodies)
    rows = 0
    try:
        if len(bodies) == 1 and staged_import.available():
            counts, rows, warnings = _import_one(run, *bodies[0])
            run.warnings, run.warning_count = warnings[:MAX_WARNINGS_KEPT], len(warnings)
            _finish(run, ImportRun.Status.SUCCEEDED, rows=rows, counts=counts)
            return _outcome(run, rows, counts)
        validated = []
        for name, data in bodies:
            validated.append(validate_export(read_export(data, name=name)))
            rows += validated[-1].rows
        # One file's repeated keys are folded by validation; only several files need folding.
        records = (
            validated[0].records
            if len(validated) == 1
            else _fold_across_files([r for v in validated for r in v.records])
        )
        # England and the unitaries come in both the district and the county body: warn once.
        warnings: list[str] = []
        warned: set[tuple] = set()
        for v in validated:
            warnings += [text for key, text in v.warnings if key not in warned]
            warned.update(key for key, _ in v.warnings)
        # One transaction: the derived statistics land with the figures they come from, and
        # only those of the indicators and areas whose figures changed are derived again.
        with transaction.atomic():
            counts = load_records(records, run=run)
            if counts.changed or counts.whole:
                recompute(counts.whole, changed=counts.changed)
    except ImportRejected as exc:
        rows += exc.rows
        _finish(run, ImportRun.Status.REJECTED, rows=rows, error=str(exc))
        return ImportOutcome(run.location, "rejected", rows=rows, error=str(exc), run_id=run.pk)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}".strip()
        _finish(run, ImportRun.Status.FAILED, rows=rows, error=error, after_failure=True)
        raise
    run.warnings, run.warning_count = warnings[:MAX_WARNINGS_KEPT], len(warnings)
    _finish(run, ImportRun.Status.SUCCEEDED, rows=rows, counts=counts)
    return _outcome(run, rows, counts)


def _outcome(run: ImportRun, rows: int, counts: LoadCounts) -> ImportOutcome:
    return ImportOutcome(
        run.location,
        "ok",
        rows=rows,
        created=counts.created,
        updated=counts.updated,
        unchanged=counts.unchanged,
        run_id=run.pk,
        warnings=tuple(run.warnings),
    )


def _import_one(run: ImportRun, name: str, data: bytes) -> tuple[LoadCounts, int, list[str]]:
    """One body on PostgreSQL, in one transaction: COPY and checked in SQL when it is clean,
    row by row when the check doubts any row (which names each bad row and column)."""
    raw = read_export(data, name=name)
    check_header(raw)
    with transaction.atomic():
        staged = staged_import.stage(raw, data)
        if staged is None:
            validated = validate_export(raw)
            rows, warnings = validated.rows, [text for _, text in validated.warnings]
            counts = load_records(validated.records, run=run)
        else:
            rows, warnings = staged.rows, [text for _, text in staged.warnings]
            counts = load_staged(staged, run=run)
        if counts.changed or counts.whole:
            recompute(counts.whole, changed=counts.changed)
    return counts, rows, warnings


def fail_run(run: ImportRun, error: str) -> ImportOutcome:
    """Close a run that never reached the import (a download that failed)."""
    _finish(run, ImportRun.Status.FAILED, rows=0, error=error)
    return ImportOutcome(run.location, "failed", error=error, run_id=run.pk)


def record_failure(
    *, source: str, location: str, error: str, data_current_at: datetime | None = None
) -> ImportOutcome:
    """A source that could not even be read: a failed run says why on the data page."""
    run = start_run(source=source, location=location, data_current_at=data_current_at)
    return fail_run(run, error)


def import_exports(
    bodies: Sequence[tuple[str, bytes]],
    *,
    source: str,
    location: str,
    data_current_at: datetime | None = None,
) -> ImportOutcome:
    """Import export bodies as one new run."""
    run = start_run(
        source=source, location=location, data_current_at=data_current_at or timezone.now()
    )
    return import_bodies(run, bodies)


def import_file(path: Path, *, source: str = ImportRun.Source.FILE, **kwargs) -> ImportOutcome:
    """Import one export file from disk; one that cannot be read leaves a failed run saying why."""
    try:
        data = _read_file(path)
    except OSError as exc:
        reason = f"{path.name or path}: the file cannot be read ({exc.strerror or exc})"
        return record_failure(source=source, location=str(path), error=reason, **kwargs)
    return import_exports([(path.name, data)], source=source, location=str(path), **kwargs)


def _read_file(path: Path) -> bytes:
    # Checked before opening: a directory is not a file, a pipe would wait for ever, and a
    # runaway file must not be read into memory whole.
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise OSError("not a regular file")
    if info.st_size > MAX_EXPORT_BYTES:
        raise OSError(_too_large(info.st_size))
    with path.open("rb") as f:
        return f.read(MAX_EXPORT_BYTES + 1)  # a file still growing is refused by read_export


def import_snapshot(directory: Path) -> list[ImportOutcome]:
    """Import the files a snapshot's MANIFEST.json lists, each as its own run.

    A manifest that cannot be read, or an entry without a usable date, leaves a failed run.
    """
    manifest = directory / "MANIFEST.json"
    snapshot = ImportRun.Source.SNAPSHOT
    try:
        files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
        entries = list(files.items())
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else f"{type(exc).__name__}: {exc}"
        error = f"{manifest.name}: the snapshot's manifest cannot be read ({reason})"
        return [record_failure(source=snapshot, location=str(manifest), error=error)]
    outcomes = []
    for name, entry in entries:
        path = directory / str(name)
        try:
            current_at = timezone.make_aware(datetime.fromisoformat(entry["data_current_at"]))
        except (ValueError, KeyError, TypeError) as exc:
            error = f"{manifest.name}: the entry for {name} has no usable data_current_at ({exc})"
            outcomes.append(record_failure(source=snapshot, location=str(path), error=error))
            continue
        outcomes.append(import_file(path, source=snapshot, data_current_at=current_at))
    return outcomes


def _fold_across_files(records: list[ObservationRecord]) -> list[ObservationRecord]:
    # The same observation in two bodies of one refresh (district and county exports both carry
    # England and the unitaries): the comparisons are merged, the rest must agree.
    folded: dict[tuple, ObservationRecord] = {}
    for record in records:
        first = folded.get(record.key)
        if first is None:
            folded[record.key] = replace(record, parent_comparisons=dict(record.parent_comparisons))
        elif _merge_duplicate(first, record):
            raise ImportRejected(
                [
                    f"area {record.area_code}, indicator {record.indicator_id}, period "
                    f"{record.period_label}: two files give different values"
                ]
            )
    return list(folded.values())


def _combined_checksum(bodies: Sequence[tuple[str, bytes]]) -> str:
    if len(bodies) == 1:
        return hashlib.sha256(bodies[0][1]).hexdigest()
    digest = hashlib.sha256()
    for _, data in bodies:
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def _finish(
    run: ImportRun,
    status: str,
    *,
    rows: int,
    counts: LoadCounts | None = None,
    error: str = "",
    after_failure: bool = False,
) -> None:
    counts = counts or LoadCounts()
    run.status = status
    run.rows = rows
    run.created, run.updated, run.unchanged = counts.created, counts.updated, counts.unchanged
    run.error = error
    run.finished_at = timezone.now()
    if after_failure:
        # The failure may have been the database connection itself.
        runs.save_after_failure(run)
        return
    run.save()
    runs.release(run)
