"""Behaviour of the pure statistics module (no database)."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pytest

from indicators import statistics as st
from indicators.methods_check import check_vectors

VECTORS_PATH = Path(__file__).resolve().parents[2] / "fixtures" / "methods" / "vectors_public.json"
LOW = st.Polarity.LOW_IS_GOOD
HIGH = st.Polarity.HIGH_IS_GOOD


@pytest.fixture(scope="module")
def vectors() -> dict:
    return json.loads(VECTORS_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def vector_report(vectors):
    return check_vectors(vectors)


# --- the published test vectors ------------------------------------------------------------

SECTIONS = [
    "rate_ci",
    "proportion_ci",
    "mean_ci",
    "sii",
    "benchmark",
    "recent_trend",
    "spc",
    "funnel",
]


@pytest.mark.parametrize("section", SECTIONS)
def test_every_public_vector_in_section_passes(section, vectors, vector_report):
    results = [r for r in vector_report.results if r.section == section]
    assert len(results) == len(vectors[section]) > 0
    failures = {r.case_id: r.mismatches for r in results if not r.passed}
    assert failures == {}


def test_checker_skips_nothing_in_the_public_vectors(vector_report):
    assert vector_report.skipped_sections == ()


def test_checker_lists_an_unknown_section_as_skipped_without_failing(vectors):
    extended = {**vectors, "life_expectancy": [{"id": "le_1", "expected": {}}]}
    report = check_vectors(extended)
    assert report.skipped_sections == ("life_expectancy",)
    assert report.failed == 0


def test_checker_reports_expected_and_got_for_a_changed_value(vectors):
    corrupted = copy.deepcopy(vectors)
    corrupted["rate_ci"][0]["expected"]["95.0"]["lower"] = 0.03
    report = check_vectors(corrupted)
    (failure,) = report.failures
    assert failure.case_id == "rate_pkg_Area1_x100"
    (mismatch,) = failure.mismatches
    assert (mismatch.field, mismatch.expected) == ("95.0.lower", 0.03)
    assert mismatch.got == pytest.approx(0.025317807984289897)


def test_checker_honours_the_relative_tolerance_of_each_case(vectors):
    case = copy.deepcopy(vectors["rate_ci"][1])  # Byar's, rel 1e-9
    within, outside = copy.deepcopy(case), copy.deepcopy(case)
    within["expected"]["95.0"]["upper"] *= 1 + 5e-10
    outside["expected"]["95.0"]["upper"] *= 1 + 5e-9
    report = check_vectors({"rate_ci": [within, outside]})
    assert [r.passed for r in report.results] == [True, False]


def test_checker_honours_the_five_percent_tolerance_on_simulated_sii_limits(vectors):
    case = copy.deepcopy(vectors["sii"][0])
    case["expected"]["ci"]["95.0"]["sii_lower"] *= 1.2
    (result,) = check_vectors({"sii": [case]}).results
    assert [m.field for m in result.mismatches] == ["ci.95.0.sii_lower"]


def test_checker_reports_a_crashing_case_as_a_failure():
    broken = {
        "rate_ci": [{"id": "bad", "x": -1, "n": 10, "multiplier": 1, "expected": {"95.0": {}}}]
    }
    (result,) = check_vectors(broken).results
    assert not result.passed
    assert "InvalidInput" in result.mismatches[0].got


# --- crude rates (Byar's and exact) ----------------------------------------------------------


def test_zero_deaths_gives_lower_limit_exactly_zero():
    for confidence in st.STANDARD_LEVELS:
        estimate = st.crude_rate(count=0, denominator=1200, multiplier=1000, confidence=confidence)
        assert estimate.value == 0.0
        assert estimate.lower == 0.0
        assert estimate.method == "Exact"


def test_zero_deaths_upper_limit_is_minus_log_of_half_alpha_per_birth():
    for confidence in st.STANDARD_LEVELS:
        estimate = st.crude_rate(count=0, denominator=1200, multiplier=1000, confidence=confidence)
        assert estimate.upper == pytest.approx(-math.log((1 - confidence) / 2) / 1200 * 1000)


def test_nine_deaths_use_the_exact_method_and_ten_use_byars():
    assert st.crude_rate(count=9, denominator=4000, multiplier=1000).method == "Exact"
    assert st.crude_rate(count=10, denominator=4000, multiplier=1000).method == "Byars"


def test_method_switch_is_the_same_at_both_confidence_levels():
    both = st.rate_at_standard_levels(count=10, denominator=4000, multiplier=1000)
    assert both.method == "Byars"
    at998 = st.crude_rate(count=10, denominator=4000, multiplier=1000, confidence=0.998)
    assert (both.lower998, both.upper998) == (at998.lower, at998.upper)


def test_rate_is_null_when_births_missing():
    estimate = st.crude_rate(count=10, denominator=None, multiplier=1000)
    assert (estimate.value, estimate.lower, estimate.upper, estimate.method) == (None,) * 4


def test_rate_is_null_when_deaths_missing_or_nan():
    for count in (None, float("nan")):
        estimate = st.crude_rate(count=count, denominator=4000, multiplier=1000)
        assert (estimate.value, estimate.lower, estimate.upper) == (None, None, None)


@pytest.mark.parametrize(
    ("count", "denominator"), [(-1, 100), (5, 0), (5, -10), (float("inf"), 100)]
)
def test_invalid_rate_inputs_raise_invalid_input(count, denominator):
    with pytest.raises(st.InvalidInput):
        st.crude_rate(count=count, denominator=denominator, multiplier=1000)


def test_invalid_input_is_a_value_error_with_a_clear_message():
    with pytest.raises(ValueError, match="count must not be negative"):
        st.crude_rate(count=-3, denominator=100, multiplier=1000)


def test_confidence_outside_zero_and_one_is_invalid():
    with pytest.raises(st.InvalidInput, match="confidence"):
        st.crude_rate(count=3, denominator=100, multiplier=1000, confidence=95)


def test_rate_allows_more_events_than_the_denominator():
    estimate = st.crude_rate(count=250, denominator=220, multiplier=100)
    assert estimate.value == pytest.approx(250 / 220 * 100)
    assert estimate.lower < estimate.value < estimate.upper


def test_general_confidence_levels_nest():
    at90 = st.crude_rate(count=30, denominator=5000, multiplier=1000, confidence=0.90)
    at95 = st.crude_rate(count=30, denominator=5000, multiplier=1000, confidence=0.95)
    assert at95.lower < at90.lower < at90.upper < at95.upper


def test_pooled_rate_sums_deaths_and_births_rather_than_averaging_rates():
    pooled = st.pooled_rate(counts=[2, 30], denominators=[100, 10_000], multiplier=1000)
    assert pooled.value == pytest.approx(32 / 10_100 * 1000)
    mean_of_rates = (2 / 100 * 1000 + 30 / 10_000 * 1000) / 2
    assert pooled.value != pytest.approx(mean_of_rates)
    assert pooled == st.crude_rate(count=32, denominator=10_100, multiplier=1000)


def test_pooled_rate_is_null_when_one_district_is_missing():
    pooled = st.pooled_rate(counts=[2, None], denominators=[100, 200], multiplier=1000)
    assert pooled.value is None


def test_pool_counts_rejects_mismatched_lengths():
    with pytest.raises(st.InvalidInput):
        st.pool_counts([1, 2], [100])


# --- proportions (Wilson) ---------------------------------------------------------------------


def test_zero_low_birth_weight_births_give_lower_zero_and_upper_z_squared_over_n_plus_z_squared():
    for confidence in st.STANDARD_LEVELS:
        z = st.z_for_confidence(confidence)
        estimate = st.wilson_proportion(
            count=0, denominator=60, multiplier=100, confidence=confidence
        )
        assert estimate.lower == 0.0
        assert estimate.upper == pytest.approx(z * z / (60 + z * z) * 100)


def test_every_birth_low_weight_gives_upper_limit_exactly_the_multiplier():
    estimate = st.wilson_proportion(count=60, denominator=60, multiplier=100)
    assert estimate.upper == 100.0
    assert estimate.value == 100.0


@pytest.mark.parametrize(("count", "denominator"), [(61, 60), (-1, 60), (1, 0)])
def test_invalid_proportion_inputs_raise_invalid_input(count, denominator):
    with pytest.raises(st.InvalidInput):
        st.wilson_proportion(count=count, denominator=denominator, multiplier=100)


def test_proportion_keeps_a_fractional_count():
    estimate = st.wilson_proportion(count=0.445, denominator=1, multiplier=1)
    assert estimate.value == 0.445
    assert 0 < estimate.lower < 0.445 < estimate.upper < 1


def test_proportion_is_null_when_denominator_missing():
    estimate = st.wilson_proportion(count=5, denominator=None, multiplier=100)
    assert (estimate.value, estimate.lower, estimate.upper) == (None, None, None)
    assert estimate.method == "Wilson"


def test_proportion_at_full_confidence_spans_the_whole_range():
    estimate = st.wilson_proportion(count=5, denominator=50, multiplier=100, confidence=1.0)
    assert (estimate.lower, estimate.upper) == (0.0, 100.0)


def test_smoking_at_delivery_uses_known_status_denominator_like_any_proportion():
    both = st.proportion_at_standard_levels(count=1180, denominator=11_500, multiplier=100)
    assert both.lower998 < both.lower95 < both.value < both.upper95 < both.upper998


# --- means ----------------------------------------------------------------------------------


def test_mean_of_one_value_has_no_limits():
    estimate = st.mean_with_limits([4.2])
    assert (estimate.value, estimate.stdev, estimate.lower, estimate.upper) == (
        4.2,
        None,
        None,
        None,
    )


def test_mean_ignores_missing_values():
    assert st.mean_with_limits([1.0, None, 3.0]) == st.mean_with_limits([1.0, 3.0])


def test_mean_of_no_values_is_null():
    assert st.mean_with_limits([]).value is None


# --- benchmark comparison --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lower", "upper", "polarity", "label"),
    [
        (3.2, 3.5, LOW, "Worse"),
        (3.2, 3.5, HIGH, "Better"),
        (3.2, 3.5, st.Polarity.BOB, "Higher"),
        (2.2, 2.8, LOW, "Better"),
        (2.2, 2.8, HIGH, "Worse"),
        (2.2, 2.8, st.Polarity.NO_JUDGEMENT, "Lower"),
        (2.7, 3.1, LOW, "Similar"),
        (2.2, 2.8, st.Polarity.NOT_APPLICABLE, "Not compared"),
    ],
)
def test_ci_overlap_labels_follow_polarity(lower, upper, polarity, label):
    got = st.compare_ci_overlap(
        value=(lower + upper) / 2, lower=lower, upper=upper, benchmark=3.0, polarity=polarity
    )
    assert got == label


def test_benchmark_exactly_on_a_limit_is_similar():
    assert (
        st.compare_ci_overlap(value=3.5, lower=3.0, upper=4.0, benchmark=3.0, polarity=LOW)
        == "Similar"
    )
    assert (
        st.compare_ci_overlap(value=2.5, lower=2.0, upper=3.0, benchmark=3.0, polarity=LOW)
        == "Similar"
    )


@pytest.mark.parametrize(
    "inputs",
    [
        {"value": None, "lower": 1.0, "upper": 2.0, "benchmark": 3.0},
        {"value": 1.5, "lower": None, "upper": 2.0, "benchmark": 3.0},
        {"value": 1.5, "lower": 1.0, "upper": None, "benchmark": 3.0},
        {"value": 1.5, "lower": 1.0, "upper": 2.0, "benchmark": None},
    ],
)
def test_missing_value_limit_or_benchmark_is_not_compared(inputs):
    assert st.compare_ci_overlap(polarity=LOW, **inputs) == "Not compared"


def test_area_is_never_compared_with_itself():
    got = st.compare_ci_overlap(
        value=3, lower=2, upper=4, benchmark=3, polarity=LOW, area_is_benchmark=True
    )
    assert got == "Not compared"


def test_polarity_accepts_en_dashes_and_fingertipsnext_spelling():
    assert st.parse_polarity("RAG \N{EN DASH} Low is good") is LOW
    assert st.parse_polarity("HighIsGood") is HIGH
    assert st.parse_polarity("No comparison") is st.Polarity.NOT_APPLICABLE


def test_unknown_polarity_is_invalid():
    with pytest.raises(st.InvalidInput, match="polarity"):
        st.parse_polarity("Purple is good")


@pytest.mark.parametrize(
    ("benchmark", "low_is_good", "high_is_good"),
    [
        (5.0, "Similar", "Similar"),  # inside the 95% interval
        (4.0, "Similar", "Similar"),  # on the 95% lower limit
        (3.5, "Worse", "Better"),  # between the 99.8% and 95% lower limits
        (3.0, "Worse", "Better"),  # on the 99.8% lower limit
        (2.0, "Worst", "Best"),  # below the 99.8% interval
        (6.5, "Better", "Worse"),
        (8.0, "Best", "Worst"),
    ],
)
def test_two_level_comparison_uses_both_intervals(benchmark, low_is_good, high_is_good):
    limits = {"value": 5.0, "lower95": 4.0, "upper95": 6.0, "lower998": 3.0, "upper998": 7.0}
    assert (
        st.compare_ci_overlap_two_levels(benchmark=benchmark, polarity=LOW, **limits) == low_is_good
    )
    assert (
        st.compare_ci_overlap_two_levels(benchmark=benchmark, polarity=HIGH, **limits)
        == high_is_good
    )


def test_two_level_comparison_without_judgement_only_says_higher_or_lower():
    limits = {"value": 5.0, "lower95": 4.0, "upper95": 6.0, "lower998": 3.0, "upper998": 7.0}
    got = st.compare_ci_overlap_two_levels(benchmark=2.0, polarity=st.Polarity.BOB, **limits)
    assert got == "Higher"


def test_two_level_comparison_needs_the_99_8_limits():
    limits = {"value": 5.0, "lower95": 4.0, "upper95": 6.0, "lower998": None, "upper998": 7.0}
    assert st.compare_ci_overlap_two_levels(benchmark=2.0, polarity=LOW, **limits) == "Not compared"


def test_spc_for_proportions_at_the_benchmark_is_similar_and_far_below_is_better():
    common = {"denominator": 2000, "benchmark": 9.0, "polarity": LOW}
    assert st.compare_spc_for_proportions(value=9.0, **common) == "Similar"
    assert st.compare_spc_for_proportions(value=5.0, **common) == "Better"
    assert st.compare_spc_for_proportions(
        value=5.0, denominator=None, benchmark=9.0, polarity=LOW
    ) == ("Not compared")


def test_spc_for_proportions_limits_widen_at_99_8():
    at95 = st.spc_proportion_control_limits(
        benchmark_proportion=0.09, denominator=2000, confidence=0.95
    )
    at998 = st.spc_proportion_control_limits(
        benchmark_proportion=0.09, denominator=2000, confidence=0.998
    )
    assert at998[0] < at95[0] < 0.09 < at95[1] < at998[1]


# --- quintiles --------------------------------------------------------------------------------


def test_legacy_quintiles_need_five_values():
    assert st.quintiles_legacy([1, 2, 3, 4]) == [None] * 4
    assert st.quintiles_legacy([1, 2, None, 4, 5]) == [None] * 5


def test_legacy_quintiles_put_a_value_on_a_cut_point_in_the_lower_quintile():
    # Cut points of 1..10 are 2.8, 4.6, 6.4, 8.2 (rank (k-1)f+1, linear interpolation).
    assert st.quintiles_legacy(list(range(1, 11))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert st.quintiles_legacy([1, 2, 3, 4, 5]) == [1, 2, 3, 4, 5]


def test_legacy_quintiles_leave_missing_values_uncategorised():
    assert st.quintiles_legacy([5, None, 1, 2, 3, 4]) == [5, None, 1, 2, 3, 4]


def test_ntile_quintiles_give_the_first_groups_the_extra_rows():
    assert st.quintiles_ntile([70, 10, 60, 20, 50, 30, 40]) == [5, 1, 4, 1, 3, 2, 2]
    assert st.quintiles_ntile([1, 2, 3, 4]) == [None] * 4


def test_quintile_labels_follow_polarity():
    assert [st.quintile_label(q, HIGH) for q in range(1, 6)] == [
        "Worst",
        "Worse",
        "Middle",
        "Better",
        "Best",
    ]
    assert [st.quintile_label(q, LOW) for q in range(1, 6)] == [
        "Best",
        "Better",
        "Middle",
        "Worse",
        "Worst",
    ]
    assert st.quintile_label(5, "No judgement") == "Highest"
    assert st.quintile_label(None, LOW) == "Not compared"


# --- recent trend -----------------------------------------------------------------------------


def _rate_points(values, *, first_year=2019, half_width=0.2):
    return [
        st.TrendPoint(
            period=first_year + i,
            value=v,
            lower95=v - half_width,
            upper95=v + half_width,
            count=100,
            denominator=1000,
        )
        for i, v in enumerate(values)
    ]


def test_steady_fall_in_infant_mortality_reads_decreasing_and_getting_better():
    result = st.recent_trend(_rate_points([6.0, 5.5, 5.0, 4.5, 4.0]), polarity=LOW)
    assert result.marker == "Decreasing"
    assert result.label == "Decreasing and getting better"
    assert result.chi_squared > st.TREND_CHI_SQUARED_THRESHOLD


def test_steady_rise_when_high_is_good_reads_increasing_and_getting_better():
    result = st.recent_trend(_rate_points([4.0, 4.5, 5.0, 5.5, 6.0]), polarity=HIGH)
    assert result.label == "Increasing and getting better"


def test_trend_without_judgement_is_just_increasing():
    result = st.recent_trend(
        _rate_points([4.0, 4.5, 5.0, 5.5, 6.0]), polarity="BOB - Blue orange blue"
    )
    assert result.label == "Increasing"


def test_a_last_point_that_reverses_the_slope_is_not_significant():
    result = st.recent_trend(_rate_points([12.0, 11.9, 11.8, 11.7, 20.0]), polarity=LOW)
    assert result.chi_squared > st.TREND_CHI_SQUARED_THRESHOLD
    assert result.marker == "NoChange"
    assert result.label == "No significant change"


def test_only_the_five_most_recent_years_are_used_whatever_the_input_order():
    points = _rate_points([9.0, 6.0, 5.5, 5.0, 4.5, 4.0], first_year=2018)
    result = st.recent_trend(list(reversed(points)), polarity=LOW)
    assert result.periods_used == (2019, 2020, 2021, 2022, 2023)


def test_four_points_cannot_be_calculated():
    result = st.recent_trend(_rate_points([6.0, 5.5, 5.0, 4.5]), polarity=LOW)
    assert (result.marker, result.label) == ("CannotBeCalculated", "Could not be calculated")
    assert result.chi_squared is None


def test_three_year_rolling_infant_mortality_cannot_be_calculated():
    result = st.recent_trend(
        _rate_points([6.0, 5.5, 5.0, 4.5, 4.0]), polarity=LOW, period_length_years=3
    )
    assert result.marker == "CannotBeCalculated"


def test_suppressed_point_in_the_last_five_years_breaks_the_series():
    points = _rate_points([9.0, 6.0, 5.5, 5.0, 4.5, 4.0], first_year=2018)
    points[2] = st.TrendPoint(period=2020, value=None, count=None, denominator=1000)
    assert st.recent_trend(points, polarity=LOW).marker == "CannotBeCalculated"


def test_a_year_absent_from_the_series_breaks_the_run():
    points = _rate_points([9.0, 6.0, 5.5, 5.0, 4.5, 4.0], first_year=2018)
    del points[2]
    assert st.recent_trend(points, polarity=LOW).marker == "CannotBeCalculated"


def test_a_point_with_equal_limits_is_invalid_for_the_weighted_regression():
    points = _rate_points([6.0, 5.5, 5.0, 4.5, 4.0])
    points[-1] = st.TrendPoint(
        period=2023, value=4.0, lower95=4.0, upper95=4.0, count=40, denominator=10_000
    )
    assert st.recent_trend(points, polarity=LOW).marker == "CannotBeCalculated"


def test_repeated_periods_are_invalid():
    points = _rate_points([6.0, 5.5, 5.0, 4.5, 4.0])
    with pytest.raises(st.InvalidInput):
        st.recent_trend([*points, points[0]], polarity=LOW)


def _proportion_points(counts, denominator=1000):
    return [
        st.TrendPoint(
            period=2019 + i, value=c / denominator * 100, count=c, denominator=denominator
        )
        for i, c in enumerate(counts)
    ]


def test_proportion_trend_with_a_zero_count_cannot_be_calculated():
    result = st.recent_trend(_proportion_points([0, 3, 5, 7, 9]), polarity=LOW, method="proportion")
    assert result.marker == "CannotBeCalculated"


def test_proportion_trend_with_count_equal_to_denominator_cannot_be_calculated():
    result = st.recent_trend(
        _proportion_points([3, 5, 7, 9, 1000]), polarity=LOW, method="proportion"
    )
    assert result.marker == "CannotBeCalculated"


def test_proportion_trend_and_weighted_regression_agree_on_a_clear_rise():
    counts = [190, 201, 215, 236, 262]
    points = []
    for i, count in enumerate(counts):
        estimate = st.wilson_proportion(count=count, denominator=3700, multiplier=100)
        points.append(
            st.TrendPoint(2019 + i, estimate.value, estimate.lower, estimate.upper, count, 3700)
        )
    by_values = st.recent_trend(points, polarity=LOW)
    by_counts = st.recent_trend(points, polarity=LOW, method=st.TrendMethod.PROPORTIONS)
    assert by_values.marker == by_counts.marker == "Increasing"
    assert by_counts.slope > 0


def test_trend_threshold_is_fingertips_chi_squared_constant():
    fingertips_constant = 9.54953570608324
    assert abs(st.TREND_CHI_SQUARED_THRESHOLD - fingertips_constant) < 1e-14


# --- slope index of inequality ----------------------------------------------------------------

DECILE_BIRTHS = [5210, 4860, 4410, 4020, 3780, 3550, 3390, 3150, 2980, 2760]
DECILE_DEATHS = [33, 27, 22, 19, 16, 14, 12, 10, 10, 8]


def test_sii_with_the_same_seed_is_reproducible():
    first = st.sii_from_counts(
        counts=DECILE_DEATHS, populations=DECILE_BIRTHS, seed=7, repetitions=5000
    )
    again = st.sii_from_counts(
        counts=DECILE_DEATHS, populations=DECILE_BIRTHS, seed=7, repetitions=5000
    )
    assert first == again


def test_sii_reports_the_seed_it_drew_so_a_run_can_be_repeated():
    first = st.sii_from_counts(counts=DECILE_DEATHS, populations=DECILE_BIRTHS, repetitions=2000)
    again = st.sii_from_counts(
        counts=DECILE_DEATHS, populations=DECILE_BIRTHS, repetitions=2000, seed=first.seed
    )
    assert first.seed is not None
    assert first.limits == again.limits


def test_negative_multiplier_shows_most_deprived_minus_least_deprived_as_a_positive_gap():
    plain = st.sii_from_counts(counts=DECILE_DEATHS, populations=DECILE_BIRTHS, seed=1)
    flipped = st.sii_from_counts(
        counts=DECILE_DEATHS, populations=DECILE_BIRTHS, seed=1, multiplier=-1
    )
    assert plain.sii < 0 < flipped.sii == pytest.approx(-plain.sii)
    assert flipped.rii == pytest.approx(1 / plain.rii)
    assert flipped.rii > 1
    limits = flipped.limits_for(0.95)
    assert limits.sii_lower < flipped.sii < limits.sii_upper
    assert limits.rii_lower < flipped.rii < limits.rii_upper


def test_sii_line_passes_through_the_population_weighted_mean_at_the_middle_rank():
    result = st.sii_from_counts(counts=DECILE_DEATHS, populations=DECILE_BIRTHS, seed=1)
    rates = [d / b * 1000 for d, b in zip(DECILE_DEATHS, DECILE_BIRTHS, strict=True)]
    weighted_mean = sum(r * b for r, b in zip(rates, DECILE_BIRTHS, strict=True)) / sum(
        DECILE_BIRTHS
    )
    assert result.intercept + result.sii / 2 == pytest.approx(weighted_mean)


def test_decile_with_no_infant_deaths_cannot_be_calculated():
    deaths = [*DECILE_DEATHS[:-1], 0]
    result = st.sii_from_counts(counts=deaths, populations=DECILE_BIRTHS, multiplier=-1)
    assert not result.calculable
    assert "pool more years" in result.reason
    assert result.sii is None


@pytest.mark.parametrize(
    ("populations", "reason"),
    [
        (DECILE_BIRTHS[:4], "between 5 and 100"),
        ([*DECILE_BIRTHS[:-1], 0], "population"),
        ([*DECILE_BIRTHS[:-1], None], "population"),
    ],
)
def test_sii_without_a_usable_quantile_cannot_be_calculated(populations, reason):
    values = [4.0] * len(populations)
    result = st.slope_index_of_inequality(
        populations=populations, values=values, standard_errors=[0.1] * len(populations)
    )
    assert not result.calculable
    assert reason in result.reason


def test_sii_with_missing_limits_cannot_be_calculated():
    result = st.slope_index_of_inequality(
        populations=DECILE_BIRTHS,
        values=[4.0] * 10,
        lower_cls=[3.0] * 9 + [None],
        upper_cls=[5.0] * 10,
    )
    assert not result.calculable


def test_sii_sorts_quantiles_before_fitting():
    order = [3, 0, 9, 1, 8, 2, 7, 4, 6, 5]
    shuffled = st.sii_from_counts(
        counts=[DECILE_DEATHS[i] for i in order],
        populations=[DECILE_BIRTHS[i] for i in order],
        quantiles=[i + 1 for i in order],
        seed=3,
    )
    ordered = st.sii_from_counts(counts=DECILE_DEATHS, populations=DECILE_BIRTHS, seed=3)
    assert shuffled.sii == pytest.approx(ordered.sii)
    assert shuffled.rii == pytest.approx(ordered.rii)


def test_sii_99_8_limits_contain_the_95_limits_from_the_same_draws():
    result = st.sii_from_counts(
        counts=DECILE_DEATHS, populations=DECILE_BIRTHS, confidence=(0.95, 0.998), seed=11
    )
    at95, at998 = result.limits_for(0.95), result.limits_for(0.998)
    assert at998.sii_lower < at95.sii_lower < at95.sii_upper < at998.sii_upper
    assert at998.rii_lower < at95.rii_lower < at95.rii_upper < at998.rii_upper


def test_transformed_sii_of_identity_values_matches_the_plain_fit():
    common = {
        "populations": DECILE_BIRTHS,
        "values": [6.3, 5.6, 5.0, 4.7, 4.2, 3.9, 3.5, 3.2, 3.4, 2.9],
    }
    plain = st.slope_index_of_inequality(standard_errors=[0.5] * 10, seed=2, **common)
    transformed = st.slope_index_of_inequality(
        standard_errors=[0.5] * 10, seed=2, transform=True, **common
    )
    assert transformed.sii == pytest.approx(plain.sii)
    assert transformed.rii == pytest.approx(plain.rii)


def test_log_transformed_rate_sii_keeps_the_sign_and_brackets_its_limits():
    for multiplier in (1, -1):
        result = st.sii_from_counts(
            counts=DECILE_DEATHS,
            populations=DECILE_BIRTHS,
            transform=True,
            multiplier=multiplier,
            seed=5,
        )
        limits = result.limits_for(0.95)
        assert math.copysign(1, result.sii) == -multiplier
        assert limits.sii_lower < result.sii < limits.sii_upper
        assert limits.rii_lower < result.rii < limits.rii_upper


def test_sii_needs_at_least_a_thousand_repetitions():
    with pytest.raises(st.InvalidInput, match="repetitions"):
        st.sii_from_counts(counts=DECILE_DEATHS, populations=DECILE_BIRTHS, repetitions=500)


def test_outlier_screening_narrows_the_limits():
    values = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    screened = st.xmr_chart(values, improvement_direction="increase")
    unscreened = st.xmr_chart(values, improvement_direction="increase", screen_outliers=False)
    assert screened.mean == unscreened.mean
    assert unscreened.lpl < screened.lpl < screened.upl < unscreened.upl


def test_seven_rising_points_are_a_trend_and_a_tie_breaks_it():
    flat = [4.0, 4.2, 3.9, 4.1, 4.0, 4.2, 3.9, 4.1]
    rising = [*flat, 3.6, 3.7, 3.8, 3.9, 4.0, 4.1, 4.3]
    chart = st.xmr_chart(rising, improvement_direction="decrease")
    assert [p.special_cause_type for p in chart.points[-7:]] == ["7 Point Trend (Increasing)"] * 7
    assert all(p.point_type == "special_cause_concern" for p in chart.points[-7:])
    tied = [*flat, 3.6, 3.7, 3.8, 3.8, 4.0, 4.1, 4.3]
    chart = st.xmr_chart(tied, improvement_direction="decrease")
    assert not any("Trend" in p.special_cause_type for p in chart.points)


def test_a_point_on_the_mean_breaks_a_shift():
    values = [1.0, 3.0] * 5 + [2.5] * 3 + [2.0] + [2.5] * 4 + [1.0] * 3 + [1.5]
    chart = st.xmr_chart(values, improvement_direction="decrease")
    assert chart.mean == 2.0
    assert not any("Points" in p.special_cause_type for p in chart.points)


def test_seven_points_above_the_mean_are_a_shift():
    values = [1.0, 3.0] * 5 + [2.5] * 7 + [1.5] * 3
    chart = st.xmr_chart(values, improvement_direction="increase")
    assert [p.special_cause_type for p in chart.points[10:17]] == ["7 Points Above CL"] * 7
    assert chart.points[10].point_type == "special_cause_improvement"


def test_a_point_outside_the_limits_takes_priority_over_other_rules():
    values = [1.0, 3.0] * 5 + [2.5] * 6 + [9.0] + [1.5] * 3
    chart = st.xmr_chart(values, improvement_direction="decrease")
    assert chart.points[16].special_cause_type == "Above UCL"
    assert chart.points[16].point_type == "special_cause_concern"


def test_variation_icon_is_the_latest_point_type_and_neutral_direction_has_no_assurance():
    values = [1.0, 3.0] * 6 + [1.5] * 7
    chart = st.xmr_chart(values, improvement_direction="neutral", target=2.0)
    assert chart.points[-1].special_cause_type == "7 Points Below CL"
    assert chart.variation_icon == "special_cause_neutral_low"
    assert chart.assurance is None


@pytest.mark.parametrize(
    ("direction", "target", "assurance"),
    [
        ("decrease", 100.0, "consistent_pass"),
        ("decrease", -100.0, "consistent_fail"),
        ("increase", -100.0, "consistent_pass"),
        ("increase", 100.0, "consistent_fail"),
        ("decrease", 2.0, "inconsistent"),
    ],
)
def test_assurance_against_a_target(direction, target, assurance):
    chart = st.xmr_chart([1.0, 3.0] * 8, improvement_direction=direction, target=target)
    assert chart.assurance == assurance


def test_fewer_than_thirteen_points_carry_a_trial_limits_warning():
    assert st.xmr_chart([1.0, 2.0] * 6, improvement_direction="decrease").short_series_warning
    assert not st.xmr_chart(
        [1.0, 2.0] * 6 + [1.0], improvement_direction="decrease"
    ).short_series_warning


def test_rebased_segments_have_their_own_limits():
    chart = st.xmr_chart(
        [1.0, 2.0] * 7 + [11.0, 12.0] * 7, improvement_direction="decrease", rebase_at=[14]
    )
    first, second = chart.segments
    assert (first.mean, second.mean) == (1.5, 11.5)
    assert chart.mean == 11.5
    assert all(p.special_cause_type == "Common Cause" for p in chart.points)


def test_limits_fixed_after_twelve_points_ignore_later_points():
    values = [1.0, 2.0] * 6 + [50.0, 60.0]
    chart = st.xmr_chart(values, improvement_direction="decrease", fix_after_n_points=12)
    assert chart.mean == 1.5
    assert chart.points[-1].special_cause_type == "Above UCL"


def test_spc_series_with_a_gap_is_invalid():
    with pytest.raises(st.InvalidInput):
        st.xmr_chart([1.0, None, 2.0], improvement_direction="decrease")


# --- funnel plots -------------------------------------------------------------------------------


def test_funnel_proportion_limits_bracket_the_average_and_narrow_with_size():
    small = st.funnel_proportion_limits(average=0.07, denominator=300, confidence=0.95)
    large = st.funnel_proportion_limits(average=0.07, denominator=30_000, confidence=0.95)
    assert small[0] < large[0] < 0.07 < large[1] < small[1]


def test_funnel_proportions_flag_an_outlying_area():
    counts = [70, 72, 68, 71, 150]
    labels = st.funnel_significance_proportions(counts, [1000] * 5)
    assert labels[-1] == "High (0.001)"
    assert labels[0] == "Not significant"


def test_funnel_rate_limits_sit_where_an_area_would_become_significant():
    lower, upper = st.funnel_rate_limits(
        average_rate=4.0, denominator=5000, multiplier=1000, confidence=0.95
    )
    assert lower < 4.0 < upper
    expected_deaths = 4.0 / 1000 * 5000
    at_upper = st.poisson_count_limits(upper / 1000 * 5000, 0.95)
    assert at_upper.lower == pytest.approx(expected_deaths)


def test_funnel_dsr_with_under_ten_events_is_not_applicable():
    labels = st.funnel_significance_rates(
        counts=[5, 200, 220], rates=[50.0, 100.0, 110.0], multiplier=100_000, rate_type="dsr"
    )
    assert labels[0] == "Not applicable for events less than 10 for dsrs"


def test_funnel_crude_rate_with_no_events_needs_its_denominator():
    with pytest.raises(st.InvalidInput):
        st.funnel_significance_rates(counts=[0, 10], rates=[0.0, 1.0], multiplier=1000)
