"""Roles: the groups `setup_roles` makes, and who may read the plan's pages."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse

from actionplan import roles

PLAN_PAGES = [
    ("actionplan:board", {}),
    ("actionplan:area", {"number": 1}),
    ("actionplan:board_pack", {"pk": "a review"}),
]
PERSONAS = [
    "board_member",
    "action_owner",
    "group_member",
    "analyst",
    "administrator",
    "plan_steward",
]


@pytest.fixture
def plan_url(loaded_plan):
    """A plan page's URL; "a review" stands for a quarterly review of the loaded plan."""
    from actionplan.models import QuarterlyReview
    from actionplan.presenters import current_plan

    def url(name: str, kwargs: dict) -> str:
        if kwargs.get("pk") == "a review":
            review, _ = QuarterlyReview.objects.get_or_create(
                plan=current_plan(), financial_year=2021, quarter=2
            )
            kwargs = {**kwargs, "pk": review.pk}
        return reverse(name, kwargs=kwargs)

    return url


def codenames(role: str) -> set[str]:
    return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))


@pytest.mark.django_db
def test_setup_roles_makes_the_five_groups(plan_roles):
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLES)


@pytest.mark.django_db
def test_every_role_can_view_every_plan_model(plan_roles):
    for role in roles.ROLES:
        assert {f"view_{m}" for m in roles.PLAN_MODELS} <= codenames(role), role


@pytest.mark.django_db
def test_board_members_and_analysts_only_read(plan_roles):
    for role in (roles.BOARD_MEMBER, roles.ANALYST):
        assert all(c.startswith("view_") for c in codenames(role)), role


@pytest.mark.django_db
def test_action_owners_add_and_change_updates_only(plan_roles):
    writes = {c for c in codenames(roles.ACTION_OWNER) if not c.startswith("view_")}
    assert writes == {"add_quarterlyupdate", "change_quarterlyupdate"}


@pytest.mark.django_db
def test_group_members_rate_and_freeze(plan_roles):
    writes = {c for c in codenames(roles.GROUP_MEMBER) if not c.startswith("view_")}
    assert writes == {"add_rating", "change_rating", "change_quarterlyreview"}


@pytest.mark.django_db
def test_administrators_hold_every_plan_permission(administrator):
    for model in roles.PLAN_MODELS:
        for verb in ("add", "change", "delete", "view"):
            assert administrator.has_perm(f"actionplan.{verb}_{model}"), (verb, model)


@pytest.mark.django_db
def test_permissions_come_through_the_user(action_owner, board_member):
    assert action_owner.has_perm("actionplan.add_quarterlyupdate")
    assert not action_owner.has_perm("actionplan.add_rating")
    assert not board_member.has_perm("actionplan.change_quarterlyupdate")


@pytest.mark.django_db
def test_setup_roles_twice_changes_nothing(plan_roles):
    before = {role: codenames(role) for role in roles.ROLES}
    groups = Group.objects.count()
    call_command("setup_roles", stdout=io.StringIO())
    assert Group.objects.count() == groups
    assert {role: codenames(role) for role in roles.ROLES} == before


@pytest.mark.django_db
def test_setup_roles_puts_back_a_permission_taken_away_by_hand(plan_roles):
    group = Group.objects.get(name=roles.GROUP_MEMBER)
    group.permissions.remove(*group.permissions.filter(codename="add_rating"))
    group.permissions.add(*Group.objects.get(name=roles.ADMINISTRATOR).permissions.all())
    call_command("setup_roles", stdout=io.StringIO())
    writes = {c for c in codenames(roles.GROUP_MEMBER) if not c.startswith("view_")}
    assert writes == {"add_rating", "change_rating", "change_quarterlyreview"}


@pytest.mark.parametrize(("name", "kwargs"), PLAN_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, plan_url, name, kwargs):
    url = plan_url(name, kwargs)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(("name", "kwargs"), PLAN_PAGES)
def test_outsiders_are_refused(client, plan_url, outsider, name, kwargs):
    client.force_login(outsider)
    assert client.get(plan_url(name, kwargs)).status_code == 403


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs"), PLAN_PAGES)
def test_every_role_can_read_the_plan(client, plan_url, request, persona, name, kwargs):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(plan_url(name, kwargs)).status_code == 200


@pytest.mark.parametrize(("name", "kwargs"), PLAN_PAGES)
def test_superusers_can_read_the_plan(client, plan_url, name, kwargs):
    client.force_login(User.objects.create_superuser("root", password="not-a-real-password"))
    assert client.get(plan_url(name, kwargs)).status_code == 200


@pytest.mark.django_db
def test_inactive_members_cannot_read_the_plan(board_member):
    board_member.is_active = False
    assert not roles.has_plan_role(board_member)


def test_the_sign_in_page_renders(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content


@pytest.mark.django_db
def test_stewards_change_the_plan_not_its_reviews(plan_steward):
    assert plan_steward.has_perm("actionplan.change_action")
    assert plan_steward.has_perm("actionplan.change_performancemeasure")
    for codename in ("add_rating", "change_quarterlyreview", "add_quarterlyupdate"):
        assert not plan_steward.has_perm(f"actionplan.{codename}"), codename


def test_a_steward_with_no_area_given_stewards_nothing(client, plan, plan_steward):
    from actionplan import stewardship
    from actionplan.models import Action

    assert not stewardship.scope(plan_steward, plan).any
    action = Action.objects.filter(objective__priority_area__plan=plan).first()
    client.force_login(plan_steward)
    assert client.get(reverse("actionplan:action_edit", args=[action.pk])).status_code == 403


def test_a_lead_given_an_area_stewards_that_area_only(client, plan, plan_steward):
    from actionplan import stewardship
    from actionplan.models import Action, PriorityArea

    stewardship.assign(plan, plan_steward, PriorityArea.objects.get(plan=plan, number=4), by=None)
    actions = Action.objects.filter(objective__priority_area__plan=plan)
    own = actions.filter(objective__priority_area__number=4).first()
    other = actions.exclude(objective__priority_area__number=4).first()
    client.force_login(plan_steward)
    assert client.get(reverse("actionplan:action_edit", args=[own.pk])).status_code == 200
    assert client.get(reverse("actionplan:action_edit", args=[other.pk])).status_code == 403
