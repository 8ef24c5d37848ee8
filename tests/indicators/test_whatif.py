"""The what-if method against every worked number in the WHATIF specification (section 6)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indicators.statistics import InvalidInput
from indicators.statistics import whatif as w
from indicators.statistics import whatif_parameters as wp
from indicators.statistics import whatif_simulation as ws
from indicators.statistics.whatif_wording import word, word_joint

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "whatif" / "relative_risks.csv"
SETS = wp.read_parameter_sets(FIXTURE)
DEFAULT = wp.latest_set(SETS)

# The report's inputs (section 6): Lancashire infant mortality 2014-16, target 4.481.
IMR = w.Outcome("infant_mortality", 4.5, 177, 39333, 3, "2014 - 16")
SMOKING = w.Prevalence("smoking_at_delivery", 1619, 11647, "smoking at delivery", "2017/18")
BMI25 = w.Prevalence(
    "overweight_obese_bmi25", 6190, 12137, "BMI 25 or more in early pregnancy", "2017"
)
NORTH_WEST = w.Comparator("target", value=4.481, name="the North West")


def report(prevalence, **kwargs):
    return w.run("Lancashire", IMR, prevalence, DEFAULT, NORTH_WEST, **kwargs)


def test_parameter_set_holds_every_relative_risk_of_the_specification_with_citations():
    assert (DEFAULT.name, DEFAULT.version) == ("default", 1)
    expected = {
        ("smoking_at_delivery", "infant_mortality"): (1.40, 1.30, 1.51, "Salihu"),
        ("smoking_at_delivery", "stillbirth"): (1.46, 1.38, 1.54, "Pineles"),
        ("obese_bmi30", "infant_mortality"): (1.42, 1.24, 1.63, "Meehan"),
        ("obese_bmi30", "stillbirth"): (1.54, 1.39, 1.69, "Aune"),
        ("overweight_obese_bmi25", "infant_mortality"): (1.33, 1.25, 1.42, "Huo"),
        ("overweight_obese_bmi25", "stillbirth"): (1.41, None, None, "Flenady"),
        ("mother_under_20", "infant_mortality"): (1.56, None, None, "Office for National"),
        ("mother_under_20", "stillbirth"): (1.24, None, None, "Office for National"),
    }
    for (factor, outcome), (rr, lower, upper, author) in expected.items():
        risk = DEFAULT.risk(factor, outcome)
        assert (risk.rr, risk.lower, risk.upper) == (rr, lower, upper)
        assert author in risk.citation
    assert DEFAULT.risk("smoking_at_delivery", "infant_mortality").interval_kind == "assumed"


def test_report_smoking_reconstruction():
    result = report(SMOKING)
    est = result.estimates
    assert SMOKING.p == pytest.approx(0.139, abs=0.0005)
    assert est.r0 == pytest.approx(4.263, abs=0.0005)
    assert est.r1 == pytest.approx(5.968, abs=0.0005)
    assert est.paf == pytest.approx(0.053, abs=0.0005)
    assert est.attributable_per_year == pytest.approx(3.1, abs=0.05)
    assert est.delta_p == pytest.approx(0.0111, abs=0.00005)
    assert est.new_prevalence == pytest.approx(0.128, abs=0.0005)
    assert est.women == pytest.approx(129.8, abs=0.1)
    assert w.women_text(est.women, SMOKING.count) == "130"
    assert round(est.averted_per_year, 1) == 0.2
    assert est.enough is True
    assert result.case == "not_significant"
    lower, upper = IMR.limits()
    assert (round(lower, 1), round(upper, 1)) == (3.9, 5.2)


def test_report_obesity_reconstruction_uses_bmi25():
    result = report(BMI25)
    est = result.estimates
    assert BMI25.p == pytest.approx(0.510, abs=0.0005)
    assert est.r0 == pytest.approx(3.852, abs=0.0005)
    assert est.r1 == pytest.approx(5.123, abs=0.0005)
    assert est.paf == pytest.approx(0.144, abs=0.0005)
    assert est.attributable_per_year == pytest.approx(8.5, abs=0.05)
    assert est.delta_p == pytest.approx(0.0149, abs=0.00005)
    assert est.new_prevalence == pytest.approx(0.495, abs=0.0005)
    assert est.women == pytest.approx(181.4, abs=0.1)
    assert w.women_text(est.women, BMI25.count) == "180"
    assert round(est.averted_per_year, 1) == 0.2
    assert result.case == "not_significant"


def test_women_from_the_printed_percentage_are_within_a_tenth():
    printed = w.Prevalence("smoking_at_delivery", 0.139 * 11647, 11647, "smoking at delivery")
    assert report(printed).estimates.women == pytest.approx(129.8, abs=0.1)


def test_simulation_seed_1_matches_section_8():
    sim = report(SMOKING, scenario_p=0.06).simulation
    assert (sim.draws, sim.seed) == (10_000, 1)
    assert sim.p_gap == pytest.approx(0.5249, abs=0.00005)
    assert sim.p_enough_given_gap == pytest.approx(0.5201, abs=0.00005)
    assert sim.women.median == pytest.approx(139.6, abs=0.05)
    assert sim.women.p10 == 0
    assert sim.women.p90 == pytest.approx(2899.6, abs=0.05)
    assert sim.women.p97_5 == pytest.approx(4350.0, abs=0.05)


@pytest.mark.parametrize("seed", [1, 2, 7, 12345])
def test_simulation_for_any_seed_within_the_specified_ranges(seed):
    result = report(SMOKING, scenario_p=0.06, seed=seed)
    sim = result.simulation
    assert 0.51 <= sim.p_gap <= 0.55
    assert 0.48 <= sim.p_enough_given_gap <= 0.56
    assert sim.women.p10 == 0
    assert 2600 <= sim.women.p90 <= 3200
    assert 80 <= sim.women.median <= 240
    att = sim.attributable_per_year
    assert att.median == pytest.approx(3.1, abs=0.1)
    assert att.p2_5 == pytest.approx(2.3, abs=0.1)
    assert att.p97_5 == pytest.approx(3.9, abs=0.1)
    averted = sim.scenario_averted_per_year
    assert result.estimates.scenario_averted_per_year == pytest.approx(1.8, abs=0.1)
    assert averted.p2_5 == pytest.approx(1.3, abs=0.1)
    assert averted.p97_5 == pytest.approx(2.2, abs=0.1)


def test_same_seed_same_answer_and_draw_count_is_a_parameter():
    assert report(SMOKING, seed=5).simulation == report(SMOKING, seed=5).simulation
    assert report(SMOKING, draws=2000).simulation.draws == 2000


def test_stillbirth_not_enough_and_not_significant():
    stillbirth = w.Outcome("stillbirth", 4.4, 174, 174 / 4.4 * 1000, 3, "2014 - 16")
    smoking = w.Prevalence("smoking_at_delivery", 0.139 * 11647, 11647, "smoking at delivery")
    target = w.Comparator("target", value=4.09, name="the best quartile")
    result = w.run("Lancashire", stillbirth, smoking, DEFAULT, target)
    assert result.estimates.r0 == pytest.approx(4.136, abs=0.0005)
    assert result.estimates.enough is False
    assert result.case == "not_significant"
    lower, upper = stillbirth.limits()
    assert (round(lower, 1), round(upper, 1)) == (3.8, 5.1)


# By hand: 600 deaths over 3 years, 100,000 births; 8,000 of 32,000 exposed, RR 2.0.
HAND = w.Outcome("infant_mortality", 6.0, 600, 100_000, 3, "2020 - 22")
HAND_P = w.Prevalence("smoking_at_delivery", 8000, 32000, "smoking at delivery", "2021/22")
HAND_RISK = wp.RelativeRisk(
    "smoking_at_delivery",
    "infant_mortality",
    "smoking at delivery",
    2.0,
    1.8,
    2.2,
    "assumed",
    True,
    "a worked example",
    "",
    "",
    "",
)
HAND_SET = wp.ParameterSet("by hand", 1, "2026-12-07", (HAND_RISK,))


def test_by_hand_fractions():
    est = w.estimate(HAND, HAND_P, 2.0, None)
    assert est.r0 == pytest.approx(4.8)
    assert est.r1 == pytest.approx(9.6)
    assert est.paf == pytest.approx(0.2)
    assert est.attributable_per_year == pytest.approx(40.0)
    lower, upper = HAND.limits()
    assert (round(lower, 1), round(upper, 1)) == (5.5, 6.5)


def test_by_hand_significant_gap():
    est = w.estimate(HAND, HAND_P, 2.0, 5.4)
    assert est.delta_p == pytest.approx(0.125)
    assert est.new_prevalence == pytest.approx(0.125)
    assert est.women == pytest.approx(4000.0)
    assert w.unexposed_rate(6.0, 0.25, 2.0) * (1 + est.new_prevalence) == pytest.approx(5.4)
    assert est.averted_per_year == pytest.approx(20.0)
    assert w.classify(HAND, est) == "significant_gap"


def test_by_hand_not_enough_and_already_better():
    est = w.estimate(HAND, HAND_P, 2.0, 4.5)
    assert est.delta_p == pytest.approx(0.3125)
    assert est.enough is False
    assert w.classify(HAND, est) == "not_enough"
    assert est.r0 == pytest.approx(4.8)
    assert w.classify(HAND, w.estimate(HAND, HAND_P, 2.0, 6.5)) == "already_better"


def test_by_hand_scenario_and_joint():
    est = w.estimate(HAND, HAND_P, 2.0, None, scenario_p=0.10)
    assert w.impact_fraction(0.25, 0.10, 2.0) == pytest.approx(0.12)
    assert est.scenario_rate == pytest.approx(5.28)
    assert est.scenario_averted_per_year == pytest.approx(24.0)
    assert w.attributable_fraction(0.5, 1.4) == pytest.approx(0.1667, abs=0.0001)
    joint = w.joint_scenario(6.0, [(0.25, 2.0, None), (0.5, 1.4, None)])
    assert joint.paf == pytest.approx(1 / 3)
    assert joint.paf != pytest.approx(0.2 + 0.1667, abs=0.01)
    assert joint.r0 == pytest.approx(4.0)
    both = w.joint_scenario(6.0, [(0.25, 2.0, 0.10), (0.5, 1.4, 0.5)])
    assert both.pif == pytest.approx(0.12)


def test_miettinen_fraction():
    assert w.miettinen_fraction(0.3, 1.5) == pytest.approx(0.1)


def test_best_quartile_interpolates_at_rank_m_minus_1_over_4_plus_1():
    # m = 6: rank 2.25 between 3.0 and 4.0 → 3.25
    assert w.best_quartile([5.0, 3.0, 1.0, 4.0, 6.0, 7.0]) == pytest.approx(3.25)
    with pytest.raises(InvalidInput):
        w.best_quartile([1.0, 2.0, 3.0, 4.0])


def test_mismatched_exposure_definition_is_refused():
    wrong = w.Prevalence("overweight_obese_bmi25", 6190, 12137, "BMI 30 or more in early pregnancy")
    with pytest.raises(InvalidInput, match="BMI 30"):
        report(wrong)


def test_women_rounding_and_more_than_all():
    assert w.women_text(129.8, 1619) == "130"
    assert w.women_text(181.4, 6190) == "180"
    assert w.women_text(2899.6, 1619) == "more than all 1,619 women"


def test_wording_of_the_report_case_gives_no_number_of_women():
    words = word(report(SMOKING, scenario_p=0.06))
    assert words.case == "not_significant"
    assert "similar to the North West (4.5)" in words.headline
    assert "95% CI 3.9 to 5.2" in words.headline
    assert "women" not in words.headline
    assert "from 13.9% to 6.0%" in words.scenario
    assert "about 1.8 (1.3 to 2.2) fewer infant deaths a year" in words.scenario
    assert "Salihu" in words.caveats[0]
    assert any("self-reported" in c for c in words.caveats)
    assert words.qualifier == ""


def test_wording_of_a_significant_gap_with_the_qualifier():
    comparator = w.Comparator("target", value=5.4, name="the target")
    result = w.run("Testshire", HAND, HAND_P, HAND_SET, comparator)
    words = word(result)
    assert words.case == "significant_gap"
    assert "about 4,000 fewer women smoking at delivery a year" in words.headline
    assert "from 25.0% to 12.5%" in words.headline
    assert "about 20.0 fewer infant deaths a year" in words.headline
    p_enough = result.simulation.p_enough_given_gap
    assert (words.qualifier != "") == (p_enough < 0.8)


def test_wording_not_enough_and_already_better():
    far = w.run("Testshire", HAND, HAND_P, HAND_SET, w.Comparator("target", 3.0, name="X"))
    assert far.case == "not_enough"
    assert "Reducing smoking at delivery to 0% alone would not" in word(far).headline
    better = w.run("Testshire", HAND, HAND_P, HAND_SET, w.Comparator("target", 6.6, name="X"))
    assert "is already significantly lower than X (6.6)" in word(better).headline
    edge = w.run("Testshire", HAND, HAND_P, HAND_SET, w.Comparator("target", 6.2, name="X"))
    assert edge.case == "already_better"
    assert "already at or below X (6.2)" in word(edge).headline


def test_small_counts_are_indicative():
    small = w.Outcome("infant_mortality", 4.0, 12, 3000, 3, "2020 - 22")
    result = w.run("Small", small, HAND_P, DEFAULT, w.Comparator("target", 3.0, name="X"))
    assert "Indicative" in word(result).indicative


def test_best_quartile_per_draw_matches_the_percentile_of_each_row():
    rng = np.random.default_rng(3)
    for width in (5, 6, 11, 150):
        rates = rng.gamma(50, 1.0, size=(200, width))
        expected = np.percentile(rates, 25, axis=1)
        assert np.allclose(ws._first_quartile_by_row(rates), expected)


def test_best_quartile_comparator_is_simulated_from_each_members_rate():
    members = tuple((100 + 10 * i, 25_000) for i in range(8))
    rates = [1000 * c / n for c, n in members]
    comparator = w.Comparator(
        "best_quartile", value=w.best_quartile(rates), members=members, name="the best quarter"
    )
    sim = w.run("Testshire", HAND, HAND_P, HAND_SET, comparator).simulation
    assert comparator.value == pytest.approx(np.percentile(rates, 25))
    assert 0.99 <= sim.p_gap <= 1.0  # 6.0 per 1,000 against about 4.7: a gap in nearly every draw


# Several factors together (section 2): the by-hand factor B, p 50%, RR 1.4 (held fixed).
HAND_B = w.Prevalence("obese_bmi30", 16000, 32000, "BMI 30 or more in early pregnancy", "2021/22")
HAND_B_RISK = wp.RelativeRisk(
    "obese_bmi30",
    "infant_mortality",
    "BMI 30 or more in early pregnancy",
    1.4,
    None,
    None,
    "assumed",
    True,
    "a second worked example",
    "",
    "",
    "",
)
JOINT_SET = wp.ParameterSet("by hand", 1, "2026-12-07", (HAND_RISK, HAND_B_RISK))


def joint(target, scenario_ps=None, **kwargs):
    comparator = w.Comparator("target", value=target, name="the target")
    return w.run_joint(
        "Testshire", HAND, [HAND_P, HAND_B], JOINT_SET, comparator, scenario_ps, **kwargs
    )


def test_joint_run_by_hand_is_a_scenario_never_a_number_of_women():
    result = joint(5.4, scenario_ps=[0.10, 0.5])
    est = result.estimates
    assert est.paf == pytest.approx(1 / 3)  # 1 - 0.8 × 0.833, not 0.2 + 0.167
    assert est.r0 == pytest.approx(4.0)
    assert est.attributable_per_year == pytest.approx(200 / 3)
    assert est.pif == pytest.approx(0.12)
    assert est.scenario_rate == pytest.approx(5.28)
    assert est.scenario_averted_per_year == pytest.approx(24.0)
    assert est.women is None and result.simulation.women is None
    assert est.enough is True and result.case == "significant_gap"
    words = word_joint(result)
    assert "women" not in words.headline and "women" not in words.scenario.replace("woman", "")
    assert "about 4.0 per 1,000, about 66.7 fewer infant deaths a year" in words.headline
    assert (
        "If smoking at delivery from 25.0% to 10.0% and obesity (BMI 30 or more) in early "
        "pregnancy from 50.0% to 50.0% fell together, we would expect about 24.0" in words.scenario
    )
    assert any("approximation" in c for c in words.caveats)
    assert any("held fixed in the simulation: obesity" in c for c in words.caveats)


def test_joint_reaches_a_target_neither_factor_reaches_alone():
    alone = w.run("Testshire", HAND, HAND_P, HAND_SET, w.Comparator("target", 4.5, name="X"))
    assert alone.case == "not_enough"  # factor A alone: lowest rate 4.8
    assert joint(4.5).case == "significant_gap"  # together: lowest rate 4.0
    far = joint(3.5)
    assert far.case == "not_enough" and far.estimates.enough is False
    assert "all to 0% together would not bring" in word_joint(far).headline
    assert joint(6.6).case == "already_better"


def test_joint_simulation_draws_the_rate_first_then_each_factor():
    result = joint(5.4, scenario_ps=[0.10, 0.5])
    sim = result.simulation
    single = w.run("Testshire", HAND, HAND_P, HAND_SET, w.Comparator("target", 5.4, name="X"))
    assert sim.rate_median == single.simulation.rate_median  # the same first draws
    assert sim.attributable_per_year.median == pytest.approx(200 / 3, rel=0.05)
    assert sim.scenario_averted_per_year.median == pytest.approx(24.0, rel=0.05)
    assert sim.p_gap > 0.99 and sim.p_enough_given_gap > 0.99
    assert joint(5.4, seed=3).simulation == joint(5.4, seed=3).simulation


@pytest.mark.parametrize(
    "prevalences, scenarios, message",
    [
        ([HAND_P], None, "at least two"),
        ([HAND_P, HAND_P], None, "once"),
        ([HAND_P, HAND_B], [0.1], "one scenario prevalence per factor"),
        (
            [
                HAND_B,
                w.Prevalence("overweight_obese_bmi25", 1, 2, "BMI 25 or more in early pregnancy"),
            ],
            None,
            "same women",
        ),
    ],
)
def test_joint_refuses_what_cannot_be_combined(prevalences, scenarios, message):
    with pytest.raises(InvalidInput, match=message):
        w.run_joint("T", HAND, prevalences, JOINT_SET, None, scenarios)


def test_best_quartile_from_one_partial_sort_equals_two_rank_partition():
    rng = np.random.default_rng(11)
    for width in (1, 2, 5, 6, 11, 146, 150):
        rates = rng.gamma(5, 1.0, size=(300, width))
        position = (width - 1) * 0.25
        low, high = int(position), min(int(position) + 1, width - 1)
        parted = np.partition(rates, [low, high], axis=1)
        expected = parted[:, low] + (parted[:, high] - parted[:, low]) * (position - low)
        assert np.array_equal(ws._first_quartile_by_row(rates), expected)


def test_best_quartile_draws_come_from_the_seeds_child_stream_and_are_reused():
    members = tuple((float(100 + 10 * i), 25_000.0) for i in range(8))
    ws._kept_best_quartile_draws.cache_clear()
    first = ws._best_quartile_draws(members, 2000, 4)
    # By hand: each member's rate from the first child stream of default_rng(4), then each
    # draw's 25th percentile.
    child = np.random.default_rng(4).spawn(1)[0]
    counts = np.array([c for c, _ in members])
    rates = 1000 * child.gamma(counts + 0.5, 1.0, size=(2000, len(members))) / 25_000
    assert np.allclose(first, np.percentile(rates, 25, axis=1), rtol=1e-12)
    assert ws._best_quartile_draws(members, 2000, 4) is first  # reused, not drawn again
    assert not first.flags.writeable
    assert not np.array_equal(ws._best_quartile_draws(members, 2000, 5), first)
    many = ws.KEEP_DRAWS_UP_TO + 1  # so many draws are not kept, but are the same numbers
    assert ws._best_quartile_draws(members, many, 4) is not ws._best_quartile_draws(
        members, many, 4
    )
    assert np.array_equal(
        ws._best_quartile_draws(members, many, 4), ws._best_quartile_draws(members, many, 4)
    )
    # An answer is the same whether the group's draws were reused or drawn afresh.
    comparator = w.Comparator("best_quartile", value=4.7, members=members, name="the best quarter")
    warm = w.run("Testshire", HAND, HAND_P, HAND_SET, comparator, draws=2000, seed=4).simulation
    ws._kept_best_quartile_draws.cache_clear()
    cold = w.run("Testshire", HAND, HAND_P, HAND_SET, comparator, draws=2000, seed=4).simulation
    assert warm == cold
