"""Personas for the plan's permission tests: one user in each role, and one in none."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from actionplan import roles


@pytest.fixture
def plan_roles(db):
    """The five groups, as `manage.py setup_roles` makes them."""
    call_command("setup_roles", stdout=io.StringIO())


def _member(username: str, role: str | None) -> User:
    user = User.objects.create_user(username, password="not-a-real-password")
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


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
def outsider(plan_roles) -> User:
    """Signed in, but in none of the plan's roles."""
    return _member("olly", None)


@pytest.fixture
def loaded_plan(snapshot):
    """The bundled snapshot and the plan, loaded as `make run` loads them."""
    call_command("load_action_plan", stdout=io.StringIO())


@pytest.fixture
def other_action_owner(plan_roles) -> User:
    """A second action owner, who owns none of the first one's actions."""
    return _member("frank", roles.ACTION_OWNER)
