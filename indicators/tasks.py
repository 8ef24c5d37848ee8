"""Celery tasks: thin wrappers that call the refresh."""

from celery import shared_task

from indicators.refresh import refresh_from_api


@shared_task(name="indicators.tasks.refresh_fingertips")
def refresh_fingertips(base_url: str | None = None) -> dict:
    """Refresh every configured indicator from the Fingertips API (weekly, and on demand)."""
    outcome = refresh_from_api(base_url=base_url)
    return {"status": outcome.status, "run_id": outcome.run_id, "error": outcome.error}
