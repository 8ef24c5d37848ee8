from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from indicators.bundled import SNAPSHOT_DIR
from indicators.configuration import areas_config, sync_configured_areas
from indicators.definitions import sync_definitions
from indicators.derived import recompute
from indicators.importers.bundled_load import load_bundled
from indicators.importers.fingertips import ImportRejected
from indicators.importers.local_deciles import load_dataset


class Command(BaseCommand):
    help = (
        "Load the configured areas, the indicator definitions and the bundled figures: the whole "
        "snapshot for the county it was made for, otherwise the bundled exports that cover every "
        "upper-tier council, cut to the configured areas."
    )

    def add_arguments(self, parser):
        parser.add_argument("--directory", type=Path, default=SNAPSHOT_DIR)

    def handle(self, *args, directory, **options):
        config = areas_config()
        sync_definitions()
        sync_configured_areas()
        failed = 0
        loaded = load_bundled(config, directory)
        for outcome in loaded.outcomes:
            failed += outcome.status != "ok"
            self.stdout.write(outcome.as_json())
        if not loaded.whole_snapshot:
            self.stdout.write(
                f"The bundled snapshot was made for another county ({loaded.snapshot_county}); "
                f"only the bundled exports that cover every upper-tier council were loaded, for "
                f"{config.name}'s configured areas."
            )
        if loaded.indicators_without_data:
            self.stdout.write(
                f"No bundled data for {config.home.name} for "
                f"{len(loaded.indicators_without_data)} indicator(s); a refresh from the "
                "Fingertips API or an import of export files fills them in:"
            )
            for fingertips_id, name in loaded.indicators_without_data:
                self.stdout.write(f"  {fingertips_id} {name}")
        for spec in config.local_datasets:
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
