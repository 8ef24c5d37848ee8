"""Plans end: a successor starts from a copy of the ended plan, which stays readable with its
frozen packs; stewards keep the plan's teams in the app, every change logged."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from actionplan import stewardship
from actionplan.models import (
    Action,
    AreaSteward,
    FrozenBoardPack,
    PerformanceMeasure,
    Plan,
    PlanChange,
    PlanTeam,
    PriorityArea,
    QuarterlyReview,
    QuarterlyUpdate,
)
from actionplan.presenters import current_plan
from indicators.vocabulary import ActionStatus
from tests.actionplan.freezing import freeze_with_every_area_rated
from tests.factories import QuarterlyReviewFactory

pytestmark = pytest.mark.django_db

SUCCESSOR = reverse("actionplan:successor")
PLANS = reverse("actionplan:plans")
TEAMS = reverse("actionplan:teams")


@pytest.fixture
def secretariat(bundled_plan, plan_steward):
    stewardship.assign(bundled_plan, plan_steward, None, by=None)
    return plan_steward


@pytest.fixture
def ended_with_a_frozen_quarter(bundled_plan, action_owner):
    """The bundled plan (ended March 2023) with 2021/22 Q2 frozen, one update in it, and a
    finished, a retired and a late action."""
    actions = list(
        Action.objects.filter(objective__priority_area__plan=bundled_plan).order_by("pk")
    )
    done, retired, late = actions[:3]
    done.status = ActionStatus.COMPLETE
    done.save()
    retired.retired_on, retired.retired_reason = date(2022, 1, 1), "Merged"
    retired.save()
    late.due_date = date(2022, 3, 31)
    late.owner = action_owner
    late.save()
    review = QuarterlyReviewFactory(plan=bundled_plan, financial_year=2021, quarter=2)
    QuarterlyUpdate.objects.create(
        review=review, action=late, rag="amber", progress_note="Slow", author=action_owner
    )
    freeze_with_every_area_rated(review)
    return review, done, retired, late


def test_a_successor_starts_from_a_copy_and_the_ended_plan_stays_an_archive(
    client, secretariat, ended_with_a_frozen_quarter
):
    review, done, retired, late = ended_with_a_frozen_quarter
    old = review.plan
    pack = bytes(FrozenBoardPack.objects.get(review=review).pdf)
    client.force_login(secretariat)
    assert SUCCESSOR in client.get(PLANS).content.decode()

    response = client.post(
        SUCCESSOR,
        {"title": "Best Start Plan 2026-29", "starts": "2026-04-01", "ends": "2029-03-31"},
    )
    assert response.status_code == 302
    new = current_plan()
    assert new.title == "Best Start Plan 2026-29" and new.pk != old.pk
    copied = Action.objects.filter(objective__priority_area__plan=new)
    numbers = set(copied.values_list("number", flat=True))
    assert late.number in numbers
    assert done.number not in numbers and retired.number not in numbers  # finished: not carried
    carried = copied.get(number=late.number)
    assert carried.owner == late.owner and carried.due_date is None  # before the plan starts
    assert not carried.updates.exists()
    assert (
        PriorityArea.objects.filter(plan=new).count()
        == PriorityArea.objects.filter(plan=old).count()
    )
    assert list(
        PerformanceMeasure.objects.filter(plan=new).values_list("measure", "target_value")
    ) == list(PerformanceMeasure.objects.filter(plan=old).values_list("measure", "target_value"))
    assert not QuarterlyReview.objects.filter(plan=new).exists()
    assert AreaSteward.objects.filter(plan=new, user=secretariat, priority_area=None).exists()
    entry = PlanChange.objects.get(plan=new, subject="Successor plan")
    assert f"action {late.number} due date 2022-03-31" in entry.description

    # The archive: listed with its quarter, review page and the pack exactly as stored.
    plans = client.get(PLANS).content.decode()
    assert old.title in plans and reverse("actionplan:board_pack", args=[review.pk]) in plans
    assert client.get(reverse("actionplan:review", args=[review.pk])).status_code == 200
    assert client.get(reverse("actionplan:board_pack", args=[review.pk])).content == pack
    assert Action.objects.filter(objective__priority_area__plan=old).count() == len(
        list(Action.objects.filter(objective__priority_area__plan=old))
    )
    # The successor's quarters open; none opens on the ended plan.
    assert QuarterlyReviewFactory(plan=new, financial_year=2026, quarter=1).pk


def test_the_successor_starts_after_the_plan_ends(client, secretariat, bundled_plan):
    client.force_login(secretariat)
    response = client.post(
        SUCCESSOR, {"title": "Overlap", "starts": "2023-01-01", "ends": "2026-03-31"}
    )
    assert response.status_code == 200
    assert "The new plan must start after" in response.content.decode()
    assert Plan.objects.count() == 1


def test_a_running_plan_has_no_successor_yet(client, plan, plan_steward):
    stewardship.assign(plan, plan_steward, None, by=None)  # `plan` runs until next year
    client.force_login(plan_steward)
    response = client.post(
        SUCCESSOR, {"title": "Too early", "starts": "2030-04-01", "ends": "2033-03-31"}
    )
    assert response.status_code == 200
    assert "its successor starts after it ends" in response.content.decode()
    assert Plan.objects.count() == 1


@pytest.mark.parametrize("who", ["board_member", "group_member"])
def test_only_a_whole_plan_steward_starts_a_successor(client, bundled_plan, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(SUCCESSOR).status_code == 403
    assert client.get(PLANS).status_code == 200  # the archive is read by every plan role


# Teams --------------------------------------------------------------------------------------


def team_post(team, name, members, prefix=None):
    prefix = prefix or f"team-{team.pk}"
    return {"do": "change", "team": team.pk, f"{prefix}-name": name, f"{prefix}-members": members}


def test_a_steward_creates_renames_and_sets_a_teams_members_all_logged(
    client, plan, plan_steward, action_owner, other_action_owner
):
    stewardship.assign(plan, plan_steward, None, by=None)
    client.force_login(plan_steward)
    response = client.post(
        TEAMS,
        {"do": "create", "new-name": "Smoking in pregnancy team", "new-members": [action_owner.pk]},
    )
    assert response.status_code == 302
    team = PlanTeam.objects.get(plan=plan)
    assert list(team.members.all()) == [action_owner]

    client.post(TEAMS, team_post(team, "Smokefree pregnancy team", [other_action_owner.pk]))
    team.refresh_from_db()
    assert team.name == "Smokefree pregnancy team"
    assert list(team.members.all()) == [other_action_owner]
    log = list(PlanChange.objects.filter(plan=plan, subject__startswith="Team").order_by("pk"))
    assert log[0].description.startswith("Created; members: bob")
    assert "Renamed: Smoking in pregnancy team → Smokefree pregnancy team" in log[1].description
    assert "Members added: frank" in log[1].description
    assert "Members removed: bob" in log[1].description
    assert all(e.made_by == plan_steward for e in log)

    # A second team of the same name is refused, in words.
    page = client.post(TEAMS, {"do": "create", "new-name": "smokefree pregnancy team"})
    assert "already has a team named" in page.content.decode()
    assert PlanTeam.objects.filter(plan=plan).count() == 1


def test_a_lead_changes_only_teams_whose_actions_are_in_their_areas(
    client, plan, group_member, action_owner
):
    area = PriorityArea.objects.get(plan=plan, number=1)
    stewardship.assign(plan, group_member, area, by=None)
    elsewhere = PlanTeam.objects.create(plan=plan, name="Elsewhere")
    action = (
        Action.objects.filter(objective__priority_area__plan=plan)
        .exclude(objective__priority_area=area)
        .first()
    )
    action.owner_team = elsewhere
    action.save()
    client.force_login(group_member)

    assert client.post(TEAMS, {"do": "create", "new-name": "Area 1 team"}).status_code == 302
    own = PlanTeam.objects.get(name="Area 1 team")
    assert client.post(TEAMS, team_post(own, "Area one team", [action_owner.pk])).status_code == 302
    assert client.post(TEAMS, team_post(elsewhere, "Mine now", [])).status_code == 403
    elsewhere.refresh_from_db()
    assert elsewhere.name == "Elsewhere"


def test_readers_see_teams_but_cannot_change_them(client, plan, board_member):
    PlanTeam.objects.create(plan=plan, name="Health visiting")
    client.force_login(board_member)
    page = client.get(TEAMS)
    assert page.status_code == 200 and "Health visiting" in page.content.decode()
    assert "Create a team" not in page.content.decode()
    assert client.post(TEAMS, {"do": "create", "new-name": "Mine"}).status_code == 403


def test_an_update_or_final_rag_stays_within_its_plan(secretariat, bundled_plan):
    from django.core.exceptions import ValidationError

    from actionplan import successor
    from actionplan.models import Rating

    new = successor.start_successor(
        bundled_plan, title="Next plan", starts=date(2026, 4, 1), ends=date(2029, 3, 31), by=None
    )
    review = QuarterlyReviewFactory(plan=new, financial_year=2026, quarter=1)
    old_action = Action.objects.filter(objective__priority_area__plan=bundled_plan).first()
    old_area = PriorityArea.objects.get(plan=bundled_plan, number=1)
    with pytest.raises(ValidationError, match="belongs to another plan"):
        QuarterlyUpdate.objects.create(
            review=review, action=old_action, rag="green", progress_note="Wrong plan"
        )
    with pytest.raises(ValidationError, match="belongs to another plan"):
        Rating.objects.create(
            review=review, priority_area=old_area, proposed="amber", final="amber"
        )
