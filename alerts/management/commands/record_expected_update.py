from datetime import date

from django.core.management.base import BaseCommand, CommandError

from alerts.alerting import record_expected_update
from alerts.models import ExpectedUpdate


class Command(BaseCommand):
    help = (
        "Record when an indicator's next figures are due to be published, and where that date "
        "comes from; check_alerts tells the administrators once the date has passed with no new "
        "figures. --clear forgets it (the indicator is then never called overdue)."
    )

    def add_arguments(self, parser):
        parser.add_argument("fingertips_id", type=int)
        parser.add_argument("expected_by", nargs="?", help="YYYY-MM-DD")
        parser.add_argument("--source", default="", help="Where the date comes from (required)")
        parser.add_argument("--clear", action="store_true")

    def handle(self, *args, fingertips_id, expected_by, source, clear, **options):
        if clear:
            deleted, _ = ExpectedUpdate.objects.filter(
                indicator__fingertips_id=fingertips_id
            ).delete()
            self.stdout.write(f"{fingertips_id}: {'forgotten' if deleted else 'no date was held'}")
            return
        if not expected_by:
            raise CommandError("Give the expected date as YYYY-MM-DD, or --clear.")
        try:
            due = date.fromisoformat(expected_by)
        except ValueError:
            raise CommandError(f"The date must be YYYY-MM-DD, not {expected_by!r}.") from None
        try:
            expected = record_expected_update(
                fingertips_id=fingertips_id, expected_by=due, source=source
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        name = expected.indicator.name
        self.stdout.write(f"{name}: new figures expected by {due:%-d %B %Y} ({expected.source})")
