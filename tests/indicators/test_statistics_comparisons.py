"""Benchmark comparisons and quintiles at their edges, as STATISTICS.md sections 5.1 to 5.3 say.

These cases were written after a mutation run (docs/ARCHITECTURE.md, "Mutation testing") showed
which documented edges the vector and property tests did not pin: bounds that are inclusive or
strict, the polarity map for every outcome, the SPC control limits' own values, and quintile cut
points that fall between two values.
"""

from __future__ import annotations

import math

import pytest

from indicators import statistics as st

LOW = "RAG - Low is good"
HIGH = "RAG - High is good"
NOT_APPLICABLE = "Not applicable"

# --- 5.1: one level -----------------------------------------------------------------------------


def test_a_similar_area_is_not_compared_when_the_polarity_is_not_applicable():
    # 5.1's table: Not applicable gives Not compared in every column, "similar" included.
    got = st.compare_ci_overlap(
        value=3.0, lower=2.7, upper=3.3, benchmark=3.0, polarity=NOT_APPLICABLE
    )
    assert got == "Not compared"


# --- 5.2: two levels ----------------------------------------------------------------------------

TWO_LEVELS = {"value": 3.0, "lower95": 2.5, "upper95": 3.5, "lower998": 2.0, "upper998": 4.0}


@pytest.mark.parametrize(
    ("benchmark", "low_is_good"),
    [
        pytest.param(2.5, "Similar", id="on_the_lower_95_limit_is_inside"),
        pytest.param(3.5, "Similar", id="on_the_upper_95_limit_is_inside"),
        pytest.param(2.0, "Worse", id="on_the_lower_99_8_limit_is_one_level"),
        pytest.param(4.0, "Better", id="on_the_upper_99_8_limit_is_one_level"),
        pytest.param(1.999, "Worst", id="below_the_lower_99_8_limit_is_two_levels"),
        pytest.param(4.001, "Best", id="above_the_upper_99_8_limit_is_two_levels"),
    ],
)
def test_two_level_bounds_are_those_of_the_table(benchmark, low_is_good):
    # 5.2: inside the 95% interval (inclusive); [L99.8, L95) and (U95, U99.8] are one level.
    got = st.compare_ci_overlap_two_levels(benchmark=benchmark, polarity=LOW, **TWO_LEVELS)
    assert got == low_is_good


def test_two_level_similar_is_not_compared_when_the_polarity_is_not_applicable():
    got = st.compare_ci_overlap_two_levels(benchmark=3.0, polarity=NOT_APPLICABLE, **TWO_LEVELS)
    assert got == "Not compared"


# --- 5.3: SPC for proportions -------------------------------------------------------------------


def _wilson(successes: float, trials: float, z: float) -> tuple[float, float]:
    """The Wilson score interval in its textbook form (centre and half-width)."""
    share = successes / trials
    scale = 1 + z * z / trials
    centre = (share + z * z / (2 * trials)) / scale
    half = z / scale * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials))
    return centre - half, centre + half


# England's smoking-at-delivery share and three area denominators from Fingertips' own
# SpcForProportionsComparerTest (the vectors' bm_fto_spcprop_* cases).
ENGLAND_PERCENT = 8.961108687627933


@pytest.mark.parametrize("denominator", [5930, 2273, 1972, 1])
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_spc_control_limits_are_the_wilson_interval_of_the_expected_count(denominator, confidence):
    # 5.3: "This is a Wilson interval built on the expected count" E = N x P0.
    z = st.z_for_confidence(confidence)
    expected = _wilson(denominator * ENGLAND_PERCENT / 100, denominator, z)
    got = st.spc_proportion_control_limits(
        benchmark_proportion=ENGLAND_PERCENT / 100, denominator=denominator, confidence=confidence
    )
    assert got == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("denominator", [0, -5])
def test_spc_control_limits_refuse_a_denominator_of_zero_or_less(denominator):
    with pytest.raises(st.InvalidInput, match="denominator"):
        st.spc_proportion_control_limits(
            benchmark_proportion=0.09, denominator=denominator, confidence=0.95
        )


def test_spc_control_limits_name_a_denominator_that_is_not_a_number():
    with pytest.raises(st.InvalidInput, match="denominator"):
        st.spc_proportion_control_limits(
            benchmark_proportion=0.09, denominator=math.inf, confidence=0.95
        )


SPC_AREA = {"denominator": 2273, "benchmark": ENGLAND_PERCENT}


def _limits_percent(confidence: float = 0.95) -> tuple[float, float]:
    z = st.z_for_confidence(confidence)
    low, high = _wilson(2273 * ENGLAND_PERCENT / 100, 2273, z)
    return low * 100, high * 100


def test_spc_values_are_percentages_unless_told_otherwise():
    # 95% limits for 2,273 maternities around 8.96% are 7.855% and 10.206%.
    low, high = _limits_percent()
    assert (round(low, 3), round(high, 3)) == (7.855, 10.206)
    assert st.compare_spc_for_proportions(value=10.21, polarity=LOW, **SPC_AREA) == "Worse"
    assert st.compare_spc_for_proportions(value=7.85, polarity=LOW, **SPC_AREA) == "Better"
    assert st.compare_spc_for_proportions(value=10.2, polarity=LOW, **SPC_AREA) == "Similar"


def test_spc_value_exactly_on_a_control_limit_is_similar():
    # 5.3: above U is higher and below L is lower, so a proportion on a limit is neither.
    # The engine's own limits (checked above against the textbook form), to the last digit.
    low, high = st.spc_proportion_control_limits(
        benchmark_proportion=ENGLAND_PERCENT / 100, denominator=2273, confidence=0.95
    )
    on_limit = {"denominator": 2273, "benchmark": ENGLAND_PERCENT / 100, "multiplier": 1.0}
    for value in (low, high):
        got = st.compare_spc_for_proportions(value=value, polarity=LOW, **on_limit)
        assert got == "Similar"


@pytest.mark.parametrize(
    ("value", "polarity", "label"),
    [
        (10.21, HIGH, "Better"),
        (7.85, HIGH, "Worse"),
        (10.21, "BOB - Blue orange blue", "Higher"),
        (7.85, "No judgement", "Lower"),
        (10.21, NOT_APPLICABLE, "Not compared"),
        (9.0, NOT_APPLICABLE, "Not compared"),
        (7.85, NOT_APPLICABLE, "Not compared"),
    ],
)
def test_spc_outcomes_follow_the_polarity_map_of_5_1(value, polarity, label):
    assert st.compare_spc_for_proportions(value=value, polarity=polarity, **SPC_AREA) == label


def test_spc_area_without_a_denominator_is_not_compared():
    # No maternities gives no proportion to place; it is not an error to show the table.
    got = st.compare_spc_for_proportions(
        value=0.0, denominator=0, benchmark=ENGLAND_PERCENT, polarity=LOW
    )
    assert got == "Not compared"


def test_spc_area_of_one_is_still_compared():
    # One maternity, a smoker: 100% is above the limits around 8.96% (0.2% to 82.9%).
    got = st.compare_spc_for_proportions(
        value=100.0, denominator=1, benchmark=ENGLAND_PERCENT, polarity=LOW
    )
    assert got == "Worse"


# --- 5.3: quintiles -----------------------------------------------------------------------------


def test_legacy_cut_points_interpolate_between_values_half_a_unit_apart():
    # Ten rates 0.5 apart: cuts at ranks 2.8, 4.6, 6.4 and 8.2 are 1.4, 2.3, 3.2 and 4.1.
    rates = [0.5 * k for k in range(1, 11)]
    assert st.quintiles_legacy(rates) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_legacy_cut_point_on_a_whole_rank_is_that_value():
    # Six values: the 20th percentile is at rank (6 - 1) x 0.2 + 1 = 2, the second value.
    assert st.quintiles_legacy([10, 20, 30, 40, 50, 60]) == [1, 1, 2, 3, 4, 5]


def test_ntile_quintiles_of_exactly_five_values_are_one_each():
    assert st.quintiles_ntile([50, 10, 40, 20, 30]) == [5, 1, 4, 2, 3]


@pytest.mark.parametrize("quintile", [0, 6])
def test_quintile_label_refuses_a_quintile_outside_one_to_five(quintile):
    with pytest.raises(st.InvalidInput, match="quintile"):
        st.quintile_label(quintile, LOW)
