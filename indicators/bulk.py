"""Fast multi-row INSERT and UPDATE by primary key, for the importer and the derived statistics.

Django's bulk_create and bulk_update spend most of their time in per-field Python work; these
send plain parameter rows (PostgreSQL: psycopg2's execute_values / execute_batch).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert rows given as tuples in the order of `columns` (database column names)."""
    if not rows:
        return
    table = model._meta.db_table
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            execute_values(
                cursor.cursor, f"INSERT INTO {table} ({names}) VALUES %s", rows, page_size=2000
            )
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def update_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Update rows given as (*values in the order of `columns`, primary key)."""
    if not rows:
        return
    table = model._meta.db_table
    assignments = ", ".join(f"{name} = %s" for name in columns)
    sql = f"UPDATE {table} SET {assignments} WHERE {model._meta.pk.column} = %s"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_batch

            execute_batch(cursor.cursor, sql, rows, page_size=500)
        else:
            cursor.executemany(sql, rows)
