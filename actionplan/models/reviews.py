"""The quarterly reviews and their record: owners' updates, the group's final RAGs, and the
freezing that makes a quarter final (a frozen quarter's rows refuse to be changed or deleted)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.signals import pre_delete
from django.utils import timezone
from simple_history.models import HistoricalRecords

from actionplan.blank_text import is_blank
from actionplan.models.base import RuledModel
from actionplan.models.plan import Action, Plan, PriorityArea
from actionplan.models.quarters import financial_quarter, quarter_starts
from indicators.vocabulary import Rag

# The longest progress note or rationale: what the forms state and every write path checks.
# The board pack lays out any length (a note flows across pages); this keeps notes notes.
TEXT_MAX_LENGTH = 5000


def _at_most(label: str) -> MaxLengthValidator:
    return MaxLengthValidator(
        TEXT_MAX_LENGTH, message=f"{label} must be {TEXT_MAX_LENGTH:,} characters or less"
    )


class FrozenReview(Exception):
    """A change to a quarter that the group has frozen; nobody may make it."""


class QuarterlyReview(models.Model):
    """One financial quarter's review by the Best Start Strategic Group."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        FROZEN = "frozen", "Frozen"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    financial_year = models.PositiveSmallIntegerField(help_text="Start year: 2020 for 2020/21")
    quarter = models.PositiveSmallIntegerField(choices=[(q, f"Q{q}") for q in range(1, 5)])
    meeting_date = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    frozen_at = models.DateTimeField(null=True, blank=True, editable=False)
    # What changed since the previous frozen review, as it stood when this one was frozen
    # (`actionplan.changes.to_plain`): later imports revise figures in place.
    changes_at_freeze = models.JSONField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "financial_year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "financial_year", "quarter"], name="one_review_per_quarter"
            ),
            models.UniqueConstraint(
                fields=["plan"], condition=models.Q(state="open"), name="one_open_review"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.financial_year}/{(self.financial_year + 1) % 100:02} Q{self.quarter}"

    def save(self, *args, freezing: bool = False, **kwargs):
        """Refuses what the workflow refuses, whether asked by a page, the admin or a shell.

        A quarter is frozen only by `actionplan.workflow.freeze`, which passes `freezing=True`
        once it holds the review's row; `freeze_problems()` must then be empty.
        """
        stored = self._stored()
        # A frozen quarter stays frozen.
        if stored is not None and stored["state"] == self.State.FROZEN:
            raise FrozenReview(f"{self} is frozen")
        refusals = self._refusals(stored, freezing=freezing)
        if refusals:
            raise ValidationError(_by_field(refusals))
        if self.state == self.State.FROZEN and self.frozen_at is None:
            self.frozen_at = timezone.now()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """The same rules as `save()`, as form errors (the app's form to open a review, admin)."""
        super().clean()
        stored = self._stored()
        if stored is not None and stored["state"] == self.State.FROZEN:
            raise ValidationError(f"{self} is frozen: nobody can change it.")
        refusals = self._refusals(stored, freezing=False)
        if self.state == self.State.OPEN and self.plan_id is not None:
            # The database refuses a second open review too; this says it in words.
            other = (
                QuarterlyReview.objects.filter(plan_id=self.plan_id, state=self.State.OPEN)
                .exclude(pk=self.pk)
                .first()
            )
            if other is not None:
                refusals.append(
                    (None, f"{other} is still open: freeze it before opening another quarter.")
                )
        if refusals:
            raise ValidationError(_by_field(refusals))

    def _stored(self) -> dict | None:
        if self.pk is None or self._state.adding:
            return None
        return (
            QuarterlyReview.objects.filter(pk=self.pk)
            .values("state", "financial_year", "quarter")
            .first()
        )

    def _refusals(self, stored: dict | None, *, freezing: bool) -> list[tuple[str | None, str]]:
        refusals: list[tuple[str | None, str]] = []
        if self.is_frozen and not freezing:
            if stored is None:
                refusals.append(
                    (
                        None,
                        "A quarter cannot be created frozen: open it, let the group set every "
                        "priority area's final RAG, then freeze it on its review page.",
                    )
                )
            else:
                refusals.append(
                    (
                        None,
                        f"Freeze {self} on its review page (or with the admin's action “Freeze "
                        "the selected quarter”): freezing checks that every priority area has "
                        "a final RAG and keeps what changed.",
                    )
                )
        elif self.is_frozen:
            refusals.extend((None, problem) for problem in self.freeze_problems())
        moved = stored is None or (stored["financial_year"], stored["quarter"]) != (
            self.financial_year,
            self.quarter,
        )
        if moved and None not in (self.plan_id, self.financial_year, self.quarter):
            # A review is never back-dated: each comes after every review of its plan.
            others = QuarterlyReview.objects.filter(plan_id=self.plan_id).exclude(pk=self.pk)
            latest = others.order_by("financial_year", "quarter").last()
            if others.filter(financial_year=self.financial_year, quarter=self.quarter).exists():
                refusals.append(("quarter", "There is already a review for that quarter"))
            elif latest and (self.financial_year, self.quarter) < (
                latest.financial_year,
                latest.quarter,
            ):
                refusals.append(
                    ("financial_year", f"The quarter must come after the latest review, {latest}")
                )
            # Every write path (the app's form, the admin's add and change forms, its history
            # "revert", commands, shells): a quarter outside the plan's period is not opened.
            refusals.extend(self._outside_the_plan())
        return refusals

    def _outside_the_plan(self) -> list[tuple[str | None, str]]:
        """A quarter is opened only within its plan's period: an ended plan is an archive."""
        if None in (self.plan_id, self.financial_year, self.quarter):
            return []
        starts = quarter_starts(self.financial_year, self.quarter)
        plan = self.plan
        if starts > plan.ends:
            return [
                (
                    None,
                    f"{plan} ended on {plan.ends.day} {plan.ends:%B %Y}: no quarter can be opened "
                    "on it. It stays readable as an archive; start its successor plan to carry on.",
                )
            ]
        if (self.financial_year, self.quarter) < financial_quarter(plan.starts):
            return [
                (
                    "financial_year",
                    f"{plan} starts on {plan.starts.day} {plan.starts:%B %Y}: open a quarter "
                    "within it.",
                )
            ]
        return []

    def areas_missing_a_final_rag(self) -> list[PriorityArea]:
        """The plan's priority areas with no final RAG here, or with "Not rated" as theirs."""
        rated = (
            Rating.objects.filter(review_id=self.pk)
            .exclude(final=Rag.NOT_RATED)
            .values("priority_area")
        )
        return list(
            PriorityArea.objects.filter(plan_id=self.plan_id)
            .exclude(pk__in=rated)
            .order_by("number")
        )

    def freeze_problems(self) -> list[str]:
        """Why the review cannot be frozen yet, one sentence an area; empty when it can."""
        not_rated = set(
            Rating.objects.filter(review_id=self.pk, final=Rag.NOT_RATED).values_list(
                "priority_area_id", flat=True
            )
        )
        return [
            f"Set a final RAG for priority area {area.number}: {area.title}"
            + (" (“Not rated” is not a final RAG)" if area.pk in not_rated else "")
            for area in self.areas_missing_a_final_rag()
        ]

    @property
    def is_frozen(self) -> bool:
        return self.state == self.State.FROZEN


def _by_field(refusals: list[tuple[str | None, str]]) -> dict[str, list[str]]:
    """(field or None, message) pairs as a `ValidationError` dict; None is the whole form."""
    errors: dict[str, list[str]] = {}
    for field, message in refusals:
        errors.setdefault(field or NON_FIELD_ERRORS, []).append(message)
    return errors


class InFrozenQuarterGuard(RuledModel):
    """Refuses to save or delete a row whose quarter the group has frozen, or that breaks a rule
    of its own (`RuledModel`)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._refuse_if_frozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_frozen()
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        if self.review_id is not None and self._review_is_frozen():
            raise ValidationError(
                f"{self.review} is frozen: nobody can change its updates and final RAGs."
            )
        super().clean()

    def _review_is_frozen(self) -> bool:
        # Read from the database: the review in hand may have been frozen since it was loaded.
        return QuarterlyReview.objects.filter(
            pk=self.review_id, state=QuarterlyReview.State.FROZEN
        ).exists()

    def _refuse_if_frozen(self) -> None:
        if self._review_is_frozen():
            raise FrozenReview(f"{self.review} is frozen")


def refuse_to_delete_a_frozen_quarter(sender, instance, **kwargs) -> None:
    """Deleting a frozen review, or a row of one, is refused, including by a cascade.

    A queryset's `delete()` and the cascade from an action, area or plan skip the models'
    `delete()`; they send this signal for every row.
    """
    if isinstance(instance, QuarterlyReview):
        frozen = QuarterlyReview.objects.filter(
            pk=instance.pk, state=QuarterlyReview.State.FROZEN
        ).exists()
        if frozen:
            raise FrozenReview(f"{instance} is frozen: it cannot be deleted")
    elif isinstance(instance, InFrozenQuarterGuard) and instance._review_is_frozen():
        raise FrozenReview(f"{instance} is in a frozen quarter: it cannot be deleted")


def keep_frozen_authors(collector, field, sub_objs, using):
    """`on_delete` for who wrote an update or rating: null, except in a frozen quarter.

    Deleting a user nulls their name on the rows they wrote with one UPDATE that no `save()`
    guard sees, so a frozen quarter would lose who wrote its updates and ratings. Rows of a frozen
    quarter refuse instead (a ProtectedError naming them, which the admin shows as "cannot
    delete"); deactivate such a user instead: they can no longer sign in and the record stays.
    """
    frozen = list(sub_objs.filter(review__state=QuarterlyReview.State.FROZEN))
    if frozen:
        raise models.ProtectedError(
            f"{frozen[0]} and any other rows listed are in a frozen quarter and must keep who "
            f"wrote them: deactivate the user instead of deleting them.",
            frozen,
        )
    collector.add_field_update(field, None, sub_objs)


class QuarterlyUpdate(InFrozenQuarterGuard):
    """An action owner's update for one quarter: RAG and progress note."""

    review = models.ForeignKey(QuarterlyReview, on_delete=models.CASCADE, related_name="updates")
    # An action with updates is retired, not deleted (`stewardship.delete_action` refuses); the
    # cascade stays so that the admin's frozen-quarter guard can list what a delete would take.
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    rag = models.CharField(max_length=16, choices=Rag.choices)
    progress_note = models.TextField(validators=[_at_most("Progress note")])
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=keep_frozen_authors)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "action", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["review", "action"], name="one_update_per_quarter")
        ]

    def __str__(self) -> str:
        return f"{self.review} {self.action.number} {self.rag}"

    def refusals(self) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        if self.rag == Rag.NOT_RATED:
            errors["rag"] = ["Select the action's RAG: “Not rated” is not an update's RAG"]
        if is_blank(self.progress_note):
            errors["progress_note"] = ["Enter a progress note"]
        if self.action_id is not None and self.review_id is not None:
            plan_id = self.action.objective.priority_area.plan_id
            if plan_id != self.review.plan_id:
                errors["action"] = [
                    f"Action {self.action.number} belongs to another plan than {self.review}'s"
                ]
        return errors


class Rating(InFrozenQuarterGuard):
    """The group's final RAG for a priority area in a quarter, beside the rule's proposal."""

    review = models.ForeignKey(QuarterlyReview, on_delete=models.CASCADE, related_name="ratings")
    priority_area = models.ForeignKey(PriorityArea, on_delete=models.CASCADE)
    proposed = models.CharField(max_length=16, choices=Rag.choices)
    proposed_reason = models.TextField(blank=True)
    final = models.CharField(max_length=16, choices=Rag.choices)
    rationale = models.TextField(
        blank=True,
        help_text="Required when the final RAG differs from the proposed one",
        validators=[_at_most("Rationale")],
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=keep_frozen_authors
    )
    decided_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "priority_area"], name="one_rating"),
            models.CheckConstraint(
                condition=models.Q(final=models.F("proposed")) | ~models.Q(rationale=""),
                name="rationale_when_final_differs",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review} {self.priority_area.number}: {self.final}"

    def refusals(self) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        if self.final == Rag.COMPLETE:
            # rag.py: a priority area is never complete while the plan runs.
            errors["final"] = ["A priority area's final RAG is never Complete"]
        if (
            self.priority_area_id is not None
            and self.review_id is not None
            and self.priority_area.plan_id != self.review.plan_id
        ):
            errors["priority_area"] = [
                f"Priority area {self.priority_area.number} belongs to another plan than "
                f"{self.review}'s"
            ]
        if self.final and self.final != self.proposed and is_blank(self.rationale):
            proposed = dict(Rag.choices).get(self.proposed, self.proposed)
            errors["rationale"] = [
                f"Enter a rationale: the final RAG differs from the proposed RAG ({proposed})"
            ]
        return errors


for _model in (QuarterlyReview, QuarterlyUpdate, Rating):
    pre_delete.connect(refuse_to_delete_a_frozen_quarter, sender=_model)
