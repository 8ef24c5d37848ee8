"""The array forms of the limits and comparisons give, element by element, exactly what the
single forms give: the same bits for every limit, the same method, the same label.

`indicators.derived` derives a whole indicator at once through them, and its stored figures must
not move by an ulp for it. Inputs: the method vectors' own cases, then seeded random ones, then
the edges each form treats apart (counts below 10, none and all of a denominator, refused and
missing inputs, bounds equal to the benchmark).
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import numpy as np
import pytest

from indicators import statistics as st
from indicators.statistics import intervals

VECTORS = json.loads(
    (Path(__file__).resolve().parents[2] / "fixtures/methods/vectors_public.json").read_text()
)
FORMS = {
    "rate": (st.rates_at_standard_levels, st.rate_at_standard_levels),
    "proportion": (st.proportions_at_standard_levels, st.proportion_at_standard_levels),
}
FIGURES = ("value", "lower95", "upper95", "lower998", "upper998")


def same_as_single(form: str, counts, denominators, multiplier) -> None:
    many, single = FORMS[form]
    arrays = many(counts, denominators, multiplier=multiplier)
    assert arrays.accepted.all()
    for i, (count, denominator) in enumerate(zip(counts, denominators, strict=True)):
        one = single(count=count, denominator=denominator, multiplier=multiplier)
        got = tuple(float(getattr(arrays, name)[i]) for name in FIGURES)
        want = tuple(getattr(one, name) for name in FIGURES)
        # == on floats, and the sign of zero: the very same bits.
        assert got == want, (count, denominator, multiplier)
        assert [math.copysign(1, g) for g in got] == [math.copysign(1, w) for w in want]
        assert arrays.method[i] == one.method


@pytest.mark.parametrize("form", ["rate", "proportion"])
def test_the_vectors_cases_come_out_bit_for_bit_as_from_the_single_form(form):
    cases = [
        case for case in VECTORS[f"{form}_ci"] if case["x"] is not None and case["n"] is not None
    ]
    assert len(cases) >= 5
    for multiplier in {case["multiplier"] for case in cases}:
        chosen = [case for case in cases if case["multiplier"] == multiplier]
        same_as_single(form, [c["x"] for c in chosen], [c["n"] for c in chosen], multiplier)


def random_inputs(seed: int, size: int = 4000) -> tuple[list[float], list[float]]:
    rng = random.Random(seed)
    counts = [rng.choice([0.0, 1.0, 2.0, 9.0, 9.999, 10.0, 10.5, 11.0]) for _ in range(size // 8)]
    counts += [float(rng.randint(0, 3000)) for _ in range(size // 2)]
    counts += [rng.uniform(0, 1e6) for _ in range(size - len(counts))]
    denominators = [count + rng.choice([0.0, rng.uniform(1e-3, 1e7)]) or 1.0 for count in counts]
    return counts, denominators


@pytest.mark.parametrize("form", ["rate", "proportion"])
@pytest.mark.parametrize("multiplier", [1, 100, 1000, 100_000, 2.5])
def test_random_counts_come_out_bit_for_bit_as_from_the_single_form(form, multiplier):
    counts, denominators = random_inputs(seed=len(form) * 7 + int(multiplier))
    same_as_single(form, counts, denominators, multiplier)


def test_the_cube_is_pythons_where_numpys_power_differs_in_the_last_bit():
    # numpy's vectorised power (SIMD) and the C library's pow differ by an ulp for some inputs
    # on some machines; Byar's cube is taken element by element as the single form takes it.
    bases = np.random.default_rng(5).uniform(0.5, 1.5, 20_000)
    assert intervals._cubes(bases).tolist() == [base**3 for base in bases.tolist()]
    assert intervals._cubes(np.array([])).tolist() == []


@pytest.mark.parametrize("form", ["rate", "proportion"])
def test_inputs_the_single_form_refuses_or_leaves_empty_are_not_accepted(form):
    many, single = FORMS[form]
    nan, inf = math.nan, math.inf
    counts = [5.0, nan, 5.0, -1.0, 5.0, 5.0, inf, 5.0, 20.0]
    denominators = [50.0, 50.0, nan, 50.0, 0.0, -3.0, 50.0, inf, 50.0]
    arrays = many(counts, denominators, multiplier=100)
    assert arrays.accepted.tolist() == [True] + [False] * 7 + [True]
    for i in range(1, 8):
        assert all(math.isnan(getattr(arrays, name)[i]) for name in FIGURES)
        assert arrays.method[i] is None
        # What becomes of them is the single form's to say: nulls or a refusal.
        try:
            one = single(count=counts[i], denominator=denominators[i], multiplier=100)
        except st.InvalidInput:
            continue
        assert one.lower95 is None


@pytest.mark.parametrize("form", ["rate", "proportion"])
@pytest.mark.parametrize("multiplier", [0, -100, math.nan, math.inf])
def test_a_multiplier_the_single_form_refuses_accepts_nothing(form, multiplier):
    many, single = FORMS[form]
    arrays = many([5.0, 20.0], [50.0, 60.0], multiplier=multiplier)
    assert not arrays.accepted.any()
    with pytest.raises(st.InvalidInput):
        single(count=5.0, denominator=50.0, multiplier=multiplier)


def test_a_proportion_whose_count_passes_its_denominator_is_not_accepted():
    arrays = st.proportions_at_standard_levels([51.0, 50.0], [50.0, 50.0], multiplier=100)
    assert arrays.accepted.tolist() == [False, True]
    assert arrays.upper95[1] == 100.0  # O = n: the limit is the whole range, written out
    with pytest.raises(st.InvalidInput):
        st.proportion_at_standard_levels(count=51.0, denominator=50.0, multiplier=100)
    # A rate has no such bound.
    assert st.rates_at_standard_levels([51.0], [50.0], multiplier=100).accepted.tolist() == [True]


def test_counts_below_ten_take_the_exact_limits_and_ten_and_over_byars():
    arrays = st.rates_at_standard_levels([0.0, 9.0, 9.5, 10.0], [100.0] * 4, multiplier=1)
    assert arrays.method == ["Exact", "Exact", "Exact", "Byars"]
    assert arrays.lower95[0] == 0.0
    assert (
        arrays.lower95[3]
        == st.rate_at_standard_levels(count=10.0, denominator=100.0, multiplier=1).lower95
    )


def test_no_inputs_give_empty_arrays():
    for many, _ in FORMS.values():
        arrays = many([], [], multiplier=100)
        assert arrays.value.size == 0 and arrays.method == [] and arrays.accepted.size == 0


# --- Comparisons -----------------------------------------------------------------------------

POLARITIES = [
    st.Polarity.LOW_IS_GOOD,
    st.Polarity.HIGH_IS_GOOD,
    st.Polarity.BOB,
    st.Polarity.NO_JUDGEMENT,
    st.Polarity.NOT_APPLICABLE,
]
NAN = math.nan


def as_array(numbers) -> np.ndarray:
    return np.array(numbers, dtype=float)


def benchmark_cases() -> list[dict]:
    cases = [
        {
            "value": case["value"],
            "lower95": case["lower95"],
            "upper95": case["upper95"],
            "lower998": case["lower998"],
            "upper998": case["upper998"],
            "benchmark": case["benchmark_value"],
            "self": False,
        }
        for case in VECTORS["benchmark"]
        if case["method"].startswith("ci_overlap")
    ]
    # Bounds on, inside, just outside and far outside each level, missing figures, and an area
    # that is its own benchmark.
    bounds = (2.0, 2.5, 3.5, 4.0)
    for benchmark in (1.0, 2.0, 2.2, 2.5, 3.0, 3.5, 3.8, 4.0, 5.0, NAN, None):
        for missing in (None, "value", "lower95", "upper95", "lower998", "upper998"):
            case = dict(zip(("lower998", "lower95", "upper95", "upper998"), bounds, strict=True))
            case.update(value=3.0, benchmark=benchmark, self=False)
            if missing:
                case[missing] = None if benchmark == 2.2 else NAN
            cases.append(case)
    cases.append({**cases[-1], "lower998": 2.0, "upper998": 4.0, "self": True, "benchmark": 3.0})
    rng = random.Random(11)
    for _ in range(500):
        low998, low95, up95, up998 = sorted(rng.uniform(0, 10) for _ in range(4))
        cases.append(
            {
                "value": (low95 + up95) / 2,
                "lower95": low95,
                "upper95": up95,
                "lower998": low998,
                "upper998": up998,
                "benchmark": rng.choice([low95, up95, low998, up998, rng.uniform(0, 10)]),
                "self": rng.random() < 0.05,
            }
        )
    return cases


def column(cases, name) -> np.ndarray:
    return as_array([NAN if case[name] is None else case[name] for case in cases])


@pytest.mark.parametrize("polarity", POLARITIES)
@pytest.mark.parametrize("level", ["95", "998"])
def test_one_level_comparisons_of_many_areas_are_those_of_each(polarity, level):
    cases = benchmark_cases()
    got = st.compare_ci_overlaps(
        column(cases, "value"),
        column(cases, f"lower{level}"),
        column(cases, f"upper{level}"),
        column(cases, "benchmark"),
        polarity,
        np.array([case["self"] for case in cases]),
    )
    want = [
        st.compare_ci_overlap(
            value=case["value"],
            lower=case[f"lower{level}"],
            upper=case[f"upper{level}"],
            benchmark=case["benchmark"],
            polarity=polarity,
            area_is_benchmark=case["self"],
        )
        for case in cases
    ]
    assert got == want
    assert {"Better", "Similar", "Worse", "Not compared"} <= set(got) or polarity in (
        st.Polarity.BOB,
        st.Polarity.NO_JUDGEMENT,
        st.Polarity.NOT_APPLICABLE,
    )


@pytest.mark.parametrize("polarity", POLARITIES)
def test_two_level_comparisons_of_many_areas_are_those_of_each(polarity):
    cases = benchmark_cases()
    got = st.compare_ci_overlaps_two_levels(
        *(column(cases, name) for name in ("value", "lower95", "upper95", "lower998")),
        column(cases, "upper998"),
        column(cases, "benchmark"),
        polarity,
        np.array([case["self"] for case in cases]),
    )
    want = [
        st.compare_ci_overlap_two_levels(
            value=case["value"],
            lower95=case["lower95"],
            upper95=case["upper95"],
            lower998=case["lower998"],
            upper998=case["upper998"],
            benchmark=case["benchmark"],
            polarity=polarity,
            area_is_benchmark=case["self"],
        )
        for case in cases
    ]
    assert got == want
    if polarity is st.Polarity.LOW_IS_GOOD:
        assert {"Best", "Better", "Similar", "Worse", "Worst", "Not compared"} <= set(got)


def test_comparisons_of_no_areas_are_none():
    empty = as_array([])
    assert st.compare_ci_overlaps(empty, empty, empty, empty, st.Polarity.LOW_IS_GOOD, []) == []
