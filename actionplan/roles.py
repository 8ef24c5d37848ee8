"""The plan's roles as Django groups, each with the model permissions it needs.

Model permissions say what kind of thing a role may touch; the views narrow them further (an
action owner may change only the updates of actions they own, and nobody changes a frozen
quarter).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission

from indicators.vocabulary import Role

# The role names are the vocabulary's (`indicators.vocabulary.Role`), so other apps need not
# import the plan to name a role.
BOARD_MEMBER = Role.BOARD_MEMBER.value
ACTION_OWNER = Role.ACTION_OWNER.value
GROUP_MEMBER = Role.GROUP_MEMBER.value
ANALYST = Role.ANALYST.value
ADMINISTRATOR = Role.ADMINISTRATOR.value
# Keeps the plan itself: the whole plan (the group's secretariat) or the priority areas assigned
# to them (`AreaSteward`); `actionplan.stewardship` narrows it to their scope.
PLAN_STEWARD = Role.PLAN_STEWARD.value

ROLES = tuple(role.value for role in Role)

# The models of the plan itself; their history tables are read through the admin only.
PLAN_MODELS = (
    "plan",
    "priorityarea",
    "objective",
    "action",
    "performancemeasure",
    "quarterlyreview",
    "quarterlyupdate",
    "rating",
)

_VIEW_PLAN = tuple(f"view_{model}" for model in PLAN_MODELS)

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    BOARD_MEMBER: _VIEW_PLAN,
    ACTION_OWNER: (*_VIEW_PLAN, "add_quarterlyupdate", "change_quarterlyupdate"),
    GROUP_MEMBER: (*_VIEW_PLAN, "add_rating", "change_rating", "change_quarterlyreview"),
    ANALYST: _VIEW_PLAN,
    PLAN_STEWARD: (
        *_VIEW_PLAN,
        "add_objective",
        "change_objective",
        "add_action",
        "change_action",
        "change_performancemeasure",
    ),
}
# The administrator holds every permission of the app, history tables included.
ALL_ACTIONPLAN_PERMISSIONS = (ADMINISTRATOR,)


def setup_roles() -> dict[str, int]:
    """Create or update the six groups and set exactly their permissions; returns counts."""
    app_permissions = Permission.objects.filter(content_type__app_label="actionplan")
    by_codename = {p.codename: p for p in app_permissions}
    counts = {}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        if role in ALL_ACTIONPLAN_PERMISSIONS:
            wanted = list(app_permissions)
        else:
            missing = [c for c in ROLE_PERMISSIONS[role] if c not in by_codename]
            if missing:
                raise LookupError(f"permissions not found (run migrate first): {missing}")
            wanted = [by_codename[c] for c in ROLE_PERMISSIONS[role]]
        group.permissions.set(wanted)
        counts[role] = len(wanted)
    return counts


def role_names(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    """The names of a signed-in user's groups, read once per user object (once a request)."""
    if not user.is_authenticated:
        return frozenset()
    names = getattr(user, "_role_names", None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = names
    return names


def has_plan_role(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether a user may read the plan: a superuser or a member of one of the six roles."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return not role_names(user).isdisjoint(ROLES)
