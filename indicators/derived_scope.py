"""Which stored rows a change makes the statistics derive again (indicators.derived).

The configured areas' roles (England, regions, the home county and its districts), and, from an
import's changed rows: the areas changed, the benchmarks whose headline rows changed in which
period, the series that hold a changed row, and the rows compared with a changed benchmark.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from indicators.configuration import areas_config
from indicators.models import Area, AreaLevel


@dataclass(frozen=True)
class _Context:
    england: int | None
    home: int | None
    region_of: dict[int, int]
    districts: tuple[int, ...]
    # Areas other areas are compared with (England, the regions, the home county), and the
    # districts pooled into the home county's aggregate.
    benchmarks: frozenset[int] = frozenset()
    pooled: frozenset[int] = frozenset()

    @classmethod
    def build(cls) -> _Context:
        config = areas_config()
        areas = {a.pk: a for a in Area.objects.all()}
        by_code = {a.code: pk for pk, a in areas.items()}
        region_of = {}
        for pk, area in areas.items():
            # Walk up: a district's parent is its county, whose parent is the region.
            parent, hops = area.parent_id, 0
            while parent is not None and hops < 4 and areas[parent].level != AreaLevel.REGION:
                parent, hops = areas[parent].parent_id, hops + 1
            if parent is not None and areas[parent].level == AreaLevel.REGION:
                region_of[pk] = parent
        districts = tuple(by_code[d.code] for d in config.districts if d.code in by_code)
        england, home = by_code.get(config.england.code), by_code.get(config.home.code)
        regions = {pk for pk, area in areas.items() if area.level == AreaLevel.REGION}
        benchmarks = frozenset({england, home, *regions, *region_of.values()} - {None})
        return cls(england, home, region_of, districts, benchmarks, frozenset(districts))


def _what_changed(changed: Iterable[tuple] | None, context: _Context) -> tuple[dict, dict, dict]:
    """From an import's changed rows (or pairs): per indicator, the areas changed, the
    benchmarks' changed headline rows as (area, sex, age, sortable period), and the changed
    rows' keys (None where only pairs are known)."""
    areas: dict[int, set[int]] = defaultdict(set)
    moved: dict[int, set[tuple | None]] = defaultdict(set)
    rows_of: dict[int, set[tuple] | None] = {}
    for indicator_pk, area_pk, *key in changed or ():
        areas[indicator_pk].add(area_pk)
        if not key or key[0] is None:
            moved[indicator_pk].add(None)  # a pair: which rows is not known
            rows_of[indicator_pk] = None
            continue
        keys = rows_of.setdefault(indicator_pk, set())
        if keys is not None:
            keys.add((area_pk, *key))
        if area_pk in context.benchmarks and key[2] == "" and key[3] == "":
            moved[indicator_pk].add((area_pk, key[0], key[1], key[4]))
    return areas, moved, rows_of


def _benchmark_periods(moved: set, context: _Context) -> dict[tuple, set[int]] | None:
    """For each (sex, age, sortable period) in which a benchmark's headline row changed, the
    benchmarks that changed there; None when that is not known (re-derive the whole indicator)."""
    if None in moved:
        return None
    periods: dict[tuple, set[int]] = defaultdict(set)
    for area, sex, age, sortable in moved:
        if area in context.benchmarks:
            periods[(sex, age, sortable)].add(area)
    return periods


def _key(row) -> tuple:
    return (row.area_id, row.sex, row.age, row.category_type, row.category, row.period_sortable)


def _changed_series(rows: list, series: dict[tuple, list], keys: set[tuple]) -> tuple[list, dict]:
    """Only the series holding a changed row, and their rows."""
    kept = {name: points for name, points in series.items() if any(_key(p) in keys for p in points)}
    return [row for points in kept.values() for row in points], kept


def _compared_with(row, periods: dict[tuple, set[int]], context: _Context) -> bool:
    """Whether a headline row is compared with a benchmark whose row changed in its period."""
    if row.category_type != "" or row.category != "":
        return False
    changed = periods.get((row.sex, row.age, row.period_sortable))
    if not changed:
        return False
    return bool(changed & {context.england, context.region_of.get(row.area_id), context.home})
