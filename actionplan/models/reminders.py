"""The reminders sent to owners of actions with a missing update."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from actionplan.models.reviews import QuarterlyReview


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
