"""Fast multi-row INSERT and UPDATE by primary key, for the importer and the derived statistics.

Django's bulk_create and bulk_update spend most of their time in per-field Python work. Here
PostgreSQL gets COPY (into the table, or into a temporary table that one UPDATE … FROM joins),
and SQLite gets executemany, which is fast in-process.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

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


def update_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Update rows given as (*values in the order of `columns`, primary key)."""
    if not rows:
        return
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            staging = f"{table}_update"
            names = ", ".join(columns)
            cursor.execute(
                f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "
                f"SELECT {names}, {pk} FROM {table} WITH NO DATA"
            )
            _copy(cursor.cursor, staging, [*columns, pk], rows)
            assignments = ", ".join(f"{name} = s.{name}" for name in columns)
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} FROM {staging} AS s WHERE t.{pk} = s.{pk}"
            )
            cursor.execute(f"DROP TABLE {staging}")
        else:
            assignments = ", ".join(f"{name} = %s" for name in columns)
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", rows)
