"""Plan stewards keep the plan in the app: scope, the rules every write path follows, the log."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.urls import reverse

from actionplan import roles, stewardship
from actionplan.models import (
    Action,
    AreaSteward,
    PerformanceMeasure,
    PlanChange,
    PlanTeam,
    PriorityArea,
    QuarterlyUpdate,
)
from indicators.vocabulary import ActionStatus, Rag

pytestmark = pytest.mark.django_db


def _steward(username: str, plan, area: PriorityArea | None) -> User:
    user = User.objects.create_user(username, password="not-a-real-password")
    user.groups.add(Group.objects.get(name=roles.PLAN_STEWARD))
    AreaSteward.objects.create(plan=plan, priority_area=area, user=user)
    return user


@pytest.fixture
def secretariat(plan, plan_roles) -> User:
    return _steward("sally", plan, None)


@pytest.fixture
def area_lead(plan, plan_roles) -> User:
    return _steward("liam", plan, PriorityArea.objects.get(plan=plan, number=1))


def _action_in(plan, number: int) -> Action:
    return (
        Action.objects.filter(
            objective__priority_area__plan=plan, objective__priority_area__number=number
        )
        .order_by("pk")
        .first()
    )


def _post(action: Action, **changes) -> dict:
    data = {
        "text": action.text,
        "owner": action.owner_id or "",
        "owner_team": action.owner_team_id or "",
        "due_date": action.due_date.isoformat() if action.due_date else "",
        "status": action.status,
        "status_reason": action.status_reason,
        "version": stewardship.version_of(action),
    }
    return data | changes


def test_setup_roles_gives_stewards_the_plan_edits_only(plan_roles):
    codes = set(
        Group.objects.get(name=roles.PLAN_STEWARD).permissions.values_list("codename", flat=True)
    )
    writes = {c for c in codes if not c.startswith("view_")}
    assert writes == {
        "add_objective",
        "change_objective",
        "add_action",
        "change_action",
        "change_performancemeasure",
    }


def test_a_lead_stewards_only_their_own_area(client, plan, area_lead):
    client.force_login(area_lead)
    own, other = _action_in(plan, 1), _action_in(plan, 2)
    assert client.get(reverse("actionplan:action_edit", args=[own.pk])).status_code == 200
    assert client.get(reverse("actionplan:action_edit", args=[other.pk])).status_code == 403
    response = client.post(reverse("actionplan:action_edit", args=[other.pk]), _post(other))
    assert response.status_code == 403
    assert not PlanChange.objects.exists()


def test_a_role_without_stewardship_cannot_edit(client, plan, group_member, action_owner):
    action = _action_in(plan, 1)
    for user in (group_member, action_owner):
        client.force_login(user)
        assert client.get(reverse("actionplan:action_edit", args=[action.pk])).status_code == 403


def test_secretariat_sets_owner_due_date_and_status_logged(client, plan, secretariat, action_owner):
    action = _action_in(plan, 3)
    client.force_login(secretariat)
    response = client.post(
        reverse("actionplan:action_edit", args=[action.pk]),
        _post(action, owner=action_owner.pk, due_date="2022-03-31", status="in_progress"),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.owner, action.due_date, action.status) == (
        action_owner,
        date(2022, 3, 31),
        ActionStatus.IN_PROGRESS,
    )
    entry = PlanChange.objects.get()
    assert entry.made_by == secretariat and entry.subject == f"Action {action.number}"
    assert "Due date: none → 31 March 2022" in entry.description
    assert "Status: Not started → In progress" in entry.description
    assert action.history.first().history_user == secretariat
    page = client.get(reverse("actionplan:changes_log"))
    assert "31 March 2022" in page.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"due_date": "2019-12-31"}, "due_date", "must be on or after the plan starts"),
        ({"status": "on_hold", "status_reason": " "}, "status_reason", "Enter the reason"),
        ({"owner": "999999"}, "owner", "a person with a role in the plan, or a named team"),
    ],
)
def test_bad_edits_are_refused_clearly(client, plan, secretariat, changes, field, words):
    action = _action_in(plan, 1)
    client.force_login(secretariat)
    response = client.post(
        reverse("actionplan:action_edit", args=[action.pk]), _post(action, **changes)
    )
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors[field])
    assert not PlanChange.objects.exists()
    assert Action.objects.get(pk=action.pk).status == ActionStatus.NOT_STARTED


def test_the_same_rules_hold_from_a_shell(plan):
    action = _action_in(plan, 1)
    action.due_date = date(2019, 1, 1)
    with pytest.raises(ValidationError, match="plan starts"):
        action.save()
    action.due_date, action.status = None, ActionStatus.CANCELLED
    with pytest.raises(ValidationError, match="reason"):
        action.save()


def test_owner_and_team_together_are_refused(plan, secretariat):
    action = _action_in(plan, 1)
    action.owner = secretariat
    action.owner_team = PlanTeam.objects.create(plan=plan, name="Midwifery leads")
    with pytest.raises(ValidationError, match="not both"):
        stewardship.save_action(action, by=secretariat)


def test_two_stewards_saving_at_once_the_second_is_told(client, plan, secretariat, area_lead):
    action = _action_in(plan, 1)
    opened = _post(action)  # both open the page on the same version
    client.force_login(secretariat)
    client.post(
        reverse("actionplan:action_edit", args=[action.pk]), opened | {"due_date": "2022-06-30"}
    )
    client.force_login(area_lead)
    response = client.post(
        reverse("actionplan:action_edit", args=[action.pk]), opened | {"due_date": "2023-01-31"}
    )
    assert response.status_code == 200
    assert "after you opened the page: nothing you entered was saved" in response.content.decode()
    assert Action.objects.get(pk=action.pk).due_date == date(2022, 6, 30)
    assert PlanChange.objects.count() == 1


def test_a_target_the_indicator_cannot_take_is_refused(client, plan, secretariat):
    measure = PerformanceMeasure.objects.filter(
        plan=plan, indicator__value_type="proportion"
    ).first()
    client.force_login(secretariat)
    response = client.post(
        reverse("actionplan:measure_edit", args=[measure.pk]),
        {"target_value": "140", "version": stewardship.version_of(measure)},
    )
    assert response.status_code == 200
    assert "Target must be 100 or less" in " ".join(response.context["form"].errors["target_value"])
    measure.refresh_from_db()
    assert measure.target_value is None
    response = client.post(
        reverse("actionplan:measure_edit", args=[measure.pk]),
        {
            "target_value": "12.5",
            "baseline_value": "15",
            "version": stewardship.version_of(measure),
        },
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.target_value == 12.5
    assert "Target value: none → 12.5" in PlanChange.objects.get().description


def test_an_action_with_updates_is_retired_not_deleted(plan, review, secretariat, action_owner):
    action = _action_in(plan, 1)
    QuarterlyUpdate.objects.create(
        review=review, action=action, rag=Rag.GREEN, progress_note="On track."
    )
    with pytest.raises(ValidationError, match="retire it instead"):
        stewardship.delete_action(action, by=secretariat)
    assert Action.objects.filter(pk=action.pk).exists()
    stewardship.retire_action(action, by=secretariat, reason="Folded into 1.1.2")
    action.refresh_from_db()
    assert action.is_retired and action.updates.count() == 1
    assert "Retired" in PlanChange.objects.get().description


def test_an_owners_complete_is_a_proposal_until_a_steward_confirms_it(
    client, plan, review, secretariat, area_lead, action_owner
):
    action = _action_in(plan, 3)
    action.owner, action.status = action_owner, ActionStatus.IN_PROGRESS
    action.save()
    QuarterlyUpdate.objects.create(
        review=review, action=action, rag=Rag.COMPLETE, progress_note="Done.", author=action_owner
    )
    client.force_login(action_owner)
    page = client.get(reverse("actionplan:area", args=[3])).content.decode()
    assert "Complete proposed" in page
    assert Action.objects.get(pk=action.pk).status == ActionStatus.IN_PROGRESS
    confirm = reverse("actionplan:confirm_complete", args=[review.pk, action.pk])
    for refused in (action_owner, area_lead):  # the owner, and a lead of another area
        client.force_login(refused)
        assert client.post(confirm).status_code == 403
    client.force_login(secretariat)
    review_page = client.get(reverse("actionplan:review", args=[review.pk])).content.decode()
    assert "Completions proposed" in review_page and "Confirm complete" in review_page
    client.post(confirm)
    assert Action.objects.get(pk=action.pk).status == ActionStatus.COMPLETE
    assert "confirmed" in PlanChange.objects.get().description
    page = client.get(reverse("actionplan:area", args=[3])).content.decode()
    assert "Complete proposed" not in page


@pytest.mark.parametrize("area_number", [None, 1], ids=["whole plan", "priority area"])
def test_the_database_refuses_a_stewardship_given_twice(plan, area_number):
    """On every database, the embedded SQLite too: two tabs assigning one steward at once."""
    from django.db import IntegrityError, transaction

    area = None if area_number is None else plan.priority_areas.get(number=area_number)
    user = User.objects.create_user("twice", password="not-a-real-password")
    AreaSteward.objects.create(plan=plan, priority_area=area, user=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        AreaSteward.objects.create(plan=plan, priority_area=area, user=user)


def test_the_embedded_database_takes_every_constraint():
    """`make run`'s SQLite warns of no constraint it cannot create (it once could not create
    the stewardship's, and said so on every start)."""
    from tests.test_security import production_env, run

    result = run(
        ["manage.py", "check", "--database", "default", "--fail-level", "WARNING"],
        production_env(DEBUG="1"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
