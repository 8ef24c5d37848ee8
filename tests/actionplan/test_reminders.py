"""Email reminders to owners whose updates are missing a fortnight before the quarterly meeting."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import AsyncResult, EagerResult
from celery.schedules import crontab
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from actionplan import reminders
from actionplan.models import Action, QuarterlyReview, QuarterlyUpdate, UpdateReminder
from actionplan.reminders import OwnedAction, ReviewFacts
from actionplan.tasks import send_update_reminders
from imr_dashboard.celery import app as celery_app
from indicators.vocabulary import Rag

# The worker test reuses the indicators refresh's fixtures: the project's app on a real Redis
# queue of the test's own, and the tasks the worker finishes.
from tests.actionplan.plans import running_plan
from tests.indicators.test_celery_refresh import (  # noqa: F401
    WAIT_SECONDS,
    celery_on_redis,
    finished_tasks,
)

MEETING = date(2025, 1, 15)
FIRST_DAY = date(2025, 1, 1)  # 14 days before
OPEN = ReviewFacts("2024/25 Q3", MEETING, is_frozen=False)


def owned(number: str, owner: int | None = 1, *, updated=False, email="bob@example.org"):
    return OwnedAction(
        number=number,
        text=f"Action {number}",
        update_path=f"/plan/actions/{number}/update/",
        has_update=updated,
        owner_id=owner,
        owner_name=f"Owner {owner}",
        owner_email=email,
    )


def due(today=FIRST_DAY, review=OPEN, actions=(), already=()):
    return reminders.due_reminders(
        today=today, review=review, actions=list(actions), already_reminded=already
    )


# ---------------------------------------------------------------------------------------------
# The rule
# ---------------------------------------------------------------------------------------------


def test_no_reminder_without_a_meeting_date():
    decision = due(review=ReviewFacts("2024/25 Q3", None, False), actions=[owned("1.1.1")])
    assert decision.reminders == []
    assert decision.reason == "2024/25 Q3 has no meeting date."


def test_no_reminder_before_the_fortnight_before_the_meeting():
    decision = due(today=FIRST_DAY - timedelta(days=1), actions=[owned("1.1.1")])
    assert decision.reminders == []
    assert decision.reason == "Too early: reminders for 2024/25 Q3 start on 1 January 2025."


def test_owners_are_reminded_on_the_day_a_fortnight_before_the_meeting():
    decision = due(today=FIRST_DAY, actions=[owned("1.1.1"), owned("1.1.2")])
    assert [(r.owner_id, r.email, [a.number for a in r.actions]) for r in decision.reminders] == [
        (1, "bob@example.org", ["1.1.1", "1.1.2"])
    ]
    assert decision.reason == ""


def test_owners_are_still_reminded_on_a_later_day_up_to_the_meeting():
    for today in (FIRST_DAY + timedelta(days=3), MEETING):
        assert len(due(today=today, actions=[owned("1.1.1")]).reminders) == 1


def test_no_reminder_after_the_meeting():
    decision = due(today=MEETING + timedelta(days=1), actions=[owned("1.1.1")])
    assert decision.reminders == []
    assert decision.reason == "2024/25 Q3's meeting was on 15 January 2025."


def test_no_reminder_for_a_frozen_review():
    decision = due(review=ReviewFacts("2024/25 Q3", MEETING, True), actions=[owned("1.1.1")])
    assert decision.reminders == []
    assert decision.reason == "2024/25 Q3 is frozen: no updates can be entered."


def test_actions_already_updated_are_not_named_and_an_owner_with_all_done_gets_nothing():
    decision = due(
        actions=[
            owned("1.1.1", 1, updated=True),
            owned("1.1.2", 1),
            owned("2.1.1", 2, updated=True),
        ]
    )
    assert [(r.owner_id, [a.number for a in r.actions]) for r in decision.reminders] == [
        (1, ["1.1.2"])
    ]


def test_an_action_without_an_owner_is_reported_not_sent():
    decision = due(actions=[owned("1.1.1", None)])
    assert decision.reminders == []
    assert decision.skipped == ["1 action has no owner to remind: 1.1.1."]
    decision = due(actions=[owned("1.1.1", None), owned("1.1.2", None), owned("1.1.3", 2)])
    assert [r.owner_id for r in decision.reminders] == [2]
    assert decision.skipped == ["2 actions have no owner to remind: 1.1.1, 1.1.2."]


def test_an_owner_without_an_email_address_is_reported_not_sent():
    decision = due(actions=[owned("1.1.1", 1, email=""), owned("1.1.2", 2)])
    assert [r.owner_id for r in decision.reminders] == [2]
    assert decision.skipped == ["Owner 1 has no email address (1.1.1)."]


def test_an_owner_already_reminded_for_the_review_is_not_reminded_again():
    decision = due(actions=[owned("1.1.1", 1), owned("1.1.2", 2)], already=[1])
    assert [r.owner_id for r in decision.reminders] == [2]
    assert decision.skipped == ["Owner 1 was already reminded for 2024/25 Q3 (1.1.1)."]
    decision = due(actions=[owned("1.1.1", 1)], already=[1])
    assert decision.reminders == []
    assert decision.reason == "Every owner due a reminder for 2024/25 Q3 has one or needs none."


def test_the_email_names_the_actions_quarter_meeting_and_update_links():
    reminder = due(actions=[owned("1.1.1"), owned("3.2.10")]).reminders[0]
    subject, body = reminders.reminder_email(
        reminder, review=OPEN, site_url="https://dashboard.example.org/"
    )
    assert subject == "Reminder: 2 action updates due for the 2024/25 Q3 review (15 January 2025)"
    assert "Dear Owner 1," in body
    assert "quarter 2024/25 Q3 at its meeting on 15 January 2025" in body
    assert (
        "- 1.1.1 Action 1.1.1\n  Enter the update: https://dashboard.example.org/plan/actions/1.1.1/update/"
        in body
    )
    assert "- 3.2.10 Action 3.2.10\n" in body
    assert "https://dashboard.example.org/plan/actions/3.2.10/update/" in body


# ---------------------------------------------------------------------------------------------
# Sending, through the database and Django's mail API
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def open_quarter(loaded_plan):
    """An open review meeting on 15 January 2025 and three owners: Bob has one action updated
    and one not, Frank has one not updated, Gina (no email address) has one not updated."""
    plan = running_plan()
    review = QuarterlyReview.objects.create(
        plan=plan, financial_year=2024, quarter=3, meeting_date=MEETING
    )
    bob = User.objects.create_user(
        "bob", email="bob@example.org", first_name="Bob", last_name="Smith"
    )
    frank = User.objects.create_user("frank", email="frank@example.org")
    gina = User.objects.create_user("gina", email="")
    actions = list(Action.objects.filter(objective__priority_area__plan=plan).order_by("pk")[:4])
    for action, owner in zip(actions, (bob, bob, frank, gina), strict=True):
        action.owner = owner
        action.save()
    QuarterlyUpdate.objects.create(
        review=review, action=actions[0], rag=Rag.GREEN, progress_note="On track", author=bob
    )
    return review, actions


def test_a_run_sends_each_owner_one_email_and_a_second_run_sends_nothing(open_quarter, settings):
    settings.SITE_URL = "https://dashboard.example.org"
    _, actions = open_quarter
    out = io.StringIO()

    call_command("send_update_reminders", "--date", "2025-01-01", stdout=out)

    assert sorted(m.to[0] for m in mail.outbox) == ["bob@example.org", "frank@example.org"]
    bob = next(m for m in mail.outbox if m.to == ["bob@example.org"])
    assert bob.from_email == settings.DEFAULT_FROM_EMAIL
    assert (
        bob.subject == "Reminder: 1 action update due for the 2024/25 Q3 review (15 January 2025)"
    )
    assert "Dear Bob Smith," in bob.body
    assert f"- {actions[1].number} " in bob.body
    assert f"- {actions[0].number} " not in bob.body  # already updated
    update_url = "https://dashboard.example.org" + reverse(
        "actionplan:action_update", args=[actions[1].pk]
    )
    assert f"Enter the update: {update_url}\n" in bob.body
    assert "gina has no email address" in out.getvalue()
    assert "2 reminders sent." in out.getvalue()
    assert sorted(UpdateReminder.objects.values_list("email", "actions")) == [
        ("bob@example.org", actions[1].number),
        ("frank@example.org", actions[2].number),
    ]

    out = io.StringIO()
    call_command("send_update_reminders", "--date", "2025-01-02", stdout=out)
    assert len(mail.outbox) == 2
    assert "0 reminders sent." in out.getvalue()
    assert "Bob Smith was already reminded for 2024/25 Q3" in out.getvalue()


def test_a_dry_run_lists_who_would_be_reminded_and_sends_and_records_nothing(open_quarter):
    out = io.StringIO()
    call_command("send_update_reminders", "--date", "2025-01-01", "--dry-run", stdout=out)
    assert mail.outbox == []
    assert UpdateReminder.objects.count() == 0
    assert "Reminded bob@example.org:" in out.getvalue()
    assert "2 reminders would be sent." in out.getvalue()


def test_too_early_a_run_sends_nothing_and_says_why(open_quarter):
    out = io.StringIO()
    call_command("send_update_reminders", "--date", "2024-12-31", stdout=out)
    assert mail.outbox == []
    assert "Too early: reminders for 2024/25 Q3 start on 1 January 2025." in out.getvalue()


def test_a_bad_date_is_a_clear_error(db):
    with pytest.raises(CommandError, match="--date must be a date as YYYY-MM-DD, not '15/01/2025'"):
        call_command("send_update_reminders", "--date", "15/01/2025", stdout=io.StringIO())


def test_a_failed_send_records_nothing_so_the_next_run_tries_again(open_quarter, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with pytest.raises(OSError):
        call_command("send_update_reminders", "--date", "2025-01-01", stdout=io.StringIO())
    assert UpdateReminder.objects.count() == 0


CONSOLE = "django.core.mail.backends.console.EmailBackend"


def test_in_production_without_email_reminders_are_not_printed_or_recorded_but_sent_later(
    open_quarter, settings, capsys
):
    """Printed to the worker's log and recorded as sent, they never reached anyone, and the
    record stopped them being sent once email was configured."""
    settings.DEBUG = False
    settings.EMAIL_BACKEND = CONSOLE  # the default when no EMAIL_URL is set
    out = io.StringIO()

    call_command("send_update_reminders", "--date", "2025-01-01", stdout=out)

    assert "Dear Bob Smith" not in capsys.readouterr().out
    assert UpdateReminder.objects.count() == 0
    assert "Skipped: Bob Smith was not reminded" in out.getvalue()
    assert "Email is not configured (set EMAIL_URL" in out.getvalue()
    assert "0 reminders sent." in out.getvalue()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # now configured
    call_command("send_update_reminders", "--date", "2025-01-02", stdout=io.StringIO())
    assert sorted(m.to[0] for m in mail.outbox) == ["bob@example.org", "frank@example.org"]
    assert UpdateReminder.objects.count() == 2


def test_in_development_the_console_backend_prints_the_reminders(open_quarter, settings, capsys):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = CONSOLE
    out = io.StringIO()

    call_command("send_update_reminders", "--date", "2025-01-01", stdout=out)

    assert "Dear Bob Smith" in capsys.readouterr().out
    assert "2 reminders sent." in out.getvalue()


def test_the_reminders_are_scheduled_daily_as_a_registered_task():
    entries = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "actionplan.tasks.send_update_reminders"
    ]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert isinstance(schedule, crontab)
    assert len(schedule.hour) == 1 and len(schedule.minute) == 1
    assert len(schedule.day_of_week) == 7 and len(schedule.day_of_month) == 31
    assert timedelta(0) < schedule.remaining_estimate(timezone.now()) <= timedelta(days=1)
    celery_app.loader.import_default_modules()
    task = celery_app.tasks["actionplan.tasks.send_update_reminders"]
    assert task.run.__module__ == "actionplan.tasks"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_takes_the_reminder_task_from_redis_and_sends_the_emails(
    open_quarter, mailoutbox, request
):
    queue, broker = request.getfixturevalue("celery_on_redis")
    finished, done = request.getfixturevalue("finished_tasks")

    result = send_update_reminders.delay("2025-01-01")

    # Sent, not run: the message waits in Redis until a worker takes it.
    assert isinstance(result, AsyncResult) and not isinstance(result, EagerResult)
    assert broker.llen(queue) == 1
    assert mailoutbox == []

    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=WAIT_SECONDS
    ):
        assert done.wait(WAIT_SECONDS), f"the worker did not finish the task in {WAIT_SECONDS} s"

    assert broker.llen(queue) == 0
    [(task_id, state, value)] = finished
    assert (task_id, state) == (result.id, "SUCCESS")
    assert len(value["sent"]) == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["bob@example.org", "frank@example.org"]
    assert UpdateReminder.objects.count() == 2


# ---------------------------------------------------------------------------------------------
# Only open actions; teams
# ---------------------------------------------------------------------------------------------


def test_complete_cancelled_or_retired_actions_are_never_named():
    closed = reminders.OwnedAction(
        number="1.1.2",
        text="Closed",
        update_path="/x/",
        has_update=False,
        owner_id=1,
        owner_name="Owner 1",
        owner_email="bob@example.org",
        is_open=False,
    )
    decision = due(actions=[owned("1.1.1"), closed])
    assert [a.number for r in decision.reminders for a in r.actions] == ["1.1.1"]
    assert not due(actions=[closed]).reminders


def test_the_email_says_when_each_update_and_action_is_due(settings):
    action = reminders.OwnedAction(
        number="2.1.1",
        text="Train midwives",
        update_path="/plan/actions/9/update/",
        has_update=False,
        owner_id=1,
        owner_name="Bob",
        owner_email="bob@example.org",
        due_date=date(2025, 3, 31),
        team="Midwifery leads",
    )
    (reminder,) = due(actions=[action]).reminders
    _, body = reminders.reminder_email(
        reminder, review=OPEN, site_url="https://x.example", my_actions_path="/plan/my-actions/"
    )
    assert "Each update is due by the meeting, 15 January 2025" in body
    assert "due to be complete by 31 March 2025" in body
    assert "as a member of Midwifery leads" in body
    assert "All your actions: https://x.example/plan/my-actions/" in body


def test_every_member_of_an_owning_team_is_reminded_and_closed_actions_are_not(open_quarter):
    from actionplan.models import PlanTeam
    from indicators.vocabulary import ActionStatus

    review, actions = open_quarter
    team = PlanTeam.objects.create(plan=review.plan, name="Midwifery leads")
    hana = User.objects.create_user("hana", email="hana@example.org")
    ivan = User.objects.create_user("ivan", email="ivan@example.org")
    team.members.add(hana, ivan)
    actions[2].owner, actions[2].owner_team = None, team
    actions[2].save()
    actions[1].status = ActionStatus.COMPLETE  # Bob's only action without an update
    actions[1].save()

    call_command("send_update_reminders", "--date", "2025-01-01", stdout=io.StringIO())

    assert sorted(m.to[0] for m in mail.outbox) == ["hana@example.org", "ivan@example.org"]
    assert all(f"- {actions[2].number} " in m.body for m in mail.outbox)
