"""Celery task: the daily check for problems to tell the administrators about."""

from celery import shared_task

from alerts.alerting import check


@shared_task(name="alerts.tasks.check_alerts")
def check_alerts() -> dict:
    """Find failed refreshes, overdue figures and email that is not configured; mail what is due."""
    return check().as_dict()
