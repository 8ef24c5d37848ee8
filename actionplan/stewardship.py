"""Keeping the plan itself: who may steward what, and how an edit is saved and logged.

A plan steward (the `Plan steward` role) stewards the whole plan (the group's secretariat) or
the priority areas assigned to them (`AreaSteward`); administrators steward the whole plan.
Every edit of an action or a measure, from a page or a command, goes through `save_action` or
`save_measure`: the model's own rules (`Action.refusals`, `PerformanceMeasure.refusals`, which
the admin follows too), one version check so that two stewards saving the same action at once
never overwrite each other unseen, and one attributed entry in the plan changes log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from actionplan.models import (
    Action,
    AreaSteward,
    PerformanceMeasure,
    Plan,
    PlanChange,
    PriorityArea,
    QuarterlyReview,
    QuarterlyUpdate,
)
from actionplan.roles import ADMINISTRATOR, PLAN_STEWARD, has_plan_role
from indicators.vocabulary import ActionStatus

User = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True, slots=True)
class Scope:
    """What a user may steward in one plan."""

    whole_plan: bool
    area_ids: frozenset[int]

    def covers(self, area_id: int | None) -> bool:
        """An area's things; `None` is the plan as a whole (its shared measures, new areas)."""
        return self.whole_plan or (area_id is not None and area_id in self.area_ids)

    @property
    def any(self) -> bool:
        return self.whole_plan or bool(self.area_ids)


NOBODY = Scope(False, frozenset())


def scope(user: User, plan: Plan | None) -> Scope:
    if plan is None or not has_plan_role(user):
        return NOBODY
    if user.is_superuser or user.groups.filter(name=ADMINISTRATOR).exists():
        return Scope(True, frozenset())
    if not user.groups.filter(name=PLAN_STEWARD).exists():
        return NOBODY
    rows = list(AreaSteward.objects.filter(plan=plan, user=user).values_list("priority_area_id"))
    whole = any(area is None for (area,) in rows)
    return Scope(whole, frozenset(area for (area,) in rows if area is not None))


def can_steward_area(user: User, area: PriorityArea) -> bool:
    return scope(user, area.plan).covers(area.pk)


def who(user: User | None) -> str:
    if user is None or not user.is_authenticated:
        return "the system"
    return user.get_full_name() or user.get_username()


def version_of(row: models.Model) -> str:
    """The saved version a form was opened on: the row's latest history id ("new" if unsaved)."""
    if row.pk is None:
        return "new"
    latest = row.history.order_by("-history_id").values_list("history_id", flat=True).first()
    return str(latest or "")


class SavedMeanwhile(Exception):
    """Another steward saved the row after this form was opened: nothing was written."""

    def __init__(self, row: models.Model):
        latest = row.history.order_by("-history_id").select_related("history_user").first()
        by = who(latest.history_user) if latest else "someone"
        when = timezone.localtime(latest.history_date) if latest else None
        at = f" at {when:%H:%M} on {when.day} {when:%B %Y}" if when else ""
        super().__init__(
            f"{by} saved this{at}, after you opened the page: nothing you entered was saved. "
            "The page now shows what they saved; make your change again on it."
        )


def log(plan: Plan, user: User | None, subject: str, description: str) -> PlanChange:
    return PlanChange.objects.create(
        plan=plan,
        made_by=user if user is not None and user.is_authenticated else None,
        made_by_name=who(user),
        subject=subject,
        description=description,
    )


def _display(row: models.Model, name: str) -> str:
    field = row._meta.get_field(name)
    value = getattr(row, name)
    if value in (None, ""):
        return "none"
    if field.choices:
        return str(dict(field.choices).get(value, value))
    if hasattr(value, "day") and hasattr(value, "year"):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def describe_changes(before: models.Model | None, after: models.Model, names: Iterable[str]):
    """ "Due date: 31 March 2024 → 30 June 2024" for each field that differs."""
    parts = []
    for name in names:
        new = _display(after, name)
        old = _display(before, name) if before is not None else "none"
        if old != new:
            label = after._meta.get_field(name).verbose_name
            parts.append(f"{label[:1].upper()}{label[1:]}: {old} → {new}")
    return parts


ACTION_FIELDS = ("text", "owner", "owner_team", "due_date", "status", "status_reason")
MEASURE_FIELDS = ("baseline_value", "baseline_period", "target_value", "target_date")


def save_action(
    action: Action,
    *,
    by: User | None,
    version: str = "",
    measures: Iterable[PerformanceMeasure] | None = None,
) -> list[str]:
    """Save a steward's edit of an action; returns the changes logged (empty: nothing changed).

    `version` is what the form was opened on (`version_of`); when another save came since,
    `SavedMeanwhile` is raised and nothing is written. The model's rules raise ValidationError.
    """
    plan = action.objective.priority_area.plan
    with transaction.atomic():
        stored = None
        if action.pk is not None:
            stored = Action.objects.select_for_update().get(pk=action.pk)
            if version and version != version_of(stored):
                raise SavedMeanwhile(stored)
        parts = describe_changes(stored, action, ACTION_FIELDS)
        old_measures = set(stored.measures.values_list("pk", flat=True)) if stored else set()
        action.full_clean(exclude=["objective", "number", "measures"])
        action.save()
        if measures is not None:
            wanted = list(measures)
            if {m.pk for m in wanted} != old_measures:
                action.measures.set(wanted)
                names = "; ".join(m.measure[:60] for m in wanted) or "none"
                parts.append(f"Measures it is meant to move: {names}")
        if stored is None:
            parts.insert(0, f"Added: {action.text[:200]}")
        if parts:
            log(plan, by, f"Action {action.number}", "\n".join(parts))
    return parts


def save_measure(measure: PerformanceMeasure, *, by: User | None, version: str = "") -> list[str]:
    """Save a steward's edit of a measure's baseline and target, as `save_action` does."""
    with transaction.atomic():
        stored = PerformanceMeasure.objects.select_for_update().get(pk=measure.pk)
        if version and version != version_of(stored):
            raise SavedMeanwhile(stored)
        parts = describe_changes(stored, measure, MEASURE_FIELDS)
        measure.full_clean()
        measure.save()
        if parts:
            log(measure.plan, by, f"Measure: {measure.measure[:120]}", "\n".join(parts))
    return parts


def retire_action(
    action: Action, *, by: User | None, reason: str, merged_into: Action | None = None
) -> None:
    """Retire an action between quarters: it stays in history, old packs and its updates."""
    if not reason.strip():
        raise ValidationError({"retired_reason": ["Enter why the action is retired"]})
    if merged_into is not None and merged_into.objective.priority_area.plan_id != (
        action.objective.priority_area.plan_id
    ):
        raise ValidationError({"merged_into": ["Merge into an action of the same plan"]})
    with transaction.atomic():
        action = Action.objects.select_for_update().get(pk=action.pk)
        if action.is_retired:
            raise ValidationError(f"Action {action.number} is already retired")
        action.retired_on = timezone.localdate()
        action.retired_reason = reason.strip()
        action.merged_into = merged_into
        action.save()
        into = f", merged into action {merged_into.number}" if merged_into else ""
        log(
            action.objective.priority_area.plan,
            by,
            f"Action {action.number}",
            f"Retired{into}: {action.retired_reason}",
        )


def delete_action(action: Action, *, by: User | None) -> None:
    """Delete an action added by mistake; one with updates is refused (retire it instead)."""
    plan = action.objective.priority_area.plan
    number = action.number
    with transaction.atomic():
        if Action.objects.select_for_update().get(pk=action.pk).updates.exists():
            raise ValidationError(
                f"Action {number} has quarterly updates, which are the plan's record: "
                "retire it instead of deleting it."
            )
        action.delete()
        log(plan, by, f"Action {number}", "Deleted (it had no updates)")


def assign(plan: Plan, user, area: PriorityArea | None, *, by: User | None) -> None:
    """Make a user a steward of one area (its lead) or of the whole plan (`area` None)."""
    user.groups.add(Group.objects.get_or_create(name=PLAN_STEWARD)[0])
    user.__dict__.pop("_role_names", None)  # roles.role_names reads the groups afresh
    _, created = AreaSteward.objects.get_or_create(plan=plan, priority_area=area, user=user)
    if created:
        where = f"priority area {area.number}" if area else "the whole plan"
        log(plan, by, f"Stewards: {who(user)}", f"Now stewards {where}")


def unassign(plan: Plan, user, area: PriorityArea | None, *, by: User | None) -> None:
    deleted, _ = AreaSteward.objects.filter(plan=plan, priority_area=area, user=user).delete()
    if deleted:
        where = f"priority area {area.number}" if area else "the whole plan"
        log(plan, by, f"Stewards: {who(user)}", f"No longer stewards {where}")


def proposed_completions(review: QuarterlyReview) -> list[QuarterlyUpdate]:
    """The review's updates that say Complete for an action not yet confirmed complete."""
    return list(
        QuarterlyUpdate.objects.filter(review=review, rag=ActionStatus.COMPLETE.value)
        .exclude(action__status=ActionStatus.COMPLETE.value)
        .filter(action__retired_on=None)
        .select_related("action__objective__priority_area", "author")
        .order_by("action__objective__priority_area__number", "action_id")
    )


def confirm_complete(action: Action, review: QuarterlyReview, *, by: User | None) -> None:
    """A steward confirms an owner's Complete: the action's status becomes Complete."""
    with transaction.atomic():
        locked = QuarterlyReview.objects.select_for_update().get(pk=review.pk)
        if locked.is_frozen:
            raise ValidationError(f"{locked} is frozen: nothing in it can be confirmed now.")
        action = Action.objects.select_for_update().get(pk=action.pk)
        proposed = QuarterlyUpdate.objects.filter(
            review=review, action=action, rag=ActionStatus.COMPLETE.value
        ).exists()
        if not proposed:
            raise ValidationError(
                f"Action {action.number}'s update for {review} does not say Complete."
            )
        if action.status == ActionStatus.COMPLETE:
            return  # confirmed already (a second click, or another steward)
        before = action.get_status_display()
        action.status = ActionStatus.COMPLETE.value
        action.status_reason = ""
        action.save()
        log(
            action.objective.priority_area.plan,
            by,
            f"Action {action.number}",
            f"Status: {before} → Complete (the owner's proposal in {review}, confirmed)",
        )
