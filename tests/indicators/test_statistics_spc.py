"""XmR (SPC) charts by the rules of STATISTICS.md section 8, one rule per test.

The public vectors check the package vignette's limits and three label patterns; these cases pin
the rest of section 8: fixed and rebased limits, the trial-limits threshold, each special-cause
rule in both directions with the edge that breaks it, point types for every direction, and the
assurance against a target. Most fix the limits on a 12-point baseline (0, 1, 0, 1, ...: mean
0.5, mean moving range 1), so the points after it are judged against known limits:
UPL 3.16, LPL -2.16, and near limits 0.5 +/- 1.7733 (2.2733 and -1.2733).
"""

from __future__ import annotations

import pytest

from indicators.statistics import InvalidInput
from indicators.statistics.spc import Assurance, PointType, xmr_chart

BASELINE = [0.0, 1.0] * 6  # the last baseline point, 1.0, is above the mean
COMMON = "Common Cause"


def fixed(after: list[float], direction: str = "decrease", **options):
    return xmr_chart(
        BASELINE + after, improvement_direction=direction, fix_after_n_points=12, **options
    )


def labels_after_baseline(chart) -> list[str]:
    return [p.special_cause_type for p in chart.points[12:]]


# --- 8.1 centre line and limits -------------------------------------------------------------


def test_limits_fixed_after_twelve_points_come_from_those_points_only():
    chart = fixed([9.0, 9.0, 9.0])
    assert chart.mean == pytest.approx(0.5)
    assert chart.segments[0].mean_moving_range == pytest.approx(1.0)
    assert (chart.lpl, chart.upl) == (pytest.approx(0.5 - 2.66), pytest.approx(0.5 + 2.66))
    near = chart.segments[0]
    assert (near.near_lpl, near.near_upl) == (
        pytest.approx(0.5 - 2 * 2.66 / 3),
        pytest.approx(0.5 + 2 * 2.66 / 3),
    )
    assert labels_after_baseline(chart) == ["Above UCL"] * 3


def test_limits_cannot_be_fixed_on_fewer_than_twelve_points():
    with pytest.raises(InvalidInput, match="12 or more points"):
        xmr_chart(BASELINE, improvement_direction="decrease", fix_after_n_points=11)


def test_each_rebased_segment_has_its_own_limits():
    chart = xmr_chart(
        [1.0, 2.0] * 4 + [11.0, 12.0] * 4, improvement_direction="decrease", rebase_at=[8]
    )
    first, second = chart.segments
    assert (first.start, first.stop, first.mean) == (0, 8, pytest.approx(1.5))
    assert (second.start, second.stop, second.mean) == (8, 16, pytest.approx(11.5))
    assert chart.mean == pytest.approx(11.5)  # the latest segment's
    assert [p.segment for p in chart.points] == [0] * 8 + [1] * 8
    assert {p.special_cause_type for p in chart.points} == {COMMON}


@pytest.mark.parametrize("rebase_at", [[16], [-1], [15]])
def test_rebase_outside_the_series_or_leaving_one_point_is_invalid(rebase_at):
    message = "at least 2 points" if rebase_at == [15] else "inside the series"
    with pytest.raises(InvalidInput, match=message):
        xmr_chart([1.0, 2.0] * 8, improvement_direction="decrease", rebase_at=rebase_at)


def test_fewer_than_13_points_are_trial_limits():
    assert xmr_chart([1.0, 2.0] * 6, improvement_direction="increase").short_series_warning
    thirteen = xmr_chart([1.0, 2.0] * 6 + [1.0], improvement_direction="increase")
    assert not thirteen.short_series_warning


@pytest.mark.parametrize(
    ("values", "message"),
    [
        pytest.param([4.0], "at least 2 points", id="one_point"),
        pytest.param([4.0, None, 4.2], "gaps", id="a_gap"),
    ],
)
def test_series_too_short_or_with_a_gap_is_invalid(values, message):
    with pytest.raises(InvalidInput, match=message):
        xmr_chart(values, improvement_direction="decrease")


@pytest.mark.parametrize("lengths", [{"trend_length": 1}, {"shift_length": 1}])
def test_run_lengths_below_two_are_invalid(lengths):
    with pytest.raises(InvalidInput, match="at least 2"):
        xmr_chart([1.0, 2.0] * 7, improvement_direction="decrease", **lengths)


def test_run_lengths_of_two_are_allowed():
    chart = xmr_chart([1.0, 2.0] * 7, improvement_direction="decrease", trend_length=2)
    assert chart.points[0].special_cause_type == "2 Point Trend (Increasing)"
    chart = fixed([0.2, 0.2], shift_length=2)
    assert labels_after_baseline(chart) == ["2 Points Below CL"] * 2


def test_two_points_make_a_chart():
    # One moving range of 1: limits 1.5 +/- 2.66.
    chart = xmr_chart([1.0, 2.0], improvement_direction="increase")
    assert (chart.lpl, chart.mean, chart.upl) == (
        pytest.approx(-1.16),
        pytest.approx(1.5),
        pytest.approx(4.16),
    )


def test_each_point_carries_its_value_and_its_segments_centre_and_limits():
    chart = xmr_chart(
        [1.0, 2.0] * 4 + [11.0, 12.0] * 4, improvement_direction="decrease", rebase_at=[8]
    )
    for point in chart.points:
        segment = chart.segments[point.segment]
        assert (point.mean, point.lpl, point.upl) == (segment.mean, segment.lpl, segment.upl)
    assert [p.value for p in chart.points] == [1.0, 2.0] * 4 + [11.0, 12.0] * 4


def test_outlier_screening_does_not_depend_on_the_scale():
    # The vignette's data divided by 10 give its screened limits divided by 10.
    values = [v / 10 for v in [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]]
    chart = xmr_chart(values, improvement_direction="increase")
    assert (chart.lpl, chart.mean, chart.upl) == (
        pytest.approx(-0.07155555555555557),
        pytest.approx(0.19444444444444444),
        pytest.approx(0.4604444444444445),
    )


def test_a_flat_series_has_its_limits_on_the_mean_and_no_special_cause():
    chart = xmr_chart([4.0] * 14, improvement_direction="decrease")
    assert (chart.lpl, chart.mean, chart.upl) == (4.0, 4.0, 4.0)
    assert {p.special_cause_type for p in chart.points} == {COMMON}


# --- 8.2 special-cause rules ----------------------------------------------------------------


def test_a_point_on_a_limit_is_not_outside_it():
    # 8.2: outside means strictly beyond; the limits here are exactly 0.5 +/- 2.66.
    chart = fixed([0.5 + 2.66 * 1.0, 0.5 - 2.66 * 1.0])
    assert labels_after_baseline(chart) == [COMMON, COMMON]


def test_a_point_on_a_near_limit_is_not_in_the_band():
    # "Beyond" the near limit: -1.2733 itself is not, so only one of three is in the band.
    on_near = 0.5 - (2 * 2.66 / 3) * 1.0
    chart = fixed([on_near, -1.0, -1.5])
    assert labels_after_baseline(chart) == [COMMON] * 3
    chart = fixed([1.5, 2.2733333333333334 + 1e-9, 2.5])
    assert labels_after_baseline(chart) == [COMMON, "2 in 3 Above CL", "2 in 3 Above CL"]
    on_upper = 0.5 + (2 * 2.66 / 3) * 1.0
    chart = fixed([1.5, on_upper, 2.5])
    assert labels_after_baseline(chart) == [COMMON] * 3


def test_shifts_from_the_first_point_and_after_a_point_on_the_other_side():
    # Mean 2.5, limits -0.57 and 5.57, near limits 0.45 and 4.55: seven below, seven above.
    halves = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 4.0, 3.0, 4.0, 3.0, 4.0, 3.0, 4.0]
    chart = xmr_chart(halves, improvement_direction="decrease")
    assert [p.special_cause_type for p in chart.points] == ["7 Points Below CL"] * 7 + [
        "7 Points Above CL"
    ] * 7
    # One point above the mean (2.6) first: the seven below still make a shift.
    chart = xmr_chart([4.0, *halves], improvement_direction="decrease")
    assert [p.special_cause_type for p in chart.points[:8]] == [COMMON] + ["7 Points Below CL"] * 7


def test_a_point_below_the_lower_limit_is_below_lcl():
    chart = fixed([-3.0])
    assert labels_after_baseline(chart) == ["Below LCL"]
    assert chart.points[-1].point_type is PointType.IMPROVEMENT  # lower is better


def test_two_of_three_in_the_lower_band_flags_only_the_points_in_the_band():
    chart = fixed([-1.5, -1.0, -1.5])
    assert labels_after_baseline(chart) == ["2 in 3 Below CL", COMMON, "2 in 3 Below CL"]


def test_a_point_outside_the_limits_does_not_count_toward_two_of_three():
    chart = fixed([-1.5, -1.0, -3.0])
    assert labels_after_baseline(chart) == [COMMON, COMMON, "Below LCL"]


def test_seven_falling_points_are_a_decreasing_trend():
    # From the baseline's last point (1.0) six strictly falling steps: seven points.
    chart = fixed([0.9, 0.8, 0.7, 0.6, 0.4, 0.3])
    trend = "7 Point Trend (Decreasing)"
    assert [p.special_cause_type for p in chart.points[11:]] == [trend] * 7
    assert chart.points[-1].point_type is PointType.IMPROVEMENT


def test_six_falling_points_are_not_a_trend():
    chart = fixed([0.9, 0.8, 0.7, 0.6, 0.4])
    assert set(labels_after_baseline(chart)) == {COMMON}


def test_a_tie_breaks_a_trend():
    chart = fixed([0.9, 0.8, 0.8, 0.7, 0.6, 0.4, 0.3])
    assert set(labels_after_baseline(chart)) == {COMMON}


def test_seven_points_below_the_mean_are_a_shift():
    chart = fixed([0.2] * 7)
    assert labels_after_baseline(chart) == ["7 Points Below CL"] * 7
    assert chart.points[-1].point_type is PointType.IMPROVEMENT


def test_six_points_below_the_mean_are_not_a_shift():
    chart = fixed([0.2] * 6)
    assert set(labels_after_baseline(chart)) == {COMMON}


def test_a_point_on_the_mean_breaks_a_shift():
    chart = fixed([0.2] * 4 + [0.5] + [0.2] * 4)
    assert set(labels_after_baseline(chart)) == {COMMON}


def test_run_lengths_can_be_set_to_six():
    chart = fixed([0.2] * 6, shift_length=6)
    assert labels_after_baseline(chart) == ["6 Points Below CL"] * 6
    chart = fixed([0.9, 0.8, 0.7, 0.6, 0.4], trend_length=6)
    assert labels_after_baseline(chart) == ["6 Point Trend (Decreasing)"] * 5


# --- 8.3 point type, icon and assurance -------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "above", "below"),
    [
        ("increase", PointType.IMPROVEMENT, PointType.CONCERN),
        ("decrease", PointType.CONCERN, PointType.IMPROVEMENT),
        ("neutral", PointType.NEUTRAL_HIGH, PointType.NEUTRAL_LOW),
    ],
)
def test_point_type_follows_the_improvement_direction(direction, above, below):
    chart = fixed([9.0, -9.0, 0.0], direction=direction)
    assert [p.point_type for p in chart.points[12:]] == [above, below, PointType.COMMON_CAUSE]
    assert chart.variation_icon is PointType.COMMON_CAUSE  # the latest point's type
    assert fixed([9.0], direction=direction).variation_icon is above


@pytest.mark.parametrize(
    ("direction", "target", "assurance"),
    [
        ("increase", 3.2, Assurance.CONSISTENT_FAIL),
        ("increase", -2.2, Assurance.CONSISTENT_PASS),
        ("increase", 0.5, Assurance.INCONSISTENT),
        ("decrease", 3.2, Assurance.CONSISTENT_PASS),
        ("decrease", -2.2, Assurance.CONSISTENT_FAIL),
        ("decrease", 3.1, Assurance.INCONSISTENT),
        ("decrease", -2.1, Assurance.INCONSISTENT),
        ("neutral", 3.2, None),
    ],
)
def test_assurance_compares_the_target_with_the_latest_limits(direction, target, assurance):
    # Limits -2.16 and 3.16.
    assert fixed([0.5], direction=direction, target=target).assurance is assurance


def test_a_target_on_a_limit_is_hit_and_miss():
    chart = fixed([0.5], direction="increase")
    for target in (chart.upl, chart.lpl):
        assert fixed([0.5], direction="increase", target=target).assurance is (
            Assurance.INCONSISTENT
        )


def test_no_target_gives_no_assurance():
    assert fixed([0.5], direction="increase").assurance is None
