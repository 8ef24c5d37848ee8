"""Personas for the plan's permission tests: one user in each role, and one in none."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from actionplan import roles
from actionplan.models import Action
from tests.factories import QuarterlyReviewFactory, UserFactory
from tests.replay import load_once


@pytest.fixture
def plan_roles(db):
    """The five groups, as `manage.py setup_roles` makes them."""
    call_command("setup_roles", stdout=io.StringIO())


def _member(username: str, role: str | None) -> User:
    return UserFactory(username=username, roles=[role] if role else [])


@pytest.fixture
def board_member(plan_roles) -> User:
    return _member("alice", roles.BOARD_MEMBER)


@pytest.fixture
def action_owner(plan_roles) -> User:
    return _member("bob", roles.ACTION_OWNER)


@pytest.fixture
def group_member(plan_roles) -> User:
    return _member("charlie", roles.GROUP_MEMBER)


@pytest.fixture
def analyst(plan_roles) -> User:
    return _member("dana", roles.ANALYST)


@pytest.fixture
def administrator(plan_roles) -> User:
    return _member("erin", roles.ADMINISTRATOR)


@pytest.fixture
def plan_steward(plan_roles) -> User:
    """A plan steward with no area given yet: they read the plan and steward nothing."""
    return _member("paula", roles.PLAN_STEWARD)


@pytest.fixture
def outsider(plan_roles) -> User:
    """Signed in, but in none of the plan's roles."""
    return _member("olly", None)


@pytest.fixture
def loaded_plan(snapshot) -> str:
    """The bundled snapshot and the plan, loaded as `make run` loads them (once a run)."""
    return load_once("load_action_plan", base=snapshot)


@pytest.fixture
def other_action_owner(plan_roles) -> User:
    """A second action owner, who owns none of the first one's actions."""
    return _member("frank", roles.ACTION_OWNER)


@pytest.fixture
def plan(loaded_plan):
    """The bundled plan, running until the end of next financial year (`plans.running_plan`):
    the tests' quarters (2021 to today) fall within it. `bundled_plan` is the plan as shipped."""
    from tests.actionplan.plans import running_plan

    return running_plan()


@pytest.fixture
def bundled_plan(loaded_plan):
    """The bundled plan as shipped: April 2020 to March 2023."""
    from actionplan.presenters import current_plan

    return current_plan()


@pytest.fixture
def review(plan):
    return QuarterlyReviewFactory(
        plan=plan, financial_year=2021, quarter=2, meeting_date=date(2021, 10, 20)
    )


@pytest.fixture
def owned(plan, action_owner, other_action_owner):
    """Two actions: the first owned by action_owner, the second by other_action_owner."""
    first, second = Action.objects.filter(objective__priority_area__plan=plan).order_by("pk")[:2]
    first.owner, second.owner = action_owner, other_action_owner
    first.save()
    second.save()
    return first, second


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client
