import json
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from indicators.configuration import sync_configured_areas
from indicators.definitions import sync_definitions
from indicators.importers.fingertips import import_file
from indicators.models import ImportRun

SNAPSHOT_DIR = settings.BASE_DIR / "fixtures" / "exports" / "snapshot"


class Command(BaseCommand):
    help = "Load the configured areas, the indicator definitions and the bundled snapshot."

    def add_arguments(self, parser):
        parser.add_argument("--directory", type=Path, default=SNAPSHOT_DIR)

    def handle(self, *args, directory, **options):
        sync_definitions()
        sync_configured_areas()
        manifest = json.loads((directory / "MANIFEST.json").read_text(encoding="utf-8"))
        failed = 0
        for name, entry in manifest["files"].items():
            current_at = timezone.make_aware(datetime.fromisoformat(entry["data_current_at"]))
            outcome = import_file(
                directory / name, source=ImportRun.Source.SNAPSHOT, data_current_at=current_at
            )
            failed += outcome.status != "ok"
            self.stdout.write(outcome.as_json())
        if failed:
            raise CommandError(f"{failed} snapshot file(s) could not be loaded", returncode=1)
