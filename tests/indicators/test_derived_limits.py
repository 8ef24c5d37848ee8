"""The derived statistics' whole-indicator steps say, row by row, what the single steps say.

`limits_of` (the engine's limits through the array forms), `limits_checks` (the published figures
against them) and `_comparisons` (with England, the region and the home county) work on all of
an indicator's rows at once; each is held here to the one-row function it stands for, on rows
built to reach every branch: no count, a refused count, no published figure, a published NaN,
a difference inside and outside the rounding, an area that is its own benchmark, no region.
"""

from __future__ import annotations

import math
import random

import pytest

from indicators import derived
from indicators import statistics as stats
from indicators.derived_limits import (
    FIGURES,
    Limits,
    beyond_rounding,
    check_limits,
    engine_limits,
    limits_checks,
    limits_of,
    rounding_tolerance,
)
from indicators.derived_scope import _Context
from indicators.models import BenchmarkMethod, CIMethod, Indicator, Origin

Row = derived._Row
NAN = math.nan


def row(pk, count=None, denominator=None, *published, origin=Origin.PUBLISHED, **key) -> Row:
    fields = dict.fromkeys(Row._fields, "")
    fields.update(
        pk=pk,
        area_id=key.get("area", 1),
        sex="Persons",
        age="All ages",
        category_type=key.get("category_type", ""),
        period_sortable=20200000,
        period_start_year=2020,
        period_end_year=2020,
        count=count,
        denominator=denominator,
        origin=origin,
    )
    fields.update(
        zip(
            ("value", "lower_ci_95", "upper_ci_95", "lower_ci_998", "upper_ci_998"),
            (*published, None, None, None, None, None)[:5],
            strict=True,
        )
    )
    for name in ("computed_lower_ci_95", "computed_upper_ci_95", "computed_lower_ci_998"):
        fields[name] = None
    fields["computed_upper_ci_998"] = None
    return Row(**fields)


def indicator(ci_method=CIMethod.BYARS_EXACT, **kwargs) -> Indicator:
    defaults = dict(multiplier=1000, ci_count_divisor=None, polarity="RAG - Low is good")
    return Indicator(ci_method=ci_method, **{**defaults, **kwargs})


def odd_rows() -> list[Row]:
    rng = random.Random(3)
    rows = [
        row(1, None, 100.0),
        row(2, 5.0, None),
        row(3, NAN, 100.0),
        row(4, -1.0, 100.0),
        row(5, 5.0, 0.0),
        row(6, math.inf, 100.0),
        row(7, 150.0, 100.0),  # more than its denominator: no Wilson proportion
        row(8, 0.0, 100.0),
        row(9, 100.0, 100.0),
        row(10, 9.0, 40.0),
        row(11, 10.0, 40.0),
    ]
    for pk in range(12, 400):
        count = float(rng.randint(0, 500))
        rows.append(row(pk, count, count + rng.uniform(1, 1e5)))
    return rows


@pytest.mark.parametrize(
    "definition",
    [
        indicator(),
        indicator(CIMethod.WILSON, multiplier=100),
        indicator(ci_count_divisor=3.0),
        indicator(CIMethod.NONE),
        indicator(multiplier=0),
    ],
    ids=["byars", "wilson", "divisor", "no-method", "refused-multiplier"],
)
def test_limits_of_a_whole_indicator_are_the_engines_limits_of_each_row(definition):
    rows = odd_rows()
    computed = limits_of(definition, rows)
    assert list(computed) == [r.pk for r in rows]
    for r in rows:
        single = engine_limits(definition, r.count, r.denominator)
        got = computed[r.pk]
        if single is None:
            assert got is None, r
            continue
        for name in ("value", "lower95", "upper95", "lower998", "upper998", "method"):
            assert getattr(got, name) == getattr(single, name) or (
                getattr(got, name) is None and getattr(single, name) is None
            ), (r, name)


def test_limits_of_no_rows_are_none():
    assert limits_of(indicator(), []) == {}


def test_beyond_rounding_is_the_rounding_tolerance_compared_in_full():
    rng = random.Random(7)
    published = [4.5, 2.25, 0.0, -3.5, 1e-05, 94.7261896202678, math.inf, NAN, 1e20, 12.0]
    published += [round(rng.uniform(-50, 500), rng.randint(0, 6)) for _ in range(3000)]
    for figure in published:
        tolerance = 0.0 if math.isnan(figure) else rounding_tolerance(figure)
        for difference in (
            0.0,
            1e-13,
            tolerance,
            tolerance * 0.999,
            tolerance * 1.001,
            abs(figure) * 1e-4,
            abs(figure) * 1.0001e-4,
            rng.uniform(0, 1),
            NAN,
            math.inf,
        ):
            want = difference > rounding_tolerance(figure) + 1e-12
            assert beyond_rounding(figure, difference) == want, (figure, difference)


def engine(value, lower95, upper95, lower998=None, upper998=None, method="Byars"):
    return Limits(value, lower95, upper95, lower998, upper998, method)


def test_limits_checks_of_many_rows_are_check_limits_of_each():
    rng = random.Random(9)
    rows, limits = [], []
    ours = engine(4.51234, 3.21, 5.987654, 2.5, 7.25)
    for pk in range(600):
        shown = [
            round(x + rng.choice([0, 0, 1e-6, 0.004, 0.2]), rng.choice([1, 2, 4, 8]))
            for x in (ours.value, ours.lower95, ours.upper95, ours.lower998, ours.upper998)
        ]
        for at in rng.sample(range(5), rng.randint(0, 5)):
            shown[at] = rng.choice([None, None, NAN])
        rows.append(row(pk, 5.0, 100.0, *shown))
        limits.append(ours)
    rows += [row(900, 5.0, 100.0), row(901, 5.0, 100.0, 4.5, origin=Origin.AGGREGATED)]
    rows += [row(902, None, None, 4.5, 3.2, 5.9), row(903, 5.0, 100.0, 4.5, 3.2, 5.9)]
    limits += [ours, ours, None, engine(None, None, None, method=None)]
    checks = limits_checks(rows, limits)
    seen = set()
    for r, computed, (check, note) in zip(rows, limits, checks, strict=True):
        published = dict(zip(FIGURES, derived_limits_published(r), strict=True))
        if (
            computed is None
            or r.origin != Origin.PUBLISHED
            or not any(v is not None for v in published.values())
        ):
            assert (check, note) == ("", ""), r
            continue
        problems = check_limits(published, computed)
        assert note == "; ".join(problems), r
        assert check == ("disagree" if problems else "agree")
        seen.add((check, len(problems)))
    assert {("agree", 0), ("disagree", 1), ("disagree", 2)} <= seen


def derived_limits_published(r: Row) -> tuple:
    return (r.value, r.lower_ci_95, r.upper_ci_95, r.lower_ci_998, r.upper_ci_998)


def test_limits_checks_of_no_rows_are_none():
    assert limits_checks([], []) == []


ENGLAND, REGION, HOME, AREA, ORPHAN = 1, 2, 3, 4, 5


def context() -> _Context:
    return _Context(ENGLAND, HOME, {AREA: REGION, HOME: REGION}, ())


@pytest.mark.parametrize("method", list(BenchmarkMethod))
def test_comparisons_of_many_rows_are_the_single_comparison_of_each(method):
    rng = random.Random(13)
    definition = indicator(benchmark_method=method)
    peers = {
        ENGLAND: row(101, 50.0, 1e4, 5.0, 4.2, 5.8, 3.9, 6.1, area=ENGLAND),
        REGION: row(102, 50.0, 1e4, 4.0, 3.0, 5.0, 2.5, 5.5, area=REGION),
        HOME: row(103, 50.0, 1e4, None, area=HOME),
    }
    rows = list(peers.values())
    for pk in range(200):
        low, up = sorted(rng.uniform(2, 8) for _ in range(2))
        value = rng.choice([(low + up) / 2, None, NAN])
        published = rng.choice([(value, low, up, low - 0.5, up + 0.5), (value, None, None)])
        area = rng.choice([AREA, ORPHAN, ENGLAND])
        rows.append(
            row(
                200 + pk,
                rng.choice([None, 30.0, 0.0]),
                1e3,
                *published,
                area=area,
                category_type=rng.choice(["", "", "", "Deprivation"]),
            )
        )
    limits = list(limits_of(definition, rows).values())
    benchmarks = {("Persons", "All ages", 20200000): {r.area_id: r for r in peers.values()}}
    got = derived._comparisons(definition, rows, limits, context(), benchmarks)
    labels = set()
    for r, computed, compared in zip(rows, limits, got, strict=True):
        want = tuple(
            single_comparison(definition, r, computed, benchmark, benchmarks)
            for benchmark in (ENGLAND, context().region_of.get(r.area_id), HOME)
        )
        assert compared == want, r
        labels.update(compared)
    if method in (BenchmarkMethod.CI_OVERLAP_95, BenchmarkMethod.CI_OVERLAP_TWO_LEVELS):
        assert {"", "Not compared", "Similar"} < labels


def single_comparison(definition, r, computed, benchmark, benchmarks) -> str:
    """The comparison as the one-row code made it before the indicator was derived at once."""
    if r.category_type != "" or benchmark is None:
        return ""
    if definition.benchmark_method not in derived._OVERLAP_METHODS:
        return ""
    limits = [
        derived._first(p, computed and getattr(computed, name))
        for p, name in zip(derived_limits_published(r)[1:], FIGURE_NAMES, strict=True)
    ]
    reference = benchmarks[(r.sex, r.age, r.period_sortable)].get(benchmark)
    common = dict(
        value=r.value,
        benchmark=reference.value if reference else None,
        polarity=definition.polarity,
        area_is_benchmark=r.area_id == benchmark,
    )
    if definition.benchmark_method == BenchmarkMethod.CI_OVERLAP_TWO_LEVELS:
        return str(
            stats.compare_ci_overlap_two_levels(
                lower95=limits[0],
                upper95=limits[1],
                lower998=limits[2],
                upper998=limits[3],
                **common,
            )
        )
    if definition.benchmark_method == BenchmarkMethod.CI_OVERLAP_998:
        return str(stats.compare_ci_overlap(lower=limits[2], upper=limits[3], **common))
    return str(stats.compare_ci_overlap(lower=limits[0], upper=limits[1], **common))


FIGURE_NAMES = ("lower95", "upper95", "lower998", "upper998")


def test_without_any_benchmark_the_polarity_is_not_read_and_nothing_is_compared():
    # As the one-row code: a polarity is parsed only for a comparison that is made.
    definition = indicator(benchmark_method=BenchmarkMethod.CI_OVERLAP_95, polarity="no such")
    rows = [row(1, 30.0, 1e3, 3.0, 2.0, 4.0, area=AREA)]
    nowhere = _Context(None, None, {}, ())
    benchmarks = {("Persons", "All ages", 20200000): {AREA: rows[0]}}
    limits = list(limits_of(definition, rows).values())
    assert derived._comparisons(definition, rows, limits, nowhere, benchmarks) == [("", "", "")]
