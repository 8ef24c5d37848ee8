"""The RAG rule's reasons word for word, and the edges a mutation run found unpinned.

`test_rag.py` checks which branch each case takes. The page also shows each proposal's reason
to the Best Start Strategic Group, so every branch's reason is checked here in full; and the
edges below (a single rated action, Lower when lower is better, a region judged the measure's
way, a period ending on the limit day, a trajectory when higher is better) were each left
unchecked until a mutation run (docs/ARCHITECTURE.md, "Mutation testing") changed them unseen.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from actionplan.rag import (
    ActionStatus,
    Direction,
    OutOfDate,
    Rag,
    TargetProgress,
    assess_target,
    parse_action_status,
    parse_rag,
    propose_action_rag,
    propose_measure_rag,
    propose_priority_area_rag,
    rules_text,
)
from indicators.statistics import Comparison

# --------------------------------------------------------------------------------------------
# Actions
# --------------------------------------------------------------------------------------------

TODAY = date(2021, 11, 15)  # 2021/22 Q3, which opened on 1 October 2021

ACTION: dict[str, Any] = {
    "today": TODAY,
    "status": ActionStatus.IN_PROGRESS,
    "start_date": date(2021, 4, 1),
    "due_date": date(2022, 3, 31),
    "latest_update_rag": Rag.GREEN,
    "latest_update_date": date(2021, 10, 20),
    "rescheduled": False,
}
NOT_STARTED = {"status": ActionStatus.NOT_STARTED}


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        pytest.param({"status": "complete"}, "Marked complete.", id="complete"),
        pytest.param(
            {"status": "cancelled"}, "Cancelled, so there is nothing to judge.", id="cancelled"
        ),
        pytest.param(
            {"latest_update_rag": "red"},
            "The owner's latest update of 20 October 2021 says Red.",
            id="owner_red",
        ),
        pytest.param(
            {"latest_update_rag": "red", "latest_update_date": None},
            "The owner's latest update says Red.",
            id="owner_red_undated",
        ),
        pytest.param(
            {**NOT_STARTED, "due_date": TODAY + timedelta(days=10)},
            "Not started and due 25 November 2021, in 10 days.",
            id="not_started_due_in_days",
        ),
        pytest.param(
            {**NOT_STARTED, "due_date": TODAY + timedelta(days=1)},
            "Not started and due 16 November 2021, in 1 day.",
            id="not_started_due_tomorrow",
        ),
        pytest.param(
            {**NOT_STARTED, "start_date": TODAY + timedelta(days=1), "due_date": None},
            "Not due to start until 16 November 2021.",
            id="not_due_to_start",
        ),
        pytest.param(
            {"status": "on_hold"},
            "On hold; the group should confirm it is still wanted and when it restarts.",
            id="on_hold",
        ),
        pytest.param(
            {**NOT_STARTED, "due_date": None},
            "Not started, and it was due to start 1 April 2021.",
            id="not_started_late",
        ),
        pytest.param(
            {**NOT_STARTED, "due_date": None, "start_date": None},
            "Not started, and it has no start date.",
            id="not_started_without_a_start_date",
        ),
        pytest.param(
            {"latest_update_rag": None, "latest_update_date": None},
            "No update since the quarter began on 1 October 2021; none has ever been entered.",
            id="never_updated",
        ),
        pytest.param(
            {"latest_update_date": date(2021, 9, 1)},
            "No update since the quarter began on 1 October 2021; the latest is dated "
            "1 September 2021.",
            id="updated_last_quarter",
        ),
        pytest.param(
            {"latest_update_rag": "amber"},
            "The owner's latest update of 20 October 2021 says Amber.",
            id="owner_amber",
        ),
        pytest.param(
            {"rescheduled": True},
            "Updated 20 October 2021 and in progress, but its due date was moved later than "
            "planned (now 31 March 2022).",
            id="rescheduled",
        ),
        pytest.param(
            {"rescheduled": True, "due_date": None},
            "Updated 20 October 2021 and in progress, but its due date was moved later than "
            "planned (now undated).",
            id="rescheduled_undated",
        ),
        pytest.param(
            {},
            "In progress, updated 20 October 2021, owner says Green, due 31 March 2022.",
            id="on_track",
        ),
        pytest.param(
            {"latest_update_rag": None, "due_date": None},
            "In progress, updated 20 October 2021, no RAG from the owner.",
            id="on_track_without_a_rag_or_due_date",
        ),
    ],
)
def test_action_reason(changes: dict[str, Any], reason: str) -> None:
    assert propose_action_rag(**{**ACTION, **changes}).reason == reason


def test_an_action_is_not_rescheduled_unless_told() -> None:
    unsaid = {key: value for key, value in ACTION.items() if key != "rescheduled"}
    assert propose_action_rag(**unsaid).rule == "action.on_track"


# --------------------------------------------------------------------------------------------
# Performance measures
# --------------------------------------------------------------------------------------------

# Infant mortality (lower is better): Similar to England and the North West, no change.
MEASURE: dict[str, Any] = {
    "today": date(2022, 6, 1),
    "direction": Direction.LOWER,
    "latest_value": 4.0,
    "england": Comparison.SIMILAR,
    "versus_region": Comparison.SIMILAR,
    "region": "North West",
    "trend": "No significant change",
}
# A straight line from 5.0 (April 2021) to 3.0 (April 2023) expects 4.0 in April 2022.
TRAJECTORY: dict[str, Any] = {
    "baseline_value": 5.0,
    "baseline_date": date(2021, 4, 1),
    "target_value": 3.0,
    "target_date": date(2023, 4, 1),
    "latest_date": date(2022, 4, 1),
}
SIMILAR = "England: Similar; North West: Similar"


def measure(**changes: Any):
    return propose_measure_rag(**{**MEASURE, **changes})


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        pytest.param({"latest_value": None}, "No value has been published yet.", id="no_value"),
        pytest.param(
            {"england": "Not compared", "versus_region": None, "trend": None},
            "Not enough data to judge (England: Not compared; North West: Not compared; "
            "recent trend: Could not be calculated; no target).",
            id="not_enough_data",
        ),
        pytest.param(
            {"target_value": 3.5, "target_date": date(2022, 3, 31)},
            "The target date has been reached and the target was missed "
            f"({SIMILAR}; recent trend: No significant change; "
            "target 3.5 by 31 March 2022: missed).",
            id="target_missed",
        ),
        pytest.param(
            {"england": "Worse"},
            "Worse than England and not getting better (England: Worse; North West: Similar; "
            "recent trend: No significant change; no target).",
            id="worse_not_improving",
        ),
        pytest.param(
            {**TRAJECTORY, "trend": "Increasing and getting worse", "latest_value": 4.5},
            f"Getting worse and behind target ({SIMILAR}; recent trend: Increasing and getting "
            "worse; target 3 by 1 April 2023: behind, 4 expected by now).",
            id="worsening_behind_target",
        ),
        pytest.param(
            {"latest_value": 3.0, "target_value": 3.5},
            f"Target met ({SIMILAR}; recent trend: No significant change; target 3.5: met).",
            id="target_met_without_a_date",
        ),
        pytest.param(
            {**TRAJECTORY, "latest_value": 3.9},
            f"On track for the target ({SIMILAR}; recent trend: No significant change; "
            "target 3 by 1 April 2023: on track, 4 expected by now).",
            id="on_track",
        ),
        pytest.param(
            {"england": "Better"},
            "Better than England (England: Better; North West: Similar; recent trend: No "
            "significant change; no target).",
            id="better_than_england",
        ),
        pytest.param(
            {"trend": "Decreasing and getting better"},
            f"Getting better ({SIMILAR}; recent trend: Decreasing and getting better; no target).",
            id="improving",
        ),
        pytest.param(
            {"england": "Worse", "trend": "Decreasing and getting better"},
            "Worse than England but getting better (England: Worse; North West: Similar; "
            "recent trend: Decreasing and getting better; no target).",
            id="worse_but_improving",
        ),
        pytest.param(
            {"trend": "Increasing and getting worse"},
            f"Getting worse ({SIMILAR}; recent trend: Increasing and getting worse; no target).",
            id="worsening",
        ),
        pytest.param(
            {},
            f"No clear progress ({SIMILAR}; recent trend: No significant change; no target).",
            id="no_clear_progress",
        ),
    ],
)
def test_measure_reason(changes: dict[str, Any], reason: str) -> None:
    assert measure(**changes).reason == reason


@pytest.mark.parametrize(
    ("direction", "trend", "words"),
    [
        pytest.param("lower", "Increasing", "Increasing (getting worse)", id="rise_lower_better"),
        pytest.param("lower", "Decreasing", "Decreasing (getting better)", id="fall_lower_better"),
        pytest.param(
            "higher", "Increasing", "Increasing (getting better)", id="rise_higher_better"
        ),
        pytest.param("higher", "Decreasing", "Decreasing (getting worse)", id="fall_higher_better"),
    ],
)
def test_a_trend_without_a_judgement_is_read_the_measures_way(
    direction: str, trend: str, words: str
) -> None:
    # The measure's direction decides whether a rise or a fall is better (the rule's preamble).
    proposal = measure(direction=direction, trend=trend)
    assert f"recent trend: {words};" in proposal.reason


def test_lower_than_england_when_lower_is_better_is_better() -> None:
    proposal = measure(england="Lower")
    assert (proposal.rag, proposal.rule) == (Rag.GREEN, "measure.better_than_england")


def test_the_region_comparison_is_turned_the_measures_way_too() -> None:
    # Breastfeeding (higher is better), Better than England but Lower than the region: the
    # region's Lower is Worse, so the Green "better than England" branch does not apply.
    worse_than_region = measure(direction="higher", england="Better", versus_region="Lower")
    assert worse_than_region.rule == "measure.no_clear_progress"
    above_region = measure(direction="higher", england="Better", versus_region="Higher")
    assert above_region.rule == "measure.better_than_england"


STALE_LIMIT = OutOfDate(date(2020, 4, 1))


def test_a_period_ending_on_the_limit_day_is_rated() -> None:
    # Out of date means the period "ended before" the limit.
    proposal = measure(period="2019/20", period_end=date(2020, 4, 1), out_of_date=STALE_LIMIT)
    assert proposal.rule == "measure.no_clear_progress"
    proposal = measure(period="2019/20", period_end=date(2020, 3, 31), out_of_date=STALE_LIMIT)
    assert proposal.rule == "measure.out_of_date"


def test_an_out_of_date_reason_names_a_limit_given_as_a_date_once() -> None:
    proposal = measure(
        period="2016 - 18",
        period_end=date(2018, 12, 31),
        out_of_date=OutOfDate(date(2020, 4, 1), name="1 April 2020"),
    )
    assert proposal.reason.startswith(
        "Not rated: data out of date. The latest value is for 2016 - 18 (ended 31 December "
        "2018), before 1 April 2020 (latest value for 2016 - 18;"
    )


def test_an_out_of_date_reason_without_a_period_name_says_a_period() -> None:
    proposal = measure(period_end=date(2018, 12, 31), out_of_date=STALE_LIMIT)
    assert proposal.reason.startswith(
        "Not rated: data out of date. The latest value is for a period (ended 31 December "
        "2018), before the plan's start (1 April 2020) ("
    )


# Breastfeeding at 6-8 weeks (higher is better): 70% in April 2021 toward 80% by April 2023
# expects 75% in April 2022.
RISING: dict[str, Any] = {
    "direction": "higher",
    "baseline_value": 70.0,
    "baseline_date": date(2021, 4, 1),
    "target_value": 80.0,
    "target_date": date(2023, 4, 1),
    "as_of": date(2022, 4, 1),
}


@pytest.mark.parametrize(
    ("latest", "progress", "expected"),
    [
        pytest.param(76.0, TargetProgress.ON_TRACK, 75.0, id="ahead"),
        pytest.param(74.0, TargetProgress.BEHIND, 75.0, id="behind"),
        pytest.param(65.0, TargetProgress.BEHIND, 70.0, id="moved_away_from_the_baseline"),
        pytest.param(81.0, TargetProgress.MET, None, id="met"),
    ],
)
def test_trajectory_when_higher_is_better(
    latest: float, progress: TargetProgress, expected: float | None
) -> None:
    assessment = assess_target(latest_value=latest, **RISING)
    assert (assessment.progress, assessment.expected) == (progress, expected)


def test_a_target_dated_on_its_baseline_date_has_no_trajectory() -> None:
    same_day = {"baseline_date": date(2023, 4, 1), "target_date": date(2023, 4, 1)}
    assessment = assess_target(latest_value=74.0, **{**RISING, **same_day})
    assert assessment.progress is TargetProgress.NOT_ASSESSED


# --------------------------------------------------------------------------------------------
# Priority areas
# --------------------------------------------------------------------------------------------

NO_ACTIONS = "Actions: 0 Red, 0 Amber, 0 Green, 0 Complete, 0 Not rated."
NO_MEASURES = "Measures: 0 Red, 0 Amber, 0 Green, 0 Not rated."


@pytest.mark.parametrize(
    ("actions", "measures", "reason"),
    [
        pytest.param([], [], f"Nothing rated yet. {NO_ACTIONS} {NO_MEASURES}", id="not_rated"),
        pytest.param(
            [],
            ["red", "red", "amber"],
            f"2 measures Red. {NO_ACTIONS} Measures: 2 Red, 1 Amber, 0 Green, 0 Not rated.",
            id="red_measures",
        ),
        pytest.param(
            [],
            ["red"],
            f"1 measure Red. {NO_ACTIONS} Measures: 1 Red, 0 Amber, 0 Green, 0 Not rated.",
            id="one_red_measure",
        ),
        pytest.param(
            ["red"],
            [],
            "1 of 1 rated actions Red (threshold 25%). Actions: 1 Red, 0 Amber, 0 Green, "
            f"0 Complete, 0 Not rated. {NO_MEASURES}",
            id="red_share",
        ),
        pytest.param(
            [],
            ["amber", "amber"],
            f"2 measures Amber. {NO_ACTIONS} Measures: 0 Red, 2 Amber, 0 Green, 0 Not rated.",
            id="amber_measures",
        ),
        pytest.param(
            ["amber", "green", "green"],
            [],
            "1 of 3 rated actions Amber (threshold 25%). Actions: 0 Red, 1 Amber, 2 Green, "
            f"0 Complete, 0 Not rated. {NO_MEASURES}",
            id="amber_share",
        ),
        pytest.param(
            ["green"],
            ["green"],
            "No Red and little Amber. Actions: 0 Red, 0 Amber, 1 Green, 0 Complete, 0 Not rated. "
            "Measures: 0 Red, 0 Amber, 1 Green, 0 Not rated.",
            id="on_track",
        ),
    ],
)
def test_priority_area_reason(actions: list[str], measures: list[str], reason: str) -> None:
    assert propose_priority_area_rag(action_rags=actions, measure_rags=measures).reason == reason


def test_an_area_whose_one_rated_action_is_red_is_red() -> None:
    # One of one rated actions is 100%, over the 25% threshold.
    proposal = propose_priority_area_rag(action_rags=[Rag.RED, Rag.NOT_RATED], measure_rags=[])
    assert (proposal.rag, proposal.rule) == (Rag.RED, "area.red_actions_share")


# --------------------------------------------------------------------------------------------
# Words in, and the rule written out
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("out_of_date", Rag.OUT_OF_DATE),  # as stored
        ("Not rated: data out of date", Rag.OUT_OF_DATE),  # as shown
        (" Red ", Rag.RED),
        ("not-rated", Rag.NOT_RATED),
    ],
)
def test_parse_rag_reads_stored_values_labels_and_stray_spacing(text: str, expected: Rag) -> None:
    assert parse_rag(text) is expected


def test_unknown_words_are_named_in_the_error() -> None:
    with pytest.raises(ValueError, match="purple"):
        parse_rag("purple")
    with pytest.raises(ValueError, match="paused"):
        parse_action_status("paused")


def test_rules_text_numbers_each_section_from_one_under_its_heading() -> None:
    text = rules_text()
    sections = text.split("\n\n")
    assert len(sections) == 4  # the introduction, actions, measures, priority areas
    headings = [section.split("\n")[0] for section in sections[1:]]
    assert headings == ["Actions", "Performance measures", "Priority areas"]
    for section in sections[1:]:
        lines = section.split("\n")
        assert lines[2].startswith("1. ")
        assert [line.split(".")[0] for line in lines[2:]] == [
            str(n) for n in range(1, len(lines) - 1)
        ]


def test_rules_text_names_the_configured_out_of_date_limit() -> None:
    text = rules_text(out_of_date_limit="1 April 2020")
    assert "a period that ended before 1 April 2020:" in text


# --------------------------------------------------------------------------------------------
# The two day boundaries the rules text settles: the day itself counts
# --------------------------------------------------------------------------------------------


def test_an_action_not_started_on_its_start_date_is_late_as_the_rules_text_says() -> None:
    on_the_day = propose_action_rag(
        **{**ACTION, **NOT_STARTED, "start_date": TODAY, "due_date": None}
    )
    assert on_the_day.rule == "action.not_started_late"
    assert "start date has come (today or earlier)" in rules_text()


def test_a_value_for_the_target_date_itself_that_misses_the_target_is_missed() -> None:
    on_the_day = assess_target(
        direction=Direction.LOWER,
        latest_value=3.6,
        target_value=3.5,
        target_date=date(2022, 3, 31),
        as_of=date(2022, 3, 31),
    )
    day_before = assess_target(
        direction=Direction.LOWER,
        latest_value=3.6,
        target_value=3.5,
        target_date=date(2022, 3, 31),
        as_of=date(2022, 3, 30),
    )
    assert on_the_day.progress is TargetProgress.MISSED
    assert day_before.progress is not TargetProgress.MISSED
    assert "a value for the target date itself counts" in rules_text()
