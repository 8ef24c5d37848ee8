from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators.importers.fingertips import import_file


class Command(BaseCommand):
    help = "Import Fingertips CSV exports; prints one JSON line per file."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)

    def handle(self, *args, paths, **options):
        rejected = 0
        for path in paths:
            outcome = import_file(path)
            rejected += outcome.status != "ok"
            self.stdout.write(outcome.as_json())
        if rejected:
            raise CommandError(f"{rejected} of {len(paths)} file(s) not imported", returncode=1)
