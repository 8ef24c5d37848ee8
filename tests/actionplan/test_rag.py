"""The proposed-RAG rule: every branch of the action, measure and priority-area rules."""

from __future__ import annotations

import ast
import math
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from actionplan import rag
from actionplan.rag import (
    ACTION_RULES,
    MEASURE_RULES,
    PRIORITY_AREA_RULES,
    RULES_TEXT,
    ActionStatus,
    Direction,
    OutOfDate,
    Proposal,
    Rag,
    TargetProgress,
    assess_target,
    financial_quarter_start,
    parse_action_status,
    parse_direction,
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
QUARTER_OPENED = date(2021, 10, 1)

ON_TRACK_ACTION: dict[str, Any] = {
    "today": TODAY,
    "status": ActionStatus.IN_PROGRESS,
    "start_date": date(2021, 4, 1),
    "due_date": date(2022, 3, 31),
    "latest_update_rag": Rag.GREEN,
    "latest_update_date": date(2021, 10, 20),
    "rescheduled": False,
}


def action(**changes: Any) -> Proposal:
    return propose_action_rag(**{**ON_TRACK_ACTION, **changes})


ACTION_CASES = [
    pytest.param(
        {"status": ActionStatus.COMPLETE, "due_date": TODAY - timedelta(days=30)},
        Rag.COMPLETE,
        "action.complete",
        id="complete_action_is_complete_even_after_its_due_date",
    ),
    pytest.param(
        {"status": "cancelled", "latest_update_rag": "red"},
        Rag.NOT_RATED,
        "action.cancelled",
        id="cancelled_action_is_not_rated",
    ),
    pytest.param(
        {"due_date": TODAY - timedelta(days=1)},
        Rag.RED,
        "action.overdue",
        id="action_due_yesterday_is_red_though_owner_says_green",
    ),
    pytest.param(
        {"status": ActionStatus.ON_HOLD, "due_date": date(2021, 3, 31)},
        Rag.RED,
        "action.overdue",
        id="overdue_action_on_hold_is_red",
    ),
    pytest.param(
        {"due_date": TODAY},
        Rag.GREEN,
        "action.on_track",
        id="action_due_today_is_not_yet_overdue",
    ),
    pytest.param(
        {"latest_update_rag": "Red"},
        Rag.RED,
        "action.owner_reports_red",
        id="owner_red_is_red",
    ),
    pytest.param(
        {"latest_update_rag": Rag.RED, "latest_update_date": date(2021, 5, 1)},
        Rag.RED,
        "action.owner_reports_red",
        id="owner_red_from_an_earlier_quarter_stands_until_updated",
    ),
    pytest.param(
        {"status": ActionStatus.NOT_STARTED, "due_date": TODAY + timedelta(days=90)},
        Rag.RED,
        "action.not_started_due_soon",
        id="not_started_and_due_in_90_days_is_red",
    ),
    pytest.param(
        {"status": ActionStatus.NOT_STARTED, "due_date": TODAY},
        Rag.RED,
        "action.not_started_due_soon",
        id="not_started_and_due_today_is_red",
    ),
    pytest.param(
        {
            "status": ActionStatus.NOT_STARTED,
            "start_date": TODAY + timedelta(days=10),
            "due_date": TODAY + timedelta(days=400),
            "latest_update_rag": None,
            "latest_update_date": None,
        },
        Rag.NOT_RATED,
        "action.not_due_to_start",
        id="not_started_before_its_start_date_is_not_rated",
    ),
    pytest.param(
        {"status": ActionStatus.ON_HOLD},
        Rag.AMBER,
        "action.on_hold",
        id="on_hold_is_amber",
    ),
    pytest.param(
        {"status": ActionStatus.NOT_STARTED, "due_date": TODAY + timedelta(days=91)},
        Rag.AMBER,
        "action.not_started_late",
        id="not_started_after_start_date_and_due_in_91_days_is_amber",
    ),
    pytest.param(
        {"status": "Not started", "start_date": None, "due_date": None},
        Rag.AMBER,
        "action.not_started_late",
        id="not_started_with_no_dates_is_amber",
    ),
    pytest.param(
        {"latest_update_date": QUARTER_OPENED - timedelta(days=1)},
        Rag.AMBER,
        "action.no_update_this_quarter",
        id="green_update_from_last_quarter_is_amber",
    ),
    pytest.param(
        {"latest_update_rag": None, "latest_update_date": None},
        Rag.AMBER,
        "action.no_update_this_quarter",
        id="never_updated_is_amber",
    ),
    pytest.param(
        {"latest_update_date": QUARTER_OPENED},
        Rag.GREEN,
        "action.on_track",
        id="update_on_the_quarters_first_day_counts",
    ),
    pytest.param(
        {"latest_update_rag": Rag.AMBER},
        Rag.AMBER,
        "action.owner_reports_amber",
        id="owner_amber_is_amber",
    ),
    pytest.param(
        {"rescheduled": True},
        Rag.AMBER,
        "action.rescheduled",
        id="rescheduled_action_on_track_is_amber",
    ),
    pytest.param({}, Rag.GREEN, "action.on_track", id="updated_green_in_progress_is_green"),
    pytest.param(
        {"latest_update_rag": None, "due_date": None},
        Rag.GREEN,
        "action.on_track",
        id="updated_without_a_rag_and_undated_is_green",
    ),
    pytest.param(
        {"quarter_start": date(2021, 7, 1), "latest_update_date": date(2021, 7, 15)},
        Rag.GREEN,
        "action.on_track",
        id="update_counts_for_an_explicit_open_quarter",
    ),
]


@pytest.mark.parametrize(("changes", "expected_rag", "expected_rule"), ACTION_CASES)
def test_action_rule(changes: dict[str, Any], expected_rag: Rag, expected_rule: str) -> None:
    proposal = action(**changes)
    assert (proposal.rag, proposal.rule) == (expected_rag, expected_rule)
    assert proposal.reason


def test_due_soon_window_can_be_shortened() -> None:
    proposal = action(
        status=ActionStatus.NOT_STARTED, due_date=TODAY + timedelta(days=40), due_soon_days=30
    )
    assert proposal.rule == "action.not_started_late"


def test_overdue_reason_names_the_date_and_days_late() -> None:
    proposal = action(due_date=TODAY - timedelta(days=1))
    assert proposal.reason == "Due 14 November 2021, 1 day ago, and not complete (in progress)."


def test_not_started_due_today_reason_says_today() -> None:
    proposal = action(status=ActionStatus.NOT_STARTED, due_date=TODAY)
    assert proposal.reason == "Not started and due 15 November 2021, today."


def test_no_update_reason_names_the_quarter_and_latest_update() -> None:
    proposal = action(latest_update_date=date(2021, 9, 1))
    assert "1 October 2021" in proposal.reason
    assert "1 September 2021" in proposal.reason


@pytest.mark.parametrize(
    ("day", "first_day"),
    [
        (date(2021, 4, 1), date(2021, 4, 1)),
        (date(2021, 6, 30), date(2021, 4, 1)),
        (date(2021, 7, 1), date(2021, 7, 1)),
        (date(2021, 12, 31), date(2021, 10, 1)),
        (date(2022, 1, 1), date(2022, 1, 1)),
        (date(2022, 3, 31), date(2022, 1, 1)),
    ],
)
def test_financial_quarter_start(day: date, first_day: date) -> None:
    assert financial_quarter_start(day) == first_day


# --------------------------------------------------------------------------------------------
# Performance measures
# --------------------------------------------------------------------------------------------

MEASURE_DAY = date(2022, 6, 1)

# Infant mortality (lower is better): Similar to England and the North West, no change.
FLAT_MEASURE: dict[str, Any] = {
    "today": MEASURE_DAY,
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


def measure(**changes: Any) -> Proposal:
    return propose_measure_rag(**{**FLAT_MEASURE, **changes})


# A figure for 2016-18 under a plan that starts in April 2020 (Lancashire's infant mortality).
STALE: dict[str, Any] = {
    "period": "2016 - 18",
    "period_end": date(2018, 12, 31),
    "out_of_date": OutOfDate(date(2020, 4, 1)),
}

MEASURE_CASES = [
    pytest.param(
        {"latest_value": None}, Rag.NOT_RATED, "measure.no_value", id="no_value_is_not_rated"
    ),
    pytest.param(
        {**STALE, "england": "Worse", "trend": "Increasing and getting worse"},
        Rag.OUT_OF_DATE,
        "measure.out_of_date",
        id="worse_and_worsening_but_older_than_the_plan_is_not_rated_out_of_date",
    ),
    pytest.param(
        {**STALE, "england": "Better", "trend": "Decreasing and getting better"},
        Rag.OUT_OF_DATE,
        "measure.out_of_date",
        id="better_but_older_than_the_plan_is_not_green",
    ),
    pytest.param(
        {"latest_value": math.nan},
        Rag.NOT_RATED,
        "measure.no_value",
        id="nan_value_is_not_rated",
    ),
    pytest.param(
        {"england": "Not compared", "versus_region": None, "trend": "Could not be calculated"},
        Rag.NOT_RATED,
        "measure.not_enough_data",
        id="no_comparison_no_trend_no_target_is_not_rated",
    ),
    pytest.param(
        {
            "england": None,
            "versus_region": None,
            "trend": None,
            "baseline_value": 5.0,
            "target_value": 3.0,
        },
        Rag.NOT_RATED,
        "measure.not_enough_data",
        id="target_without_dates_is_not_enough_data",
    ),
    pytest.param(
        {"target_value": 3.5, "target_date": date(2022, 3, 31)},
        Rag.RED,
        "measure.target_missed",
        id="target_date_passed_and_not_met_is_red",
    ),
    pytest.param(
        {"england": Comparison.WORSE},
        Rag.RED,
        "measure.worse_than_england_not_improving",
        id="worse_than_england_and_flat_is_red",
    ),
    pytest.param(
        {"england": "Worst", "trend": "Could not be calculated"},
        Rag.RED,
        "measure.worse_than_england_not_improving",
        id="worst_than_england_without_a_trend_is_red",
    ),
    pytest.param(
        {"england": "Higher", "trend": "Increasing"},
        Rag.RED,
        "measure.worse_than_england_not_improving",
        id="higher_than_england_when_lower_is_better_is_worse",
    ),
    pytest.param(
        {"trend": "Increasing and getting worse", **TRAJECTORY, "latest_value": 4.5},
        Rag.RED,
        "measure.getting_worse_behind_target",
        id="getting_worse_and_behind_trajectory_is_red",
    ),
    pytest.param(
        {"trend": "Increasing and getting worse", "baseline_value": 3.8, "target_value": 3.0},
        Rag.RED,
        "measure.getting_worse_behind_target",
        id="getting_worse_and_moved_away_from_baseline_is_red",
    ),
    pytest.param(
        {"latest_value": 3.0, "target_value": 3.5, "target_date": date(2023, 3, 31)},
        Rag.GREEN,
        "measure.target_met_or_on_track",
        id="target_met_is_green",
    ),
    pytest.param(
        {**TRAJECTORY, "latest_value": 3.9},
        Rag.GREEN,
        "measure.target_met_or_on_track",
        id="ahead_of_trajectory_is_green",
    ),
    pytest.param(
        {**TRAJECTORY, "latest_value": Decimal("4.0")},
        Rag.GREEN,
        "measure.target_met_or_on_track",
        id="exactly_on_trajectory_is_green",
    ),
    pytest.param(
        {"england": Comparison.WORSE, "trend": "Decreasing and getting better", **TRAJECTORY},
        Rag.GREEN,
        "measure.target_met_or_on_track",
        id="worse_than_england_but_improving_and_on_track_is_green",
    ),
    pytest.param(
        {"england": Comparison.BETTER},
        Rag.GREEN,
        "measure.better_than_england",
        id="better_than_england_and_flat_is_green",
    ),
    pytest.param(
        {"england": Comparison.BEST, "versus_region": "Not compared"},
        Rag.GREEN,
        "measure.better_than_england",
        id="best_than_england_is_green",
    ),
    pytest.param(
        {"trend": "Decreasing and getting better"},
        Rag.GREEN,
        "measure.improving",
        id="similar_to_england_and_improving_is_green",
    ),
    pytest.param(
        {"trend": "Decreasing", "england": None},
        Rag.GREEN,
        "measure.improving",
        id="bare_decreasing_trend_when_lower_is_better_is_improving",
    ),
    pytest.param(
        {"england": Comparison.WORSE, "trend": "Decreasing and getting better"},
        Rag.AMBER,
        "measure.worse_than_england_improving",
        id="worse_than_england_but_improving_is_amber",
    ),
    pytest.param(
        {"trend": "Increasing and getting worse"},
        Rag.AMBER,
        "measure.getting_worse",
        id="similar_to_england_and_getting_worse_is_amber",
    ),
    pytest.param(
        {"england": Comparison.BETTER, "trend": "Increasing and getting worse"},
        Rag.AMBER,
        "measure.getting_worse",
        id="better_than_england_but_getting_worse_is_amber",
    ),
    pytest.param(
        {**TRAJECTORY, "latest_value": 4.2},
        Rag.AMBER,
        "measure.behind_target",
        id="behind_trajectory_and_flat_is_amber",
    ),
    pytest.param(
        {"target_value": 3.5, "target_date": date(2023, 3, 31), "latest_date": date(2021, 3, 31)},
        Rag.AMBER,
        "measure.no_clear_progress",
        id="target_date_is_judged_at_the_latest_values_date",
    ),
    pytest.param({}, Rag.AMBER, "measure.no_clear_progress", id="similar_and_flat_is_amber"),
    pytest.param(
        {"england": Comparison.BETTER, "versus_region": Comparison.WORSE},
        Rag.AMBER,
        "measure.no_clear_progress",
        id="better_than_england_but_worse_than_north_west_and_flat_is_amber",
    ),
]


@pytest.mark.parametrize(("changes", "expected_rag", "expected_rule"), MEASURE_CASES)
def test_measure_rule(changes: dict[str, Any], expected_rag: Rag, expected_rule: str) -> None:
    proposal = measure(**changes)
    assert (proposal.rag, proposal.rule) == (expected_rag, expected_rule)
    assert proposal.reason


@pytest.mark.parametrize(
    ("changes", "expected_rule"),
    [
        pytest.param(
            {"england": "Lower", "trend": "Increasing and getting better"},
            "measure.worse_than_england_improving",
            id="lower_than_england_when_higher_is_better_is_worse",
        ),
        pytest.param(
            {"england": "Similar", "trend": "Decreasing and getting worse"},
            "measure.getting_worse",
            id="falling_breastfeeding_is_getting_worse",
        ),
        pytest.param(
            {"latest_value": 75.0, "target_value": 70.0},
            "measure.target_met_or_on_track",
            id="above_a_higher_is_better_target_is_met",
        ),
    ],
)
def test_measure_rule_when_higher_is_better(changes: dict[str, Any], expected_rule: str) -> None:
    proposal = measure(**{"direction": "higher", "latest_value": 60.0, **changes})
    assert proposal.rule == expected_rule


def test_measure_reason_states_the_evidence() -> None:
    proposal = measure(**TRAJECTORY, latest_value=4.2)
    assert proposal.reason == (
        "Behind the target trajectory (England: Similar; North West: Similar; recent trend: "
        "No significant change; target 3 by 1 April 2023: behind, 4 expected by now)."
    )


def test_the_rule_and_the_evidence_name_the_configured_region() -> None:
    # The region is configuration: another county's rule text and reasons name its own region.
    text = rules_text(region="South East")
    assert "not Worse than the South East" in text
    assert "compared with neither England nor the South East" in text
    assert "Comparisons with England and the South East" in text
    assert "North West" not in text and "North West" not in RULES_TEXT
    proposal = measure(**TRAJECTORY, latest_value=4.2, region="South East")
    assert "(England: Similar; South East: Similar;" in proposal.reason


@pytest.mark.parametrize(
    ("changes", "progress", "expected"),
    [
        pytest.param({"target_value": None}, TargetProgress.NO_TARGET, None, id="no_target"),
        pytest.param({"latest_value": 2.9}, TargetProgress.MET, None, id="met"),
        pytest.param({"as_of": date(2024, 4, 1)}, TargetProgress.MISSED, None, id="missed"),
        pytest.param({"latest_value": 3.9}, TargetProgress.ON_TRACK, 4.0, id="on_track"),
        pytest.param({"latest_value": 4.5}, TargetProgress.BEHIND, 4.0, id="behind"),
        pytest.param({"latest_value": 5.5}, TargetProgress.BEHIND, 5.0, id="moved_away"),
        pytest.param(
            {"as_of": date(2019, 1, 1), "latest_value": 5.0},
            TargetProgress.ON_TRACK,
            5.0,
            id="before_baseline_expects_baseline",
        ),
        pytest.param({"baseline_date": None}, TargetProgress.NOT_ASSESSED, None, id="no_dates"),
        pytest.param(
            {"baseline_date": date(2025, 1, 1)},
            TargetProgress.NOT_ASSESSED,
            None,
            id="baseline_after_target",
        ),
    ],
)
def test_assess_target(
    changes: dict[str, Any], progress: TargetProgress, expected: float | None
) -> None:
    values: dict[str, Any] = {
        "direction": Direction.LOWER,
        "latest_value": 4.0,
        "baseline_value": 5.0,
        "baseline_date": date(2021, 4, 1),
        "target_value": 3.0,
        "target_date": date(2023, 4, 1),
        "as_of": date(2022, 4, 1),
    }
    assessment = assess_target(**{**values, **changes})
    assert assessment.progress is progress
    assert assessment.expected == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"england": "Amber"}, id="unknown_comparison"),
        pytest.param({"trend": "Going up"}, id="unknown_trend"),
        pytest.param({"direction": "BOB - Blue orange blue"}, id="direction_without_judgement"),
    ],
)
def test_measure_refuses_labels_it_does_not_know(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        measure(**changes)


# --------------------------------------------------------------------------------------------
# Priority areas
# --------------------------------------------------------------------------------------------

R, A, G, C, N = Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE, Rag.NOT_RATED

AREA_CASES = [
    pytest.param([], [], Rag.NOT_RATED, "area.not_rated", id="empty_area_is_not_rated"),
    pytest.param([N, N], [N], Rag.NOT_RATED, "area.not_rated", id="nothing_rated_is_not_rated"),
    pytest.param([G, G, G], [R, G], Rag.RED, "area.red_measure", id="any_red_measure_is_red"),
    pytest.param(
        [R, G, G, C], [G], Rag.RED, "area.red_actions_share", id="quarter_of_actions_red_is_red"
    ),
    pytest.param(
        [R, G, G, G, N, N, N, N],
        [],
        Rag.RED,
        "area.red_actions_share",
        id="not_rated_actions_are_left_out_of_the_share",
    ),
    pytest.param(
        [R, G, G, G, C],
        [G],
        Rag.AMBER,
        "area.some_red_actions",
        id="one_red_action_in_five_is_amber",
    ),
    pytest.param([G, C], [A, G], Rag.AMBER, "area.amber_measure", id="amber_measure_is_amber"),
    pytest.param(
        [A, G, G, C],
        [G],
        Rag.AMBER,
        "area.amber_actions_share",
        id="quarter_of_actions_amber_is_amber",
    ),
    pytest.param(
        [A, G, G, G, C], [G], Rag.GREEN, "area.on_track", id="one_amber_action_in_five_is_green"
    ),
    pytest.param([C, C], [N], Rag.GREEN, "area.on_track", id="all_actions_complete_is_green"),
    pytest.param([], [G], Rag.GREEN, "area.on_track", id="green_measure_without_actions"),
]


@pytest.mark.parametrize(("actions", "measures", "expected_rag", "expected_rule"), AREA_CASES)
def test_priority_area_rule(
    actions: list[Rag], measures: list[Rag], expected_rag: Rag, expected_rule: str
) -> None:
    proposal = propose_priority_area_rag(action_rags=actions, measure_rags=measures)
    assert (proposal.rag, proposal.rule) == (expected_rag, expected_rule)


def test_priority_area_reason_lists_the_counts() -> None:
    proposal = propose_priority_area_rag(
        action_rags=["red", "amber", "green", "green", "complete", "not_rated"],
        measure_rags=["Amber", "Not rated"],
    )
    assert proposal.reason == (
        "1 of 5 rated actions Red. Actions: 1 Red, 1 Amber, 2 Green, 1 Complete, 1 Not rated. "
        "Measures: 0 Red, 1 Amber, 0 Green, 1 Not rated."
    )


def test_priority_area_thresholds_can_be_changed() -> None:
    proposal = propose_priority_area_rag(
        action_rags=[R, G, G, G, G], measure_rags=[], red_share=0.2
    )
    assert proposal.rule == "area.red_actions_share"


# --------------------------------------------------------------------------------------------
# The written rule and the code
# --------------------------------------------------------------------------------------------

ALL_RULES = ACTION_RULES + MEASURE_RULES + PRIORITY_AREA_RULES


def _rules_in(cases: list[Any]) -> set[str]:
    return {case.values[-1] for case in cases}


def test_rule_ids_are_unique() -> None:
    ids = [rule.id for rule in ALL_RULES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.id)
def test_every_branch_is_written_out_in_rules_text(rule: rag.Rule) -> None:
    assert f"{rule.rag.label} when {rule.describe()} [{rule.id}]" in RULES_TEXT


@pytest.mark.parametrize(
    ("cases", "rules"),
    [
        pytest.param(ACTION_CASES, ACTION_RULES, id="actions"),
        pytest.param(MEASURE_CASES, MEASURE_RULES, id="measures"),
        pytest.param(AREA_CASES, PRIORITY_AREA_RULES, id="priority_areas"),
    ],
)
def test_every_branch_has_a_case_with_its_documented_rag(cases: list[Any], rules: Any) -> None:
    by_id = {rule.id: rule for rule in rules}
    assert _rules_in(cases) == set(by_id)
    for case in cases:
        expected_rag, expected_rule = case.values[-2:]
        assert by_id[expected_rule].rag is expected_rag


def test_rules_text_states_completed_actions_are_blue_and_the_thresholds() -> None:
    assert "shown as Complete (blue), not Green" in RULES_TEXT
    assert "due within 90 days" in RULES_TEXT
    assert "25% or more of the area's rated actions" in RULES_TEXT
    changed = rules_text(due_soon_days=60, red_share=0.3, amber_share=0.5)
    assert "due within 60 days" in changed
    assert "30% or more" in changed
    assert "50% or more" in changed


@pytest.mark.parametrize("module", sorted(Path(rag.__file__).parent.glob("*.py")), ids=str)
def test_rag_module_imports_nothing_from_django(module: Path) -> None:
    tree = ast.parse(module.read_text())
    imported = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ] + [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [name for name in imported if name.split(".")[0] == "django"]


# --------------------------------------------------------------------------------------------
# Plain values in
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("red", Rag.RED),
        ("Not rated", Rag.NOT_RATED),
        ("not_rated", Rag.NOT_RATED),
        ("Blue", Rag.COMPLETE),
        (Rag.AMBER, Rag.AMBER),
    ],
)
def test_parse_rag(text: str, expected: Rag) -> None:
    assert parse_rag(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("in_progress", ActionStatus.IN_PROGRESS), ("On hold", ActionStatus.ON_HOLD)],
)
def test_parse_action_status(text: str, expected: ActionStatus) -> None:
    assert parse_action_status(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lower", Direction.LOWER),
        ("Higher is better", Direction.HIGHER),
        ("RAG - Low is good", Direction.LOWER),
        ("RAG – High is good", Direction.HIGHER),
    ],
)
def test_parse_direction(text: str, expected: Direction) -> None:
    assert parse_direction(text) is expected


@pytest.mark.parametrize(
    "parse", [parse_rag, parse_action_status, parse_direction], ids=lambda f: f.__name__
)
def test_unknown_words_are_refused(parse: Any) -> None:
    with pytest.raises(ValueError):
        parse("purple")


def test_rag_colours_show_complete_as_blue() -> None:
    assert [r.tone for r in Rag] == ["red", "amber", "green", "blue", "grey", "grey"]
    assert Rag.COMPLETE.colour == "#14304f"  # navy: told apart from green under tritanopia


def test_the_exports_wording_of_an_uncalculated_trend_is_understood():
    from datetime import date

    from actionplan.rag import propose_measure_rag

    proposal = propose_measure_rag(
        today=date(2022, 1, 1),
        direction="lower",
        latest_value=4.0,
        england="Similar",
        versus_region=None,
        trend="Cannot be calculated",
        baseline_value=None,
        target_value=None,
        target_date=None,
    )
    assert proposal.rag == "amber"


def test_a_figure_older_than_the_limit_is_not_rated_and_says_its_period() -> None:
    proposal = measure(**STALE, england="Worse", trend="Increasing and getting worse")
    assert proposal.rag is Rag.OUT_OF_DATE
    assert proposal.rag.label == "Not rated: data out of date"
    assert proposal.reason.startswith(
        "Not rated: data out of date. The latest value is for 2016 - 18 (ended 31 December "
        "2018), before the plan's start (1 April 2020)"
    )


def test_a_figure_inside_the_limit_is_rated_and_its_reason_names_the_period() -> None:
    current = {**STALE, "period": "2021 - 23", "period_end": date(2023, 12, 31)}
    proposal = measure(**current, england="Worse", trend="Increasing and getting worse")
    assert proposal.rag is Rag.RED
    assert "latest value for 2021 - 23" in proposal.reason


def test_without_a_limit_an_old_figure_is_rated() -> None:
    proposal = measure(
        **{**STALE, "out_of_date": None}, england="Worse", trend="No significant change"
    )
    assert proposal.rag is Rag.RED


def test_an_out_of_date_measure_counts_as_not_rated_for_its_area() -> None:
    proposal = propose_priority_area_rag(action_rags=[], measure_rags=[Rag.OUT_OF_DATE])
    assert proposal.rule == "area.not_rated"
