"""Each scheduled task is safe to run twice at once, as two worker copies (or a beat started twice
by mistake, or a task redelivered after its worker died) would run it.

Two threads, each with its own PostgreSQL connection, start the same task at the same moment
against one database: the refresh (against a real HTTP server with the real exports), the owners'
reminders and the administrators' alerts. Whatever the interleaving, the outcome is the one a
single run gives: the figures once, one reminder per owner and review, one alert and one email.
"""

from __future__ import annotations

import io
import threading
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections

from actionplan.models import Action, QuarterlyReview, QuarterlyUpdate, UpdateReminder
from actionplan.reminder_mail import send_update_reminders
from alerts.alerting import check
from alerts.models import Alert
from indicators.models import ImportRun
from indicators.refresh import refresh_from_api
from indicators.vocabulary import Rag
from tests.actionplan.plans import running_plan
from tests.conftest import observation_state
from tests.indicators.test_refresh import serve

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL (CI's)"
    ),
]


def twice_at_once(task):
    """Run task in two threads released together; return both results (or raise the error)."""
    start = threading.Barrier(2)
    results: list = [None, None]
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            start.wait(timeout=30)
            results[index] = task()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    assert not any(thread.is_alive() for thread in threads), "a run did not finish in 4 minutes"
    if errors:
        raise errors[0]
    return results


def test_two_refreshes_at_once_load_the_figures_once_and_both_succeed(
    httpserver, fast_refresh, settings
):
    settings.FINGERTIPS_TIMEOUT_SECONDS = 30
    base_url = serve(httpserver)

    outcomes = twice_at_once(lambda: refresh_from_api(base_url=base_url))

    assert [o.status for o in outcomes] == ["ok", "ok"], [o.error for o in outcomes]
    # One run created the figures; the other found them there, created nothing and changed nothing.
    first, second = sorted(outcomes, key=lambda o: o.created, reverse=True)
    assert first.created > 0
    assert (second.created, second.updated) == (0, 0)
    assert second.unchanged == first.created
    runs = ImportRun.objects.filter(source=ImportRun.Source.API)
    assert sorted(runs.values_list("status", flat=True)) == ["succeeded", "succeeded"]
    loaded = observation_state()
    refresh_from_api(base_url=base_url)  # a third run, alone: nothing to change
    assert observation_state() == loaded


@pytest.fixture
def due_owners(snapshot):
    """An open review meeting on 15 January 2025; Bob and Frank each own an action not updated."""
    call_command("load_action_plan", stdout=io.StringIO())
    review = QuarterlyReview.objects.create(
        plan=running_plan(), financial_year=2024, quarter=3, meeting_date=date(2025, 1, 15)
    )
    bob = User.objects.create_user("bob", email="bob@example.org")
    frank = User.objects.create_user("frank", email="frank@example.org")
    actions = list(Action.objects.filter(objective__priority_area__plan=review.plan)[:3])
    for action, owner in zip(actions, (bob, bob, frank), strict=True):
        action.owner = owner
        action.save()
    QuarterlyUpdate.objects.create(
        review=review, action=actions[0], rag=Rag.GREEN, progress_note="On track", author=bob
    )
    return review


def test_two_reminder_runs_at_once_send_each_owner_one_email(due_owners):
    twice_at_once(lambda: send_update_reminders(today=date(2025, 1, 1)))

    assert sorted(m.to[0] for m in mail.outbox) == ["bob@example.org", "frank@example.org"]
    assert sorted(UpdateReminder.objects.values_list("email", flat=True)) == [
        "bob@example.org",
        "frank@example.org",
    ]


def test_two_alert_checks_at_once_raise_one_alert_and_send_one_email(
    httpserver, fast_refresh, settings
):
    User.objects.create_superuser("admin", email="admin@example.org", password="x")
    httpserver.expect_request("/api/all_data/csv/by_indicator_id").respond_with_data(
        "down", status=503
    )
    refresh_from_api(base_url=httpserver.url_for("/api/"))  # fails, and raises the alert
    assert Alert.objects.open().count() == 1
    Alert.objects.update(mailed_at=None)  # as if its first email had not gone yet
    mail.outbox.clear()

    twice_at_once(check)

    assert Alert.objects.open().count() == 1
    assert [m.to for m in mail.outbox] == [["admin@example.org"]]
