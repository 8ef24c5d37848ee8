"""The peer groups (CIPFA / NHS England) are fetched again on a schedule, by the worker's beat."""

from __future__ import annotations

from datetime import timedelta

from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from imr_dashboard.celery import app as celery_app

TASK = "indicators.tasks.refresh_peer_groups"


def test_the_peer_group_fetch_is_scheduled_monthly_as_a_registered_task():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == TASK]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert isinstance(schedule, crontab)
    assert (len(schedule.minute), len(schedule.hour), len(schedule.day_of_month)) == (1, 1, 1)
    assert len(schedule.month_of_year) == 12
    assert timedelta(0) < schedule.remaining_estimate(timezone.now()) <= timedelta(days=31)
    # The name resolves to the task of the project's Celery app, as the worker will look it up.
    celery_app.loader.import_default_modules()
    task = celery_app.tasks[TASK]
    assert (task.run.__module__, task.run.__name__) == ("indicators.tasks", "refresh_peer_groups")
