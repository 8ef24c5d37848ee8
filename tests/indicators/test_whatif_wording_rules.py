"""The what-if wording, word for word (WHATIF.md sections 5 and 7): each case's sentence, the
scenario, the qualifier, the caveat and its conditional parts, the rounding. No database.

The simulation's spread is set by hand here (dataclasses.replace) so that each number in a
sentence is one chosen to test its rounding."""

from __future__ import annotations

import dataclasses

import pytest

from indicators.statistics import whatif as w
from indicators.statistics import whatif_parameters as wp
from indicators.statistics import whatif_simulation as ws
from indicators.statistics.whatif_wording import (
    JOINT_APPROXIMATION,
    caveats,
    headline,
    indicative,
    qualifier,
    scenario,
    word,
    word_joint,
)

# 600 deaths over 3 years, 100,000 births (R 6.0, 95% CI 5.5 to 6.5, 200 a year); 8,000 of
# 32,000 smoking (25%), RR 2.0: r0 = 4.8, 40.0 attributable a year.
HAND = w.Outcome("infant_mortality", 6.0, 600, 100_000, 3, "2020 - 22", 5.53, 6.5)
SMOKING = w.Prevalence("smoking_at_delivery", 8000, 32000, "smoking at delivery", "2020 - 22")


def row(factor="smoking_at_delivery", exposure="smoking at delivery", rr=2.0, lo=1.8, hi=2.2):
    return wp.RelativeRisk(
        factor,
        "infant_mortality",
        exposure,
        rr,
        lo,
        hi,
        "assumed",
        True,
        "Author A, 2020",
        "",
        "",
        "",
    )


BMI30 = "BMI 30 or more in early pregnancy"
SET = wp.ParameterSet(
    "by hand",
    1,
    "2026-12-07",
    (
        row(),
        row("obese_bmi30", BMI30, 1.4, None, None),
        row("mother_under_20", "mother aged under 20", 1.5, 1.2, 1.9),
        row("overweight_obese_bmi25", "BMI 25 or more in early pregnancy", 1.3, 1.2, 1.4),
    ),
)
SPREAD = ws.Spread(median=4100.0, p10=2449.0, p90=5551.0, p2_5=19.04, p97_5=28.96)


def result(target, scenario_p=None, p_enough=0.734, prevalence=SMOKING, outcome=HAND, **sim):
    comparator = None if target is None else w.Comparator("target", target, name="the region")
    made = w.run("Testshire", outcome, prevalence, SET, comparator, scenario_p, draws=200)
    simulation = dataclasses.replace(
        made.simulation,
        p_enough_given_gap=p_enough,
        scenario_averted_per_year=SPREAD if scenario_p is not None else None,
        **{"women": SPREAD, **sim},
    )
    return dataclasses.replace(made, simulation=simulation)


CAVEAT = (
    "These are expected numbers for the whole population, not predictions for any woman or baby. "
    "They assume the extra risk found in studies (RR 2.00, 95% CI 1.80 to 2.20; Author A, 2020) "
    "is caused by smoking at delivery and applies here. Figures for different factors overlap and "
    "must not be added. Small numbers of deaths make differences uncertain."
)
SMOKING_NOTE = "Smoking is self-reported at delivery and under-counted."


def test_significant_gap_word_for_word():
    words = word(result(5.4))
    assert words.case == "significant_gap"
    assert words.headline == (
        "Testshire's infant mortality rate (6.0 per 1,000, 2020 - 22) is significantly higher "
        "than the region (5.4). If smoking at delivery causes the extra risk seen in studies, "
        "about 4,000 fewer women smoking at delivery a year (80% range 2,400 to 5,600), from "
        "25.0% to 12.5%, could bring it to the region: about 20.0 fewer infant deaths a year."
    )
    # P(enough | gap) 0.734 < 0.8: the qualifier, 100 - 73.4 = 26.6 -> 27%.
    assert words.qualifier == (
        "There is a 27% chance that smoking at delivery alone could not close the gap."
    )
    assert words.caveats == (CAVEAT, SMOKING_NOTE)
    assert (words.scenario, words.indicative) == ("", "")


def test_significant_gap_with_an_upper_end_above_every_woman():
    spread = dataclasses.replace(SPREAD, p90=8000.5)
    text = headline(result(5.4, women=spread))
    assert "(80% range 2,400 to more than all 8,000 women)" in text
    text = headline(result(5.4, women=dataclasses.replace(SPREAD, p10=0.0, p90=8000.0)))
    assert "(80% range 0 to 8,000)" in text


@pytest.mark.parametrize(
    "p_enough, expected",
    [
        (0.8, ""),
        (0.95, ""),
        (0.795, "There is a 20% chance that smoking at delivery alone could not close the gap."),
        (0.0, "There is a 100% chance that smoking at delivery alone could not close the gap."),
        (None, ""),
    ],
)
def test_qualifier_only_under_80_percent(p_enough, expected):
    assert qualifier(result(5.4, p_enough=p_enough)) == expected


def test_qualifier_only_for_a_significant_gap():
    assert qualifier(result(5.8, p_enough=0.1)) == ""  # not significant
    assert qualifier(result(4.5, p_enough=0.1)) == ""  # not enough
    assert qualifier(result(6.6, p_enough=0.1)) == ""  # already better


def test_not_significant_word_for_word_with_its_scenario():
    words = word(result(5.8, scenario_p=0.10))
    assert words.case == "not_significant"
    assert words.headline == (
        "Testshire's infant mortality rate (6.0, 95% CI 5.5 to 6.5) is similar to the region "
        "(5.8); the difference is within chance variation, so no target is given."
    )
    # p' 10%: PIF 0.15 / 1.25 = 0.12, 24.0 a year; the range from the draws' 2.5th-97.5th.
    assert words.scenario == (
        "If smoking at delivery fell from 25.0% to 10.0%, we would expect about 24.0 (19.0 to "
        "29.0) fewer infant deaths a year."
    )
    assert words.qualifier == ""


def test_already_better_word_for_word():
    assert headline(result(6.6)) == (
        "Testshire's infant mortality rate (6.0) is already significantly lower than the region "
        "(6.6)."
    )
    assert headline(result(6.5)) == (
        "Testshire's infant mortality rate (6.0) is already at or below the region (6.5)."
    )
    assert headline(result(6.0)) == (
        "Testshire's infant mortality rate (6.0) is already at or below the region (6.0)."
    )
    assert result(6.0).case == "already_better"
    words = word(result(6.6, scenario_p=0.10))
    assert words.scenario.startswith("If smoking at delivery fell from 25.0% to 10.0%")


def test_not_enough_word_for_word():
    words = word(result(4.5))
    assert words.case == "not_enough"
    assert words.headline == (
        "Reducing smoking at delivery to 0% alone would not bring Testshire's infant mortality "
        "rate down to the region (4.5): it would fall to about 4.8 per 1,000, about 40.0 fewer "
        "infant deaths a year. Any reduction in smoking at delivery will help; other factors "
        "need action too."
    )


def test_not_calculated_names_the_reason():
    missing = result(None)
    assert missing.case == "not_calculated"
    assert headline(missing) == "No statement can be made: the comparator is missing."
    named = dataclasses.replace(missing, reason="the region's rate is suppressed")
    assert headline(named) == "No statement can be made: the region's rate is suppressed."


def test_stillbirth_words():
    still = w.Outcome("stillbirth", 6.0, 600, 100_000, 3, "2020 - 22", 5.53, 6.5)
    stillset = wp.ParameterSet("s", 1, "d", (dataclasses.replace(row(), outcome="stillbirth"),))
    made = w.run("Testshire", still, SMOKING, stillset, w.Comparator("target", 4.5, name="X"))
    assert "Testshire's stillbirth rate down to X (4.5)" in headline(made)
    assert "about 40.0 fewer stillbirths a year" in headline(made)


def test_caveat_and_its_conditional_parts():
    # Periods equal, smoking: the caveat and the smoking line only.
    assert caveats(result(5.4)) == [CAVEAT, SMOKING_NOTE]
    differ = dataclasses.replace(SMOKING, period="2021/22")
    assert caveats(result(5.4, prevalence=differ)) == [
        CAVEAT,
        SMOKING_NOTE,
        "The periods differ: infant mortality 2020 - 22, smoking at delivery 2021/22.",
    ]
    assert caveats(result(5.4, prevalence=differ), periods_differ=False) == [CAVEAT, SMOKING_NOTE]
    assert caveats(result(5.4), periods_differ=True, ccg=True)[2:] == [
        "The periods differ: infant mortality 2020 - 22, smoking at delivery 2020 - 22.",
        "The prevalence is for a clinical commissioning group, not the council.",
    ]
    assert word(result(5.4), ccg=True).caveats[-1] == (
        "The prevalence is for a clinical commissioning group, not the council."
    )


def test_caveat_for_obesity_without_interval():
    obese = w.Prevalence("obese_bmi30", 16000, 32000, BMI30, "2020 - 22")
    lines = caveats(result(5.4, prevalence=obese))
    assert lines == [
        "These are expected numbers for the whole population, not predictions for any woman or "
        "baby. They assume the extra risk found in studies (RR 1.40, no interval; Author A, 2020) "
        "is caused by obesity (BMI 30 or more) in early pregnancy and applies here. Figures for "
        "different factors overlap and must not be added. Small numbers of deaths make "
        "differences uncertain.",
        "The evidence for obesity is weaker, and benefit comes from women starting pregnancy at "
        "a healthier weight, over years.",
        "The relative risk has no interval, so it is held fixed in the simulation.",
    ]
    bmi25 = w.Prevalence(
        "overweight_obese_bmi25", 16000, 32000, "BMI 25 or more in early pregnancy", "2020 - 22"
    )
    assert caveats(result(5.4, prevalence=bmi25))[1].startswith("The evidence for obesity")
    assert len(caveats(result(5.4, prevalence=bmi25))) == 2


def test_caveat_for_young_mothers_and_their_women_phrase():
    young = w.Prevalence("mother_under_20", 8000, 32000, "mother aged under 20", "2020 - 22")
    lines = caveats(result(5.4, prevalence=young))
    assert (
        "(RR 1.50, 95% CI 1.20 to 1.90; Author A, 2020) is caused by mothers aged under 20"
        in (lines[0])
    )
    assert lines[1:] == ["The relative risk compares mothers under 20 with mothers of all ages."]
    assert "fewer women aged under 20 giving birth a year" in headline(
        result(5.5, prevalence=young)
    )


def test_indicative_under_20_outcomes():
    small = w.Outcome("infant_mortality", 6.0, 19, 3200, 3, "2020 - 22", 3.6, 9.4)
    assert indicative(result(5.0, outcome=small)) == (
        "Indicative only: fewer than 20 infant deaths in the period; pooling 5 years of data "
        "would make the figures steadier."
    )
    twenty = w.Outcome("infant_mortality", 6.0, 20, 3300, 3, "2020 - 22", 3.7, 9.3)
    assert indicative(result(5.0, outcome=twenty)) == ""


def test_scenario_needs_both_the_prevalence_and_its_draws():
    assert scenario(result(5.4)) == ""
    only_point = dataclasses.replace(result(5.4, scenario_p=0.1).simulation)
    only_point = dataclasses.replace(only_point, scenario_averted_per_year=None)
    assert scenario(dataclasses.replace(result(5.4, scenario_p=0.1), simulation=only_point)) == ""


def test_run_passes_the_seed_and_without_comparator_is_not_calculated():
    made = w.run("T", HAND, SMOKING, SET, w.Comparator("target", 5.4), draws=300, seed=8)
    assert made.simulation == ws.simulate(
        HAND, SMOKING, row(), w.Comparator("target", 5.4), None, 300, 8
    )
    assert made.comparator_name == "" and made.parameter_set is SET and made.risk == row()
    assert made.comparator == w.Comparator("target", 5.4)
    none = w.run("T", HAND, SMOKING, SET, None, draws=300)
    assert none.comparator_name == "" and none.comparator is None
    region = w.Comparator("target", 5.4, name="the region")
    both = w.run_joint("T", HAND, [SMOKING, OBESE], SET, region, None, 300, 8)
    assert (both.comparator, both.comparator_name, both.parameter_set) == (
        region,
        "the region",
        SET,
    )
    assert both.simulation == ws.simulate_joint(
        HAND, [SMOKING, OBESE], [row(), SET.risks[1]], region, None, 300, 8
    )
    assert w.run_joint("T", HAND, [SMOKING, OBESE], SET, None, None, 300).comparator_name == ""
    assert (none.case, none.estimates.target, none.simulation.p_gap) == (
        "not_calculated",
        None,
        None,
    )


# Several factors: a scenario, never a number of women.
OBESE = w.Prevalence("obese_bmi30", 16000, 32000, BMI30, "2020 - 22")


def joint(target, scenario_ps=None, p_enough=0.6, prevalences=(SMOKING, OBESE)):
    comparator = None if target is None else w.Comparator("target", target, name="the region")
    made = w.run_joint("Testshire", HAND, list(prevalences), SET, comparator, scenario_ps, 200)
    simulation = dataclasses.replace(
        made.simulation,
        p_enough_given_gap=p_enough,
        scenario_averted_per_year=SPREAD if scenario_ps is not None else None,
    )
    return dataclasses.replace(made, simulation=simulation)


JOINT_CAVEAT = (
    "These are expected numbers for the whole population, not predictions for any woman or baby. "
    "They assume the extra risks found in studies (smoking at delivery: RR 2.00, 95% CI 1.80 to "
    "2.20, Author A, 2020; obesity (BMI 30 or more) in early pregnancy: RR 1.40, no interval, "
    "Author A, 2020) are caused by these factors and apply here. Small numbers of deaths make "
    "differences uncertain."
)


def test_joint_significant_gap_word_for_word():
    # r0_joint = 6.0 / (1.25 × 1.2) = 4.0; PAF 1/3 -> 66.7 a year.
    words = word_joint(joint(5.4, [0.10, 0.25]))
    assert words.case == "significant_gap"
    assert words.headline == (
        "Testshire's infant mortality rate (6.0 per 1,000, 2020 - 22) is significantly higher "
        "than the region (5.4). If smoking at delivery and obesity (BMI 30 or more) in early "
        "pregnancy cause the extra risk seen in studies, reducing them all to 0% together would "
        "bring it to about 4.0 per 1,000, about 66.7 fewer infant deaths a year; smaller "
        "reductions together could be enough."
    )
    # PIF = 1 - 1.1 × 1.1 / 1.5 = 0.19333 -> 38.7 a year.
    assert words.scenario == (
        "If smoking at delivery from 25.0% to 10.0% and obesity (BMI 30 or more) in early "
        "pregnancy from 50.0% to 25.0% fell together, we would expect about 38.7 (19.0 to 29.0) "
        "fewer infant deaths a year."
    )
    assert words.qualifier == (
        "There is a 40% chance that these factors alone could not close the gap."
    )
    assert words.caveats == (
        JOINT_CAVEAT,
        JOINT_APPROXIMATION,
        SMOKING_NOTE,
        "The evidence for obesity is weaker, and benefit comes from women starting pregnancy at "
        "a healthier weight, over years.",
        "A relative risk without an interval is held fixed in the simulation: obesity (BMI 30 or "
        "more) in early pregnancy.",
    )
    assert words.indicative == ""


def test_joint_qualifier_and_other_cases():
    assert word_joint(joint(5.4, p_enough=0.8)).qualifier == ""
    assert word_joint(joint(5.4, p_enough=None)).qualifier == ""
    assert word_joint(joint(5.8, p_enough=0.1)).qualifier == ""
    assert word_joint(joint(3.5)).headline == (
        "Reducing smoking at delivery and obesity (BMI 30 or more) in early pregnancy all to 0% "
        "together would not bring Testshire's infant mortality rate down to the region (3.5): it "
        "would fall to about 4.0 per 1,000, about 66.7 fewer infant deaths a year. Any reduction "
        "will help; other factors need action too."
    )
    assert word_joint(joint(5.8)).headline == (
        "Testshire's infant mortality rate (6.0, 95% CI 5.5 to 6.5) is similar to the region "
        "(5.8); the difference is within chance variation, so no target is given."
    )
    assert word_joint(joint(6.6)).headline == (
        "Testshire's infant mortality rate (6.0) is already significantly lower than the region "
        "(6.6)."
    )
    assert word_joint(joint(6.2)).headline == (
        "Testshire's infant mortality rate (6.0) is already at or below the region (6.2)."
    )
    assert word_joint(joint(None)).headline == (
        "No statement can be made: the comparator is missing."
    )
    assert word_joint(joint(5.4)).scenario == ""


def test_joint_caveats_of_three_factors_and_differing_periods():
    young = w.Prevalence("mother_under_20", 3000, 32000, "mother aged under 20", "2019")
    bmi25 = w.Prevalence(
        "overweight_obese_bmi25", 16000, 32000, "BMI 25 or more in early pregnancy", "2020 - 22"
    )
    words = word_joint(joint(5.4, prevalences=(SMOKING, young, bmi25)))
    assert "If smoking at delivery, mothers aged under 20 and a BMI of 25 or more in early " in (
        words.headline
    )
    assert words.caveats[2:] == (
        SMOKING_NOTE,
        "The evidence for obesity is weaker, and benefit comes from women starting pregnancy at "
        "a healthier weight, over years.",
        "The relative risk compares mothers under 20 with mothers of all ages.",
        "The periods differ: infant mortality 2020 - 22, smoking at delivery 2020 - 22, mothers "
        "aged under 20 2019, a BMI of 25 or more in early pregnancy 2020 - 22.",
    )


def test_joint_edges():
    # T on the upper limit: at or below, not significantly lower.
    assert "already at or below the region (6.5)" in word_joint(joint(6.5)).headline
    # A scenario without its draws says nothing.
    made = joint(5.4, [0.1, 0.25])
    bare = dataclasses.replace(made.simulation, scenario_averted_per_year=None)
    assert word_joint(dataclasses.replace(made, simulation=bare)).scenario == ""
    # No obesity factor: no obesity line; two relative risks held fixed are both named.
    young = w.Prevalence("mother_under_20", 3000, 32000, "mother aged under 20", "2020 - 22")
    fixed = wp.ParameterSet(
        "f",
        1,
        "d",
        (
            row(lo=None, hi=None),
            row("mother_under_20", "mother aged under 20", 1.5, None, None),
        ),
    )
    both = w.run_joint("T", HAND, [SMOKING, young], fixed, w.Comparator("target", 5.4), None, 200)
    assert word_joint(both).caveats[2:] == (
        SMOKING_NOTE,
        "The relative risk compares mothers under 20 with mothers of all ages.",
        "A relative risk without an interval is held fixed in the simulation: smoking at "
        "delivery, mothers aged under 20.",
    )
