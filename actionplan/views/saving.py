"""Writing to an open review: a rating or an update form is saved once, holding the review's row."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.shortcuts import get_object_or_404

from actionplan.forms import (
    SavedOnceForm,
    saved_version,
)
from actionplan.models import (
    QuarterlyReview,
)
from actionplan.views.access import PlanRoleRequiredMixin


class Saved(Enum):
    WRITTEN = "written"
    UNCHANGED = "unchanged"  # the same values were saved already: nothing written twice
    MEANWHILE = "meanwhile"  # someone saved other values after the form was opened


def save_once(
    form: SavedOnceForm,
    review: QuarterlyReview,
    stored: Callable[[], models.Model | None],
    signed: Callable[[models.Model], None],
) -> tuple[Saved, models.Model]:
    """Save a rating or update form once, holding the open review's row.

    The row is read again under the lock: a second submit of the same form (two tabs, a double
    click, at once or later) finds what the first saved, and is not written again or over it.
    """
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                ReviewWriteMixin.lock_open(review)
                saved = stored()
                if saved is None:
                    row = form.instance
                    if row.pk is not None:  # deleted since the form was opened
                        row.pk, row._state.adding = None, True
                    signed(row)
                    row.save()
                    return Saved.WRITTEN, row
                if form.same_as(saved):
                    return Saved.UNCHANGED, saved
                if form.opened_on() not in ("", saved_version(saved)):
                    return Saved.MEANWHILE, saved
                signed(form.copy_onto(saved))
                saved.save()
                return Saved.WRITTEN, saved
        except IntegrityError:
            # Written by a route that does not hold the review's row (the admin, a shell)
            # between the read and the insert: read it again.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def sent_twice(form: SavedOnceForm, outcome: Saved, row: models.Model) -> bool:
    """The same values were saved by another submit after this form was opened."""
    return outcome is Saved.UNCHANGED and form.opened_on() not in ("", saved_version(row))


class ReviewWriteMixin(PlanRoleRequiredMixin):
    """A view that changes an open review: refused (403) once it is frozen, for everyone."""

    def load_review(self) -> QuarterlyReview:
        review = get_object_or_404(
            QuarterlyReview.objects.select_related("plan"), pk=self.kwargs["pk"]
        )
        if review.is_frozen:
            raise PermissionDenied(f"{review} is frozen: nobody can change it.")
        return review

    @staticmethod
    def lock_open(review: QuarterlyReview) -> None:
        """Inside a transaction: hold the review's row and refuse if it was frozen meanwhile."""
        if QuarterlyReview.objects.select_for_update().get(pk=review.pk).is_frozen:
            raise PermissionDenied(f"{review} is frozen: nobody can change it.")
