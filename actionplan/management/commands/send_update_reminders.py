"""Email action owners whose updates for the open review are missing, as the daily task does."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from actionplan.reminder_mail import send_update_reminders


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date must be a date as YYYY-MM-DD, not {value!r}.") from exc


class Command(BaseCommand):
    help = (
        "Email each action owner whose update for the open review is missing, from 14 days "
        "before the meeting; each owner once per review."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as on this day (YYYY-MM-DD); default today")
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would be reminded; send nothing"
        )

    def handle(self, *args, date=None, dry_run=False, **options):
        today = _day(date) if date else timezone.localdate()
        outcome = send_update_reminders(today=today, dry_run=dry_run)
        for line in outcome.sent:
            self.stdout.write(f"Reminded {line}")
        for line in outcome.skipped:
            self.stdout.write(f"Skipped: {line}")
        for line in outcome.notes:
            self.stdout.write(line)
        verb = "would be sent" if dry_run else "sent"
        self.stdout.write(
            f"{len(outcome.sent)} reminder{'s' if len(outcome.sent) != 1 else ''} {verb}."
        )
