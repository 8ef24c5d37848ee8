"""What the bundled export files hold for the configured areas, and loading it.

The snapshot (fixtures/exports/snapshot) was made for one county, which its MANIFEST.json names.
For that county it is loaded whole. For any other county every bundled file is cut to the
configured areas' rows: the snapshot's files give England's figures, and the exports that cover
every upper-tier council (MANIFEST.json's `any_county` entries, indicator 90284) give the
county's, its neighbours' and its region's. No other county's areas enter the dashboard, and
the indicators with no bundled data for the county are named.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from indicators.configuration import AreasConfig
from indicators.definitions import INDICATORS
from indicators.importers.fingertips import (
    ImportOutcome,
    import_exports,
    import_snapshot,
    record_failure,
)
from indicators.models import ImportRun

SNAPSHOT_DIR = settings.BASE_DIR / "fixtures" / "exports" / "snapshot"


@dataclass
class BundledLoad:
    """The runs a load made and the indicators it had nothing for in the home county."""

    outcomes: list[ImportOutcome] = field(default_factory=list)
    snapshot_county: str = ""
    whole_snapshot: bool = True
    indicators_without_data: list[tuple[int, str]] = field(default_factory=list)


def read_manifest(directory: Path) -> dict:
    try:
        return json.loads((directory / "MANIFEST.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # import_snapshot records the failed run that says why


def snapshot_county(manifest: dict) -> str:
    """The code of the county the snapshot was made for ('' when the manifest names none)."""
    county = manifest.get("county")
    return county.get("code", "") if isinstance(county, dict) else ""


def rows_for_areas(data: bytes, codes: set[str]) -> bytes:
    """The export's header and the rows whose area code is one of `codes`, unchanged."""
    text = data.decode("utf-8-sig")
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows)
    names = [h.strip().lower() for h in header]
    column = names.index("area code")
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(row for row in rows if len(row) > column and row[column] in codes)
    return out.getvalue().encode("utf-8")


def load_bundled(config: AreasConfig, directory: Path = SNAPSHOT_DIR) -> BundledLoad:
    """Load the bundled figures the configured county can use."""
    manifest = read_manifest(directory)
    county = snapshot_county(manifest)
    result = BundledLoad(snapshot_county=county)
    if not county or county == config.home.code:
        result.outcomes = import_snapshot(directory)
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


def _load_for_areas(path: Path, entry: dict, codes: set[str], where: str) -> ImportOutcome:
    source = ImportRun.Source.SNAPSHOT
    location = f"{where} (the configured areas' rows)"
    try:
        current_at = timezone.make_aware(datetime.fromisoformat(entry["data_current_at"]))
        data = path.read_bytes()
    except (OSError, ValueError, KeyError, TypeError) as exc:
        error = f"{where}: cannot be loaded ({type(exc).__name__})"
        return record_failure(source=source, location=location, error=error)
    return import_exports(
        [(where if where != str(path) else path.name, rows_for_areas(data, codes))],
        source=source,
        location=location,
        data_current_at=current_at,
    )


def _indicators_with_home_data(config: AreasConfig) -> set[int]:
    from indicators.models import Observation

    return set(
        Observation.objects.filter(area__code=config.home.code).values_list(
            "indicator__fingertips_id", flat=True
        )
    )
