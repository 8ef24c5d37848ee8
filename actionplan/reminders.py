"""Who is due a reminder of their missing quarterly updates on a given day, and what it says.

Pure: `due_reminders` takes the open review and its actions as plain values. An owner is reminded
once per review, on or after the fortnight before the meeting and up to the meeting day, when at
least one open action they own (alone, or as a member of the owning team) has no update for the
review. A complete, cancelled or retired action needs no update and is never named.
`actionplan.reminder_mail` reads the database, sends the emails and records each one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

REMINDER_DAYS_BEFORE = 14


@dataclass(frozen=True, slots=True)
class ReviewFacts:
    label: str  # e.g. "2024/25 Q3"
    meeting_date: date | None
    is_frozen: bool


@dataclass(frozen=True, slots=True)
class OwnedAction:
    """An action of the plan, its owner (if any) and whether the review has its update."""

    number: str
    text: str
    update_path: str  # the update form's path on the site, e.g. /plan/actions/12/update/
    has_update: bool
    owner_id: int | None = None
    owner_name: str = ""
    owner_email: str = ""
    is_open: bool = True  # False: complete, cancelled or retired, so no update is due
    due_date: date | None = None  # the action's own due date, said in the email
    team: str = ""  # the owning team's name, when the owner is reminded as one of its members


@dataclass(frozen=True, slots=True)
class Reminder:
    owner_id: int
    name: str
    email: str
    actions: tuple[OwnedAction, ...]


@dataclass(slots=True)
class Decision:
    """The reminders due, and why anything else was not sent (in words, for the command)."""

    reminders: list[Reminder] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    reason: str = ""  # why no one at all is due, when that is so


def first_reminder_day(meeting_date: date) -> date:
    return meeting_date - timedelta(days=REMINDER_DAYS_BEFORE)


def due_reminders(
    *,
    today: date,
    review: ReviewFacts,
    actions: Iterable[OwnedAction],
    already_reminded: Iterable[int] = (),
) -> Decision:
    """The owners to remind today of their actions with no update for the review."""
    if review.is_frozen:
        return Decision(reason=f"{review.label} is frozen: no updates can be entered.")
    if review.meeting_date is None:
        return Decision(reason=f"{review.label} has no meeting date.")
    start = first_reminder_day(review.meeting_date)
    if today < start:
        return Decision(reason=f"Too early: reminders for {review.label} start on {_day(start)}.")
    if today > review.meeting_date:
        return Decision(reason=f"{review.label}'s meeting was on {_day(review.meeting_date)}.")
    reminded = set(already_reminded)
    missing: dict[int, list[OwnedAction]] = {}
    unowned: list[str] = []
    decision = Decision()
    for action in actions:
        if action.has_update or not action.is_open:
            continue
        if action.owner_id is None:
            unowned.append(action.number)
            continue
        missing.setdefault(action.owner_id, []).append(action)
    if unowned:
        decision.skipped.append(
            f"{len(unowned)} action{' has' if len(unowned) == 1 else 's have'} no owner to "
            f"remind: {', '.join(unowned)}."
        )
    for owner_id, owned in missing.items():
        name = owned[0].owner_name
        numbers = ", ".join(a.number for a in owned)
        if owner_id in reminded:
            decision.skipped.append(f"{name} was already reminded for {review.label} ({numbers}).")
        elif not owned[0].owner_email:
            decision.skipped.append(f"{name} has no email address ({numbers}).")
        else:
            decision.reminders.append(Reminder(owner_id, name, owned[0].owner_email, tuple(owned)))
    if not decision.reminders and not decision.reason:
        decision.reason = f"Every owner due a reminder for {review.label} has one or needs none."
    return decision


def reminder_email(
    reminder: Reminder, *, review: ReviewFacts, site_url: str, my_actions_path: str = ""
) -> tuple[str, str]:
    """The subject and plain-text body of one owner's reminder."""
    meeting = _day(review.meeting_date) if review.meeting_date else "not set"
    count = len(reminder.actions)
    subject = (
        f"Reminder: {count} action update{'s' if count != 1 else ''} due for the "
        f"{review.label} review ({meeting})"
    )
    lines = [
        f"Dear {reminder.name},",
        "",
        f"The Best Start Strategic Group reviews the Infant Mortality Reduction Plan for quarter "
        f"{review.label} at its meeting on {meeting}. These open actions you own have no update "
        f"for the quarter yet. Each update is due by the meeting, {meeting}:",
        "",
    ]
    for action in reminder.actions:
        lines.append(f"- {action.number} {_shorten(action.text)}")
        if action.team:
            lines.append(f"  You own it as a member of {action.team}.")
        if action.due_date:
            lines.append(f"  The action itself is due to be complete by {_day(action.due_date)}.")
        lines.append(f"  Enter the update: {site_url.rstrip('/')}{action.update_path}")
    if my_actions_path:
        lines += ["", f"All your actions: {site_url.rstrip('/')}{my_actions_path}"]
    lines += [
        "",
        "Each update is a RAG rating and a short note on progress. The group sets each priority "
        "area's final RAG from them at the meeting.",
        "",
        "This is the only reminder for this quarter.",
    ]
    return subject, "\n".join(lines) + "\n"


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _shorten(text: str, words: int = 20) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")
