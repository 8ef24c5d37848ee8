"""Importer for Fingertips CSV exports, in three stages: read, validate, load.

Every layout Fingertips has written is accepted (26 or 27 columns, a renamed parent-comparison
column, BOM, `AreaName`, CRLF or LF, newlines inside quoted fields, the 2020 layout's rows one
field short). A file with any bad row is rejected whole, with the file, row (as a spreadsheet
numbers it) and column named, and nothing is written: a row cut short, a number that is not
finite or is beyond any published figure, a negative count, a lower limit above an upper one, or
a value its indicator's value type cannot take (a negative rate, a percentage over 100). A value
outside its own confidence limits is kept, as Fingertips publishes a few, and recorded as a
warning on the run. A file that cannot be read at all still leaves a failed run saying why.

This module runs imports and keeps their records (`ImportRun`); the stages are modules of their
own: `reading` (bytes to a header and rows), `validation` (row by row), `staged` (PostgreSQL:
COPY and the same rules in SQL), `loading` (the guarded upsert). Their public names are
importable from here too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from indicators import import_runs as runs
from indicators.derived import no_jit, recompute
from indicators.fingertips_columns import EXPORT_HEADER, NUMBER_COLUMNS, PARENT_COMPARISON  # noqa: F401
from indicators.importers import staged as staged_import
from indicators.importers.loading import LoadCounts, load_records, load_staged
from indicators.importers.reading import (  # noqa: F401
    MAX_EXPORT_BYTES,
    ImportRejected,
    RawExport,
    read_export,
    read_file,
)
from indicators.importers.records import ObservationRecord, fold_across_files  # noqa: F401
from indicators.importers.validation import (  # noqa: F401
    ValidatedExport,
    check_header,
    validate_export,
)
from indicators.models import ImportRun

MAX_WARNINGS_KEPT = 50


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
            else fold_across_files([r for v in validated for r in v.records])
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
            no_jit()
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
        no_jit()
        staged = staged_import.stage(raw, data)
        counts = None if staged is None else load_staged(staged, run=run)
        if counts is None or counts.refused:
            validated = validate_export(raw)
            rows, warnings = validated.rows, [text for _, text in validated.warnings]
            # A refused staged load wrote definitions and areas: what they change is kept.
            counts = (counts or LoadCounts()) + load_records(validated.records, run=run)
        else:
            rows, warnings = staged.rows, [text for _, text in staged.warnings]
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
        data = read_file(path)
    except OSError as exc:
        reason = f"{path.name or path}: the file cannot be read ({exc.strerror or exc})"
        return record_failure(source=source, location=str(path), error=reason, **kwargs)
    return import_exports([(path.name, data)], source=source, location=str(path), **kwargs)


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
