"""The staged import's checks: what is checked once per distinct value of the staging table
(period labels, ranges and indicator ids, Fingertips' wording, area codes and names), the rules
each typed row to be written is held to, as SQL, a key given twice, and the warnings of values
outside their own limits, worded as the row-by-row validator words them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from indicators.definitions import LARGEST_FIGURE, VALUE_RANGES
from indicators.periods import PeriodError, parse_period, range_years
from indicators.vocabulary import UnknownWording, parse_comparison, parse_trend

STAGING = "import_staging"


class Cells:
    """SQL for a header column's cell in the staging table (`''` where the file lacks it)."""

    def __init__(self, header: Sequence[str], table: str = "s"):
        self.header, self.table = header, table
        self.index = {name: i for i, name in enumerate(header)}

    def __call__(self, column: str) -> str:
        i = self.index.get(column)
        return f"{self.table}.c{i}" if i is not None else "''"

    def on(self, table: str) -> Cells:
        """The same cells, read from another name for the staging table."""
        return Cells(self.header, table)


def read_periods(cursor, cells: Cells) -> dict[tuple[str, str], tuple[str, int, int]] | None:
    """Each distinct (label, range) pair parsed as the validator parses it, or None if any of
    them, or of the indicator ids and sortable periods beside them, breaks its rules."""
    # Imported here: the row-by-row importer imports this module.
    from indicators.importers.validation import _ASCII_DIGITS, MAX_ID

    cursor.execute(
        f"SELECT DISTINCT {cells('Time period')}, {cells('Time period range')}, "
        f"{cells('Indicator ID')}, {cells('Time period Sortable')} FROM {STAGING} s"
    )
    periods = {}
    for label, period_range, indicator, sortable in cursor.fetchall():
        # An id written as the number itself (no leading zero), so SQL can match it as text.
        if not _ASCII_DIGITS.match(indicator) or not 0 < int(indicator) <= MAX_ID:
            return None
        if indicator != str(int(indicator)) or not _SORTABLE.fullmatch(sortable):
            return None
        if not _fits("Time period", label):
            return None
        try:
            period = parse_period(label)
        except PeriodError:
            return None
        if int(sortable) // 10000 != period.start_year:
            return None
        if period_range and (
            not _RANGE.fullmatch(period_range)
            or (
                period.kind in {"calendar", "financial"}
                and range_years(period_range) != period.years
            )
        ):
            return None
        periods[(label, period_range)] = (period.label, period.start_year, period.end_year)
    return periods


_WORDED = {
    "Recent Trend": parse_trend,
    "Compared to England value or percentiles": parse_comparison,
    "Compared to parent value or percentiles": parse_comparison,  # fingertips.PARENT_COMPARISON
}


def read_wordings(cursor, cells: Cells) -> dict[str, dict[str, str]] | None:
    """Each distinct cell of Fingertips' wording parsed as the validator parses it (to the
    vocabulary's stored value, "" for an empty cell), or None if one is unknown wording: the
    row-by-row import then names its row and column."""
    # One scan: the few combinations of the three columns, each column's values read from them.
    cursor.execute(f"SELECT DISTINCT {', '.join(cells(c) for c in _WORDED)} FROM {STAGING} s")
    combinations = cursor.fetchall()
    wordings = {}
    for i, (column, parse) in enumerate(_WORDED.items()):
        distinct = {combination[i] for combination in combinations}
        if not all(_fits(column, raw) for raw in distinct):
            return None
        try:
            wordings[column] = {raw: str(parse(raw) or "") for raw in sorted(distinct)}
        except UnknownWording:
            return None
    return wordings


_RANGE = re.compile(r"[0-9]{1,3}[ym]")
_SORTABLE = re.compile(r"[0-9]{8}")


def repeats_a_key(cursor, cells: Cells, rows: str | None = None) -> bool:
    """Whether a key of the staged rows is given by more than one staged row: of every row, or
    of those numbered in `rows` (SQL for a relation with a `row_number` column).

    The validator folds repeats that agree and names those that do not: either way, row by row.
    Only the rows to be written need asking: two rows with one key that are both the same as
    the stored row agree, and fold to it."""
    key = key_columns(cells)
    among = (
        ""
        if rows is None
        else (
            f"WHERE ({key}) IN (SELECT {key} FROM {STAGING} s "
            f"WHERE s.row_number IN (SELECT row_number FROM {rows}))"
        )
    )
    cursor.execute(f"SELECT 1 FROM {STAGING} s {among} GROUP BY {key} HAVING count(*) > 1 LIMIT 1")
    return cursor.fetchone() is not None


_CODE = re.compile(r"[A-Za-z0-9]{3,16}")


def _fits(column: str, text: str) -> bool:
    from indicators.importers.validation import _max_lengths

    limit = _max_lengths().get(column)
    return limit is None or len(text) <= limit


# Checked once per distinct value (`read_names`, `read_periods`, `read_wordings`); the rest on
# each row to be written.
_CHECKED_PER_VALUE = {
    "Indicator Name",
    "Area Name",
    "Parent Name",
    "Time period",
    "Recent Trend",
    "Compared to England value or percentiles",
}
# The columns a row's other length rules apply to, as the typed row names them.
_TEXT_ATTRIBUTES = {
    "Sex": "sex",
    "Age": "age",
    "Category Type": "category_type",
    "Category": "category",
    "Compared to goal": "compared_to_goal",
    "New data": "new_data",
}


def row_rules() -> list[str]:
    """The validator's rules for one row, as SQL over a typed row `n` (a number the validator
    would not read is NaN there, which the largest-figure rule refuses)."""
    from indicators.importers.validation import LIMITS, NUMBER_COLUMNS, _max_lengths

    number = {attribute: f"n.{attribute}" for attribute in NUMBER_COLUMNS}
    lengths = {
        _TEXT_ATTRIBUTES[column]: limit
        for column, limit in _max_lengths().items()
        if column not in _CHECKED_PER_VALUE
    }
    return [
        "n.sex <> ''",
        "n.age <> ''",
        # Bytes first: cheaper, and a text of no more bytes has no more characters.
        *(
            f"(octet_length(n.{a}) <= {limit} OR char_length(n.{a}) <= {limit})"
            for a, limit in lengths.items()
        ),
        *(f"coalesce(abs({x}) <= {LARGEST_FIGURE!r}, true)" for x in number.values()),
        *(f"coalesce({number[a]} >= 0, true)" for a in ("count", "denominator")),
        *(
            f"NOT coalesce({number[f'lower_ci_{low}']} > {number[f'upper_ci_{high}']}, false)"
            for low in LIMITS
            for high in LIMITS
        ),
        *_range_rules(number),
    ]


def outside_own_limits(row: Sequence, file_name: str) -> list[tuple[tuple, str]]:
    from indicators.importers.validation import LIMITS, _shown

    row_number, indicator, area, sex, age, category_type, category, sortable = row[:8]
    key = (indicator, area, sex, age, category_type, category, sortable)
    value, *limits = row[8:]
    warnings = []
    for label, (lower, upper) in zip(LIMITS.values(), (limits[:2], limits[2:]), strict=True):
        if (lower is not None and value < lower) or (upper is not None and value > upper):
            shown = (
                f"{_shown(lower) if lower is not None else '–'} to "
                f"{_shown(upper) if upper is not None else '–'}"
            )
            warnings.append(
                (
                    key,
                    f"{file_name}, row {row_number}, column 'Value': {_shown(value)} lies "
                    f"outside its own {label} confidence limits ({shown}); kept as published",
                )
            )
    return warnings


def key_columns(cells: Cells) -> str:
    # As text: the checks above hold ids and sortable periods to one way of writing each.
    columns = ("Indicator ID", "Area Code", "Sex", "Age", "Category Type", "Category")
    return ", ".join(cells(c) for c in (*columns, "Time period Sortable"))


def _range_rules(numbers: dict[str, str]) -> list[str]:
    # What the indicator's value type allows, for rows with a value (as the validator holds it).
    rules = []
    for attribute in ("value", "lower_ci_95", "upper_ci_95", "lower_ci_998", "upper_ci_998"):
        n = numbers[attribute]
        high = "r.high" if attribute == "value" else "r.limits_high"
        rules.append(
            f"(n.value IS NULL OR {n} IS NULL OR "
            f"(coalesce({n} >= r.low, true) AND coalesce({n} <= {high}, true)))"
        )
    return rules


def value_ranges() -> str:
    rows = [
        f"({fid}, {_float(r.minimum)}, {_float(r.maximum)}, {_float(r.limits_maximum)})"
        for fid, r in VALUE_RANGES.items()
    ]
    return ", ".join(rows) or "(NULL::int, NULL::float8, NULL::float8, NULL::float8)"


def _float(x: float | None) -> str:
    return "NULL::float8" if x is None else f"{float(x)!r}::float8"


def read_names(
    cursor, cells: Cells
) -> tuple[dict[int, str], dict[str, str], dict[str, str]] | None:
    """As the validator's records give them: each indicator's last name in the file, each
    area's first name (as an area or as a parent), and each area's first parent that is a
    region or England (the only geographic parents); None if a code or a name breaks its rule."""
    from indicators.models import AreaLevel, level_for_code

    area, parent = cells("Area Code"), cells("Parent Code")
    cursor.execute(
        f"SELECT {cells('Indicator ID')}::int, {cells('Indicator Name')}, {area}, "
        f"{cells('Area Name')}, {parent}, {cells('Parent Name')}, min(s.row_number), "
        f"max(s.row_number) FROM {STAGING} s GROUP BY 1, 2, 3, 4, 5, 6"
    )
    groups = cursor.fetchall()
    for _, indicator_name, code, name, parent_code, parent_name, *_ in groups:
        if not (
            _CODE.fullmatch(code)
            and (parent_code == "" or _CODE.fullmatch(parent_code))
            and _fits("Indicator Name", indicator_name)
            and _fits("Area Name", name)
            and _fits("Parent Name", parent_name)
        ):
            return None
    indicators = {i: name for i, name, *_, last in sorted(groups, key=lambda g: g[-1])}
    named, parents = [], []
    for _, _, code, name, parent_code, parent_name, first, _ in groups:
        named.append((first, 0, code, name or code))
        if parent_code and parent_code != code:
            named.append((first, 1, parent_code, parent_name or parent_code))
            if level_for_code(parent_code) in {AreaLevel.REGION, AreaLevel.ENGLAND}:
                parents.append((first, code, parent_code))
    areas: dict[str, str] = {}
    for *_, code, name in sorted(named):
        areas.setdefault(code, name)
    first_parents: dict[str, str] = {}
    for _, code, parent_code in sorted(parents):
        first_parents.setdefault(code, parent_code)
    return indicators, areas, first_parents
