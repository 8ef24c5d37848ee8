"""Properties every confidence interval and comparison must keep, checked with hypothesis."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as strategies

from indicators import statistics as st

BOUNDED = settings(max_examples=200, deadline=None)

deaths = strategies.integers(min_value=0, max_value=5000)
births = strategies.floats(min_value=1.0, max_value=1e6, allow_nan=False, allow_infinity=False)
confidences = strategies.sampled_from([0.9, 0.95, 0.99, 0.998])
multipliers = strategies.sampled_from([1.0, 100.0, 1000.0, 100_000.0])
scale_factors = strategies.integers(min_value=2, max_value=50)
polarities = strategies.sampled_from(list(st.Polarity))


@strategies.composite
def proportions(draw):
    denominator = draw(strategies.integers(min_value=1, max_value=200_000))
    count = draw(strategies.integers(min_value=0, max_value=denominator))
    return count, denominator


def _rate(count, denominator, multiplier=1000.0, confidence=0.95):
    return st.crude_rate(
        count=count, denominator=denominator, multiplier=multiplier, confidence=confidence
    )


def _proportion(count, denominator, multiplier=100.0, confidence=0.95):
    return st.wilson_proportion(
        count=count, denominator=denominator, multiplier=multiplier, confidence=confidence
    )


@BOUNDED
@given(count=deaths, denominator=births, multiplier=multipliers, confidence=confidences)
def test_rate_limits_bracket_the_value(count, denominator, multiplier, confidence):
    estimate = _rate(count, denominator, multiplier, confidence)
    assert 0 <= estimate.lower <= estimate.value <= estimate.upper


@BOUNDED
@given(pair=proportions(), multiplier=multipliers, confidence=confidences)
def test_proportion_limits_bracket_the_value_and_stay_within_the_scale(
    pair, multiplier, confidence
):
    estimate = _proportion(*pair, multiplier, confidence)
    assert 0 <= estimate.lower <= estimate.value * (1 + 1e-12) + 1e-12
    assert estimate.value <= estimate.upper * (1 + 1e-12) + 1e-12
    assert estimate.upper <= multiplier


@BOUNDED
@given(count=deaths, denominator=births)
def test_rate_99_8_interval_contains_the_95_interval(count, denominator):
    both = st.rate_at_standard_levels(count=count, denominator=denominator, multiplier=1000)
    assert both.lower998 <= both.lower95 <= both.upper95 <= both.upper998


@BOUNDED
@given(pair=proportions())
def test_proportion_99_8_interval_contains_the_95_interval(pair):
    count, denominator = pair
    both = st.proportion_at_standard_levels(count=count, denominator=denominator, multiplier=100)
    assert both.lower998 <= both.lower95 <= both.upper95 <= both.upper998


@BOUNDED
@given(count=deaths, denominator=births, factor=scale_factors, confidence=confidences)
def test_rate_interval_shrinks_as_births_grow_at_a_fixed_rate(
    count, denominator, factor, confidence
):
    small = _rate(count, denominator, confidence=confidence)
    large = _rate(count * factor, denominator * factor, confidence=confidence)
    assert large.value == small.value or abs(large.value - small.value) <= 1e-9 * small.value
    assert large.upper - large.lower < small.upper - small.lower


@BOUNDED
@given(pair=proportions(), factor=scale_factors, confidence=confidences)
def test_proportion_interval_shrinks_as_the_denominator_grows_at_a_fixed_rate(
    pair, factor, confidence
):
    count, denominator = pair
    small = _proportion(count, denominator, confidence=confidence)
    large = _proportion(count * factor, denominator * factor, confidence=confidence)
    assert large.upper - large.lower < small.upper - small.lower


@BOUNDED
@given(
    count=strategies.integers(min_value=0, max_value=2000),
    denominator=strategies.floats(min_value=100.0, max_value=1e5),
    benchmark=strategies.floats(min_value=0.01, max_value=50.0),
    factor=scale_factors,
    polarity=polarities,
)
def test_rate_comparison_label_survives_scaling_that_keeps_the_interval_on_its_side(
    count, denominator, benchmark, factor, polarity
):
    small = _rate(count, denominator)
    large = _rate(count * factor, denominator * factor)

    def side(estimate):
        return (estimate.lower > benchmark) - (estimate.upper < benchmark)

    # Scaling narrows the interval around the same rate, so a significant difference stays put;
    # "similar" survives only while the narrower interval still holds the benchmark.
    assume(side(small) == side(large))
    labels = [
        st.compare_ci_overlap(
            value=e.value, lower=e.lower, upper=e.upper, benchmark=benchmark, polarity=polarity
        )
        for e in (small, large)
    ]
    assert labels[0] == labels[1]


@BOUNDED
@given(
    count=strategies.integers(min_value=0, max_value=2000),
    denominator=strategies.floats(min_value=100.0, max_value=1e5),
    benchmark=strategies.floats(min_value=0.01, max_value=50.0),
    factor=scale_factors,
)
def test_a_significant_rate_difference_stays_significant_when_count_and_births_scale_up(
    count, denominator, benchmark, factor
):
    small = _rate(count, denominator)
    large = _rate(count * factor, denominator * factor)
    label = st.compare_ci_overlap(
        value=small.value,
        lower=small.lower,
        upper=small.upper,
        benchmark=benchmark,
        polarity=st.Polarity.LOW_IS_GOOD,
    )
    assume(label != st.Comparison.SIMILAR)
    scaled = st.compare_ci_overlap(
        value=large.value,
        lower=large.lower,
        upper=large.upper,
        benchmark=benchmark,
        polarity=st.Polarity.LOW_IS_GOOD,
    )
    assert scaled == label


@BOUNDED
@given(
    pair=proportions(),
    benchmark=strategies.floats(min_value=0.1, max_value=99.9),
    factor=scale_factors,
)
def test_a_significant_proportion_difference_stays_significant_when_scaled_up(
    pair, benchmark, factor
):
    count, denominator = pair
    small = _proportion(count, denominator)
    large = _proportion(count * factor, denominator * factor)
    label = st.compare_ci_overlap(
        value=small.value,
        lower=small.lower,
        upper=small.upper,
        benchmark=benchmark,
        polarity=st.Polarity.HIGH_IS_GOOD,
    )
    assume(label != st.Comparison.SIMILAR)
    scaled = st.compare_ci_overlap(
        value=large.value,
        lower=large.lower,
        upper=large.upper,
        benchmark=benchmark,
        polarity=st.Polarity.HIGH_IS_GOOD,
    )
    assert scaled == label


@BOUNDED
@given(
    lower=strategies.floats(min_value=-100, max_value=100),
    width=strategies.floats(min_value=0, max_value=50),
    benchmark=strategies.floats(min_value=-150, max_value=150),
)
def test_mirroring_the_data_swaps_low_is_good_for_high_is_good(lower, width, benchmark):
    upper = lower + width
    low_good = st.compare_ci_overlap(
        value=lower, lower=lower, upper=upper, benchmark=benchmark, polarity=st.Polarity.LOW_IS_GOOD
    )
    high_good_mirrored = st.compare_ci_overlap(
        value=-lower,
        lower=-upper,
        upper=-lower,
        benchmark=-benchmark,
        polarity=st.Polarity.HIGH_IS_GOOD,
    )
    assert low_good == high_good_mirrored


@BOUNDED
@given(
    values=strategies.lists(
        strategies.integers(min_value=0, max_value=40), min_size=13, max_size=40
    ),
    shift=strategies.integers(min_value=-1000, max_value=1000),
)
def test_spc_labels_do_not_change_when_every_value_moves_by_the_same_amount(values, shift):
    # Integers keep the arithmetic exact, so points on the mean stay exactly on it.
    original = st.xmr_chart([float(v) for v in values], improvement_direction="decrease")
    moved = st.xmr_chart([float(v + shift) for v in values], improvement_direction="decrease")
    assert [p.special_cause_type for p in moved.points] == [
        p.special_cause_type for p in original.points
    ]
    assert abs((moved.upl - moved.lpl) - (original.upl - original.lpl)) < 1e-9
