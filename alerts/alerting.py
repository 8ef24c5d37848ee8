"""Which problems the administrators are told about, and telling them once.

Three conditions raise an alert: the latest Fingertips refresh failed (with its reason); an
indicator's figures are past the date its next figures were expected (`ExpectedUpdate`) and none
newer have arrived; email could not be sent (recorded by `alerts.mail.sending` at any send). Each
is one open `Alert` while it lasts. `check` finds the first two again after every refresh and
daily; an alert whose condition has gone is cleared. The administrators (users in the
Administrator role and superusers, with an email address) get one email when a problem is new and
a reminder at most once a day while any stays open, never one per check. An email failure is
shown on the data page even though it cannot be mailed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from alerts.models import Alert, ExpectedUpdate
from indicators.import_runs import close_stale_runs
from indicators.models import ImportRun, Indicator, Origin
from indicators.vocabulary import Role

logger = logging.getLogger(__name__)

#: While a problem stays open, the administrators are reminded at most this often.
REMIND_AFTER = timedelta(days=1)
REFRESH_KEY = "refresh"
MAIL_KEY = "mail"
MAIL_NOT_CONFIGURED_KEY = "mail:not-configured"


def _overdue_key(fingertips_id: int) -> str:
    return f"overdue:{fingertips_id}"


# --- Who is told


def administrators():
    """Active users in the Administrator role, and superusers."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=Role.ADMINISTRATOR))
        .distinct()
    )


def administrator_addresses() -> list[str]:
    return sorted({email for email in administrators().values_list("email", flat=True) if email})


def is_administrator(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.groups.filter(name=Role.ADMINISTRATOR).exists()


# --- Raising and clearing


def raise_alert(*, key: str, kind: str, title: str, detail: str = "") -> tuple[Alert, bool]:
    """Open the alert for `key`, or bring the open one up to date; True when it is new."""
    now = timezone.now()
    for _ in range(2):
        alert = Alert.objects.open().filter(key=key).first()
        if alert:
            Alert.objects.filter(pk=alert.pk).update(title=title, detail=detail, seen_at=now)
            alert.title, alert.detail, alert.seen_at = title, detail, now
            return alert, False
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    key=key, kind=kind, title=title, detail=detail, raised_at=now, seen_at=now
                )
        except IntegrityError:  # another process opened it meanwhile: update that one
            continue
        logger.warning("Alert raised: %s", title)
        return alert, True
    raise RuntimeError(f"cannot open the alert {key}")


def clear_alerts(keys: Q) -> int:
    """Close the open alerts matching `keys`; returns how many."""
    return Alert.objects.open().filter(keys).update(cleared_at=timezone.now())


def record_mail_failure(purpose: str, reason: str) -> None:
    from alerts.mail import server

    raise_alert(
        key=MAIL_KEY,
        kind=Alert.Kind.MAIL_FAILED,
        title="Email cannot be sent",
        detail=f"The {purpose} could not be sent through {server()}: {reason}. "
        "Owners' reminders, password reset links and these alerts are not reaching anyone "
        "until this is fixed (docs/OPERATIONS.md, 'Alerts to administrators').",
    )


def clear_mail_failure() -> None:
    clear_alerts(Q(key=MAIL_KEY))


def record_expected_update(*, fingertips_id: int, expected_by: date, source: str) -> ExpectedUpdate:
    """Record when an indicator's next figures are due; a date with no source is refused."""
    indicator = Indicator.objects.filter(fingertips_id=fingertips_id).first()
    if indicator is None:
        raise ValueError(f"No indicator {fingertips_id} is held.")
    if not source.strip():
        raise ValueError(
            "Say where the date comes from (e.g. the release calendar's address): "
            "a date nobody can check is not recorded."
        )
    expected, _ = ExpectedUpdate.objects.update_or_create(
        indicator=indicator, defaults={"expected_by": expected_by, "source": source.strip()}
    )
    return expected


# --- The conditions


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%-d %B %Y %H:%M") if moment else "never"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def check_refresh() -> None:
    """The latest finished API refresh: failed or rejected raises `refresh`, succeeded clears it."""
    close_stale_runs()  # a refresh whose worker was killed counts as failed
    latest = (
        ImportRun.objects.filter(source=ImportRun.Source.API)
        .exclude(status=ImportRun.Status.RUNNING)
        .order_by("-started_at", "-id")
        .first()
    )
    if latest is None or latest.status == ImportRun.Status.SUCCEEDED:
        clear_alerts(Q(key=REFRESH_KEY))
        return
    in_use = ImportRun.objects.latest_success()
    kept = (
        f"Nothing was changed: the figures of the last successful import "
        f"({in_use.get_source_display().lower()}, {_when(in_use.finished_at)}) are still shown."
        if in_use
        else "Nothing was changed; no import has succeeded yet."
    )
    raise_alert(
        key=REFRESH_KEY,
        kind=Alert.Kind.REFRESH_FAILED,
        title=f"The Fingertips refresh of {_when(latest.started_at)} "
        f"{latest.get_status_display().lower()}",
        detail=f"{_sentence(latest.error or 'No reason was recorded')} {kept}",
    )


@dataclass(slots=True)
class Lateness:
    overdue: list[str] = field(default_factory=list)
    on_time: list[str] = field(default_factory=list)
    no_date: list[str] = field(default_factory=list)  # indicator names: never called overdue


def check_overdue(today: date) -> Lateness:
    """Raise `overdue:<id>` for each indicator past its expected date with nothing newer."""
    result = Lateness()
    indicators = (
        Indicator.objects.filter(is_defined=True, refresh=True)
        .select_related("expected_update")
        .annotate(
            figures_taken=Max(
                "observations__import_run__data_current_at",
                filter=Q(observations__origin=Origin.PUBLISHED),
            )
        )
        .order_by("position", "fingertips_id")
    )
    late_keys = []
    for indicator in indicators:
        try:
            expected = indicator.expected_update
        except ExpectedUpdate.DoesNotExist:
            result.no_date.append(f"{indicator.name} ({indicator.fingertips_id})")
            continue
        taken = indicator.figures_taken
        arrived = taken is not None and timezone.localdate(taken) >= expected.expected_by
        if today <= expected.expected_by or arrived:
            result.on_time.append(f"{indicator.name} ({indicator.fingertips_id})")
            continue
        key = _overdue_key(indicator.fingertips_id)
        late_keys.append(key)
        result.overdue.append(f"{indicator.name} ({indicator.fingertips_id})")
        raise_alert(
            key=key,
            kind=Alert.Kind.OVERDUE,
            title=f"{indicator.name} ({indicator.fingertips_id}): new figures were expected by "
            f"{expected.expected_by:%-d %B %Y}",
            detail=f"The newest figures held were taken from Fingertips on {_when(taken)}. "
            f"The expected date comes from: {expected.source}. Run a refresh, or record the "
            "next expected date (manage.py record_expected_update) if the release moved.",
        )
    clear_alerts(Q(kind=Alert.Kind.OVERDUE) & ~Q(key__in=late_keys))
    return result


def check_mail_configured() -> str | None:
    """Email that cannot reach anyone (production without an SMTP server) is itself a problem."""
    from imr_dashboard.mail import reminders_withheld

    withheld = reminders_withheld()
    if withheld:
        raise_alert(
            key=MAIL_NOT_CONFIGURED_KEY,
            kind=Alert.Kind.MAIL_FAILED,
            title="Email is not configured",
            detail=withheld,
        )
    else:
        clear_alerts(Q(key=MAIL_NOT_CONFIGURED_KEY))
    return withheld


# --- Telling the administrators


@dataclass(slots=True)
class Report:
    open: list[str] = field(default_factory=list)
    mail: str = ""
    lateness: Lateness = field(default_factory=Lateness)

    def as_dict(self) -> dict:
        return {
            "open": self.open,
            "mail": self.mail,
            "overdue": self.lateness.overdue,
            "no_expected_date": self.lateness.no_date,
        }


def check(*, today: date | None = None, dry_run: bool = False) -> Report:
    """Find every condition again, clear what has gone, and mail what is new or due a reminder.

    With `dry_run`, nothing is recorded or sent: the report says what would be.
    """
    today = today or timezone.localdate()
    if dry_run:
        with transaction.atomic():
            report = _check(today, send=False)
            transaction.set_rollback(True)
        return report
    return _check(today, send=True)


def _check(today: date, *, send: bool) -> Report:
    check_refresh()
    lateness = check_overdue(today)
    withheld = check_mail_configured()
    report = Report(lateness=lateness)
    report.open = [alert.title for alert in Alert.objects.open()]
    report.mail = notify(withheld=withheld, send=send)
    return report


def _message(new: list[Alert], reminded: list[Alert]) -> EmailMessage:
    from indicators.configuration import areas_config

    count = len(new) + len(reminded)
    subject = (
        f"{areas_config().name} infant mortality dashboard: "
        f"{count} problem{'s' if count != 1 else ''} need{'' if count != 1 else 's'} attention"
    )
    lines = []
    for heading, alerts in (("New", new), ("Still open", reminded)):
        if alerts:
            lines.append(f"{heading}:")
            for alert in alerts:
                lines += [f"- {alert.title} (since {_when(alert.raised_at)})", f"  {alert.detail}"]
            lines.append("")
    lines += [
        f"The data page shows the current state when you are signed in: {settings.SITE_URL}/data/",
        "",
        "You are sent this as an administrator of the dashboard. While a problem stays open you "
        "get one reminder a day; nothing more is sent once every problem has cleared.",
    ]
    return EmailMessage(subject, "\n".join(lines), to=administrator_addresses())


def notify(*, withheld: str | None = None, send: bool = True) -> str:
    """Mail the administrators the open alerts that are new or due a reminder; say what was done."""
    from alerts.mail import MAIL_ERRORS, sending, server

    now = timezone.now()
    reminder_due = Q(mailed_at__isnull=True) | Q(mailed_at__lte=now - REMIND_AFTER)
    due = list(Alert.objects.open().filter(reminder_due))
    if not due:
        return "No new problem, and no reminder due."
    if withheld:
        return f"Not emailed: {withheld}"
    message = _message(
        [a for a in due if a.mailed_at is None], [a for a in due if a.mailed_at is not None]
    )
    if not message.to:
        return "Not emailed: no administrator has an email address."
    if not send:
        return f"Would email {len(message.to)} administrator(s) about {len(due)} problem(s)."
    # Claim the alerts before sending, so two checks at once send one email.
    previous = {a.pk: a.mailed_at for a in due}
    claimed = Alert.objects.filter(pk__in=previous).filter(reminder_due).update(mailed_at=now)
    if not claimed:
        return "Another check emailed the administrators meanwhile."
    try:
        with sending("email to administrators"):
            message.send()
    except MAIL_ERRORS as exc:
        for pk, mailed_at in previous.items():
            Alert.objects.filter(pk=pk, mailed_at=now).update(mailed_at=mailed_at)
        return f"Not emailed through {server()}: {type(exc).__name__}: {exc}"
    return f"Emailed {len(message.to)} administrator(s) about {len(due)} problem(s)."


def check_quietly(**kwargs) -> Report | None:
    """`check` for after a refresh: a problem here must not change the refresh's outcome."""
    try:
        return check(**kwargs)
    except Exception:
        logger.exception("Checking for alerts failed")
        return None


# --- What the data page shows


@dataclass(frozen=True, slots=True)
class Banner:
    alerts: list[Alert]
    no_expected_date: list[str]


def banner_for(user) -> Banner | None:
    """The open alerts for an administrator; None for anyone else (they hold internal details)."""
    if not is_administrator(user):
        return None
    no_date = list(
        Indicator.objects.filter(is_defined=True, refresh=True, expected_update__isnull=True)
        .order_by("position", "fingertips_id")
        .values_list("name", flat=True)
    )
    return Banner(alerts=list(Alert.objects.open()), no_expected_date=no_date)
