"""The plan spreadsheet in the app: what an upload would change, then the change, atomically.

The same code as `manage.py import_plan` (`actionplan.plan_import.import_plan`): the preview runs
the whole import in a transaction, reads the plan back as the export does
(`plan_sheets.plan_rows`) and undoes it; the commit runs it again and keeps it only if it still
changes exactly what the preview showed. A bad file is named by sheet, row and column and writes
nothing. Whoever imports a new plan becomes its whole-plan steward, and each import is logged.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from actionplan import plan_sheets, stewardship
from actionplan.models import Plan
from actionplan.plan_import import PlanFileError, import_plan

# A plan's workbook is tens of kilobytes; the preview carries it to the commit in the form.
MAX_BYTES = 512 * 1024


@dataclass(frozen=True, slots=True)
class RowChange:
    key: str
    changes: tuple[str, ...]  # "Due date: 2024-03-31 → 2024-06-30"; empty when added


@dataclass(slots=True)
class SheetChanges:
    name: str
    added: list[RowChange] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    unchanged: int = 0
    kept: int = 0  # in the plan, not in the file: kept as they are (nothing is deleted)


@dataclass(slots=True)
class Preview:
    title: str
    new_plan: bool
    sheets: list[SheetChanges]

    @property
    def changes_anything(self) -> bool:
        return any(s.added or s.changed for s in self.sheets)

    def summary(self) -> str:
        parts = []
        for s in self.sheets:
            if s.added or s.changed:
                parts.append(f"{s.name}: {len(s.added)} added, {len(s.changed)} changed")
        return "; ".join(parts) or "nothing changed"

    def digest(self) -> str:
        """What the preview showed, so the commit changes that and nothing else."""
        text = repr(
            [(s.name, s.added, s.changed, s.unchanged, s.kept) for s in self.sheets]
            + [self.title, self.new_plan]
        )
        return hashlib.sha256(text.encode()).hexdigest()


class _Undo(Exception):
    pass


def _shown(value) -> str:
    if value in (None, ""):
        return "(blank)"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).replace("\n", " ")
    return text if len(text) <= 80 else text[:77] + "…"


def _compare(before: dict[str, list[list]], after: dict[str, list[list]]) -> list[SheetChanges]:
    sheets = []
    for sheet in plan_sheets.SHEETS:
        old = {
            str(r[0]) if sheet is not plan_sheets.PLAN else "plan": r for r in before[sheet.name]
        }
        new = {str(r[0]) if sheet is not plan_sheets.PLAN else "plan": r for r in after[sheet.name]}
        changes = SheetChanges(sheet.name)
        for key, row in new.items():
            if key not in old:
                changes.added.append(RowChange(key, ()))
                continue
            diffs = tuple(
                f"{name}: {_shown(a)} → {_shown(b)}"
                for name, a, b in zip(sheet.names, old[key], row, strict=True)
                if _shown(a) != _shown(b)
            )
            if diffs:
                changes.changed.append(RowChange(key, diffs))
            else:
                changes.unchanged += 1
        changes.kept = len(set(old) - set(new))
        sheets.append(changes)
    return sheets


def _empty() -> dict[str, list[list]]:
    return {sheet.name: [] for sheet in plan_sheets.SHEETS}


def _run(data: bytes, plan: Plan | None, new_plan: bool) -> tuple[Plan, Preview]:
    """Import inside the caller's transaction; what it changed, read back as the export reads."""
    before = plan_sheets.plan_rows(plan) if plan is not None and not new_plan else _empty()
    loaded = import_plan(data, new_plan=new_plan, plan=None if new_plan else plan)
    preview = Preview(loaded.title, new_plan, _compare(before, plan_sheets.plan_rows(loaded)))
    return loaded, preview


def preview(data: bytes, *, plan: Plan | None, new_plan: bool) -> Preview:
    """What importing the file would change; nothing is kept. PlanFileError names problems."""
    _check_size(data)
    result: Preview | None = None
    try:
        with transaction.atomic():
            _, result = _run(data, plan, new_plan or plan is None)
            raise _Undo
    except _Undo:
        pass
    assert result is not None
    return result


class PlanChangedMeanwhile(Exception):
    """The plan changed between the preview and the commit: nothing was written."""

    def __init__(self, fresh: Preview):
        self.preview = fresh
        super().__init__(
            "The plan changed after the preview was made (another steward's edit or import): "
            "nothing was written. Check what the file would change now, below."
        )


def commit(
    data: bytes, *, plan: Plan | None, new_plan: bool, digest: str, by, file_name: str
) -> tuple[Plan, Preview]:
    """Import the file, all or nothing, if it changes what the preview showed; log it."""
    _check_size(data)
    new_plan = new_plan or plan is None
    with transaction.atomic():
        loaded, result = _run(data, plan, new_plan)
        if result.digest() != digest:
            transaction.set_rollback(True)
            raise PlanChangedMeanwhile(result)
        if new_plan and by is not None and by.is_authenticated:
            stewardship.assign(loaded, by, None, by=by)
        what = "started as a new plan" if new_plan else "updated from the file"
        stewardship.log(
            loaded, by, "Plan spreadsheet", f"{file_name} imported: {what}. {result.summary()}"
        )
    return loaded, result


def _check_size(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise PlanFileError(
            [
                f"The file is {len(data) // 1024} KB: a plan's workbook must be at most "
                f"{MAX_BYTES // 1024} KB"
            ]
        )
