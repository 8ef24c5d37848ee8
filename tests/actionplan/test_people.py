"""The People page: whole-plan stewards invite, give and take roles, deactivate leavers; logged."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from actionplan import people, roles
from actionplan.models import Action, AreaSteward, PlanChange, PlanTeam, PriorityArea

pytestmark = pytest.mark.django_db
URL = "/plan/people/"


def _user(username: str, *role_names: str) -> User:
    user = User.objects.create_user(username, password="not-a-real-password")
    user.groups.set(Group.objects.filter(name__in=role_names))
    return user


@pytest.fixture
def sally(plan, plan_roles, client) -> User:
    user = _user("sally", roles.PLAN_STEWARD)
    AreaSteward.objects.create(plan=plan, priority_area=None, user=user)
    client.force_login(user)
    return user


@pytest.fixture
def leaver(plan, plan_roles) -> User:
    user = _user("olly", roles.ACTION_OWNER)
    actions = list(Action.objects.filter(objective__priority_area__plan=plan).order_by("pk")[:2])
    for action in actions:
        action.owner, action.owner_team = user, None
        action.save()
    return user


def _log(plan, subject: str) -> list[str]:
    return list(
        PlanChange.objects.filter(plan=plan, subject=subject, made_by_name="sally")
        .order_by("pk")
        .values_list("description", flat=True)
    )


def test_the_page_lists_people_with_their_roles(client, sally, leaver):
    page = client.get(URL).content.decode()
    assert "olly" in page and roles.ACTION_OWNER in page


def test_a_lead_gets_403(client, plan, plan_roles):
    lead = _user("liam", roles.PLAN_STEWARD)
    AreaSteward.objects.create(
        plan=plan, priority_area=PriorityArea.objects.get(plan=plan, number=1), user=lead
    )
    client.force_login(lead)
    assert client.get(URL).status_code == 403
    assert (
        client.post(URL, {"do": "give", "user": lead.pk, "role": roles.ANALYST}).status_code == 403
    )
    assert not lead.groups.filter(name=roles.ANALYST).exists()


def test_invite_makes_a_user_without_a_password_and_shows_the_link(client, sally, plan):
    response = client.post(
        URL,
        {"do": "invite", "username": "nina", "email": "nina@example.org", "roles": [roles.ANALYST]},
        follow=True,
    )
    nina = User.objects.get(username="nina")
    assert nina.email == "nina@example.org" and not nina.has_usable_password()
    assert list(nina.groups.values_list("name", flat=True)) == [roles.ANALYST]
    assert "/accounts/reset/" in response.content.decode()
    assert _log(plan, "People: nina") == [f"Invited (nina@example.org) with roles: {roles.ANALYST}"]


def test_invite_refuses_a_taken_username(client, sally, plan):
    response = client.post(URL, {"do": "invite", "username": "SALLY", "email": "s@example.org"})
    assert "already has an account" in response.content.decode()
    assert User.objects.filter(username__iexact="sally").count() == 1


def test_give_and_take_a_role_are_logged(client, sally, leaver, plan):
    client.post(URL, {"do": "give", "user": leaver.pk, "role": roles.ANALYST})
    assert leaver.groups.filter(name=roles.ANALYST).exists()
    client.post(URL, {"do": "take", "user": leaver.pk, "role": roles.ANALYST})
    assert not leaver.groups.filter(name=roles.ANALYST).exists()
    assert _log(plan, "People: olly") == [
        f"Given the role {roles.ANALYST}",
        f"Role {roles.ANALYST} taken away",
    ]


def test_a_steward_cannot_take_their_own_steward_role(client, sally, plan):
    response = client.post(
        URL, {"do": "take", "user": sally.pk, "role": roles.PLAN_STEWARD}, follow=True
    )
    assert "cannot take your own steward role" in response.content.decode()
    assert sally.groups.filter(name=roles.PLAN_STEWARD).exists()
    assert not _log(plan, "People: sally")


def test_a_steward_cannot_deactivate_themselves(client, sally, plan):
    response = client.post(URL, {"do": "deactivate", "user": sally.pk}, follow=True)
    assert "cannot deactivate yourself" in response.content.decode()
    sally.refresh_from_db()
    assert sally.is_active


def test_deactivating_hands_open_actions_to_an_active_user(client, sally, leaver, plan):
    heir = _user("hana", roles.ACTION_OWNER)
    owned = list(Action.objects.filter(owner=leaver).values_list("pk", flat=True))
    client.post(URL, {"do": "deactivate", "user": leaver.pk, "to_user": heir.pk})
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert set(Action.objects.filter(owner=heir).values_list("pk", flat=True)) == set(owned)
    assert _log(plan, "People: olly") == ["Deactivated; 2 open actions handed to hana"]
    numbers = Action.objects.filter(pk__in=owned).values_list("number", flat=True)
    for number in numbers:
        assert _log(plan, f"Action {number}") == ["Owner: olly (left) → hana"]


def test_deactivating_hands_open_actions_to_a_team(client, sally, leaver, plan):
    team = PlanTeam.objects.create(plan=plan, name="Maternity team")
    client.post(URL, {"do": "deactivate", "user": leaver.pk, "to_team": team.pk})
    assert Action.objects.filter(owner_team=team).count() == 2
    assert not Action.objects.filter(owner=leaver).exists()


def test_handing_actions_to_an_inactive_user_is_refused(client, sally, leaver, plan):
    gone = _user("gus", roles.ACTION_OWNER)
    gone.is_active = False
    gone.save()
    client.post(URL, {"do": "deactivate", "user": leaver.pk, "to_user": gone.pk})
    leaver.refresh_from_db()
    assert leaver.is_active and Action.objects.filter(owner=leaver).count() == 2
    with pytest.raises(Exception, match="not active"):
        people.deactivate(plan, leaver, by=sally, to_user=gone)


def test_a_leaver_with_open_actions_needs_someone_to_take_them(client, sally, leaver, plan):
    response = client.post(URL, {"do": "deactivate", "user": leaver.pk}, follow=True)
    assert "choose who takes them over" in response.content.decode()
    leaver.refresh_from_db()
    assert leaver.is_active and not _log(plan, "People: olly")
