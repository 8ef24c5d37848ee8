"""The reduction plan: priority areas, objectives, actions, measures and quarterly reviews.

Every change is kept with who made it and when (django-simple-history).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.signals import pre_delete
from django.utils import timezone
from simple_history.models import HistoricalRecords

from actionplan.blank_text import is_blank
from indicators.models import Indicator
from indicators.vocabulary import ActionStatus, Direction, Rag
from localdata.schema import MEASURES as LOCAL_MEASURES

# The longest progress note or rationale: what the forms state and every write path checks.
# The board pack lays out any length (a note flows across pages); this keeps notes notes.
TEXT_MAX_LENGTH = 5000


def _at_most(label: str) -> MaxLengthValidator:
    return MaxLengthValidator(
        TEXT_MAX_LENGTH, message=f"{label} must be {TEXT_MAX_LENGTH:,} characters or less"
    )


class RuledModel(models.Model):
    """A row with rules of its own: `refusals()` holds them by field, and both `clean()` (every
    form: the app's, the admin's and its history "revert" form) and `save()` (commands and
    shells) refuse a row that breaks one."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._refuse_if_ruled_out()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self._refuse_if_ruled_out()

    def refusals(self) -> dict[str, list[str]]:
        """The row's own rules, by field: empty when it may be saved."""
        return {}

    def _refuse_if_ruled_out(self) -> None:
        refusals = self.refusals()
        if refusals:
            raise ValidationError(refusals)


class Plan(RuledModel):
    """One plan and the years it runs; quarters are financial quarters."""

    title = models.CharField(max_length=300)
    starts = models.DateField()
    ends = models.DateField()
    source = models.TextField(blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.title

    def refusals(self) -> dict[str, list[str]]:
        """A plan ends after it starts, and its period keeps every quarter reviewed on it."""
        errors: dict[str, list[str]] = {}
        if self.starts is None or self.ends is None:
            return errors
        if self.ends <= self.starts:
            errors["ends"] = ["The plan must end after it starts"]
        elif self.pk is not None:
            reviews = QuarterlyReview.objects.filter(plan_id=self.pk).order_by(
                "financial_year", "quarter"
            )
            first, last = reviews.first(), reviews.last()
            if first is not None and (first.financial_year, first.quarter) < _financial_quarter(
                self.starts
            ):
                errors["starts"] = [f"The plan's quarter {first} was reviewed before that date"]
            if last is not None and quarter_starts(last.financial_year, last.quarter) > self.ends:
                errors["ends"] = [f"The plan's quarter {last} was reviewed after that date"]
        return errors

    @property
    def has_ended(self) -> bool:
        return self.ends < timezone.localdate()


class PriorityArea(models.Model):
    """One of the plan's key priority areas (section 7.1 of the report)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="priority_areas")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_priority_area_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Objective(models.Model):
    priority_area = models.ForeignKey(
        PriorityArea, on_delete=models.CASCADE, related_name="objectives"
    )
    number = models.CharField(max_length=16, help_text="Mended numbering, e.g. 3.2")
    source_numbering = models.CharField(max_length=32, blank=True, help_text="As printed")
    text = models.TextField()
    retired_on = models.DateField(null=True, blank=True)
    retired_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["priority_area", "id"]
        constraints = [
            models.UniqueConstraint(fields=["priority_area", "number"], name="one_objective_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.text[:60]}"


class Action(RuledModel):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="actions")
    number = models.CharField(max_length=16, help_text="Mended numbering, e.g. 3.2.1")
    source_numbering = models.CharField(max_length=32, blank=True, help_text="As printed")
    text = models.TextField()
    lead = models.CharField(max_length=300, blank=True, help_text="Lead organisation or role")
    partners = models.TextField(blank=True, help_text="Partner organisations, one per line")
    timescale = models.CharField(max_length=200, blank=True, help_text="As printed in the plan")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_actions",
    )
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    original_due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED.value
    )
    # Plan stewardship (actionplan.stewardship holds the rules every write path follows).
    owner_team = models.ForeignKey(
        "PlanTeam", null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    status_reason = models.TextField(blank=True, help_text="Why it is on hold or cancelled")
    measures = models.ManyToManyField(
        "PerformanceMeasure", blank=True, related_name="actions", help_text="Meant to move"
    )
    retired_on = models.DateField(null=True, blank=True)
    retired_reason = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["objective", "id"]
        constraints = [
            models.UniqueConstraint(fields=["objective", "number"], name="one_action_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.text[:60]}"

    def refusals(self) -> dict[str, list[str]]:
        """The action's own rules, by field (the app's pages, the admin, commands and shells)."""
        errors: dict[str, list[str]] = {}
        if self.owner_id is not None and self.owner_team_id is not None:
            errors["owner"] = ["Choose a person or a team as the owner, not both"]
        if self.owner_id is not None and not self.owner.is_active:
            errors["owner"] = [f"{self.owner} has left (deactivated): choose another owner"]
        plan = self.objective.priority_area.plan if self.objective_id else None
        for name in ("start_date", "due_date"):
            day = getattr(self, name)
            if plan is not None and day is not None and day < plan.starts:
                errors[name] = [
                    f"{self._meta.get_field(name).verbose_name.capitalize()} must be on or after "
                    f"the plan starts ({plan.starts.day} {plan.starts:%B %Y})"
                ]
        if self.status in (ActionStatus.ON_HOLD, ActionStatus.CANCELLED) and is_blank(
            self.status_reason
        ):
            label = ActionStatus(self.status).label.lower()
            errors["status_reason"] = [f"Enter the reason the action is {label}"]
        if self.merged_into_id is not None and self.merged_into_id == self.pk:
            errors["merged_into"] = ["An action cannot be merged into itself"]
        return errors

    @property
    def is_retired(self) -> bool:
        return self.retired_on is not None

    @property
    def rescheduled(self) -> bool:
        return bool(
            self.due_date and self.original_due_date and self.due_date > self.original_due_date
        )


class PerformanceMeasure(RuledModel):
    """A measure of the outcomes framework (Appendix 3), linked to the indicator it reads."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="measures")
    priority_area = models.ForeignKey(
        PriorityArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="measures"
    )
    objective = models.TextField(help_text="The framework's objective, as printed")
    measure = models.TextField()
    phof_reference = models.CharField(max_length=16, blank=True)
    indicator = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.PROTECT)
    local_measure_code = models.CharField(
        max_length=32,
        blank=True,
        help_text="The code of the local data's quarterly measure (template C, e.g. SATOD) that "
        "feeds this measure; its latest quarter is shown on the board and in the board pack",
    )
    direction = models.CharField(max_length=8, choices=Direction.choices)
    baseline_value = models.FloatField(null=True, blank=True)
    baseline_period = models.CharField(max_length=40, blank=True)
    target_value = models.FloatField(null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "position"]

    def __str__(self) -> str:
        return self.measure[:80]

    def refusals(self) -> dict[str, list[str]]:
        """A target or baseline the indicator's figures can never take is refused."""
        from indicators.definitions import VALUE_RANGES

        errors: dict[str, list[str]] = {}
        if self.local_measure_code and self.local_measure_code not in LOCAL_MEASURES:
            errors["local_measure_code"] = [
                f"{self.local_measure_code} is not a local quarterly measure: use one of "
                + ", ".join(LOCAL_MEASURES)
            ]
        allowed = VALUE_RANGES.get(self.indicator.fingertips_id) if self.indicator_id else None
        if allowed is None:
            return errors
        for name, label in (("target_value", "Target"), ("baseline_value", "Baseline")):
            value = getattr(self, name)
            if value is None:
                continue
            if allowed.minimum is not None and value < allowed.minimum:
                errors[name] = [
                    f"{label} must be {allowed.minimum:g} or more: it is {allowed.what}"
                ]
            elif allowed.maximum is not None and value > allowed.maximum:
                errors[name] = [
                    f"{label} must be {allowed.maximum:,g} or less: it is {allowed.what}"
                ]
        return errors


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
        if (self.financial_year, self.quarter) < _financial_quarter(plan.starts):
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


def quarter_starts(financial_year: int, quarter: int) -> date:
    """The first day of a financial quarter: (2020, 1) is 1 April 2020, (2020, 4) 1 January 2021."""
    year = financial_year + (quarter == 4)
    return date(year, 1 if quarter == 4 else 1 + 3 * quarter, 1)


def _financial_quarter(day: date) -> tuple[int, int]:
    """(financial year, quarter) of a day: April to June 2020 is (2020, 1)."""
    year = day.year if day.month >= 4 else day.year - 1
    return year, ((day.month - 4) % 12) // 3 + 1


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


class FrozenBoardPack(models.Model):
    """The board pack as the board saw it, stored once when its quarter is frozen.

    `content` holds everything the pack shows (`boardpack.BoardPack` as plain JSON, see
    `actionplan.frozen_pack`) and `pdf` the file itself, served byte for byte for ever: later
    changes to actions, measures, figures or people do not reach a frozen quarter's pack.
    """

    class Captured(models.TextChoices):
        AT_FREEZING = "freezing", "When the quarter was frozen"
        AT_UPGRADE = "upgrade", "When packs began to be stored (the quarter was frozen before)"
        AT_FIRST_DOWNLOAD = "download", "At its first download (none was stored before)"

    review = models.OneToOneField(
        QuarterlyReview, on_delete=models.CASCADE, related_name="frozen_pack"
    )
    content = models.JSONField(editable=False)
    pdf = models.BinaryField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    filename = models.CharField(max_length=100, editable=False)
    captured = models.CharField(max_length=16, choices=Captured.choices, editable=False)
    captured_at = models.DateTimeField(editable=False)

    def __str__(self) -> str:
        return f"Board pack {self.review} ({self.get_captured_display().lower()})"

    def save(self, *args, **kwargs):
        # Stored once: what the board saw is never rewritten.
        if not self._state.adding:
            raise FrozenReview(f"The board pack of {self.review} is stored for good")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenReview(f"The board pack of {self.review} is stored for good")


class UpdateReminder(models.Model):
    """An email that reminded an owner of their missing updates for a review: one per review."""

    review = models.ForeignKey(QuarterlyReview, on_delete=models.CASCADE, related_name="reminders")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="update_reminders"
    )
    email = models.EmailField()
    actions = models.TextField(help_text="The numbers of the actions named, one per line")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["review", "owner"], name="one_reminder_per_review")
        ]

    def __str__(self) -> str:
        return f"{self.review} reminder to {self.email}"


for _model in (QuarterlyReview, QuarterlyUpdate, Rating):
    pre_delete.connect(refuse_to_delete_a_frozen_quarter, sender=_model)


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


class PlanTeam(models.Model):
    """A named team that owns actions: every member gets the team's reminders."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "name"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="one_team_name")]

    def __str__(self) -> str:
        return self.name


class AreaSteward(models.Model):
    """A plan steward's scope: the whole plan (no priority area: the group's secretariat) or
    one priority area (its lead). A steward leads only the areas assigned to them."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="stewards")
    priority_area = models.ForeignKey(
        PriorityArea, null=True, blank=True, on_delete=models.CASCADE, related_name="leads"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stewardships"
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "priority_area", "user"],
                name="one_stewardship",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        where = self.priority_area or "the whole plan"
        return f"{self.user} stewards {where}"


class PlanChange(models.Model):
    """One entry of the plan changes log: who changed what in the plan, and when."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="changes")
    made_at = models.DateTimeField(default=timezone.now)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    made_by_name = models.CharField(max_length=300, help_text="Kept if the user is deleted")
    subject = models.CharField(max_length=300, help_text="e.g. Action 3.2.1")
    description = models.TextField()

    class Meta:
        ordering = ["-made_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.made_at:%Y-%m-%d} {self.made_by_name}: {self.subject}"
