"""The fast way in for one export on PostgreSQL: COPY it as written, check it in SQL, upsert once.

The file's bytes go straight to COPY into an unlogged table of text columns, one a header column,
numbered in file order. One query then asks whether any row breaks a rule the row-by-row validator
(`fingertips.validate_export`) applies; the few distinct period labels, ranges and indicator ids
are checked in Python by the same functions that validator uses. The check is deliberately
stricter than the validator: a row it doubts (a cell with edge spaces or website markup, a number
written in an unusual way, a repeated key) sends the whole file the row-by-row way, which names the
row and column of every real error or, for a file that is in fact good, loads it. So a file the
validator would refuse is never loaded here, and one it would accept lands with the same figures.
A clean file's rows never become Python objects: one `INSERT … SELECT … ON CONFLICT` turns the text
into typed columns and writes only the rows whose figures changed.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connection

from indicators.bulk import Upserted, upsert_observations
from indicators.definitions import LARGEST_FIGURE, VALUE_RANGES
from indicators.importers import csv_shape
from indicators.observation_fields import OBSERVATION_COLUMNS
from indicators.periods import PeriodError, parse_period, range_years
from indicators.vocabulary import UnknownWording, parse_comparison, parse_trend

STAGING = "import_staging"
# Numbers as the validator's float() reads them, in forms SQL reads the same way; the exponent
# has at most two digits so no cast can overflow (anything larger is refused by the validator).
_NUMBER = (
    r"^([-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]{1,2})?"
    r"|-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?)$"  # or with thousands separated
)


@dataclass(frozen=True, slots=True)
class Staged:
    """A file in the staging table, checked clean: what the load needs to know of it."""

    rows: int
    indicator_names: dict[int, str]
    area_names: dict[str, str]
    parents: dict[str, str]
    warnings: list[tuple[tuple, str]]
    write: Callable[[dict[int, int], dict[str, int], int], Upserted]


def available() -> bool:
    return connection.vendor == "postgresql"


def stage(raw, data: bytes) -> Staged | None:
    """COPY the export into the staging table and check it; None when it must go row by row.

    Runs in the caller's transaction. A file COPY would not take whole (a short row, a blank
    line) goes row by row too.
    """
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if not csv_shape.plain_csv(raw.text, body) or not csv_shape.copies_whole(
        raw.text, body, len(raw.header)
    ):
        return None
    columns = [f"c{i}" for i in range(len(raw.header))]
    with connection.cursor() as cursor:
        # Unlogged rather than temporary, so the checks below may scan it with parallel workers
        # (PostgreSQL never gives a temporary table to them); dropped once written, or rolled
        # back with the import.
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        cursor.execute(
            f"CREATE UNLOGGED TABLE {STAGING} (row_number serial, "
            + ", ".join(f"{c} text" for c in columns)
            + ")"
        )
        # Checked above, so no savepoint is needed: should COPY still fail, the import fails.
        cursor.cursor.copy_expert(
            f"COPY {STAGING} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, "
            f"HEADER true, FORCE_NOT_NULL ({', '.join(columns)}))",
            io.BytesIO(body),
            size=2**20,
        )
        rows = cursor.cursor.rowcount
        cells = _Cells(raw.header)
        with _hash_joins(cursor):
            # No data rows: the validator says so.
            periods = _periods(cursor, cells) if rows > 0 else None
            wordings = None if periods is None else _wordings(cursor, cells)
            warnings = None if wordings is None else _check(cursor, cells, raw.name)
            if warnings is None:
                cursor.execute(f"DROP TABLE {STAGING}")
                return None
            indicator_names, area_names, parents = _names(cursor, cells)
        return Staged(
            rows=rows,
            indicator_names=indicator_names,
            area_names=area_names,
            parents=parents,
            warnings=warnings,
            write=lambda indicators, areas, run_pk: _write(
                cells, periods, indicators, areas, run_pk, wordings
            ),
        )


@contextlib.contextmanager
def _hash_joins(cursor):
    # The staging table has no statistics (ANALYZE would cost more than it saves): without them
    # the planner takes it for a few rows and joins the small lists to it in loops.
    # Disabling nested loops makes every plan's estimated cost huge, which would have PostgreSQL
    # JIT-compile each statement (about 1.5 s of an unchanged national re-import): no JIT here.
    # The repeated-key check hashes every key: in the default 4 MB it spills to disk (about 0.3 s
    # of a national file instead of 0.15 s), so these statements get more where they have less.
    cursor.execute(
        "SELECT current_setting('enable_nestloop'), current_setting('jit'), "
        "current_setting('work_mem'), current_setting('parallel_setup_cost'), "
        "current_setting('parallel_tuple_cost')"
    )
    before = cursor.fetchone()
    cursor.execute("SET LOCAL enable_nestloop = off")
    # Nor does it know the scans are worth splitting between workers.
    cursor.execute("SET LOCAL parallel_setup_cost = 0")
    cursor.execute("SET LOCAL parallel_tuple_cost = 0")
    cursor.execute("SET LOCAL jit = off")
    cursor.execute(
        "SELECT set_config('work_mem', %s, true) "
        "WHERE pg_size_bytes(current_setting('work_mem')) < pg_size_bytes(%s)",
        [_WORK_MEM, _WORK_MEM],
    )
    try:
        yield
    finally:
        cursor.execute(
            "SELECT set_config('enable_nestloop', %s, true), set_config('jit', %s, true), "
            "set_config('work_mem', %s, true), set_config('parallel_setup_cost', %s, true), "
            "set_config('parallel_tuple_cost', %s, true)",
            before,
        )


_WORK_MEM = "64MB"


class _Cells:
    """SQL for a header column's cell in the staging table (`''` where the file lacks it)."""

    def __init__(self, header: Sequence[str], table: str = "s"):
        self.header, self.table = header, table
        self.index = {name: i for i, name in enumerate(header)}

    def __call__(self, column: str) -> str:
        i = self.index.get(column)
        return f"{self.table}.c{i}" if i is not None else "''"

    def on(self, table: str) -> _Cells:
        """The same cells, read from another name for the staging table."""
        return _Cells(self.header, table)

    def number(self, column: str) -> str:
        cell = self(column)
        return f"(CASE WHEN {cell} = '' THEN NULL ELSE replace({cell}, ',', '')::float8 END)"


def _periods(cursor, cells: _Cells) -> dict[tuple[str, str], tuple[str, int, int]] | None:
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


def _wordings(cursor, cells: _Cells) -> dict[str, dict[str, str]] | None:
    """Each distinct cell of Fingertips' wording parsed as the validator parses it (to the
    vocabulary's stored value, "" for an empty cell), or None if one is unknown wording: the
    row-by-row import then names its row and column."""
    wordings = {}
    for column, parse in _WORDED.items():
        cursor.execute(f"SELECT DISTINCT {cells(column)} FROM {STAGING} s")
        try:
            wordings[column] = {raw: str(parse(raw) or "") for (raw,) in cursor.fetchall()}
        except UnknownWording:
            return None
    return wordings


def _parsed(cells: _Cells, column: str, wordings: dict[str, dict[str, str]]) -> str:
    """SQL for a worded cell as its parsed value (every distinct cell is in the mapping)."""
    whens = " ".join(
        f"WHEN {_literal(raw)} THEN {_literal(value)}" for raw, value in wordings[column].items()
    )
    return f"(CASE {cells(column)} {whens} END)" if whens else "''"


def _literal(text: str) -> str:
    with connection.cursor() as cursor:
        return cursor.mogrify("%s", (text,)).decode()


_RANGE = re.compile(r"[0-9]{1,3}[ym]")
_SORTABLE = re.compile(r"[0-9]{8}")


def _check(cursor, cells: _Cells, file_name: str) -> list[tuple[tuple, str]] | None:
    """One pass over the rows: None if any breaks a rule (or has a cell to clean first), else
    the warnings of values outside their own published limits, as the validator words them."""
    from indicators.importers.validation import LIMITS, NUMBER_COLUMNS

    # Each number is read once, in a subquery the planner may not flatten. Digits with at most
    # one point (most figures) are told apart without the regular expression, which costs more.
    typed = ", ".join(
        f"CASE WHEN char_length({cells(c)}) > 30 THEN NULL "
        f"WHEN ({cells(c)} NOT IN ('', '.') "
        f"AND translate({cells(c)}, '0123456789', '') IN ('', '.')) "
        f"OR {cells(c)} ~ '{_NUMBER}' THEN {cells.number(c)} END AS {a}"
        for a, c in NUMBER_COLUMNS.items()
    )
    n = cells.on("n")
    outside = " OR ".join(
        f"n.value < n.lower_ci_{level} OR n.value > n.upper_ci_{level}" for level in LIMITS
    )
    cursor.execute(
        f"""
        SELECT * FROM (
            SELECT NOT ({" AND ".join(f"coalesce({rule}, false)" for rule in _rules(n))}) AS bad,
                n.row_number + 1, {n("Indicator ID")}, {n("Area Code")}, {n("Sex")}, {n("Age")},
                {n("Category Type")}, {n("Category")}, {n("Time period Sortable")}, n.value,
                n.lower_ci_95, n.upper_ci_95, n.lower_ci_998, n.upper_ci_998
            FROM (SELECT s.*, {typed} FROM {STAGING} s OFFSET 0) AS n
            LEFT JOIN (VALUES {_value_ranges()}) AS r (indicator, low, high, limits_high)
                ON r.indicator::text = {n("Indicator ID")}
        ) checked WHERE bad OR ({outside.replace("n.", "")})
        ORDER BY bad DESC, 2
        """
    )
    found = cursor.fetchall()
    if found and found[0][0]:
        return None
    # A key twice: the validator folds repeats that agree and names those that do not.
    cursor.execute(f"SELECT 1 FROM {STAGING} s GROUP BY {_key(cells)} HAVING count(*) > 1 LIMIT 1")
    if cursor.fetchone():
        return None
    return [warning for row in found for warning in _outside_own_limits(row[1:], file_name)]


def _rules(n: _Cells) -> list[str]:
    """The validator's rules as SQL over a row `n` of the staging table with its typed numbers."""
    from indicators.importers.validation import LIMITS, NUMBER_COLUMNS, _max_lengths

    number = {attribute: f"n.{attribute}" for attribute in NUMBER_COLUMNS}
    return [
        f"char_length({n('Area Code')}) BETWEEN 3 AND 16",
        f"{n('Area Code')} ~ '^[A-Za-z0-9]+$'",
        f"({n('Parent Code')} = '' OR (char_length({n('Parent Code')}) BETWEEN 3 AND 16 "
        f"AND {n('Parent Code')} ~ '^[A-Za-z0-9]+$'))",
        f"{n('Sex')} <> ''",
        f"{n('Age')} <> ''",
        *(
            # Bytes first: cheaper, and a text of no more bytes has no more characters.
            f"(octet_length({n(column)}) <= {limit} OR char_length({n(column)}) <= {limit})"
            for column, limit in _max_lengths().items()
            if column in n.index
        ),
        # A cell that is not empty but reads as no number.
        *(f"({n(c)} = '' OR n.{a} IS NOT NULL)" for a, c in NUMBER_COLUMNS.items()),
        *(f"coalesce(abs({x}) <= {LARGEST_FIGURE!r}, true)" for x in number.values()),
        *(f"coalesce({number[a]} >= 0, true)" for a in ("count", "denominator")),
        *(
            f"NOT coalesce({number[f'lower_ci_{low}']} > {number[f'upper_ci_{high}']}, false)"
            for low in LIMITS
            for high in LIMITS
        ),
        *_range_rules(number),
    ]


def _outside_own_limits(row: Sequence, file_name: str) -> list[tuple[tuple, str]]:
    from indicators.importers.validation import LIMITS, _shown

    row_number, indicator, area, sex, age, category_type, category, sortable = row[:8]
    key = (int(indicator), area, sex, age, category_type, category, int(sortable))
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


def _key(cells: _Cells) -> str:
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


def _value_ranges() -> str:
    rows = [
        f"({fid}, {_float(r.minimum)}, {_float(r.maximum)}, {_float(r.limits_maximum)})"
        for fid, r in VALUE_RANGES.items()
    ]
    return ", ".join(rows) or "(NULL::int, NULL::float8, NULL::float8, NULL::float8)"


def _float(x: float | None) -> str:
    return "NULL::float8" if x is None else f"{float(x)!r}::float8"


def _values(mapping: dict, row: Callable) -> str:
    """A VALUES list of literal rows, passed through the driver's quoting."""
    rows = [row(k, v) for k, v in mapping.items()]
    with connection.cursor() as cursor:
        return "VALUES " + ", ".join(
            cursor.mogrify("(" + ", ".join(["%s"] * len(r)) + ")", r).decode() for r in rows
        )


def _names(cursor, cells: _Cells) -> tuple[dict[int, str], dict[str, str], dict[str, str]]:
    """As the validator's records give them: each indicator's last name in the file, each
    area's first name (as an area or as a parent), and each area's first parent that is a
    region or England (the only geographic parents)."""
    from indicators.models import AreaLevel, level_for_code

    area, parent = cells("Area Code"), cells("Parent Code")
    cursor.execute(
        f"SELECT {cells('Indicator ID')}::int, {cells('Indicator Name')}, {area}, "
        f"{cells('Area Name')}, {parent}, {cells('Parent Name')}, min(s.row_number), "
        f"max(s.row_number) FROM {STAGING} s GROUP BY 1, 2, 3, 4, 5, 6"
    )
    groups = cursor.fetchall()
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


def _write(cells: _Cells, periods, indicators, areas, run_pk: int, wordings) -> Upserted:
    """The staged rows as typed observations, through one guarded upsert."""
    from indicators.fingertips_columns import NUMBER_COLUMNS, PARENT_COMPARISON

    england = _parsed(cells, "Compared to England value or percentiles", wordings)
    to_parent = _parsed(cells, PARENT_COMPARISON, wordings)
    expressions = {
        "indicator_id": "i.pk",
        "area_id": "a.pk",
        "sex": cells("Sex"),
        "age": cells("Age"),
        "category_type": cells("Category Type"),
        "category": cells("Category"),
        "period_sortable": f"{cells('Time period Sortable')}::int",
        "period_label": "p.label",
        "period_range": cells("Time period range"),
        "period_start_year": "p.start_year",
        "period_end_year": "p.end_year",
        **{a: cells.number(c) for a, c in NUMBER_COLUMNS.items()},
        "value_note": cells("Value note"),
        "recent_trend": _parsed(cells, "Recent Trend", wordings),
        "compared_to_goal": cells("Compared to goal"),
        "new_data": cells("New data"),
        "origin": "'published'",
        "compared_to_england": england,
        "parent_comparisons": (
            f"CASE WHEN {england} <> '' OR {to_parent} <> '' THEN jsonb_build_object("
            f"{cells('Parent Code')}, jsonb_build_array({england}, {to_parent})) "
            "ELSE '{}'::jsonb END"
        ),
        "import_run_id": str(int(run_pk)),
    }
    select = f"""
        WITH p (raw_label, raw_range, label, start_year, end_year) AS (
            {_values(periods, lambda k, v: (*k, *v))}
        ), i (fingertips_id, pk) AS ({_values(indicators, lambda k, v: (k, v))}
        ), a (code, pk) AS ({_values(areas, lambda k, v: (k, v))})
        SELECT {", ".join(expressions[c] for c in OBSERVATION_COLUMNS)}
        FROM {STAGING} s
        JOIN p ON p.raw_label = {cells("Time period")}
            AND p.raw_range = {cells("Time period range")}
        JOIN i ON i.fingertips_id = {cells("Indicator ID")}::int
        JOIN a ON a.code = {cells("Area Code")}
    """
    with connection.cursor() as cursor, _hash_joins(cursor):
        upserted = upsert_observations(select)
        cursor.execute(f"DROP TABLE {STAGING}")
    return upserted
