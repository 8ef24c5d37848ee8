"""Each formula of WHATIF.md sections 2 and 5 by a case worked by hand, the inputs' refusals and
the simulation's draws reproduced from the specification's own recipe (no database)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from indicators.statistics import InvalidInput
from indicators.statistics import whatif as w
from indicators.statistics import whatif_parameters as wp
from indicators.statistics import whatif_simulation as ws

# Section 6 "By hand": 600 deaths over 3 years, 100,000 births (R = 6.0, 200 a year);
# 8,000 of 32,000 exposed (p = 25%), RR 2.0 -> r0 = 6.0 / 1.25 = 4.8.
HAND = w.Outcome("infant_mortality", 6.0, 600, 100_000, 3, "2020 - 22")
HAND_P = w.Prevalence("smoking_at_delivery", 8000, 32000, "smoking at delivery", "2021/22")


def risk(rr=2.0, lower=1.8, upper=2.2, factor="smoking_at_delivery", exposure=None):
    return wp.RelativeRisk(
        factor,
        "infant_mortality",
        exposure or "smoking at delivery",
        rr,
        lower,
        upper,
        "assumed",
        True,
        "a worked example",
        "",
        "",
        "",
    )


def test_unexposed_exposed_and_attributable_by_hand():
    est = w.estimate(HAND, HAND_P, 2.0, None)
    assert est.r0 == pytest.approx(4.8)
    assert est.r1 == pytest.approx(9.6)
    assert est.paf == pytest.approx(0.2)  # 0.25 × 1 / 1.25 = 1 - 4.8 / 6.0
    assert est.attributable_per_year == pytest.approx(40.0)  # 0.2 × 600 / 3
    # No target: nothing about a gap.
    assert (est.delta_p, est.new_prevalence, est.women, est.averted_per_year, est.enough) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert (est.scenario_rate, est.scenario_averted_per_year) == (None, None)


def test_a_protective_factor_gives_a_negative_fraction():
    # RR 0.5, p 25%: r0 = 6.0 / 0.875, PAF = -0.125 / 0.875.
    est = w.estimate(HAND, HAND_P, 0.5, None)
    assert est.r0 == pytest.approx(6.0 / 0.875)
    assert est.paf == pytest.approx(-1 / 7)


def test_scenario_rate_and_deaths_averted_by_hand():
    # p' = 10%: PIF = 0.15 × 1 / 1.25 = 0.12; R' = 4.8 × 1.1 = 5.28; 0.12 × 200 = 24.0.
    est = w.estimate(HAND, HAND_P, 2.0, None, scenario_p=0.10)
    assert est.scenario_prevalence == 0.10
    assert est.scenario_rate == pytest.approx(5.28)
    assert est.scenario_averted_per_year == pytest.approx(24.0)
    # p' = 0: the lowest rate, r0, and every attributable death.
    none = w.estimate(HAND, HAND_P, 2.0, None, scenario_p=0.0)
    assert none.scenario_rate == pytest.approx(4.8)
    assert none.scenario_averted_per_year == pytest.approx(40.0)
    # RR 3.0, p' = 10%: r0 = 6.0 / 1.5 = 4.0, R' = 4.0 × 1.2 = 4.8, PIF = 0.3 / 1.5 = 0.2.
    steep = w.estimate(HAND, HAND_P, 3.0, None, scenario_p=0.10)
    assert steep.scenario_rate == pytest.approx(4.8)
    assert steep.scenario_averted_per_year == pytest.approx(40.0)


def test_change_to_reach_a_target_by_hand():
    # T = 5.4: Δp = 0.6 / (4.8 × 1) = 0.125; k = 0.125 × 32,000 = 4,000; averted = item 3 at
    # p' = 12.5%: 0.125 / 1.25 × 200 = 20.0.
    est = w.estimate(HAND, HAND_P, 2.0, 5.4)
    assert est.target == 5.4
    assert est.delta_p == pytest.approx(0.125)
    assert est.new_prevalence == pytest.approx(0.125)
    assert est.women == pytest.approx(4000.0)
    assert est.averted_per_year == pytest.approx(20.0)
    assert est.enough is True
    # RR 3.0, T = 5.0: r0 = 4.0, Δp = 1.0 / (4.0 × 2) = 0.125; averted 0.125 × 2 / 1.5 × 200.
    steep = w.estimate(HAND, HAND_P, 3.0, 5.0)
    assert steep.delta_p == pytest.approx(0.125)
    assert steep.women == pytest.approx(4000.0)
    assert steep.averted_per_year == pytest.approx(0.25 / 1.5 * 200)


def test_target_out_of_reach_averts_every_attributable_death_and_no_more():
    # T = 4.5 < r0 = 4.8: Δp = 1.5 / 4.8 = 0.3125 > p; removing the factor reaches 4.8 and
    # averts PAF × 200 = 40.0 a year (item 3 with p' floored at 0), never more.
    est = w.estimate(HAND, HAND_P, 2.0, 4.5)
    assert est.delta_p == pytest.approx(0.3125)
    assert est.new_prevalence == pytest.approx(-0.0625)
    assert est.women == pytest.approx(10_000.0)
    assert est.enough is False
    assert est.averted_per_year == pytest.approx(40.0)


def test_target_exactly_at_the_unexposed_rate_is_enough():
    # T = r0 = 4.8: Δp = p exactly; removing the factor just reaches it (6: "Δp > p" is not enough).
    prevalence = w.Prevalence("smoking_at_delivery", 1, 4, "smoking at delivery")
    est = w.estimate(w.Outcome("infant_mortality", 5.0, 600, 100_000, 3), prevalence, 3.0, 10 / 3)
    assert est.r0 == pytest.approx(10 / 3)  # 5.0 / 1.5
    assert est.delta_p == pytest.approx(0.25)
    assert est.enough is True
    assert est.averted_per_year == pytest.approx(est.paf * 200)


def test_a_factor_without_excess_risk_cannot_close_a_gap():
    est = w.estimate(HAND, HAND_P, 1.0, 5.4)
    assert est.delta_p == math.inf
    assert est.enough is False
    assert est.paf == 0
    assert est.averted_per_year == 0


def test_no_gap_no_change():
    for target in (6.0, 6.5):  # R <= T
        est = w.estimate(HAND, HAND_P, 2.0, target)
        assert (est.delta_p, est.women, est.enough, est.averted_per_year) == (None,) * 4


@pytest.mark.parametrize(
    "outcome, prevalence, rr, message",
    [
        (w.Outcome("neonatal", 6.0, 600, 100_000, 3), HAND_P, 2.0, "unknown outcome"),
        (w.Outcome("infant_mortality", 6.0, 600, 0, 3), HAND_P, 2.0, "count, births and years"),
        (w.Outcome("infant_mortality", 6.0, -1, 100_000, 3), HAND_P, 2.0, "count, births"),
        (w.Outcome("infant_mortality", 6.0, 600, 100_000, 0), HAND_P, 2.0, "count, births"),
        (HAND, w.Prevalence("smoking_at_delivery", 1, 0, "smoking at delivery"), 2.0, "0 <="),
        (HAND, w.Prevalence("smoking_at_delivery", 0, 0, "smoking at delivery"), 2.0, "0 <="),
        (HAND, w.Prevalence("smoking_at_delivery", -1, 10, "smoking at delivery"), 2.0, "0 <="),
        (HAND, w.Prevalence("smoking_at_delivery", 11, 10, "smoking at delivery"), 2.0, "0 <="),
        (HAND, HAND_P, 0.0, "must be positive"),
        (HAND, HAND_P, -2.0, "must be positive"),
    ],
)
def test_invalid_inputs_are_refused(outcome, prevalence, rr, message):
    with pytest.raises(InvalidInput, match=message):
        w.estimate(outcome, prevalence, rr, 5.4)


def test_inputs_at_their_bounds_are_accepted():
    none_died = w.estimate(w.Outcome("infant_mortality", 0.0, 0, 1000, 1), HAND_P, 2.0, None)
    assert none_died.attributable_per_year == 0
    for count in (0, 32000):  # nobody, everybody
        prevalence = w.Prevalence("smoking_at_delivery", count, 32000, "smoking at delivery")
        est = w.estimate(HAND, prevalence, 2.0, None)
        assert est.r0 == pytest.approx(6.0 / (1 + count / 32000))
    assert w.estimate(HAND, HAND_P, 1e-9, None).r0 == pytest.approx(6.0 / 0.75, rel=1e-6)


def test_log_standard_error_from_the_95_percent_interval():
    # SE = (ln U - ln L) / (2 × 1.959964): for 1.8-2.2, ln(11/9) / 3.919928.
    assert risk().log_se == pytest.approx(math.log(2.2 / 1.8) / 3.919928, rel=1e-12)
    assert risk(lower=None, upper=None).log_se is None
    assert risk(lower=1.8, upper=None).log_se is None
    assert risk(lower=None, upper=2.2).log_se is None


def by_hand_draws(outcome, prevalence, rr_row, draws, seed, comparator_count=None, births=None):
    """Section 5's recipe: draw order rate, prevalence, RR, comparator from default_rng(seed)."""
    rng = np.random.default_rng(seed)
    rate = 1000 * rng.gamma(outcome.count + 0.5, 1.0, size=draws) / outcome.denominator
    x, n = prevalence.count, prevalence.denominator
    p = rng.beta(x + 0.5, n - x + 0.5, size=draws)  # Jeffreys prior
    if rr_row.lower is None:
        rr = np.full(draws, rr_row.rr)
    else:
        se = (math.log(rr_row.upper) - math.log(rr_row.lower)) / (2 * 1.959964)
        rr = np.exp(rng.normal(math.log(rr_row.rr), se, size=draws))
    target = None
    if comparator_count is not None:
        target = 1000 * rng.gamma(comparator_count + 0.5, 1.0, size=draws) / births
    return rate, p, rr, target


def quantiles(values):
    return [float(q) for q in np.percentile(values, [50, 10, 90, 2.5, 97.5])]


def spread_list(spread):
    return [spread.median, spread.p10, spread.p90, spread.p2_5, spread.p97_5]


def test_simulation_follows_the_recipe_with_a_skewed_prevalence_and_a_region():
    # A small, skewed prevalence (3 of 40) tells Beta(x + 0.5, N - x + 0.5) from its mirror.
    outcome = w.Outcome("infant_mortality", 6.0, 60, 10_000, 3)
    prevalence = w.Prevalence("smoking_at_delivery", 3, 40, "smoking at delivery")
    region = w.Comparator("region", value=5.0, count=500, denominator=100_000, name="the region")
    sim = ws.simulate(outcome, prevalence, risk(), region, scenario_p=0.05, draws=4000, seed=9)
    rate, p, rr, target = by_hand_draws(outcome, prevalence, risk(), 4000, 9, 500, 100_000)
    r0 = rate / (1 + p * (rr - 1))
    assert spread_list(sim.attributable_per_year) == pytest.approx(
        quantiles((1 - r0 / rate) * 20), rel=1e-9
    )
    averted = (p - 0.05) * (rr - 1) / (1 + p * (rr - 1)) * 20
    assert spread_list(sim.scenario_averted_per_year) == pytest.approx(quantiles(averted), rel=1e-9)
    gap = rate > target
    assert sim.p_gap == pytest.approx(gap.mean())
    assert sim.p_enough_given_gap == pytest.approx((r0 <= target)[gap].mean())
    k = np.zeros(4000)
    k[gap] = (rate[gap] - target[gap]) / (r0[gap] * (rr[gap] - 1)) * 40  # not capped
    assert spread_list(sim.women) == pytest.approx(quantiles(k), rel=1e-9)
    assert sim.rate_median == pytest.approx(float(np.median(rate)))
    assert (sim.draws, sim.seed) == (4000, 9)


def test_simulation_holds_an_rr_without_interval_fixed_and_a_user_target_fixed():
    outcome = w.Outcome("infant_mortality", 6.0, 60, 10_000, 3)
    prevalence = w.Prevalence("smoking_at_delivery", 3, 40, "smoking at delivery")
    fixed = risk(lower=None, upper=None)
    target = w.Comparator("target", value=5.5, name="the target")
    sim = ws.simulate(outcome, prevalence, fixed, target, draws=3000, seed=4)
    rate, p, rr, _ = by_hand_draws(outcome, prevalence, fixed, 3000, 4)
    r0 = rate / (1 + p * (rr - 1))
    assert spread_list(sim.attributable_per_year) == pytest.approx(
        quantiles((1 - r0 / rate) * 20), rel=1e-9
    )
    gap = rate > 5.5
    assert sim.p_gap == pytest.approx(gap.mean())
    assert sim.p_enough_given_gap == pytest.approx((r0 <= 5.5)[gap].mean())
    assert sim.scenario_averted_per_year is None


def test_simulation_without_comparator_or_gap():
    outcome = w.Outcome("infant_mortality", 6.0, 600, 100_000, 3)
    none = ws.simulate(outcome, HAND_P, risk(), None, draws=500)
    assert (none.p_gap, none.p_enough_given_gap, none.women) == (None, None, None)
    far_above = w.Comparator("target", value=50.0)
    never = ws.simulate(outcome, HAND_P, risk(), far_above, draws=500)
    assert never.p_gap == 0 and never.p_enough_given_gap is None
    assert spread_list(never.women) == [0, 0, 0, 0, 0]  # k* = 0 where there is no gap
    unset = w.Comparator("region", value=None)  # a region without a rate: no comparator draws
    assert ws.simulate(outcome, HAND_P, risk(), unset, draws=500).p_gap is None


def test_region_without_its_count_is_held_at_its_rate():
    outcome = w.Outcome("infant_mortality", 6.0, 600, 100_000, 3)
    region = w.Comparator("region", value=5.4)
    sim = ws.simulate(outcome, HAND_P, risk(), region, draws=2000, seed=2)
    rate, *_ = by_hand_draws(outcome, HAND_P, risk(), 2000, 2)
    assert sim.p_gap == pytest.approx((rate > 5.4).mean())


@pytest.mark.parametrize("draws", [100, 200_000])
def test_draws_at_their_bounds_are_accepted(draws):
    assert ws.simulate(HAND, HAND_P, risk(), None, draws=draws).draws == draws


@pytest.mark.parametrize("draws", [99, 200_001])
def test_draws_outside_their_bounds_are_refused(draws):
    with pytest.raises(InvalidInput, match="between 100 and 200,000"):
        ws.simulate(HAND, HAND_P, risk(), None, draws=draws)
    with pytest.raises(InvalidInput, match="between 100 and 200,000"):
        ws.simulate_joint(HAND, [HAND_P], [risk()], None, draws=draws)


def test_joint_fractions_by_hand():
    # A: p 25%, RR 2 (PAF 0.2); B: p 50%, RR 1.4 (PAF 0.2 / 1.2 = 1/6).
    joint = w.joint_scenario(6.0, [(0.25, 2.0, None), (0.5, 1.4, None)])
    assert joint.paf == pytest.approx(1 - 0.8 * 5 / 6)
    assert joint.r0 == pytest.approx(6.0 / (1.25 * 1.2))
    assert (joint.pif, joint.scenario_rate) == (None, None)
    # Scenario A 10%, B 25%: after = 1.1 × 1.1 = 1.21; PIF = 1 - 1.21 / 1.5; R' = 6.0 × 1.21 / 1.5.
    both = w.joint_scenario(6.0, [(0.25, 2.0, 0.10), (0.5, 1.4, 0.25)])
    assert both.pif == pytest.approx(1 - 1.21 / 1.5)
    assert both.scenario_rate == pytest.approx(6.0 * 1.21 / 1.5)
    # A scenario for only some factors is no joint scenario.
    part = w.joint_scenario(6.0, [(0.25, 2.0, 0.10), (0.5, 1.4, None)])
    assert (part.pif, part.scenario_rate) == (None, None)
    with pytest.raises(InvalidInput, match="at least one factor"):
        w.joint_scenario(6.0, [])


B = w.Prevalence("obese_bmi30", 16000, 32000, "BMI 30 or more in early pregnancy", "2021/22")


def test_joint_estimates_by_hand():
    # r0_joint = 6.0 / 1.5 = 4.0; PAF 1/3, 200 a year -> 66.7; scenario A 10%, B 25%.
    est = w.estimate_joint(HAND, [HAND_P, B], [2.0, 1.4], 5.0, [0.10, 0.25])
    assert est.r0 == pytest.approx(4.0)
    assert est.paf == pytest.approx(1 / 3)
    assert est.attributable_per_year == pytest.approx(200 / 3)
    assert est.enough is True
    assert est.scenario_prevalences == (0.10, 0.25)
    assert est.pif == pytest.approx(1 - 1.21 / 1.5)
    assert est.scenario_rate == pytest.approx(4.84)
    assert est.scenario_averted_per_year == pytest.approx((1 - 1.21 / 1.5) * 200)
    assert est.target == 5.0 and est.women is None
    assert w.estimate_joint(HAND, [HAND_P, B], [2.0, 1.4], 3.9).enough is False
    assert w.estimate_joint(HAND, [HAND_P, B], [2.0, 1.4], 4.0).enough is True
    assert w.estimate_joint(HAND, [HAND_P, B], [2.0, 1.4], 6.0).enough is None
    plain = w.estimate_joint(HAND, [HAND_P, B], [2.0, 1.4], None)
    assert (plain.enough, plain.pif, plain.scenario_averted_per_year) == (None, None, None)
    with pytest.raises(InvalidInput, match="must be positive"):
        w.estimate_joint(HAND, [HAND_P, B], [2.0, 0.0], None)


def test_joint_simulation_follows_the_recipe():
    outcome = w.Outcome("infant_mortality", 6.0, 60, 10_000, 3)
    a = w.Prevalence("smoking_at_delivery", 3, 40, "smoking at delivery")
    b = w.Prevalence("obese_bmi30", 30, 50, "BMI 30 or more in early pregnancy")
    rr_a, rr_b = risk(), risk(1.4, None, None, "obese_bmi30", "BMI 30 or more in early pregnancy")
    region = w.Comparator("region", value=5.0, count=500, denominator=100_000)
    sim = ws.simulate_joint(outcome, [a, b], [rr_a, rr_b], region, [0.05, 0.2], 3000, 6)
    rng = np.random.default_rng(6)
    rate = 1000 * rng.gamma(60.5, 1.0, size=3000) / 10_000
    pa = rng.beta(3.5, 37.5, size=3000)
    pb = rng.beta(30.5, 20.5, size=3000)
    se = (math.log(2.2) - math.log(1.8)) / (2 * 1.959964)
    ra = np.exp(rng.normal(math.log(2.0), se, size=3000))
    rb = np.full(3000, 1.4)
    target = 1000 * rng.gamma(500.5, 1.0, size=3000) / 100_000
    now = (1 + pa * (ra - 1)) * (1 + pb * (rb - 1))
    after = (1 + 0.05 * (ra - 1)) * (1 + 0.2 * (rb - 1))
    assert spread_list(sim.attributable_per_year) == pytest.approx(
        quantiles((1 - 1 / now) * 20), rel=1e-9
    )
    assert spread_list(sim.scenario_averted_per_year) == pytest.approx(
        quantiles((1 - after / now) * 20), rel=1e-9
    )
    gap = rate > target
    assert sim.p_gap == pytest.approx(gap.mean())
    assert sim.p_enough_given_gap == pytest.approx((rate / now <= target)[gap].mean())
    assert sim.women is None and (sim.draws, sim.seed) == (3000, 6)
    assert sim.rate_median == pytest.approx(float(np.median(rate)))
    never = ws.simulate_joint(outcome, [a, b], [rr_a, rr_b], w.Comparator("target", 99.0))
    assert never.p_gap == 0 and never.p_enough_given_gap is None
    assert ws.simulate_joint(outcome, [a, b], [rr_a, rr_b], None).p_gap is None


def test_classify_first_match_wins():
    limits = dict(lower95=5.5, upper95=6.5)
    outcome = w.Outcome("infant_mortality", 6.0, 600, 100_000, 3, **limits)

    def case(target, r0=4.8):
        est = w.estimate(outcome, HAND_P, 2.0, target)
        return w.classify(outcome, dataclasses.replace(est, r0=r0))

    assert case(None) == "not_calculated"
    assert case(6.0) == "already_better"  # R <= T
    assert case(5.5) == "not_significant"  # T on the lower limit: inside the CI
    assert case(5.49) == "significant_gap"
    assert case(5.49, r0=5.49) == "significant_gap"  # r0 = T: enough
    assert case(5.49, r0=5.491) == "not_enough"
    # Already better comes before not significant; not significant before not enough.
    assert case(4.0) == "not_enough"
    assert (
        w.classify(
            w.Outcome("infant_mortality", 6.0, 600, 100_000, 3, lower95=3.0, upper95=9.0),
            w.estimate(outcome, HAND_P, 2.0, 4.0),
        )
        == "not_significant"
    )


def test_limits_are_the_published_ones_else_from_count_and_births():
    assert w.Outcome("infant_mortality", 6.0, 600, 100_000, 3, "", 5.1, 6.9).limits() == (5.1, 6.9)
    lower, upper = w.Outcome("infant_mortality", 6.0, 600, 100_000, 3, "", 5.1, None).limits()
    assert (round(lower, 1), round(upper, 1)) == (5.5, 6.5)  # section 6: 95% CI 5.5-6.5
    lower, upper = w.Outcome("infant_mortality", 6.0, 600, 100_000, 3, "", None, 6.9).limits()
    assert (round(lower, 1), round(upper, 1)) == (5.5, 6.5)


def test_best_quartile_by_hand():
    # m = 5: rank (5 - 1) × 0.25 + 1 = 2, the second lowest.
    assert w.best_quartile([9.0, 2.0, 7.0, 4.0, 3.0]) == 3.0
    # m = 7: rank 2.5, halfway between 2.0 and 3.0.
    assert w.best_quartile([7.0, 1.0, 6.0, 3.0, 2.0, 5.0, 4.0]) == pytest.approx(2.5)
    with pytest.raises(InvalidInput, match="fewer than 5 areas"):
        w.best_quartile([1.0, 2.0, 3.0, 4.0])


def test_rounding_rules():
    # Women to 2 significant figures.
    assert w.round_significant(129.8) == 130
    assert w.round_significant(181.4) == 180
    assert w.round_significant(4049.0) == 4000
    assert w.round_significant(0.01234) == pytest.approx(0.012)
    assert w.round_significant(-129.8) == -130
    assert w.round_significant(0) == 0
    assert w.round_significant(math.inf) == math.inf
    assert w.round_significant(129.8, 3) == 130
    assert w.round_significant(1234.5, 3) == 1230
    assert w.women_text(1619, 1619) == "1,600"  # all of them is not "more than all"
    assert w.women_text(1619.5, 1619) == "more than all 1,619 women"
    assert w.women_text(25_449, 30_000) == "25,000"
    # Rates and deaths a year to 1 decimal; probabilities to whole percent.
    assert w.one_decimal(4.263) == "4.3"
    assert w.one_decimal(1234.56) == "1,234.6"
    assert w.percent(0.4799) == "48%"
    assert w.percent(0.126) == "13%"


def test_edges_the_first_cases_missed():
    # Exact arithmetic: R 5, p 1/4, RR 5 -> r0 = 5 / 2 = 2.5; T = r0 gives Δp = p: enough.
    edge = w.estimate(w.Outcome("infant_mortality", 5.0, 600, 100_000, 3), HAND_P, 5.0, 2.5)
    assert edge.delta_p == 0.25 and edge.enough is True
    # One birth and one woman are a denominator.
    one = w.estimate(
        w.Outcome("infant_mortality", 0.0, 0, 1, 1),
        w.Prevalence("smoking_at_delivery", 1, 1, "smoking at delivery"),
        2.0,
        None,
    )
    assert one.r0 == 0
    # The limits from count and births are per 1,000.
    from indicators.statistics.intervals import crude_rate

    crude = crude_rate(count=600, denominator=100_000, multiplier=1000)
    assert w.Outcome("infant_mortality", 6.0, 600, 100_000, 3).limits() == (
        crude.lower,
        crude.upper,
    )


def test_a_user_target_is_fixed_even_with_a_count():
    outcome = w.Outcome("infant_mortality", 6.0, 600, 100_000, 3)
    target = w.Comparator("target", value=6.0, count=500, denominator=100_000)
    sim = ws.simulate(outcome, HAND_P, risk(), target, draws=2000, seed=2)
    rate, *_ = by_hand_draws(outcome, HAND_P, risk(), 2000, 2)
    assert sim.p_gap == pytest.approx((rate > 6.0).mean())


def test_joint_simulation_bounds_seed_and_no_scenario():
    b = w.Prevalence("obese_bmi30", 16000, 32000, "BMI 30 or more in early pregnancy")
    rr_b = risk(1.4, None, None, "obese_bmi30", "BMI 30 or more in early pregnancy")
    assert ws.simulate_joint(HAND, [HAND_P, b], [risk(), rr_b], None, draws=100).draws == 100
    assert ws.simulate_joint(HAND, [HAND_P, b], [risk(), rr_b], None, draws=200_000).draws
    members = tuple((float(5 + i), 1000.0) for i in range(8))  # rates 5-12 per 1,000
    group = w.Comparator("best_quartile", value=6.75, members=members)
    first = ws.simulate_joint(HAND, [HAND_P, b], [risk(), rr_b], group, draws=500, seed=3)
    ws._kept_best_quartile_draws.cache_clear()
    again = ws.simulate_joint(HAND, [HAND_P, b], [risk(), rr_b], group, draws=500, seed=3)
    assert first == again and 0 < first.p_gap < 1
    assert first.p_gap == pytest.approx(
        (
            by_hand_draws(HAND, HAND_P, risk(), 500, 3)[0]
            > ws._best_quartile_draws(members, 500, 3)
        ).mean()
    )
    assert first.scenario_averted_per_year is None
