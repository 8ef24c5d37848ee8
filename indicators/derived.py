"""The statistics engine applied to the stored figures.

For every observation: the engine's confidence limits (both levels) where a count and denominator
exist, checked against the published limits; the comparison with England, the region and the home
county by the indicator's method and polarity; the recent trend of its series. For the home
county: an aggregate of its districts' counts where Fingertips publishes no figure.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import operator
from collections import defaultdict, namedtuple
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Q

from indicators import statistics as stats
from indicators.bulk import RowUpdates
from indicators.derived_limits import engine_limits, limits_checks, limits_of
from indicators.derived_scope import (
    _benchmark_periods,
    _changed_series,
    _compared_with,
    _Context,
    _key,
    _what_changed,
)
from indicators.models import (
    BenchmarkMethod,
    CIMethod,
    DataVersion,
    Indicator,
    LimitsCheck,
    Observation,
    Origin,
    ValueType,
)
from indicators.observation_fields import COMPUTED_FIELDS, DERIVED_FROM
from indicators.vocabulary import parse_polarity

logger = logging.getLogger(__name__)

# The derived columns, and what they are derived from, are named once with the others.
_READ = DERIVED_FROM


@dataclass(frozen=True, slots=True)
class RecomputeSummary:
    observations: int
    changed: int
    disagreements: int
    aggregates: int


def recompute(
    indicator_ids: Iterable[int] | None = None,
    *,
    changed: Iterable[tuple] | None = None,
) -> RecomputeSummary:
    """Recompute the derived figures of the given indicators (database ids), or of all.

    With `changed`, the (indicator, area) pairs whose stored figures an import changed: those
    pairs are derived again as well, and only they, unless the area is one others are compared
    with (England, a region, the home county), or a district whose change moved the home county's
    aggregate, when the whole indicator is. A changed row may be named whole instead, as
    (indicator, area, sex, age, category type, category, sortable period): then only that row
    and the latest point of its series (whose trend it feeds) are derived again, and a
    benchmark's change re-derives only the rows compared with it in that period (sex and age),
    not every row of the indicator.
    """
    context = _Context.build()
    whole = None if indicator_ids is None else set(indicator_ids)
    areas, moved, rows_of = _what_changed(changed, context)
    if changed is not None:
        whole = whole or set()
    indicators = Indicator.objects.all()
    if whole is not None:
        indicators = indicators.filter(pk__in=whole | set(areas))
    total = _Counts()
    changed_indicators = set()
    with _transaction(), RowUpdates(Observation, COMPUTED_FIELDS) as updates:
        for indicator in indicators:
            before = total.changed
            only = None if whole is None or indicator.pk in whole else areas[indicator.pk]
            periods = None
            if only is not None and only & context.benchmarks:
                periods = _benchmark_periods(moved[indicator.pk], context)
                if periods is None:
                    only = None  # every area is compared with it
            aggregates = False
            # The home county's aggregate pools its districts: unchanged unless one of them is.
            if only is None or only & context.pooled:
                aggregates = _refresh_home_aggregates(indicator, context, total)
                if aggregates:
                    only = None  # the home county's figure moved: every area is compared with it
            keys = None if only is None else rows_of.get(indicator.pk)
            _recompute_indicator(indicator, context, total, updates, only, periods, keys)
            if aggregates or total.changed != before:
                changed_indicators.add(indicator.fingertips_id)
        # Only the indicators whose figures changed are rebuilt on the pages.
        DataVersion.bump_indicators(changed_indicators)
    logger.info(
        "Recomputed %s observations: %s changed, %s published limits disagree, %s aggregates",
        total.observations,
        total.changed,
        total.disagreements,
        total.aggregates,
    )
    return RecomputeSummary(
        total.observations, total.changed, total.disagreements, total.aggregates
    )


@dataclass
class _Counts:
    observations: int = 0
    changed: int = 0
    disagreements: int = 0
    aggregates: int = 0


@contextlib.contextmanager
def _transaction():
    # Inside an import's transaction no savepoint is made: one transaction per import.
    with contextlib.nullcontext() if connection.in_atomic_block else transaction.atomic():
        no_jit()
        yield


def no_jit() -> None:
    """PostgreSQL: no JIT compilation for the rest of this transaction. The statements here
    read and write whole tables once; compiling them cost more than running them (about 1.5 s
    a statement for an upsert of a national file)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def _recompute_indicator(
    indicator: Indicator,
    context: _Context,
    total: _Counts,
    updates: RowUpdates,
    only: set[int] | None = None,
    periods: dict[tuple, set[int]] | None = None,
    keys: set[tuple] | None = None,
) -> None:
    """Derive the indicator's figures again: all, or those of the areas in `only` (with `keys`,
    only those rows and the latest point of each of their series), and (with `periods`) the
    headline rows compared with a benchmark whose row changed in that period."""
    stored = Observation.objects.filter(indicator=indicator)
    if only is not None:
        # The areas' own rows, and those of the benchmarks they are compared with.
        benchmarks = {context.england, context.home, *(context.region_of.get(a) for a in only)}
        wanted = Q(area_id__in=only | (benchmarks - {None}))
        if periods:
            sortables = {sortable for _, _, sortable in periods}
            wanted |= Q(period_sortable__in=sortables, category_type="", category="")
        stored = stored.filter(wanted)
    rows = _read(stored)
    benchmarks: dict[tuple, dict[int, Any]] = defaultdict(dict)
    series: dict[tuple, list[Any]] = defaultdict(list)
    for row in rows:
        if row.category_type == "" and row.category == "":
            benchmarks[(row.sex, row.age, row.period_sortable)][row.area_id] = row
    # Headline rows whose benchmark changed in their period (derived again unless already).
    compared = [row for row in rows if periods and _compared_with(row, periods, context)]
    if only is not None:
        rows = [row for row in rows if row.area_id in only]
    for row in rows:
        series[(row.area_id, row.sex, row.age, row.category_type, row.category)].append(row)
    if keys is not None:
        rows, series = _changed_series(rows, series, keys)
    computed = limits_of(indicator, rows)
    trends = _trends(indicator, series, computed)
    if keys is not None:
        # A changed row, and the latest point of its series (the trend reads the whole series),
        # and a point that held the trend before a later one arrived.
        rows = [row for row in rows if _key(row) in keys or row.pk in trends or row.computed_trend]
    derived_pks = {row.pk for row in rows}
    compared = [row for row in compared if row.pk not in derived_pks]
    computed.update(limits_of(indicator, compared))
    for row in compared:
        # Its series did not change, so neither did its trend.
        trends[row.pk] = row.computed_trend
    rows = [*rows, *compared]
    derived = _derive(indicator, rows, context, benchmarks, trends, computed)
    changed = [
        (*new, row.pk) for row, new in zip(rows, derived, strict=True) if new != row[_STORED:]
    ]
    total.observations += len(rows)
    total.disagreements += sum(new[_CHECK] == _DISAGREE for new in derived)
    updates.add(changed)  # written with every indicator's at the end of `recompute`
    total.changed += len(changed)


#: A stored row as the derived statistics read it: `_READ`, then `COMPUTED_FIELDS`.
_Row = namedtuple("_Row", [*_READ, *COMPUTED_FIELDS])
_STORED = len(_READ)  # where its stored derived figures start
_new_row = functools.partial(tuple.__new__, _Row)  # _Row._make without its length check


def _read(stored) -> list:
    """The rows' `_READ` and `COMPUTED_FIELDS`, with a plain cursor (none needs converting)."""
    sql, params = stored.values_list(*_READ, *COMPUTED_FIELDS).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(map(_new_row, cursor.fetchall()))


_CHECK = COMPUTED_FIELDS.index("limits_check")
_DISAGREE = str(LimitsCheck.DISAGREE)
_NO_LIMITS = (None, None, None, None, "")
_NOT_COMPARED = ("", "", "")
_NO_ENGINE = (None, None, None, None)


def _derive(indicator, rows, context: _Context, benchmarks, trends, computed) -> list[tuple]:
    """Each row's derived figures, in COMPUTED_FIELDS order: the engine's limits and method,
    the check of the published figures, the three comparisons and the trend."""
    limits = [computed[row.pk] for row in rows]
    checks = limits_checks(rows, limits)
    comparisons = _comparisons(indicator, rows, limits, context, benchmarks)
    derived = []
    for row, engine, check, compared in zip(rows, limits, checks, comparisons, strict=True):
        figures = _NO_LIMITS
        if engine is not None:
            lower95, upper95, lower998, upper998 = engine[1:5]
            figures = (lower95, upper95, lower998, upper998, engine.method or "")
        derived.append((*figures, *check, *compared, trends.get(row.pk, "")))
    return derived


def _first(published, computed):
    return published if published is not None else (computed or None)


_OVERLAP_METHODS = frozenset(
    {
        BenchmarkMethod.CI_OVERLAP_95,
        BenchmarkMethod.CI_OVERLAP_998,
        BenchmarkMethod.CI_OVERLAP_TWO_LEVELS,
    }
)
# An indicator's polarity as the vocabulary's member: parsed once, not once per comparison.
_polarity = functools.lru_cache(maxsize=64)(parse_polarity)


_COMPARE_MANY = {
    BenchmarkMethod.CI_OVERLAP_95: (stats.compare_ci_overlaps, slice(0, 2)),
    BenchmarkMethod.CI_OVERLAP_998: (stats.compare_ci_overlaps, slice(2, 4)),
    BenchmarkMethod.CI_OVERLAP_TWO_LEVELS: (stats.compare_ci_overlaps_two_levels, slice(0, 4)),
}


def _comparisons(indicator, rows, limits, context: _Context, benchmarks) -> list[tuple]:
    """Each row's comparison with England, its region and the home county by the indicator's
    method ("" for a breakdown, a missing benchmark, or a method not run here: quintiles need
    every area of the type; Fingertips' own label is shown)."""
    compared = [_NOT_COMPARED] * len(rows)
    headline = [i for i, row in enumerate(rows) if row.category_type == "" and row.category == ""]
    if indicator.benchmark_method not in _OVERLAP_METHODS or not headline:
        return compared
    heads = [rows[i] for i in headline]
    areas = [row.area_id for row in heads]
    regions = [context.region_of.get(area) for area in areas]
    references = []
    for row, region in zip(heads, regions, strict=True):
        peers = benchmarks[(row.sex, row.age, row.period_sortable)]
        england, own, home = peers.get(context.england), peers.get(region), peers.get(context.home)
        references.append((england and england.value, own and own.value, home and home.value))
    # As float arrays, None is NaN: either is missing to the comparison.
    references = np.array(references, dtype=float)
    values = np.array([row.value for row in heads], dtype=float)
    figures = _limits_compared(heads, [limits[i] for i in headline])
    many, which = _COMPARE_MANY[indicator.benchmark_method]
    columns = []
    for at, benchmark in enumerate((context.england, regions, context.home)):
        if benchmark is None or (benchmark is regions and all(r is None for r in regions)):
            columns.append([""] * len(heads))
            continue
        if benchmark is regions:
            itself = np.array([a == b for a, b in zip(areas, regions, strict=True)], dtype=bool)
        else:
            itself = np.array(areas) == benchmark
        labels = many(
            values, *figures[which], references[:, at], _polarity(indicator.polarity), itself
        )
        labels = list(map(str, labels))
        if benchmark is regions:  # an area without a region is compared with none
            labels = ["" if b is None else c for c, b in zip(labels, regions, strict=True)]
        columns.append(labels)
    for i, labels in zip(headline, zip(*columns, strict=True), strict=True):
        compared[i] = labels
    return compared


_published_limits = operator.attrgetter(
    "lower_ci_95", "upper_ci_95", "lower_ci_998", "upper_ci_998"
)


def _limits_compared(rows, limits) -> np.ndarray:
    """The limits each row is compared by (lower and upper 95%, then 99.8%, as rows of an
    array): the published limit, else the engine's, as `_first` chooses; NaN where neither."""
    published = np.array([_published_limits(row) for row in rows], dtype=object)
    engine = np.array([_NO_ENGINE if e is None else e[1:5] for e in limits], dtype=float)
    engine[engine == 0] = np.nan  # `computed or None`: an engine's 0 is none
    figures = np.where(published == None, engine, published)  # noqa: E711 (each element)
    return figures.astype(float).T


def _trends(
    indicator: Indicator, series: dict[tuple, list[Any]], computed: dict[int, Any]
) -> dict[int, str]:
    """The recent trend of each series at its latest point, keyed by observation id.

    Fingertips shows the trend of the latest period only; earlier points get none. `computed`
    holds the engine's limits of each row (by observation id).
    """
    if indicator.ci_method == CIMethod.NONE:
        method = None
    elif indicator.value_type == ValueType.PROPORTION:
        method = stats.TrendMethod.PROPORTIONS
    else:
        method = stats.TrendMethod.WEIGHTED_REGRESSION
    trends: dict[int, str] = {}
    cannot = stats.trend_label(stats.TrendMarker.CANNOT_BE_CALCULATED, indicator.polarity)
    for rows in series.values():
        latest = max(rows, key=_period)
        # Quarters and months carry their number in the sortable period's last digits.
        if method is None or latest.period_sortable % 10000 != 0:
            trends[latest.pk] = cannot
            continue
        yearly = sorted((r for r in rows if r.period_sortable % 10000 == 0), key=_period)
        points = []
        # The run back from the latest period needs at most five of the latest years.
        for row in yearly[-8:]:
            limits = computed[row.pk]
            points.append(
                stats.TrendPoint(
                    period=row.period_start_year,
                    value=row.value,
                    lower95=_first(row.lower_ci_95, limits and limits.lower95),
                    upper95=_first(row.upper_ci_95, limits and limits.upper95),
                    count=row.count,
                    denominator=row.denominator,
                )
            )
        result = stats.recent_trend(
            points,
            polarity=indicator.polarity,
            method=method,
            period_length_years=latest.period_end_year - latest.period_start_year + 1,
        )
        trends[latest.pk] = result.label
    return trends


_period = operator.attrgetter("period_sortable")


def _pooled(indicator: Indicator, context: _Context, rows) -> dict[tuple, tuple]:
    """Per (sex, age, sortable period) without a published home-county figure, the districts'
    pooled counts and the engine's estimate: (a district's row, pooled, estimate)."""
    by_key: dict[tuple, dict[int, Observation]] = defaultdict(dict)
    for row in rows:
        by_key[(row.sex, row.age, row.period_sortable)][row.area_id] = row
    wanted = {}
    for key, areas in by_key.items():
        home = areas.get(context.home)
        if home is not None and home.origin == Origin.PUBLISHED:
            continue
        parts = [areas.get(d) for d in context.districts]
        if any(p is None or p.count is None or p.denominator is None for p in parts):
            continue
        pooled = stats.pool_counts([p.count for p in parts], [p.denominator for p in parts])
        estimate = engine_limits(indicator, pooled.count, pooled.denominator)
        if estimate is None or estimate.value is None or not math.isfinite(estimate.value):
            continue
        wanted[key] = (parts[0], pooled, estimate)
    return wanted


# What the pooling reads of the districts' and the county's rows, and of a stored aggregate.
_POOLED_FROM = (
    "area_id",
    "sex",
    "age",
    "period_sortable",
    "origin",
    "count",
    "denominator",
    "period_label",
    "period_range",
    "period_start_year",
    "period_end_year",
)
_AGGREGATE = ("pk", "sex", "age", "period_sortable", "value", "count", "denominator")


def _refresh_home_aggregates(indicator: Indicator, context: _Context, total: _Counts) -> bool:
    """Pool the districts' counts into a home-county figure wherever Fingertips has none.

    Says whether any aggregate was added, changed or removed.
    """
    aggregated = Observation.objects.filter(indicator=indicator, origin=Origin.AGGREGATED)
    if indicator.ci_method == CIMethod.NONE or not context.districts or context.home is None:
        return aggregated.delete()[0] > 0
    rows = (
        Observation.objects.headline()
        .filter(indicator=indicator, area_id__in=(*context.districts, context.home))
        .values_list(*_POOLED_FROM, named=True)
    )
    wanted = _pooled(indicator, context, rows)
    stored = aggregated.values_list(*_AGGREGATE, named=True)
    before = {(a.sex, a.age, a.period_sortable): a for a in stored}
    stale = [a.pk for key, a in before.items() if key not in wanted]
    Observation.objects.filter(pk__in=stale).delete()
    changed = bool(stale) or any(
        key not in before
        or (before[key].value, before[key].count, before[key].denominator)
        != (estimate.value, pooled.count, pooled.denominator)
        for key, (_, pooled, estimate) in wanted.items()
    )
    for (sex, age, sortable), (template, pooled, estimate) in wanted.items():
        Observation.objects.update_or_create(
            indicator=indicator,
            area_id=context.home,
            sex=sex,
            age=age,
            category_type="",
            category="",
            period_sortable=sortable,
            defaults=dict(
                origin=Origin.AGGREGATED,
                period_label=template.period_label,
                period_range=template.period_range,
                period_start_year=template.period_start_year,
                period_end_year=template.period_end_year,
                value=estimate.value,
                count=pooled.count,
                denominator=pooled.denominator,
                value_note=f"Aggregated here from the counts and denominators of its "
                f"{len(context.districts)} districts; not published by Fingertips",
                import_run=None,
            ),
        )
    total.aggregates += len(wanted)
    return changed
