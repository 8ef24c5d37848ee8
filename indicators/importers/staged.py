"""The fast way in for one export on PostgreSQL: COPY it as written, check it in SQL, upsert once.

The file's bytes go straight to COPY into an unlogged table of text columns, one a header column,
numbered in file order (`csv_shape` first says COPY reads the cells the row-by-row validator,
`fingertips.validate_export`, would). What is checked once per distinct value is checked before
anything is written: period labels, ranges, indicator ids and Fingertips' wording (in Python, by
the validator's own functions), area codes and names. Then a pass types every row (text to
numbers and the vocabulary's values) and keeps those that are not stored as they are, and those
with a warning; only the first are held to the rules on a row and asked for a repeated key (a
row the same as the stored one was held to them when it was stored), and only they are written,
by one `INSERT … ON CONFLICT`: or, when nothing of the file's indicators is stored yet, by a plain
INSERT, which the unique index holds to one row a key (a key met twice sends the file the guarded
way).
The checks are deliberately stricter than the validator: anything they doubt (a cell with edge
spaces or website markup, a number written in an unusual way, a repeated key, a row that breaks a
rule) writes nothing and sends the whole file the row-by-row way, which names the row and column
of every real error or, for a file that is in fact good, loads it. So a file the validator would
refuse is never loaded here, and one it would accept lands with the same figures. A clean file's
rows never become Python objects.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction

from indicators.bulk import Upserted, changed_observations, upsert_observations
from indicators.importers import csv_shape
from indicators.importers import staged_checks as checks
from indicators.models import Observation
from indicators.observation_fields import OBSERVATION_COLUMNS

STAGING = checks.STAGING
# Numbers as the validator's float() reads them, in forms SQL reads the same way; the exponent
# has at most two digits so no cast can overflow (anything larger is refused by the validator).
_NUMBER = (
    r"^([-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]{1,2})?"
    r"|-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?)$"  # or with thousands separated
)


@dataclass(frozen=True, slots=True)
class Staged:
    """A file in the staging table whose names, codes, periods and wording are clean, and no key
    twice: what the load needs to know of it. Its rows are checked as they are written."""

    rows: int
    indicator_names: dict[int, str]
    area_names: dict[str, str]
    parents: dict[str, str]
    # Values outside their own limits, as the validator words them: filled by `write`.
    warnings: list[tuple[tuple, str]]
    # The rows written (only those not stored as they are), or None, with nothing written, when
    # one of them breaks a rule: the file then goes row by row.
    write: Callable[[dict[int, int], dict[str, int], int], Upserted | None]


def available() -> bool:
    return connection.vendor == "postgresql"


def stage(raw, data: bytes) -> Staged | None:
    """COPY the export into the staging table and check what is checked once per distinct value;
    None when it must go row by row.

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
        cells = checks.Cells(raw.header)
        with _hash_joins(cursor):
            # No data rows: the validator says so.
            periods = checks.read_periods(cursor, cells) if rows > 0 else None
            wordings = None if periods is None else checks.read_wordings(cursor, cells)
            names = None if wordings is None else checks.read_names(cursor, cells)
            if names is None:
                cursor.execute(f"DROP TABLE {STAGING}")
                return None
        indicator_names, area_names, parents = names
        warnings: list[tuple[tuple, str]] = []
        return Staged(
            rows=rows,
            indicator_names=indicator_names,
            area_names=area_names,
            parents=parents,
            warnings=warnings,
            write=lambda indicators, areas, run_pk: _write(
                _Typed(cells, periods, wordings, indicators, areas, run_pk, rows),
                raw.name,
                warnings,
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


def _parsed(cells: checks.Cells, column: str, wordings: dict[str, dict[str, str]]) -> str:
    """SQL for a worded cell as its parsed value (every distinct cell is in the mapping)."""
    whens = " ".join(
        f"WHEN {_literal(raw)} THEN {_literal(value)}" for raw, value in wordings[column].items()
    )
    return f"(CASE {cells(column)} {whens} END)" if whens else "''"


def _literal(text: str) -> str:
    with connection.cursor() as cursor:
        return cursor.mogrify("%s", (text,)).decode()


def _values(mapping: dict, row: Callable) -> str:
    """A VALUES list of literal rows, passed through the driver's quoting."""
    rows = [row(k, v) for k, v in mapping.items()]
    with connection.cursor() as cursor:
        return "VALUES " + ", ".join(
            cursor.mogrify("(" + ", ".join(["%s"] * len(r)) + ")", r).decode() for r in rows
        )


ROWS = "import_rows"


@dataclass(frozen=True, slots=True)
class _Typed:
    """What turns the staging table's text into typed observations."""

    cells: checks.Cells
    periods: dict
    wordings: dict[str, dict[str, str]]
    indicators: dict[int, int]
    areas: dict[str, int]
    run_pk: int
    rows: int  # how many the staging table holds

    def select(self) -> str:
        """Every staged row as the observation it stores (OBSERVATION_COLUMNS), then its row
        number and indicator id. A number the validator would not read is NaN (`_number`): no
        stored figure is (the rules refuse it), so its row is always among those checked, and
        refused."""
        from indicators.fingertips_columns import NUMBER_COLUMNS, PARENT_COMPARISON

        cells = self.cells
        england = _parsed(cells, "Compared to England value or percentiles", self.wordings)
        to_parent = _parsed(cells, PARENT_COMPARISON, self.wordings)
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
            **{a: _number(cells(c)) for a, c in NUMBER_COLUMNS.items()},
            "value_note": cells("Value note"),
            "recent_trend": _parsed(cells, "Recent Trend", self.wordings),
            "compared_to_goal": cells("Compared to goal"),
            "new_data": cells("New data"),
            "origin": "'published'",
            "compared_to_england": england,
            "parent_comparisons": (
                f"CASE WHEN {england} <> '' OR {to_parent} <> '' THEN jsonb_build_object("
                f"{cells('Parent Code')}, jsonb_build_array({england}, {to_parent})) "
                "ELSE '{}'::jsonb END"
            ),
            "import_run_id": str(int(self.run_pk)),
        }
        return f"""
            WITH p (raw_label, raw_range, label, start_year, end_year) AS (
                {_values(self.periods, lambda k, v: (*k, *v))}
            ), i (fingertips_id, pk) AS ({_values(self.indicators, lambda k, v: (k, v))}
            ), a (code, pk) AS ({_values(self.areas, lambda k, v: (k, v))})
            SELECT {", ".join(f"{expressions[c]} AS {c}" for c in OBSERVATION_COLUMNS)},
                s.row_number, i.fingertips_id
            FROM {STAGING} s
            JOIN p ON p.raw_label = {cells("Time period")}
                AND p.raw_range = {cells("Time period range")}
            JOIN i ON i.fingertips_id = {cells("Indicator ID")}::int
            JOIN a ON a.code = {cells("Area Code")}
        """


def _number(cell: str) -> str:
    """SQL for the number in a cell as the validator reads it: NULL for an empty cell, NaN where
    the validator would read no number (or one SQL might read otherwise). Digits with at most
    one point (most figures) are told apart without the regular expression, which costs more;
    neither form has room for a figure too large to cast."""
    return (
        f"CASE WHEN {cell} = '' THEN NULL "
        f"WHEN octet_length({cell}) <= 30 AND {cell} <> '.' "
        f"AND translate({cell}, '0123456789', '') IN ('', '.') THEN {cell}::float8 "
        f"WHEN char_length({cell}) <= 30 AND {cell} ~ '{_NUMBER}' "
        f"THEN replace({cell}, ',', '')::float8 "
        "ELSE 'NaN'::float8 END"
    )


def _write(typed: _Typed, file_name: str, warnings: list) -> Upserted | None:
    """The staged rows written as typed observations, once those that would be written (new, or
    with a changed figure) are checked row by row; None, with nothing written, when one of them
    breaks a rule. A row the same as the stored one was checked when it was stored. `warnings`
    gets every row's value outside its own limits."""
    from indicators.importers.validation import LIMITS

    outside = " OR ".join(
        f"n.value < n.lower_ci_{level} OR n.value > n.upper_ci_{level}" for level in LIMITS
    )
    with connection.cursor() as cursor, _hash_joins(cursor):
        fresh = _typed_pass(cursor, typed, outside)
        cursor.execute(
            f"""
            SELECT n.row_number + 1, n.fingertips_id, n.area_id, n.sex, n.age, n.category_type,
                n.category, n.period_sortable, n.value, n.lower_ci_95, n.upper_ci_95,
                n.lower_ci_998, n.upper_ci_998
            FROM {ROWS} n WHERE {outside}
            ORDER BY 1
            """
        )
        found = cursor.fetchall()
        rules = " AND ".join(f"coalesce({rule}, false)" for rule in checks.row_rules())
        cursor.execute(
            f"SELECT 1 FROM {ROWS} n LEFT JOIN (VALUES {checks.value_ranges()}) "
            "AS r (indicator, low, high, limits_high) ON r.indicator = n.fingertips_id "
            f"WHERE n.kept AND NOT ({rules}) LIMIT 1"
        )
        refused = cursor.fetchone() is not None
        upserted = None if refused or not fresh else _insert_new()
        if not refused and upserted is None:
            cursor.execute(f"SELECT count(*) FROM {ROWS} WHERE kept")
            every_row = cursor.fetchone()[0] == typed.rows
            kept = f"(SELECT row_number FROM {ROWS} WHERE kept) AS k"
            refused = checks.repeats_a_key(cursor, typed.cells, None if every_row else kept)
            if not refused:
                # Fresh rows were not compared with the stored ones: the upsert compares them.
                upserted = upsert_observations(_KEPT, changed=not fresh)
        cursor.execute(f"DROP TABLE {ROWS}")
        cursor.execute(f"DROP TABLE {STAGING}")
    codes = {pk: code for code, pk in typed.areas.items()}
    for row in found:
        row = (row[0], row[1], codes[row[2]], *row[3:])
        warnings += checks.outside_own_limits(row, file_name)
    return upserted


def _typed_pass(cursor, typed: _Typed, outside: str) -> bool:
    """Type every staged row into the `ROWS` table and flag (`kept`) those to write; those with a
    warning (`outside`) are kept there too. Says whether every row is new: nothing of the file's
    indicators is stored yet (their first import), so no row is looked up."""
    cursor.execute(
        f"SELECT NOT EXISTS (SELECT 1 FROM {Observation._meta.db_table} "
        "WHERE indicator_id = ANY(%s))",
        [list(typed.indicators.values())],
    )
    fresh = cursor.fetchone()[0]
    select = typed.select()
    cursor.execute(f"DROP TABLE IF EXISTS {ROWS}")
    # CREATE TABLE AS, unlike INSERT or a statement with a writing CTE, may type and compare the
    # rows on parallel workers: about 0.2 s of a national file's 0.55 s.
    cursor.execute(
        f"CREATE TEMPORARY TABLE {ROWS} ON COMMIT DROP AS "
        + (
            f"SELECT n.*, true AS kept FROM ({select}) AS n"
            if fresh
            else changed_observations(f"({select})", also=outside)
        )
    )
    return fresh


_UNIQUE_VIOLATION = "23505"  # SQLSTATE
_KEPT = f"SELECT {', '.join(OBSERVATION_COLUMNS)} FROM {ROWS} WHERE kept"


def _insert_new() -> Upserted | None:
    """Every typed row inserted by a plain INSERT (no key looked up: the unique index holds them
    to one row a key), or None, with nothing written, when a key is there already: given twice
    in the file, or stored by another import since. The guarded way then decides."""
    try:
        with transaction.atomic():
            return upsert_observations(_KEPT, fresh=True)
    except IntegrityError as error:
        if getattr(error.__cause__, "pgcode", None) != _UNIQUE_VIOLATION:
            raise
        return None
