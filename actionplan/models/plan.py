"""The plan's structure: the plan, its priority areas, their objectives and the actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from actionplan.blank_text import is_blank
from actionplan.models.base import RuledModel
from actionplan.models.quarters import financial_quarter, quarter_starts
from indicators.vocabulary import ActionStatus


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
            reviews = self.reviews.order_by("financial_year", "quarter")  # QuarterlyReview
            first, last = reviews.first(), reviews.last()
            if first is not None and (first.financial_year, first.quarter) < financial_quarter(
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
