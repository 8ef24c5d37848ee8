"""Who may do what in the quarterly review workflow, and the rules a review follows.

The views ask these functions; the roles' model permissions (`actionplan.roles`) say what kind of
thing a role may touch, and these narrow them:

- a group member (or administrator) opens a review for a financial quarter, only one at a time,
  sets each priority area's final RAG and freezes the review once every area has one;
- an action owner enters the update of an action they own (`Action.owner`), for the open review
  only; administrators may enter an update on an owner's behalf, group members may not (the group
  reviews the owners' updates, it does not write them);
- nobody, administrators included, changes a frozen review: its ratings and updates stay as they
  were when it was frozen.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from actionplan import changes, frozen_pack, review_changes
from actionplan.models import Action, Plan, PriorityArea, QuarterlyReview
from actionplan.roles import ADMINISTRATOR, has_plan_role

User = AbstractBaseUser | AnonymousUser


def is_administrator(user: User) -> bool:
    if not has_plan_role(user):
        return False
    return user.is_superuser or user.groups.filter(name=ADMINISTRATOR).exists()


def can_manage_reviews(user: User) -> bool:
    """Open and freeze reviews: group members and administrators."""
    return has_plan_role(user) and user.has_perm("actionplan.change_quarterlyreview")


def can_rate(user: User) -> bool:
    """Set a priority area's final RAG: group members and administrators."""
    return (
        has_plan_role(user)
        and user.has_perm("actionplan.add_rating")
        and user.has_perm("actionplan.change_rating")
    )


def can_update_action(user: User, action: Action) -> bool:
    """Enter an action's quarterly update: its owner (a member of the owning team), or an
    administrator on the owner's behalf."""
    if is_administrator(user):
        return True
    owns = (action.owner_id is not None and action.owner_id == user.pk) or (
        action.owner_team_id is not None and action.owner_team.members.filter(pk=user.pk).exists()
    )
    return (
        has_plan_role(user)
        and owns
        and user.has_perm("actionplan.add_quarterlyupdate")
        and user.has_perm("actionplan.change_quarterlyupdate")
    )


def open_review(plan: Plan | None) -> QuarterlyReview | None:
    """The plan's open review; there is at most one."""
    if plan is None:
        return None
    return (
        QuarterlyReview.objects.filter(plan=plan, state=QuarterlyReview.State.OPEN)
        .order_by("financial_year", "quarter")
        .first()
    )


def latest_review(plan: Plan) -> QuarterlyReview | None:
    return QuarterlyReview.objects.filter(plan=plan).order_by("financial_year", "quarter").last()


def unrated_areas(review: QuarterlyReview) -> list[PriorityArea]:
    """The review's priority areas with no final RAG yet ("Not rated" is not one)."""
    return review.areas_missing_a_final_rag()


class FrozenReviewError(Exception):
    """The review is frozen (or has not every area rated) and cannot be changed or frozen."""


def freeze(review: QuarterlyReview) -> None:
    """Freeze an open review whose every priority area has a final RAG.

    The one way a quarter becomes frozen, for the review page, the admin's action and a shell:
    `QuarterlyReview.save()` refuses the change from any other caller.
    """
    with transaction.atomic():
        review = QuarterlyReview.objects.select_for_update().get(pk=review.pk)
        if review.is_frozen:
            raise FrozenReviewError(f"{review} is already frozen.")
        problems = review.freeze_problems()
        if problems:
            raise FrozenReviewError(
                f"{review} cannot be frozen until every priority area has a final RAG. "
                + "; ".join(problems)
                + "."
            )
        # The change list is kept as it stands now: later imports revise figures in place.
        review.frozen_at = timezone.now()
        review.changes_at_freeze = changes.to_plain(
            review_changes.compute(review, as_at=review.frozen_at, frozen=True)
        )
        review.state = QuarterlyReview.State.FROZEN
        review.save(update_fields=["state", "frozen_at", "changes_at_freeze"], freezing=True)
        # What the board saw is the record: the pack's values and its PDF, kept with the freeze.
        frozen_pack.store(review)
