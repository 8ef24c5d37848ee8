import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators.exporters import write_export
from indicators.models import Indicator


class Command(BaseCommand):
    help = "Write one indicator's stored observations in the 27-column Fingertips export layout."

    def add_arguments(self, parser):
        parser.add_argument("--indicator", type=int, required=True, help="Fingertips id")
        parser.add_argument("--output", type=Path, help="File to write (default: stdout)")

    def handle(self, *args, indicator, output, **options):
        try:
            chosen = Indicator.objects.get(fingertips_id=indicator)
        except Indicator.DoesNotExist:
            raise CommandError(f"No indicator with Fingertips id {indicator}") from None
        if output is None:
            write_export(chosen, sys.stdout)
            return
        with output.open("w", encoding="utf-8", newline="") as out:
            rows = write_export(chosen, out)
        self.stderr.write(f"{rows} rows written to {output}")
