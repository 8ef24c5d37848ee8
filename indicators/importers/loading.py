"""Loading validated rows: definitions synced, indicators and areas ensured, and the rows
written by one guarded upsert in the import's transaction (only rows whose figures differ are
written; the natural key of each is returned for the derived statistics)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.db import connection, transaction

from indicators.bulk import Upserted, upsert_rows
from indicators.definitions import sync_definitions
from indicators.importers import staged as staged_import
from indicators.importers.records import ObservationRecord
from indicators.models import Area, DataVersion, ImportRun, Indicator, Observation, level_for_code
from indicators.observation_fields import (
    MERGED_COLUMNS,
    NATURAL_KEY_COLUMNS,
    OBSERVATION_COLUMNS,
    STAMPED_COLUMNS,
)


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
    # A staged file with a row that breaks a rule: no row was written (definitions and areas
    # were, hence `whole`), and the file goes row by row.
    refused: bool = False

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
    """Load a staged file (PostgreSQL) as `load_records` would, or refuse it (`refused`) with
    no row written when a row it would write breaks a rule."""
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
    write: Callable[[dict[int, int], dict[str, int]], Upserted | None],
    *,
    rows: int,
) -> LoadCounts:
    with _transaction():
        redefined = set(sync_definitions())
        indicator_pks = _ensure_indicators(indicator_names)
        area_pks, reparented = _ensure_areas(area_names, parents)
        whole = {indicator_pks[f] for f in redefined if f in indicator_pks}
        if reparented:
            whole |= set(indicator_pks.values())
        upserted = write(indicator_pks, area_pks)
        if upserted is None:
            return LoadCounts(whole=frozenset(whole), refused=True)
        # Cached pages of these indicators (and those showing every indicator) are rebuilt;
        # the versions move in this transaction, so they become visible with the figures.
        fingertips_ids = {pk: fid for fid, pk in indicator_pks.items()}
        DataVersion.bump_indicators(fingertips_ids[i] for i, *_ in upserted.changed)
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
