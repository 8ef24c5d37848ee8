"""Named teams that own actions: stewards create them, rename them and set their members.

A whole-plan steward may change any team; a priority area's lead may create a team and change
one whose actions all lie in the areas they lead (a team owning actions elsewhere is another
steward's too). Every change is one attributed entry in the plan changes log.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from actionplan.models import Action, Plan, PlanTeam
from actionplan.stewardship import Scope, log, who

SUBJECT = "Team"


def may_change(scope: Scope, team: PlanTeam) -> bool:
    if scope.whole_plan:
        return True
    if not scope.any:
        return False
    areas = set(
        Action.objects.filter(owner_team=team).values_list("objective__priority_area_id", flat=True)
    )
    return areas <= scope.area_ids


def _clean_name(plan: Plan, name: str, team: PlanTeam | None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": ["Enter the team's name"]})
    if len(name) > 200:
        raise ValidationError({"name": ["The team's name must be 200 characters or less"]})
    taken = PlanTeam.objects.filter(plan=plan, name__iexact=name)
    if team is not None:
        taken = taken.exclude(pk=team.pk)
    if taken.exists():
        raise ValidationError({"name": [f"The plan already has a team named “{name}”"]})
    return name


def _names(users) -> str:
    return ", ".join(sorted(who(u) for u in users)) or "nobody"


def create(plan: Plan, *, name: str, members, by) -> PlanTeam:
    with transaction.atomic():
        team = PlanTeam.objects.create(plan=plan, name=_clean_name(plan, name, None))
        team.members.set(members)
        log(plan, by, f"{SUBJECT}: {team.name}", f"Created; members: {_names(members)}")
    return team


def change(team: PlanTeam, *, name: str, members, by) -> list[str]:
    """Rename a team and set its members; returns what changed (logged), empty if nothing."""
    with transaction.atomic():
        team = PlanTeam.objects.select_for_update().get(pk=team.pk)
        new_name = _clean_name(team.plan, name, team)
        parts = []
        if new_name != team.name:
            parts.append(f"Renamed: {team.name} → {new_name}")
            team.name = new_name
            team.save()
        before = set(team.members.all())
        after = {m for m in members if m.is_active} | {m for m in before if not m.is_active}
        if before != after:
            added, removed = after - before, before - after
            if added:
                parts.append(f"Members added: {_names(added)}")
            if removed:
                parts.append(f"Members removed: {_names(removed)}")
            team.members.set(after)
        if parts:
            log(team.plan, by, f"{SUBJECT}: {team.name}", "\n".join(parts))
    return parts
