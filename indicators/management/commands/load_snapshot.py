import json
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from indicators.configuration import areas_config, sync_configured_areas
from indicators.definitions import sync_definitions
from indicators.derived import recompute
from indicators.importers.fingertips import ImportRejected, import_file
from indicators.importers.local_deciles import load_dataset
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
        for spec in areas_config().local_datasets:
            try:
                dataset = load_dataset(settings.BASE_DIR / spec["file"], spec=spec)
            except ImportRejected as exc:
                failed += 1
                self.stderr.write(f"Local dataset {spec['slug']} rejected: {exc}")
                continue
            self.stdout.write(f"Local dataset {dataset.slug}: {dataset.points.count()} quantiles")
        # The areas file may have changed since the last load: derive everything afresh.
        summary = recompute()
        self.stdout.write(
            f"Derived statistics: {summary.observations} observations, {summary.changed} changed, "
            f"{summary.disagreements} published limits that disagree, {summary.aggregates} "
            "home-county aggregates"
        )
        if failed:
            raise CommandError(f"{failed} snapshot file(s) could not be loaded", returncode=1)
