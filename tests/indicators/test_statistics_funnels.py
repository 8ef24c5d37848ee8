"""Funnel plots by STATISTICS.md section 5.3 ("Funnel-plot significance"), without a database.

The comparator pages draw these funnels (`indicators/neighbours_funnel.py`); the public vectors
hold one package dataset. These cases pin each of the five labels for rates and proportions, the
limits' defining property at both levels, and the inputs the methods refuse.
"""

from __future__ import annotations

import math

import pytest

from indicators import statistics as st

LABELS = ["Low (0.001)", "Low (0.025)", "Not significant", "High (0.025)", "High (0.001)"]

# --- rates --------------------------------------------------------------------------------------

# Five areas of 10,000 births: 235 deaths in 50,000 give a pooled 4.7 per 1,000, an expected 47
# deaths each. 18 deaths: 99.8% upper limit 35.4 < 47. 29: 95% upper 41.7 < 47 < 99.8% upper
# 49.8. 46: inside both. 63: 95% lower 48.4 > 47 > 99.8% lower 41.3. 79: 99.8% lower 54.3 > 47.
DEATHS = [18, 29, 46, 63, 79]
BIRTHS = [10_000] * 5


def test_rate_labels_place_the_pooled_average_against_each_areas_limits():
    got = st.funnel_significance_rates(counts=DEATHS, denominators=BIRTHS, multiplier=1000)
    assert [str(label) for label in got] == LABELS


def test_rate_denominators_can_be_rebuilt_from_the_rates():
    # n = m x O / rate (section 5.3): the same areas given as rates per 1,000.
    rates = [count / 10 for count in DEATHS]
    got = st.funnel_significance_rates(counts=DEATHS, rates=rates, multiplier=1000)
    assert [str(label) for label in got] == LABELS


def test_a_crude_rate_with_no_events_uses_its_denominator_and_missing_counts_are_skipped():
    got = st.funnel_significance_rates(
        counts=[*DEATHS, 0, None], denominators=[*BIRTHS, 10_000, 10_000], multiplier=1000
    )
    # The zero joins the pool (235 of 60,000: 3.9 per 1,000, 39.2 expected): far below.
    assert got[-2] == "Low (0.001)"
    assert got[-1] is None


def test_small_dsr_counts_are_not_applicable_and_the_areas_after_them_are_labelled():
    got = st.funnel_significance_rates(
        counts=[9, 0, 12, 30, 40],
        rates=[9.0, None, 12.0, 30.0, 40.0],
        multiplier=1000,
        rate_type="dsr",
    )
    # A DSR of no events needs no denominator: it is simply not applicable.
    assert got[:2] == ["Not applicable for events less than 10 for dsrs"] * 2
    assert None not in got[2:]
    assert "Not applicable for events less than 10 for dsrs" not in got[2:]


def test_a_missing_count_first_leaves_the_areas_after_it_labelled():
    got = st.funnel_significance_rates(
        counts=[None, *DEATHS], denominators=[10_000, *BIRTHS], multiplier=1000
    )
    assert got[0] is None
    assert [str(label) for label in got[1:]] == LABELS


def test_a_single_event_can_come_with_its_rate_alone():
    got = st.funnel_significance_rates(counts=[1, 20, 30], rates=[1.0, 2.0, 3.0], multiplier=1000)
    assert None not in got


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param({"counts": [-1, 5], "denominators": [100, 100]}, id="negative_count"),
        pytest.param({"counts": [3, 5], "rates": [0.0, 1.0]}, id="rate_zero_with_events"),
        pytest.param({"counts": [0, 5], "denominators": [0, 100]}, id="empty_denominator"),
        pytest.param({"counts": [0, 5], "rates": [0.0, 1.0]}, id="crude_zero_without_size"),
        pytest.param({"counts": [1, 5], "denominators": [100]}, id="lengths_differ"),
        pytest.param(
            {"counts": [1, 5], "denominators": [100, 100], "rate_type": "age"}, id="rate_type"
        ),
    ],
)
def test_rate_inputs_the_method_refuses(arguments):
    with pytest.raises(st.InvalidInput):
        st.funnel_significance_rates(multiplier=1000, **arguments)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_rate_funnel_limits_are_the_counts_whose_limits_reach_the_expected_count(confidence):
    low, high = st.funnel_rate_limits(
        average_rate=4.7, denominator=10_000, multiplier=1000, confidence=confidence
    )
    # The upper funnel is the count whose lower limit is 47; the lower funnel, whose upper is.
    assert st.poisson_count_limits(high * 10, confidence).lower == pytest.approx(47, rel=1e-9)
    assert st.poisson_count_limits(low * 10, confidence).upper == pytest.approx(47, rel=1e-9)
    assert low < 4.7 < high


@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize("births", [4, 100, 640])
def test_rate_funnel_limits_where_few_events_are_expected(confidence, births):
    # 4.7 per 1,000 expects 0.0188 deaths in 4 births, 0.47 in 100 and 3.0 in 640: no count is
    # low enough to be significantly low (even 0 has an upper limit of 3.7 or more), so the
    # lower funnel is 0; the upper funnel still solves.
    expected = 4.7 * births / 1000
    low, high = st.funnel_rate_limits(
        average_rate=4.7, denominator=births, multiplier=1000, confidence=confidence
    )
    assert low == 0.0
    observed = high * births / 1000
    assert st.poisson_count_limits(observed, confidence).lower == pytest.approx(expected, rel=1e-9)


def test_rate_funnel_limits_of_a_zero_average_are_zero_and_a_denominator_must_be_positive():
    zero = st.funnel_rate_limits(average_rate=0, denominator=100, multiplier=1000, confidence=0.95)
    assert zero == (0.0, 0.0)
    with pytest.raises(st.InvalidInput, match="denominator"):
        st.funnel_rate_limits(average_rate=4.7, denominator=0, multiplier=1000, confidence=0.95)


# --- proportions --------------------------------------------------------------------------------

# Five areas of 1,000 maternities: 750 smokers in 5,000 pool to 15%. 95% limits at 1,000 are
# 12.8% and 17.2%; 99.8% limits 11.5% and 18.5%.
SMOKERS = [100, 125, 150, 175, 200]
MATERNITIES = [1000] * 5


def test_proportion_labels_place_each_area_against_the_pooled_proportions_limits():
    got = st.funnel_significance_proportions(SMOKERS, MATERNITIES)
    assert [str(label) for label in got] == LABELS


def test_none_or_all_of_a_denominator_are_proportions_like_any_other():
    # 0 of 10 and 10 of 10 against a pool of 30 in 60 (50%).
    got = st.funnel_significance_proportions([0, 10, 20], [10, 10, 40])
    assert got[:2] == ["Low (0.001)", "High (0.001)"]


def test_proportions_with_missing_data_are_unlabelled():
    assert st.funnel_significance_proportions([*SMOKERS, None], [*MATERNITIES, 1000])[-1] is None
    assert st.funnel_significance_proportions([None], [None]) == [None]


@pytest.mark.parametrize(
    ("counts", "denominators"),
    [
        pytest.param([-1], [10], id="negative_count"),
        pytest.param([0], [0], id="empty_denominator"),
        pytest.param([11], [10], id="more_than_the_denominator"),
        pytest.param([1, 2], [10], id="lengths_differ"),
    ],
)
def test_proportion_inputs_the_method_refuses(counts, denominators):
    with pytest.raises(st.InvalidInput):
        st.funnel_significance_proportions(counts, denominators)


def _wilson(share: float, size: float, z: float) -> tuple[float, float]:
    centre = share + z * z / (2 * size)
    spread = z * math.sqrt(share * (1 - share) / size + z * z / (4 * size * size))
    return (centre - spread) / (1 + z * z / size), (centre + spread) / (1 + z * z / size)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize("size", [50, 1000, 20_000])
def test_proportion_funnel_limits_are_the_shares_whose_wilson_interval_touches_the_average(
    confidence, size
):
    # Section 5.3: "Solve for the proportion at which the Wilson interval of an observed rate
    # would just touch A."
    z = st.z_for_confidence(confidence)
    low, high = st.funnel_proportion_limits(average=0.15, denominator=size, confidence=confidence)
    assert _wilson(low, size, z)[1] == pytest.approx(0.15, rel=1e-9)
    assert _wilson(high, size, z)[0] == pytest.approx(0.15, rel=1e-9)


def test_proportion_funnel_limits_need_a_positive_denominator():
    with pytest.raises(st.InvalidInput, match="denominator"):
        st.funnel_proportion_limits(average=0.15, denominator=0, confidence=0.95)
