"""Loading the bundled export files the configured county can use (indicators.bundled says
what they hold)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.utils import timezone

from indicators.bundled import SNAPSHOT_DIR, read_manifest, rows_for_areas, snapshot_county
from indicators.configuration import AreasConfig
from indicators.definitions import INDICATORS
from indicators.importers.fingertips import (
    ImportOutcome,
    import_bodies,
    import_snapshot,
    record_failure,
    start_run,
)
from indicators.models import ImportRun


@dataclass
class BundledLoad:
    """The runs a load made and the indicators it had nothing for in the home county."""

    outcomes: list[ImportOutcome] = field(default_factory=list)
    snapshot_county: str = ""
    whole_snapshot: bool = True
    indicators_without_data: list[tuple[int, str]] = field(default_factory=list)


def load_bundled(config: AreasConfig, directory: Path = SNAPSHOT_DIR) -> BundledLoad:
    """Load the bundled figures the configured county can use."""
    manifest = read_manifest(directory)
    county = snapshot_county(manifest)
    result = BundledLoad(snapshot_county=county)
    if not county or county == config.home.code:
        result.outcomes = import_snapshot(directory)
        for entry in manifest.get("any_county", []):
            path = directory / entry["file"]
            result.outcomes.append(_load_for_areas(path, entry, None, path.name))
    else:
        result.whole_snapshot = False
        codes = set(config.all_codes)
        files = list(manifest.get("files", {}).items())
        for number, (name, entry) in enumerate(files, 1):
            # Named without the file's name, which names the snapshot's own county.
            where = f"bundled snapshot file {number} of {len(files)}"
            result.outcomes.append(_load_for_areas(directory / name, entry, codes, where))
        for entry in manifest.get("any_county", []):
            path = directory / entry["file"]
            result.outcomes.append(_load_for_areas(path, entry, codes, str(path)))
    held = _indicators_with_home_data(config)
    result.indicators_without_data = [
        (d.fingertips_id, d.name) for d in INDICATORS if d.fingertips_id not in held
    ]
    return result


def _load_for_areas(path: Path, entry: dict, codes: set[str] | None, where: str) -> ImportOutcome:
    """One bundled file, cut to `codes` (None: whole); no extract date is stored when the
    manifest records none, rather than a date that looks more current than the data."""
    source = ImportRun.Source.SNAPSHOT
    location = where if codes is None else f"{where} (the configured areas' rows)"
    try:
        recorded = entry["data_current_at"]
        current_at = (
            None if recorded is None else timezone.make_aware(datetime.fromisoformat(recorded))
        )
        data = path.read_bytes()
    except (OSError, ValueError, KeyError, TypeError) as exc:
        error = f"{where}: cannot be loaded ({type(exc).__name__})"
        return record_failure(source=source, location=location, error=error)
    name = where if where != str(path) else path.name
    keep = entry.get("keep")
    body = data if codes is None and not keep else rows_for_areas(data, codes, keep)
    run = start_run(source=source, location=location, data_current_at=current_at)
    return import_bodies(run, [(name, body)])


def _indicators_with_home_data(config: AreasConfig) -> set[int]:
    from indicators.models import Observation

    return set(
        Observation.objects.filter(area__code=config.home.code).values_list(
            "indicator__fingertips_id", flat=True
        )
    )
