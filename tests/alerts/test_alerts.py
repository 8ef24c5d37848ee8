"""Administrators are told when a refresh fails, figures are overdue, or email cannot be sent.

Real parts: the refresh runs against a local HTTP server that answers 500; email failures come
from a real SMTP server on 127.0.0.1 that refuses every connection, or from a closed port. The
administrators' mail itself is read from Django's in-memory outbox.
"""

from __future__ import annotations

import csv
import io
import socket
import threading
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from actionplan import roles
from actionplan.models import Action, QuarterlyReview, UpdateReminder
from alerts.alerting import check
from alerts.models import Alert, ExpectedUpdate
from indicators.models import ImportRun
from indicators.refresh import refresh_from_api
from tests.actionplan.plans import running_plan
from tests.indicators.test_refresh import COUNTIES, DATA_PATH, DISTRICTS, serve

INFANT_MORTALITY = 92196


@pytest.fixture
def people(db):
    """Erin (Administrator role) and Sam (superuser) are told; Dana (analyst) and Nick (an
    administrator without an email address) are not."""
    call_command("setup_roles", stdout=io.StringIO())
    erin = User.objects.create_user("erin", email="erin@example.org", password="x")
    erin.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    nick = User.objects.create_user("nick", email="", password="x")
    nick.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    dana = User.objects.create_user("dana", email="dana@example.org", password="x")
    dana.groups.add(Group.objects.get(name=roles.ANALYST))
    sam = User.objects.create_superuser("sam", email="sam@example.org", password="x")
    return {"erin": erin, "nick": nick, "dana": dana, "sam": sam}


def failing_api(httpserver) -> str:
    httpserver.expect_request(DATA_PATH).respond_with_data("Internal Server Error", status=500)
    return httpserver.url_for("/api/")


def call_command_quietly_fails(httpserver):
    with pytest.raises(CommandError):
        call_command("refresh_fingertips", "--base-url", failing_api(httpserver))


def data_page(client, user=None) -> str:
    if user:
        client.force_login(user)
    response = client.get("/data/")
    assert response.status_code == 200
    return response.content.decode()


class RefusingSMTPServer:
    """A real SMTP server on 127.0.0.1 that refuses every session (554) and hangs up."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.sessions = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                self.sessions += 1
                conn.sendall(b"554 5.3.2 mail.example.org no service for you\r\n")

    def close(self):
        self.sock.close()


@pytest.fixture
def refusing_smtp(settings):
    server = RefusingSMTPServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    yield server
    server.close()


@pytest.fixture
def closed_smtp_port(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    return port


# --- A failed refresh


@pytest.mark.django_db
def test_a_failed_refresh_emails_the_administrators_once_and_shows_them_the_banner(
    httpserver, fast_refresh, snapshot, people, client
):
    with pytest.raises(CommandError):
        call_command("refresh_fingertips", "--base-url", failing_api(httpserver))

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["erin@example.org", "sam@example.org"]
    assert message.subject.endswith("infant mortality dashboard: 1 problem needs attention")
    assert "The Fingertips refresh of" in message.body and "failed" in message.body
    assert "still failing after retries" in message.body and "500" in message.body
    assert "figures of the last successful import (bundled snapshot" in message.body
    assert "/data/" in message.body

    page = data_page(client, people["erin"])
    assert 'class="govuk-notification-banner alerts-banner"' in page
    assert "1 problem needs attention" in page
    assert "still failing after retries" in page
    assert "Administrators emailed" in page


@pytest.mark.django_db
def test_the_public_and_other_roles_see_no_alert_banner(
    httpserver, fast_refresh, snapshot, people, client
):
    call_command_quietly_fails(httpserver)
    assert Alert.objects.open().count() == 1

    assert "alerts-banner" not in data_page(client)
    assert "alerts-banner" not in data_page(client, people["dana"])
    assert "alerts-banner" in data_page(client, people["sam"])


@pytest.mark.django_db
def test_checking_again_sends_no_second_email_and_a_reminder_only_after_a_day(
    httpserver, fast_refresh, snapshot, people
):
    call_command_quietly_fails(httpserver)
    call_command_quietly_fails(httpserver)  # the same problem again: updated, not mailed again
    check()
    call_command("check_alerts", stdout=io.StringIO())

    assert len(mail.outbox) == 1
    assert Alert.objects.count() == 1

    Alert.objects.update(mailed_at=timezone.now() - timedelta(days=1, minutes=1))
    check()
    check()

    assert len(mail.outbox) == 2
    assert "Still open:" in mail.outbox[1].body and "New:" not in mail.outbox[1].body


@pytest.mark.django_db
def test_a_successful_refresh_clears_the_alert_and_sends_nothing_more(
    httpserver, fast_refresh, snapshot, people, client
):
    call_command_quietly_fails(httpserver)
    httpserver.clear()

    assert refresh_from_api(base_url=serve(httpserver)).status == "ok"

    assert Alert.objects.open().count() == 0
    assert Alert.objects.get().cleared_at is not None
    assert len(mail.outbox) == 1
    assert "alerts-banner" not in data_page(client, people["erin"])


@pytest.mark.django_db
def test_a_dry_run_records_and_sends_nothing(httpserver, fast_refresh, snapshot, people):
    ImportRun.objects.create(
        source=ImportRun.Source.API,
        location="x",
        status=ImportRun.Status.FAILED,
        error="cannot connect",
        finished_at=timezone.now(),
    )
    out = io.StringIO()

    call_command("check_alerts", "--dry-run", stdout=out)

    assert Alert.objects.count() == 0
    assert mail.outbox == []
    assert "Would email 2 administrator(s) about 1 problem(s)." in out.getvalue()


# --- Email that cannot be sent


@pytest.mark.django_db
def test_a_refusing_mail_server_is_recorded_and_shown_though_it_cannot_be_mailed(
    httpserver, fast_refresh, snapshot, people, client, refusing_smtp
):
    call_command_quietly_fails(httpserver)

    assert refusing_smtp.sessions >= 1
    failure = Alert.objects.open().get(key="mail")
    assert failure.kind == Alert.Kind.MAIL_FAILED
    assert f"127.0.0.1:{refusing_smtp.port}" in failure.detail
    assert "SMTPConnectError" in failure.detail and "no service for you" in failure.detail
    refresh = Alert.objects.open().get(key="refresh")
    assert refresh.mailed_at is None  # not sent, so tried again at the next check
    page = data_page(client, people["erin"])
    assert "2 problems need attention" in page
    assert "Email cannot be sent" in page
    assert "Administrators not emailed yet." in page


@pytest.mark.django_db
def test_a_password_reset_link_that_cannot_be_sent_is_recorded(
    people, client, closed_smtp_port, settings
):
    settings.SITE_URL = "https://dashboard.example.org"
    response = client.post("/accounts/password_reset/", {"email": "dana@example.org"})

    assert response.status_code == 302  # the same "check your email" page as always
    failure = Alert.objects.open().get(key="mail")
    assert "password reset link" in failure.detail
    assert "ConnectionRefusedError" in failure.detail


@pytest.mark.django_db
def test_an_owners_reminder_that_cannot_be_sent_is_recorded_and_the_next_send_clears_it(
    snapshot, people, closed_smtp_port, settings
):
    call_command("load_action_plan", stdout=io.StringIO())
    review = QuarterlyReview.objects.create(
        plan=running_plan(),
        financial_year=2024,
        quarter=3,
        meeting_date=date(2025, 1, 15),
    )
    action = Action.objects.filter(objective__priority_area__plan=review.plan).first()
    action.owner = people["dana"]
    action.save()

    with pytest.raises(OSError):
        call_command("send_update_reminders", "--date", "2025-01-01", stdout=io.StringIO())

    assert UpdateReminder.objects.count() == 0  # the next run tries again
    assert "owners' update reminders" in Alert.objects.open().get(key="mail").detail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_update_reminders", "--date", "2025-01-02", stdout=io.StringIO())

    assert [m.to for m in mail.outbox] == [["dana@example.org"]]
    assert not Alert.objects.open().filter(key="mail").exists()


# --- Figures past their expected update date


def with_new_infant_mortality_value(body: bytes) -> bytes:
    """The districts' export with one infant mortality figure revised, as a new release would."""
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    header, value = rows[0], rows[0].index("Value")
    row = next(r for r in rows[1:] if r[0] == str(INFANT_MORTALITY) and r[value])
    row[value] = str(float(row[value]) + 0.5)
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows([header, *rows[1:]])
    return out.getvalue().encode()


@pytest.mark.django_db
def test_figures_past_their_expected_date_are_reported_and_clear_when_new_ones_arrive(
    httpserver, fast_refresh, snapshot, people, client
):
    # The snapshot's figures were taken from Fingertips on 13 February 2025.
    call_command(
        "record_expected_update",
        str(INFANT_MORTALITY),
        "2025-06-01",
        "--source",
        "Fingertips release calendar, checked 2025-03-01",
        stdout=io.StringIO(),
    )

    on_the_day = check(today=date(2025, 6, 1))
    assert on_the_day.lateness.overdue == []
    assert mail.outbox == []

    late = check(today=date(2025, 6, 2))
    assert [a.key for a in Alert.objects.open()] == [f"overdue:{INFANT_MORTALITY}"]
    assert late.lateness.overdue == [f"Infant mortality rate ({INFANT_MORTALITY})"]
    assert len(mail.outbox) == 1
    assert "new figures were expected by 1 June 2025" in mail.outbox[0].body
    assert "taken from Fingertips on 13 February 2025" in mail.outbox[0].body
    assert "Fingertips release calendar, checked 2025-03-01" in mail.outbox[0].body
    # No date is known for the others: they are listed, never reported overdue.
    assert len(late.lateness.no_date) >= 1
    assert all(str(INFANT_MORTALITY) not in name for name in late.lateness.no_date)
    page = data_page(client, people["erin"])
    assert "new figures were expected by 1 June 2025" in page
    assert "No expected update date is recorded for" in page

    check(today=date(2025, 6, 2))
    assert len(mail.outbox) == 1

    # A refresh brings a revised infant mortality figure: the alert clears.
    serve(httpserver, districts=with_new_infant_mortality_value(DISTRICTS), counties=COUNTIES)
    assert refresh_from_api(base_url=httpserver.url_for("/api/")).status == "ok"
    assert not Alert.objects.open().exists()


@pytest.mark.django_db
def test_an_expected_date_needs_its_source(snapshot):
    with pytest.raises(CommandError, match="Say where the date comes from"):
        call_command("record_expected_update", str(INFANT_MORTALITY), "2025-06-01")
    with pytest.raises(CommandError, match="The date must be YYYY-MM-DD"):
        call_command("record_expected_update", str(INFANT_MORTALITY), "1/6/2025", "--source", "x")
    assert ExpectedUpdate.objects.count() == 0


# --- In production, email that is not configured


@pytest.mark.django_db
def test_in_production_without_email_the_banner_says_so_and_nothing_is_printed(
    people, client, settings, capsys
):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    ImportRun.objects.create(
        source=ImportRun.Source.API,
        location="x",
        status=ImportRun.Status.FAILED,
        error="cannot connect",
        finished_at=timezone.now(),
    )

    report = check()

    assert report.mail.startswith("Not emailed: Email is not configured")
    assert "cannot connect" not in capsys.readouterr().out
    assert Alert.objects.open().filter(key="mail:not-configured").exists()
    assert Alert.objects.get(key="refresh").mailed_at is None
    assert "Email is not configured" in data_page(client, people["erin"])


# --- The schedule


def test_the_check_is_scheduled_daily_as_a_registered_task(settings):
    from celery.schedules import crontab

    from imr_dashboard.celery import app as celery_app

    entries = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "alerts.tasks.check_alerts"
    ]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert isinstance(schedule, crontab)
    assert len(schedule.hour) == 1 and len(schedule.minute) == 1
    assert len(schedule.day_of_week) == 7 and len(schedule.day_of_month) == 31
    celery_app.loader.import_default_modules()
    assert celery_app.tasks["alerts.tasks.check_alerts"].run.__module__ == "alerts.tasks"
