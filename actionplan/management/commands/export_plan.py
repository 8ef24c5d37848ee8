from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from actionplan.plan_sheets import export_plan
from actionplan.presenters import current_plan


class Command(BaseCommand):
    help = "Write the current plan to an XLSX file (sheets and columns: docs/PLAN_SPREADSHEET.md)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the XLSX file to write")

    def handle(self, *args, path, **options):
        plan = current_plan()
        if plan is None:
            raise CommandError("No plan has been loaded: there is nothing to export.")
        path.write_bytes(export_plan(plan))
        self.stdout.write(f"{plan} written to {path}")
