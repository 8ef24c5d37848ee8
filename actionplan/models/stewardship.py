"""Who looks after the plan: teams that own actions, area stewards, and the plan changes log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from actionplan.models.plan import Plan, PriorityArea


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
        # One stewardship of each scope per user: two partial constraints rather than one with
        # `nulls_distinct=False`, which SQLite (the embedded default) cannot enforce.
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "priority_area", "user"],
                condition=models.Q(priority_area__isnull=False),
                name="one_area_stewardship",
            ),
            models.UniqueConstraint(
                fields=["plan", "user"],
                condition=models.Q(priority_area__isnull=True),
                name="one_plan_stewardship",
            ),
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
