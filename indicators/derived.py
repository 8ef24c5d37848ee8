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
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from indicators import statistics as stats
from indicators.bulk import update_rows
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


_CI_METHODS = {
    CIMethod.BYARS_EXACT: stats.rate_at_standard_levels,
    CIMethod.WILSON: stats.proportion_at_standard_levels,
}


def engine_limits(indicator: Indicator, count, denominator) -> stats.IndicatorValue | None:
    """The indicator's own method on a count and denominator; None where it has none."""
    if count is None or denominator is None:
        return None
    method = _CI_METHODS.get(indicator.ci_method)
    if method is None:
        return None
    divisor = indicator.ci_count_divisor or 1.0
    try:
        return method(
            count=count / divisor,
            denominator=denominator / divisor,
            multiplier=indicator.multiplier,
        )
    except stats.InvalidInput:
        return None


# Older exports were computed with z rounded to 1.96; that moves a limit by about 2e-5 of its
# distance from the value, so full-precision figures get this much relative slack.
RELATIVE_TOLERANCE = 1e-4


def rounding_tolerance(published: float) -> float:
    """Half a unit in the last decimal place the figure was published with, or 0.01%."""
    shown = repr(published)
    if "e" in shown or "n" in shown:  # 1e-05, inf, nan: as Decimal reads them
        exponent = Decimal(shown).as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    else:  # the digits after the point, as Decimal(repr(x)) counts them, without building it
        point = shown.find(".")
        places = len(shown) - point - 1 if point >= 0 else 0
    return max(0.5 * 10.0**-places, RELATIVE_TOLERANCE * abs(published))


def check_limits(published: dict[str, float | None], computed: stats.IndicatorValue) -> list[str]:
    """Each published figure that the engine's differs from by more than its rounding."""
    pairs = {
        "value": computed.value,
        "lower 95%": computed.lower95,
        "upper 95%": computed.upper95,
        "lower 99.8%": computed.lower998,
        "upper 99.8%": computed.upper998,
    }
    problems = []
    for name, ours in pairs.items():
        theirs = published[name]
        if theirs is None or ours is None:
            continue
        if abs(theirs - ours) > rounding_tolerance(theirs) + 1e-12:
            problems.append(f"{name}: published {theirs:g}, engine {ours:.6g}")
    return problems


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
    with _transaction():
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
            _recompute_indicator(indicator, context, total, only, periods, keys)
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
    rows = list(stored.values_list(*_READ, *COMPUTED_FIELDS, named=True))
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
    computed = {row.pk: engine_limits(indicator, row.count, row.denominator) for row in rows}
    trends = _trends(indicator, series, computed)
    if keys is not None:
        # A changed row, and the latest point of its series (the trend reads the whole series),
        # and a point that held the trend before a later one arrived.
        rows = [row for row in rows if _key(row) in keys or row.pk in trends or row.computed_trend]
    derived_pks = {row.pk for row in rows}
    compared = [row for row in compared if row.pk not in derived_pks]
    for row in compared:
        # Its series did not change, so neither did its trend.
        computed[row.pk] = engine_limits(indicator, row.count, row.denominator)
        trends[row.pk] = row.computed_trend
    changed = []
    for row in [*rows, *compared]:
        derived = _derive(indicator, row, context, benchmarks, trends, computed[row.pk])
        total.observations += 1
        total.disagreements += derived[COMPUTED_FIELDS.index("limits_check")] == "disagree"
        if derived != _stored(row):
            changed.append((*derived, row.pk))
    update_rows(Observation, COMPUTED_FIELDS, changed)
    total.changed += len(changed)


def _derive(indicator, row, context: _Context, benchmarks, trends, computed) -> tuple:
    check, note = LimitsCheck.NOT_CHECKED, ""
    if computed is not None and row.origin == Origin.PUBLISHED:
        published = {
            "value": row.value,
            "lower 95%": row.lower_ci_95,
            "upper 95%": row.upper_ci_95,
            "lower 99.8%": row.lower_ci_998,
            "upper 99.8%": row.upper_ci_998,
        }
        if any(v is not None for v in published.values()):
            problems = check_limits(published, computed)
            check = LimitsCheck.DISAGREE if problems else LimitsCheck.AGREE
            note = "; ".join(problems)
    comparisons: tuple[str, ...] = ("", "", "")
    if row.category_type == "" and row.category == "":
        peers = benchmarks[(row.sex, row.age, row.period_sortable)]
        limits = (
            _first(row.lower_ci_95, computed and computed.lower95),
            _first(row.upper_ci_95, computed and computed.upper95),
            _first(row.lower_ci_998, computed and computed.lower998),
            _first(row.upper_ci_998, computed and computed.upper998),
        )
        comparisons = tuple(
            _compare(indicator, row.value, limits, row.area_id, benchmark, peers)
            for benchmark in (context.england, context.region_of.get(row.area_id), context.home)
        )
    return (
        computed.lower95 if computed else None,
        computed.upper95 if computed else None,
        computed.lower998 if computed else None,
        computed.upper998 if computed else None,
        (computed.method or "") if computed else "",
        str(check),
        note,
        *comparisons,
        trends.get(row.pk, ""),
    )


def _first(published, computed):
    return published if published is not None else (computed or None)


_OVERLAP_METHODS = frozenset(
    {
        BenchmarkMethod.CI_OVERLAP_95,
        BenchmarkMethod.CI_OVERLAP_998,
        BenchmarkMethod.CI_OVERLAP_TWO_LEVELS,
    }
)
# The stored derived figures of a row read from the database, in COMPUTED_FIELDS order.
_stored = operator.attrgetter(*COMPUTED_FIELDS)
# An indicator's polarity as the vocabulary's member: parsed once, not once per comparison.
_polarity = functools.lru_cache(maxsize=64)(parse_polarity)


def _compare(indicator, value, limits, area, benchmark, peers) -> str:
    if benchmark is None:
        return ""
    method = indicator.benchmark_method
    if method not in _OVERLAP_METHODS:
        return ""  # quintiles need every area of the type; Fingertips' own label is shown
    reference = peers.get(benchmark)
    low95, up95, low998, up998 = limits
    common = dict(
        value=value,
        benchmark=reference.value if reference else None,
        polarity=_polarity(indicator.polarity),
        area_is_benchmark=area == benchmark,
    )
    if method == BenchmarkMethod.CI_OVERLAP_TWO_LEVELS:
        result = stats.compare_ci_overlap_two_levels(
            lower95=low95, upper95=up95, lower998=low998, upper998=up998, **common
        )
    elif method == BenchmarkMethod.CI_OVERLAP_998:
        result = stats.compare_ci_overlap(lower=low998, upper=up998, **common)
    else:
        result = stats.compare_ci_overlap(lower=low95, upper=up95, **common)
    return str(result)


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


def _period(row) -> int:
    return row.period_sortable


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


def _refresh_home_aggregates(indicator: Indicator, context: _Context, total: _Counts) -> bool:
    """Pool the districts' counts into a home-county figure wherever Fingertips has none.

    Says whether any aggregate was added, changed or removed.
    """
    aggregated = Observation.objects.filter(indicator=indicator, origin=Origin.AGGREGATED)
    if indicator.ci_method == CIMethod.NONE or not context.districts or context.home is None:
        return aggregated.delete()[0] > 0
    rows = Observation.objects.headline().filter(
        indicator=indicator, area_id__in=(*context.districts, context.home)
    )
    wanted = _pooled(indicator, context, rows)
    before = {(a.sex, a.age, a.period_sortable): a for a in aggregated}
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
