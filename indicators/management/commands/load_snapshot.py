from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from indicators.configuration import areas_config, sync_configured_areas
from indicators.definitions import sync_definitions
from indicators.derived import recompute
from indicators.importers.fingertips import ImportRejected, import_snapshot
from indicators.importers.local_deciles import load_dataset

SNAPSHOT_DIR = settings.BASE_DIR / "fixtures" / "exports" / "snapshot"


class Command(BaseCommand):
    help = "Load the configured areas, the indicator definitions and the bundled snapshot."

    def add_arguments(self, parser):
        parser.add_argument("--directory", type=Path, default=SNAPSHOT_DIR)

    def handle(self, *args, directory, **options):
        sync_definitions()
        sync_configured_areas()
        failed = 0
        for outcome in import_snapshot(directory):
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
