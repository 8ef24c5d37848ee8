"""Celery tasks: thin wrappers that call the refresh."""

from celery import shared_task
from kombu.exceptions import OperationalError

from indicators.neighbours_fetch import refresh_home_peer_groups as refresh_peers
from indicators.refresh import refresh_from_api


class QueueError(Exception):
    """A task that could not be handed to the broker; the message says why."""


@shared_task(name="indicators.tasks.refresh_fingertips")
def refresh_fingertips(base_url: str | None = None) -> dict:
    """Refresh every configured indicator from the Fingertips API (weekly, and on demand)."""
    outcome = refresh_from_api(base_url=base_url)
    return {"status": outcome.status, "run_id": outcome.run_id, "error": outcome.error}


@shared_task(name="indicators.tasks.refresh_peer_groups")
def refresh_peer_groups(base_url: str | None = None) -> list[str]:
    """The county's CIPFA / NHS England peer groups from the API; a failure is kept on the group."""
    return [f"{p.name or 'peer groups'}: {p.error or p.members}" for p in refresh_peers(base_url)]


def queue_refresh(base_url: str | None = None) -> str:
    """Send the refresh to the worker and return the task id; a broker that is down is an error."""
    try:
        return refresh_fingertips.delay(base_url).id
    except OperationalError as exc:
        broker = refresh_fingertips.app.connection_for_write().as_uri()
        raise QueueError(
            f"the refresh was not queued: the task broker {broker} did not answer ({exc}); "
            "nothing was refreshed"
        ) from None
