"""Problems the administrators are told about, and the dates figures are expected by."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class AlertQuerySet(models.QuerySet):
    def open(self) -> AlertQuerySet:
        return self.filter(cleared_at__isnull=True)


class Alert(models.Model):
    """A problem the administrators are told about, from when it is found until it clears.

    `key` names the condition (`refresh`, `overdue:92196`, `mail`); at most one alert per key is
    open, so finding the same problem again updates it instead of raising another (and mailing
    again). A cleared alert is kept as history.
    """

    class Kind(models.TextChoices):
        REFRESH_FAILED = "refresh_failed", "The Fingertips refresh failed"
        OVERDUE = "overdue", "Figures are past their expected update date"
        MAIL_FAILED = "mail_failed", "Email cannot be sent"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    key = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    raised_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, help_text="When it was last found")
    mailed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the administrators were last emailed about it"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(cleared_at__isnull=True), name="one_open_alert_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.title}"


class ExpectedUpdate(models.Model):
    """When an indicator's next figures are due, and who says so.

    Neither the bundled exports nor the metadata the refresh reads carry a release date, so a
    date is recorded here (`manage.py record_expected_update`) with its source; an indicator
    without one is never called overdue.
    """

    indicator = models.OneToOneField(
        "indicators.Indicator", on_delete=models.CASCADE, related_name="expected_update"
    )
    expected_by = models.DateField(help_text="The date new figures are due to be published")
    source = models.TextField(help_text="Where the date comes from, e.g. the release calendar")
    recorded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.indicator_id} by {self.expected_by}"
