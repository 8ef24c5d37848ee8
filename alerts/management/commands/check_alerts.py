import json

from django.core.management.base import BaseCommand

from alerts.alerting import check


class Command(BaseCommand):
    help = (
        "Check for a failed refresh, overdue figures and email that cannot be sent; email the "
        "administrators about new problems (and a daily reminder while any stays open)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be recorded and sent; do neither"
        )

    def handle(self, *args, dry_run, **options):
        self.stdout.write(json.dumps(check(dry_run=dry_run).as_dict(), indent=2))
