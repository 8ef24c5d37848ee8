"""A successor plan, started from a copy of a plan that has ended.

The copy carries what the group keeps working on: every priority area, the objectives and the
actions still open (not retired, complete or cancelled) with their owners, teams and the
measures they are meant to move, and every measure with its baseline and target; the stewards
keep their scope. Quarterly reviews, owners' updates and final RAGs are not copied: they stay
with the ended plan, which is read as an archive with its frozen board packs. A date before the
new plan starts is left blank (the plan's own rule), and the log says which.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from actionplan import stewardship
from actionplan.models import (
    Action,
    AreaSteward,
    Objective,
    PerformanceMeasure,
    Plan,
    PlanTeam,
    PriorityArea,
)
from indicators.vocabulary import ActionStatus

FINISHED = (ActionStatus.COMPLETE.value, ActionStatus.CANCELLED.value)


def refusals(plan: Plan, *, title: str, starts: date | None, ends: date | None, today: date):
    errors: dict[str, list[str]] = {}
    if plan.ends >= today:
        errors["__all__"] = [
            f"{plan} runs until {plan.ends.day} {plan.ends:%B %Y}: its successor starts after "
            "it ends."
        ]
    if not title.strip():
        errors["title"] = ["Enter the new plan's title"]
    if starts is not None and starts <= plan.ends:
        errors["starts"] = [
            f"The new plan must start after {plan} ends ({plan.ends.day} {plan.ends:%B %Y})"
        ]
    if starts is not None and ends is not None and ends <= starts:
        errors["ends"] = ["The new plan must end after it starts"]
    return errors


def start_successor(plan: Plan, *, title: str, starts: date, ends: date, by) -> Plan:
    """Copy the ended plan into a new one; ValidationError says what stops it."""
    errors = refusals(plan, title=title, starts=starts, ends=ends, today=timezone.localdate())
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        new = Plan.objects.create(
            title=title.strip(), starts=starts, ends=ends, source=f"Successor of {plan}"
        )
        areas = {}
        for area in PriorityArea.objects.filter(plan=plan).order_by("number"):
            areas[area.pk] = PriorityArea.objects.create(
                plan=new, number=area.number, title=area.title, description=area.description
            )
        teams = {}
        for team in PlanTeam.objects.filter(plan=plan).prefetch_related("members"):
            teams[team.pk] = PlanTeam.objects.create(plan=new, name=team.name)
            teams[team.pk].members.set(team.members.all())
        measures = {}
        for measure in PerformanceMeasure.objects.filter(plan=plan).order_by("position"):
            old_pk = measure.pk
            measure.pk, measure.id, measure._state.adding = None, None, True
            measure.plan = new
            measure.priority_area = areas.get(measure.priority_area_id)
            measure.save()
            measures[old_pk] = measure
        blanked, counts = _copy_actions(plan, new, areas, teams, measures)
        for row in AreaSteward.objects.filter(plan=plan):
            AreaSteward.objects.get_or_create(
                plan=new, user=row.user, priority_area=areas.get(row.priority_area_id)
            )
        if by is not None and by.is_authenticated:
            AreaSteward.objects.get_or_create(plan=new, user=by, priority_area=None)
        said = (
            f"Started from a copy of {plan}: {len(areas)} priority areas, {counts[0]} objectives, "
            f"{counts[1]} open actions, {len(measures)} measures, {len(teams)} teams."
        )
        if blanked:
            said += " Dates before the plan starts left blank: " + "; ".join(blanked)
        stewardship.log(new, by, "Successor plan", said)
        stewardship.log(plan, by, "Successor plan", f"{new} started from a copy of this plan")
    return new


def _copy_actions(plan, new, areas, teams, measures) -> tuple[list[str], tuple[int, int]]:
    blanked: list[str] = []
    objectives = 0
    actions = 0
    kept_objectives = Objective.objects.filter(priority_area__plan=plan, retired_on=None)
    for objective in kept_objectives.order_by("priority_area__number", "pk"):
        copy = Objective.objects.create(
            priority_area=areas[objective.priority_area_id],
            number=objective.number,
            source_numbering=objective.source_numbering,
            text=objective.text,
        )
        objectives += 1
        open_actions = (
            objective.actions.filter(retired_on=None)
            .exclude(status__in=FINISHED)
            .select_related("owner")
            .prefetch_related("measures")
            .order_by("pk")
        )
        for action in open_actions:
            dates = {}
            for name in ("start_date", "due_date", "original_due_date"):
                day = getattr(action, name)
                if day is not None and day < new.starts:
                    blanked.append(f"action {action.number} {name.replace('_', ' ')} {day}")
                    day = None
                dates[name] = day
            owner = action.owner if action.owner is not None and action.owner.is_active else None
            moved = Action.objects.create(
                objective=copy,
                number=action.number,
                source_numbering=action.source_numbering,
                text=action.text,
                lead=action.lead,
                partners=action.partners,
                timescale=action.timescale,
                owner=owner,
                owner_team=teams.get(action.owner_team_id),
                status=action.status,
                status_reason=action.status_reason,
                **dates,
            )
            moved.measures.set([measures[m.pk] for m in action.measures.all() if m.pk in measures])
            actions += 1
    return blanked, (objectives, actions)
