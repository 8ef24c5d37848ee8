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
    with pytest.raises(InvalidInput):
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
    with pytest.raises(InvalidInput):
        xmr_chart([1.0, 2.0] * 8, improvement_direction="decrease", rebase_at=rebase_at)


def test_fewer_than_13_points_are_trial_limits():
    assert xmr_chart([1.0, 2.0] * 6, improvement_direction="increase").short_series_warning
    thirteen = xmr_chart([1.0, 2.0] * 6 + [1.0], improvement_direction="increase")
    assert not thirteen.short_series_warning


@pytest.mark.parametrize(
    "values",
    [pytest.param([4.0], id="one_point"), pytest.param([4.0, None, 4.2], id="a_gap")],
)
def test_series_too_short_or_with_a_gap_is_invalid(values):
    with pytest.raises(InvalidInput):
        xmr_chart(values, improvement_direction="decrease")


@pytest.mark.parametrize("lengths", [{"trend_length": 1}, {"shift_length": 1}])
def test_run_lengths_below_two_are_invalid(lengths):
    with pytest.raises(InvalidInput):
        xmr_chart([1.0, 2.0] * 7, improvement_direction="decrease", **lengths)


def test_a_flat_series_has_its_limits_on_the_mean_and_no_special_cause():
    chart = xmr_chart([4.0] * 14, improvement_direction="decrease")
    assert (chart.lpl, chart.mean, chart.upl) == (4.0, 4.0, 4.0)
    assert {p.special_cause_type for p in chart.points} == {COMMON}


# --- 8.2 special-cause rules ----------------------------------------------------------------


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


def test_no_target_gives_no_assurance():
    assert fixed([0.5], direction="increase").assurance is None
