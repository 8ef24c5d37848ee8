"""Loading the plan fixture: every part of the report, linked to its indicators, idempotent."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command

from actionplan.models import Action, Objective, PerformanceMeasure, PriorityArea

PLAN = json.loads((settings.BASE_DIR / "fixtures" / "actionplan" / "plan.json").read_text())


def fixture_counts() -> tuple[int, int, int]:
    objectives = [o for a in PLAN["priority_areas"] for o in a["objectives"]]
    actions = [x for o in objectives for x in o["actions"]]
    return len(PLAN["priority_areas"]), len(objectives), len(actions)


@pytest.mark.django_db
def test_the_whole_plan_is_loaded_with_measures_linked_to_indicators(snapshot):
    call_command("load_action_plan", stdout=io.StringIO())

    assert (
        (
            PriorityArea.objects.count(),
            Objective.objects.count(),
            Action.objects.count(),
        )
        == fixture_counts()
        == (9, 34, 73)
    )
    measures = PerformanceMeasure.objects.select_related("indicator")
    assert measures.count() == len(PLAN["performance_framework"])
    linked = {m.indicator.fingertips_id for m in measures if m.indicator}
    assert {92196, 20101, 20201, 93085, 20401} <= linked
    assert PriorityArea.objects.get(number=1).title == PLAN["priority_areas"][0]["title"]


@pytest.mark.django_db
def test_loading_twice_changes_nothing_and_records_no_new_history(snapshot):
    call_command("load_action_plan", stdout=io.StringIO())
    history = Action.history.count()
    out = io.StringIO()

    call_command("load_action_plan", stdout=out)

    assert "actions: 0 created, 73 in all" in out.getvalue()
    assert Action.history.count() == history


@pytest.mark.django_db
def test_a_changed_fixture_updates_the_plan_and_keeps_who_and_when(snapshot, tmp_path):
    call_command("load_action_plan", stdout=io.StringIO())
    changed = json.loads(json.dumps(PLAN))
    changed["priority_areas"][0]["objectives"][0]["actions"][0]["text"] = "Revised wording"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(changed))

    call_command("load_action_plan", file=path, stdout=io.StringIO())

    action = Action.objects.get(number="1.1.1")
    assert action.text == "Revised wording"
    assert action.history.count() == 2
    assert action.history.first().history_type == "~"
