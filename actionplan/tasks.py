"""Celery tasks: thin wrappers that call the reminder mailer."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from actionplan.reminder_mail import send_update_reminders as send_due_reminders


@shared_task(name="actionplan.tasks.send_update_reminders")
def send_update_reminders(day: str | None = None) -> dict:
    """Email owners whose updates are missing a fortnight before the meeting (daily, by beat)."""
    today = date.fromisoformat(day) if day else timezone.localdate()
    return send_due_reminders(today=today).as_dict()
