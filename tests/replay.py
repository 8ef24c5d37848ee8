"""Load the bundled data once a test run, and copy the same rows back for every later test.

`load_snapshot` and `load_action_plan` take seconds each, and most tests only read what they
load. The first test that needs a command runs it for real; the rows it wrote to tables that
were empty before are kept (PostgreSQL `COPY ... TO`), and later tests get exactly those rows
back with `COPY ... FROM` inside their own transaction, which rolls back as usual. A test that
changes the rows changes only its own copy.

The command runs for real instead whenever a copy could differ from what it would write: on a
database other than PostgreSQL, with another areas file configured, when a table it fills
already has rows, when it changed a table that already had rows (so the copy would be
incomplete; the data versions a migration creates are the one table copied back whole), or
when `TESTS_RELOAD_DATA=1` is set (to compare a run without the copies).
"""

from __future__ import annotations

import io
import os

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

# (command, areas file, base) -> {table: rows as COPY text}; None while not yet recorded.
_RECORDED: dict[tuple, dict[str, bytes]] = {}
# Tables a migration already fills and a load rewrites: copied back whole, replacing their rows.
_REPLACED = {"indicators_dataversion"}


def load_once(command: str, *, base: str = "") -> str:
    """Run `manage.py <command>` or copy back its rows: "copied", "recorded" or "ran".

    `base` names what the command's rows depend on (the outcome of an earlier load), so that
    rows recorded over copied rows are only copied back over the same copied rows.
    """
    if base == "ran" or not _replayable():
        return _run(command)
    # Rows recorded or copied are the same rows, with the same keys.
    base = "rows" if base in ("recorded", "copied") else base
    key = (command, str(getattr(settings, "DASHBOARD_AREAS_FILE", "")), base)
    recorded = _RECORDED.get(key)
    if recorded is not None:
        if any(n for t, n in _counts(list(recorded)).items() if t not in _REPLACED):
            return _run(command)
        _restore(recorded)
        return "copied"
    before = _counts(_tables())
    _run(command)
    after = _counts(list(before))
    if any(before[t] and before[t] != after[t] for t in before if t not in _REPLACED):
        return "ran"  # it changed rows it did not add: a copy of new rows would miss that
    new = [t for t in before if (t in _REPLACED or not before[t]) and after[t]]
    _RECORDED[key] = {table: _dump(table) for table in new}
    return "recorded"


def _run(command: str) -> str:
    call_command(command, stdout=io.StringIO())
    return "ran"


def _replayable() -> bool:
    return connection.vendor == "postgresql" and os.environ.get("TESTS_RELOAD_DATA") != "1"


def _tables() -> list[str]:
    return sorted(connection.introspection.table_names(include_views=False))


def _counts(tables: list[str]) -> dict[str, int]:
    if not tables:
        return {}
    query = " UNION ALL ".join(
        f"SELECT {i}, count(*) FROM {connection.ops.quote_name(t)}" for i, t in enumerate(tables)
    )
    with connection.cursor() as cursor:
        cursor.execute(query)
        counts = dict(cursor.fetchall())
    return {table: counts[i] for i, table in enumerate(tables)}


def _dump(table: str) -> bytes:
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} TO STDOUT", buffer)
    return buffer.getvalue()


def _restore(recorded: dict[str, bytes]) -> None:
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in recorded]
    # Foreign keys are checked at commit (deferred), so the order of the tables does not matter.
    with transaction.atomic(), connection.cursor() as cursor:
        for table, rows in recorded.items():
            if table in _REPLACED:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
            cursor.copy_expert(
                f"COPY {connection.ops.quote_name(table)} FROM STDIN", io.BytesIO(rows)
            )
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
