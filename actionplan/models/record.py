"""The plan's record is kept: a plan item with quarterly updates or final RAGs is retired,
never deleted (a `pre_delete` guard on plans, priority areas, objectives and actions)."""

from __future__ import annotations

from django.db import models
from django.db.models.signals import pre_delete

from actionplan.models.plan import Action, Objective, Plan, PriorityArea
from actionplan.models.reviews import FrozenReview, QuarterlyReview, QuarterlyUpdate, Rating


def in_the_record(instance) -> list[models.Model]:
    """The quarterly record (reviews, updates, final RAGs) deleting a plan item would take."""
    if isinstance(instance, Action):
        return list(QuarterlyUpdate.objects.filter(action_id=instance.pk)[:5])
    if isinstance(instance, Objective):
        return list(QuarterlyUpdate.objects.filter(action__objective_id=instance.pk)[:5])
    if isinstance(instance, PriorityArea):
        return list(Rating.objects.filter(priority_area_id=instance.pk)[:5]) + list(
            QuarterlyUpdate.objects.filter(action__objective__priority_area_id=instance.pk)[:5]
        )
    if isinstance(instance, Plan):
        return list(QuarterlyReview.objects.filter(plan_id=instance.pk)[:5])
    return []


def refuse_to_delete_the_record(sender, instance, **kwargs) -> None:
    """A plan item with quarterly updates or final RAGs is retired, never deleted.

    Sent for each row, whether deleted by a page, the admin (which lists such rows as protected
    first), a command, a queryset or a cascade; a frozen quarter's row says so.
    """
    rows = in_the_record(instance)
    if not rows:
        return
    review_ids = {r.pk if isinstance(r, QuarterlyReview) else r.review_id for r in rows}
    if QuarterlyReview.objects.filter(pk__in=review_ids, state=QuarterlyReview.State.FROZEN):
        raise FrozenReview(f"{instance} is in a frozen quarter's record: it cannot be deleted")
    raise models.ProtectedError(
        f"{instance} has quarterly updates or final RAGs, which are the plan's record: "
        "retire it instead of deleting it.",
        set(rows),
    )


for _model in (Plan, PriorityArea, Objective, Action):
    pre_delete.connect(refuse_to_delete_the_record, sender=_model)
