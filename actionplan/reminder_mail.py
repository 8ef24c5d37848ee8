"""Sends the owners' update reminders that `actionplan.reminders` says are due, and records them.

The task and the management command call `send_update_reminders`; it holds no rule of its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from actionplan import reminders
from actionplan.models import Action, QuarterlyReview, QuarterlyUpdate, UpdateReminder
from alerts.mail import sending
from imr_dashboard.mail import reminders_withheld
from indicators.vocabulary import ActionStatus

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Outcome:
    sent: list[str] = field(default_factory=list)  # "email: actions"
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # why a review had no one to remind

    def as_dict(self) -> dict:
        return {"sent": self.sent, "skipped": self.skipped, "notes": self.notes}


def facts(review: QuarterlyReview) -> reminders.ReviewFacts:
    return reminders.ReviewFacts(str(review), review.meeting_date, review.is_frozen)


def owned_actions(review: QuarterlyReview) -> list[reminders.OwnedAction]:
    """The plan's actions, once for each person who owns them (alone or as a team member)."""
    entered = set(QuarterlyUpdate.objects.filter(review=review).values_list("action_id", flat=True))
    owned = []
    for action in (
        Action.objects.filter(objective__priority_area__plan_id=review.plan_id)
        .select_related("owner", "owner_team")
        .prefetch_related("owner_team__members")
        .order_by("objective__priority_area__number", "objective_id", "pk")
    ):
        common = {
            "number": action.number,
            "text": action.text,
            "update_path": reverse("actionplan:action_update", args=[action.pk]),
            "has_update": action.pk in entered,
            "is_open": action.retired_on is None
            and action.status not in (ActionStatus.COMPLETE, ActionStatus.CANCELLED),
            "due_date": action.due_date,
        }
        if action.owner_team is not None:
            members = [m for m in action.owner_team.members.all() if m.is_active]
            owned += [
                reminders.OwnedAction(**common, **_person(member), team=action.owner_team.name)
                for member in members
            ] or [reminders.OwnedAction(**common)]
        else:
            owned.append(
                reminders.OwnedAction(**common, **(_person(action.owner) if action.owner else {}))
            )
    return owned


def _person(user) -> dict:
    return {
        "owner_id": user.pk,
        "owner_name": user.get_full_name() or user.get_username(),
        "owner_email": user.email,
    }


def send_update_reminders(*, today: date, dry_run: bool = False) -> Outcome:
    """Remind each owner due a reminder today for every open review; record each email sent.

    When email cannot reach anyone (`reminders_withheld`), nothing is sent or recorded: the
    owners due a reminder are listed as skipped with the reason, and a later run sends them.
    """
    outcome = Outcome()
    withheld = None if dry_run else reminders_withheld()
    not_sent = 0
    for review in QuarterlyReview.objects.filter(state=QuarterlyReview.State.OPEN).select_related(
        "plan"
    ):
        review_facts = facts(review)
        decision = reminders.due_reminders(
            today=today,
            review=review_facts,
            actions=owned_actions(review),
            already_reminded=UpdateReminder.objects.filter(review=review).values_list(
                "owner_id", flat=True
            ),
        )
        outcome.skipped.extend(decision.skipped)
        if decision.reason:
            outcome.notes.append(decision.reason)
        for reminder in decision.reminders:
            numbers = ", ".join(a.number for a in reminder.actions)
            if dry_run:
                outcome.sent.append(f"{reminder.email}: {numbers} (dry run: not sent)")
                continue
            if withheld:
                outcome.skipped.append(f"{reminder.name} was not reminded ({numbers}).")
                not_sent += 1
                continue
            # Outside _send's transaction, so a failure is recorded though the send is undone.
            with sending("owners' update reminders"):
                sent = _send(review, reminder, review_facts)
            if sent:
                outcome.sent.append(f"{reminder.email}: {numbers}")
            else:
                outcome.skipped.append(f"{reminder.name} was already reminded meanwhile.")
    if not_sent:
        outcome.notes.append(withheld)
        logger.warning(withheld)
    return outcome


def _send(review, reminder: reminders.Reminder, review_facts: reminders.ReviewFacts) -> bool:
    """Record the reminder and send it in one transaction: a failed send records nothing, so the
    next run tries again; two runs at once send it once (the record is unique per review)."""
    subject, body = reminders.reminder_email(
        reminder,
        review=review_facts,
        site_url=settings.SITE_URL,
        my_actions_path=reverse("actionplan:my_actions"),
    )
    with transaction.atomic():
        _, created = UpdateReminder.objects.get_or_create(
            review=review,
            owner_id=reminder.owner_id,
            defaults={
                "email": reminder.email,
                "actions": "\n".join(a.number for a in reminder.actions),
            },
        )
        if not created:
            return False
        send_mail(subject, body, None, [reminder.email])
    return True
