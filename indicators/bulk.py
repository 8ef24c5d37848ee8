"""Fast multi-row INSERT and UPDATE by primary key, for the importer and the derived statistics.

Django's bulk_create and bulk_update spend most of their time in per-field Python work. Here
PostgreSQL gets COPY (into the table, or into a temporary table that one UPDATE … FROM joins or
one guarded INSERT … ON CONFLICT reads), and SQLite gets executemany, which is fast in-process.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice

from django.db import connection, models

_NULL = r"\N"


def _copy_buffer(rows: Sequence[tuple]) -> io.StringIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        # repr keeps every digit of a float; None is COPY's NULL marker.
        writer.writerow([_NULL if v is None else v for v in row])
    buffer.seek(0)
    return buffer


def _copy(cursor, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    names = ", ".join(columns)
    cursor.copy_expert(
        f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv, NULL '{_NULL}')",
        _copy_buffer(rows),
    )


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert rows given as tuples in the order of `columns` (database column names)."""
    if not rows:
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor.cursor, table, columns, rows)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text_buffer(rows: Sequence[tuple]) -> io.StringIO:
    """Rows in COPY's text format, built a column at a time (faster than csv for many rows):
    tab between values, \\N for None, str() of the rest (every digit of a float), and text's
    backslash, tab, newline and carriage return escaped, only in a column that holds one."""
    columns = []
    for values in zip(*rows, strict=True):
        if all(type(value) is str for value in values):
            joined = "".join(values)
            if any(special in joined for special in "\\\t\n\r"):
                values = [value.translate(_TEXT_ESCAPES) for value in values]
            columns.append(values)
        else:
            columns.append(
                [
                    _NULL
                    if value is None
                    else value.translate(_TEXT_ESCAPES)
                    if isinstance(value, str)
                    else str(value)
                    for value in values
                ]
            )
    lines = map("\t".join, zip(*columns, strict=True))
    return io.StringIO("".join(f"{line}\n" for line in lines))


def update_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Update rows given as (*values in the order of `columns`, primary key)."""
    with RowUpdates(model, columns) as updates:
        updates.add(rows)


class RowUpdates:
    """Rows to update by primary key, given a batch at a time and written by one statement at the
    end (PostgreSQL: each batch COPYed into a temporary table, so only a batch is ever held as
    text; SQLite: executemany, batch by batch). Use as a context manager: the rows are written
    when the block ends without an exception."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]):
        self.table, self.columns = model._meta.db_table, list(columns)
        self.pk = model._meta.pk.column
        self.staging = f"{self.table}_update"
        self.added = 0

    def __enter__(self) -> RowUpdates:
        return self

    def add(self, rows: Sequence[tuple]) -> None:
        """Rows given as (*values in the order of `columns`, primary key)."""
        if not rows:
            return
        names = ", ".join(self.columns)
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                assignments = ", ".join(f"{name} = %s" for name in self.columns)
                cursor.executemany(
                    f"UPDATE {self.table} SET {assignments} WHERE {self.pk} = %s", rows
                )
            else:
                if not self.added:
                    cursor.execute(f"DROP TABLE IF EXISTS {self.staging}")
                    cursor.execute(
                        f"CREATE TEMPORARY TABLE {self.staging} ON COMMIT DROP AS "
                        f"SELECT {names}, {self.pk} FROM {self.table} WITH NO DATA"
                    )
                for start in range(0, len(rows), _BATCH):
                    cursor.cursor.copy_expert(
                        f"COPY {self.staging} ({names}, {self.pk}) FROM STDIN",
                        _text_buffer(rows[start : start + _BATCH]),
                    )
        self.added += len(rows)

    def __exit__(self, kind, error, trace) -> None:
        if kind is not None or not self.added or connection.vendor != "postgresql":
            return
        assignments = ", ".join(f"{name} = s.{name}" for name in self.columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {self.table} AS t SET {assignments} FROM {self.staging} AS s "
                f"WHERE t.{self.pk} = s.{self.pk}"
            )
            cursor.execute(f"DROP TABLE {self.staging}")


# Rows written as COPY text at a time: the text of a national import's 87,000 derived rows at
# once took some 60 MB more at the peak.
_BATCH = 10_000


@dataclass(frozen=True, slots=True)
class Upserted:
    """What one upsert wrote: rows created and updated, and the `report` values of those rows."""

    created: int
    updated: int
    changed: frozenset[tuple]


def upsert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[tuple],
    *,
    key: Sequence[str],
    merged: Sequence[str] = (),
    stamped: Sequence[str] = (),
    report: Sequence[str],
) -> Upserted:
    """Insert rows, or update the stored row with the same `key` only where a value differs.

    `columns` are database column names in the order of each row's values; the rows must not
    repeat a key. A `merged` column (JSON objects) keeps its stored keys and takes the row's on
    top; a `stamped` column (the import run) is written with a changed row but never compared.
    Everything happens in one statement after the rows are staged: PostgreSQL COPYs them into a
    temporary table, SQLite takes them by executemany.
    """
    table = model._meta.db_table
    staging = f"{table}_staging"
    compared = [c for c in columns if c not in key and c not in stamped]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _upsert_postgresql(
                cursor, model, table, staging, columns, rows, key, compared, merged, report
            )
        return _upsert_sqlite(cursor, table, staging, columns, rows, key, compared, merged, report)


def _upsert_postgresql(cursor, model, table, staging, columns, rows, key, compared, merged, report):
    names = ", ".join(columns)
    cursor.execute(f"DROP TABLE IF EXISTS {staging}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "
        f"SELECT {names} FROM {table} WITH NO DATA"
    )
    # An empty cell is NULL (csv writes None as one) except in text columns, where it is the
    # empty string: text is never NULL, so a key with an empty category matches on conflict.
    fields = {f.column: f for f in model._meta.concrete_fields}
    text = [c for c in columns if fields[c].get_internal_type() in {"CharField", "TextField"}]
    cursor.cursor.copy_expert(
        f"COPY {staging} ({names}) FROM STDIN WITH (FORMAT csv, "
        f"FORCE_NOT_NULL ({', '.join(text)}))",
        _CsvStream(rows),
        size=_COPY_CHUNK,
    )
    select = f"SELECT {names} FROM {staging}"
    cursor.execute(_guarded_upsert(table, columns, select, key, compared, merged, report))
    result = cursor.fetchall()
    cursor.execute(f"DROP TABLE {staging}")
    return _tally(result, len(report))


#: Beyond this many rows written, an upsert reports only the first two `report` columns (the
#: rest NULL): a first import's 100,000 keys would cost some 40 MB to hold, and it derives
#: every row of the areas it wrote anyway.
DETAILED_UP_TO = 20_000


def changed_rows(table, columns, source, key, compared, merged, *, also: str = "") -> str:
    """SQL for the rows of `source` (a table, or a subquery in brackets, whose first columns are
    `columns`) that are not stored in `table` as they are: new keys, or changed figures.

    With `also` (a condition on the source's row `n`), the rows for which it holds come too, and
    a last column, `kept`, tells the changed rows from them."""

    def stored(column: str) -> str:
        return f"s.{column} || n.{column}" if column in merged else f"n.{column}"

    changed = f"""(s.{key[0]} IS NULL
            OR ({", ".join(f"s.{c}" for c in compared)})
                IS DISTINCT FROM ({", ".join(stored(c) for c in compared)}))"""
    return f"""
        SELECT n.*{f", {changed} AS kept" if also else ""}
        FROM {source} AS n ({", ".join(columns)})
        LEFT JOIN {table} AS s ON ({", ".join(f"s.{c}" for c in key)})
            = ({", ".join(f"n.{c}" for c in key)})
        WHERE {changed}{f" OR ({also})" if also else ""}
    """


def _guarded_upsert(
    table, columns, select, key, compared, merged, report, *, changed=False, fresh=False
):
    """One INSERT … ON CONFLICT … DO UPDATE … WHERE (stored) IS DISTINCT FROM (new), tallied.

    With `changed`, the SELECT gives only rows `changed_rows` would keep: they are not filtered
    again (the guard on the update still holds). With `fresh`, it gives only new keys, and the
    INSERT is a plain one: a key stored meanwhile (or given twice) fails it on the unique index."""

    def new(column: str) -> str:
        return f"o.{column} || EXCLUDED.{column}" if column in merged else f"EXCLUDED.{column}"

    # Rows whose stored figures are the same are left out before the INSERT, by one hash join
    # with the table: ON CONFLICT would otherwise lock (and so write to) every unchanged row.
    changed_only = (
        select
        if changed or fresh
        else changed_rows(table, columns, f"({select})", key, compared, merged)
    )
    conflict = (
        ""
        if fresh
        else f"""ON CONFLICT ({", ".join(key)}) DO UPDATE SET
                {", ".join(f"{c} = {new(c)}" for c in columns if c not in key)}
            WHERE ({", ".join(f"o.{c}" for c in compared)})
                IS DISTINCT FROM ({", ".join(new(c) for c in compared)})"""
    )
    # An uncorrelated subquery: counted once (a join with the count would count it every row).
    few = f"(SELECT count(*) FROM written) <= {DETAILED_UP_TO}"
    reported = ", ".join([*report[:2], *(f"CASE WHEN {few} THEN {c} END" for c in report[2:])])
    return f"""
        WITH written AS (
            INSERT INTO {table} AS o ({", ".join(columns)}) {changed_only}
            {conflict}
            RETURNING {", ".join(f"o.{c}" for c in report)}, (o.xmax = 0) AS created
        )
        SELECT {reported}, created, count(*) FROM written GROUP BY {reported}, created
        """


def upsert_observations(select: str, *, changed: bool = False, fresh: bool = False) -> Upserted:
    """PostgreSQL: the observations a SELECT gives (in OBSERVATION_COLUMNS order), upserted.

    Guarded as `upsert_rows` is: only rows whose figures differ are written, the published
    comparisons by parent are merged, and the natural key of each row written is reported
    (indicator and area first, so the (indicator, area) pairs are its first two values; beyond
    DETAILED_UP_TO rows the rest of the key is None). With `changed`, the SELECT gives only rows
    `changed_observations` kept, which are not looked up again; with `fresh`, only new keys,
    inserted without the guard (see `_guarded_upsert`).
    """
    table, columns, key, compared, merged = _observations()
    sql = _guarded_upsert(
        table, columns, select, key, compared, merged, key, changed=changed, fresh=fresh
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return _tally(cursor.fetchall(), len(key))


def changed_observations(source: str, *, also: str = "") -> str:
    """SQL for the rows of `source` (as `changed_rows` takes it) that `upsert_observations`
    would write (and, flagged apart, those for which `also` holds)."""
    table, columns, key, compared, merged = _observations()
    return changed_rows(table, columns, source, key, compared, merged, also=also)


def _observations() -> tuple:
    from indicators.models import Observation
    from indicators.observation_fields import (
        MERGED_COLUMNS,
        NATURAL_KEY_COLUMNS,
        OBSERVATION_COLUMNS,
        STAMPED_COLUMNS,
    )

    compared = [
        c for c in OBSERVATION_COLUMNS if c not in NATURAL_KEY_COLUMNS and c not in STAMPED_COLUMNS
    ]
    return (
        Observation._meta.db_table,
        OBSERVATION_COLUMNS,
        NATURAL_KEY_COLUMNS,
        compared,
        MERGED_COLUMNS,
    )


_COPY_CHUNK = 2**16


class _CsvStream:
    """Rows as CSV text, written as COPY reads it: the whole table is never held as text."""

    def __init__(self, rows: Iterable[tuple]):
        self._rows = iter(rows)
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\n")
        self._pending = ""

    def read(self, size: int = -1) -> str:
        while size < 0 or len(self._pending) < size:
            batch = list(islice(self._rows, 500))
            if not batch:
                break
            self._writer.writerows(batch)
            self._pending += self._buffer.getvalue()
            self._buffer.seek(0)
            self._buffer.truncate()
        if size < 0:
            size = len(self._pending)
        text, self._pending = self._pending[:size], self._pending[size:]
        return text


def _upsert_sqlite(cursor, table, staging, columns, rows, key, compared, merged, report):
    names = ", ".join(columns)
    cursor.execute(f"DROP TABLE IF EXISTS temp.{staging}")
    cursor.execute(f"CREATE TEMPORARY TABLE {staging} AS SELECT {names} FROM {table} WHERE 0")
    marks = ", ".join(["%s"] * len(columns))
    cursor.executemany(f"INSERT INTO {staging} ({names}) VALUES ({marks})", rows)
    reported = ", ".join(f"s.{c}" for c in report)
    matches = " AND ".join(f"o.{c} = s.{c}" for c in key)
    cursor.execute(
        f"SELECT {reported}, 1, count(*) FROM {staging} AS s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS o WHERE {matches}) GROUP BY {reported}"
    )
    created = cursor.fetchall()

    def new(column: str) -> str:
        return (
            f"json_patch(o.{column}, excluded.{column})"
            if column in merged
            else f"excluded.{column}"
        )

    def old(column: str) -> str:
        return f"json(o.{column})" if column in merged else f"o.{column}"

    # `WHERE true` tells SQLite's parser that ON CONFLICT belongs to the INSERT, not a join.
    cursor.execute(
        f"""
        INSERT INTO {table} AS o ({names}) SELECT {names} FROM {staging} WHERE true
        ON CONFLICT ({", ".join(key)}) DO UPDATE SET
            {", ".join(f"{c} = {new(c)}" for c in columns if c not in key)}
        WHERE ({", ".join(old(c) for c in compared)}) IS NOT ({", ".join(new(c) for c in compared)})
        RETURNING {", ".join(report)}
        """
    )
    written = Counter(tuple(row) for row in cursor.fetchall())
    cursor.execute(f"DROP TABLE temp.{staging}")
    for *values, _, count in created:
        written[tuple(values)] -= count
    updates = [(*values, 0, count) for values, count in written.items() if count > 0]
    return _tally([*created, *updates], len(report))


def _tally(result: Sequence[tuple], width: int) -> Upserted:
    created = sum(row[-1] for row in result if row[-2])
    updated = sum(row[-1] for row in result if not row[-2])
    return Upserted(created, updated, frozenset(tuple(row[:width]) for row in result))
