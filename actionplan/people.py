"""People of the plan without the admin site: invite, give and take roles, deactivate leavers.

Only a whole-plan steward (or an administrator) may do these; every change is one attributed
entry in the plan changes log. A steward may not take their own steward role away nor
deactivate themselves, and a leaver's open actions go to an active person or a team.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from actionplan.models import Action, Plan, PlanTeam
from actionplan.roles import PLAN_STEWARD, ROLES
from actionplan.stewardship import log, who
from indicators.vocabulary import ActionStatus

SUBJECT = "People"


def _forget_roles(user) -> None:
    user.__dict__.pop("_role_names", None)  # roles.role_names reads the groups afresh


def open_actions(plan: Plan, user):
    return Action.objects.filter(
        objective__priority_area__plan=plan, owner=user, retired_on=None
    ).exclude(status__in=(ActionStatus.COMPLETE.value, ActionStatus.CANCELLED.value))


def set_password_path(user) -> str:
    """The one-time page where an invited person sets their own password."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("password_reset_confirm", args=[uid, token])


def invite(plan: Plan, *, username: str, email: str, role_names, by):
    """A new user with no password yet (they set it on `set_password_path`) and the roles given."""
    model = get_user_model()
    if model.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [f"{username} already has an account"]})
    unknown = set(role_names) - set(ROLES)
    if unknown:
        raise ValidationError({"roles": [f"Not a role of the plan: {', '.join(sorted(unknown))}"]})
    with transaction.atomic():
        user = model.objects.create_user(username=username, email=email)
        user.set_unusable_password()
        user.save()
        user.groups.set(Group.objects.filter(name__in=role_names))
        names = ", ".join(sorted(role_names)) or "no role"
        log(plan, by, f"{SUBJECT}: {who(user)}", f"Invited ({email}) with roles: {names}")
    return user


def give_role(plan: Plan, user, role: str, *, by) -> None:
    if role not in ROLES:
        raise ValidationError(f"Not a role of the plan: {role}")
    if user.groups.filter(name=role).exists():
        return
    with transaction.atomic():
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        _forget_roles(user)
        log(plan, by, f"{SUBJECT}: {who(user)}", f"Given the role {role}")


def take_role(plan: Plan, user, role: str, *, by) -> None:
    if role == PLAN_STEWARD and user.pk == by.pk:
        raise ValidationError("You cannot take your own steward role away: ask another steward.")
    if not user.groups.filter(name=role).exists():
        return
    with transaction.atomic():
        user.groups.remove(Group.objects.get(name=role))
        _forget_roles(user)
        log(plan, by, f"{SUBJECT}: {who(user)}", f"Role {role} taken away")


def deactivate(plan: Plan, user, *, by, to_user=None, to_team: PlanTeam | None = None) -> int:
    """Deactivate a leaver and hand each of their open actions over; returns how many moved."""
    if user.pk == by.pk:
        raise ValidationError("You cannot deactivate yourself: ask another steward.")
    if not user.is_active:
        raise ValidationError(f"{who(user)} is already deactivated.")
    if to_user is not None and (not to_user.is_active or to_user.pk == user.pk):
        raise ValidationError({"to_user": [f"{who(to_user)} is not active: choose someone else"]})
    if to_team is not None and to_team.plan_id != plan.pk:
        raise ValidationError({"to_team": ["Choose a team of this plan"]})
    if to_user is not None and to_team is not None:
        raise ValidationError("Hand the actions to a person or a team, not both.")
    with transaction.atomic():
        actions = list(open_actions(plan, user).select_for_update())
        if actions and to_user is None and to_team is None:
            raise ValidationError(
                f"{who(user)} owns {len(actions)} open actions: choose who takes them over."
            )
        to_name = who(to_user) if to_user is not None else f"the team {to_team}"
        for action in actions:
            action.owner, action.owner_team = to_user, to_team
            action.save(update_fields=["owner", "owner_team"])
            log(plan, by, f"Action {action.number}", f"Owner: {who(user)} (left) → {to_name}")
        heir = to_name if actions else "nobody"
        user.is_active = False
        user.save(update_fields=["is_active"])
        log(
            plan,
            by,
            f"{SUBJECT}: {who(user)}",
            f"Deactivated; {len(actions)} open actions handed to {heir}",
        )
    return len(actions)
