"""What the bundled export files hold for the configured areas, and loading it.

The snapshot (fixtures/exports/snapshot) was made for one county, which its MANIFEST.json names.
For that county it is loaded whole, with the exports that cover every upper-tier council
(MANIFEST.json's `any_county` entries, indicator 90284), also whole: comparator groups are drawn
from every council. For any other county every bundled file is cut to the configured areas'
rows: the snapshot's files give England's figures, and the `any_county` exports give the
county's, its neighbours' and its region's. No other county's areas enter that county's
dashboard, and the indicators with no bundled data for the county are named. An entry whose
extract date is not recorded (`data_current_at` null) is stored with none.
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
    import_bodies,
    import_snapshot,
    record_failure,
    start_run,
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


def rows_for_areas(data: bytes, codes: set[str] | None, keep: dict | None = None) -> bytes:
    """The export's header and the rows whose area code is one of `codes` (None: any) and
    whose columns named in `keep` hold one of the values listed, unchanged."""
    text = data.decode("utf-8-sig")
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows)
    names = [h.strip().lower() for h in header]
    wanted = {names.index("area code"): codes} if codes is not None else {}
    for name, values in (keep or {}).items():
        wanted[names.index(name.strip().lower())] = set(values)
    width = max(wanted, default=0)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(
        row
        for row in rows
        if len(row) > width and all(row[i] in allowed for i, allowed in wanted.items())
    )
    return out.getvalue().encode("utf-8")


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


REPORT_FIGURES = settings.BASE_DIR / "fixtures" / "reference" / "report_lancashire_figures.csv"


@dataclass(frozen=True)
class ReportFigure:
    """One figure as printed in the county's report (fixtures/reference), never a live one."""

    measure: str
    period: str
    value: str
    unit: str
    count: str
    note: str


def report_figures(
    config: AreasConfig, directory: Path = SNAPSHOT_DIR, path: Path = REPORT_FIGURES
) -> dict[str, ReportFigure]:
    """The report's printed figures by measure, for the county the bundled data were made for
    only (the report is that county's); none for any other county or without the file."""
    if snapshot_county(read_manifest(directory)) != config.home.code:
        return {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError:
        return {}
    figures = {}
    for row in csv.DictReader(io.StringIO(text, newline="")):
        figure = ReportFigure(
            measure=row["measure"].strip(),
            period=row["period"].strip(),
            value=row["value"].strip(),
            unit=row["unit"].strip(),
            count=row["count"].strip(),
            note=row["note"].strip(),
        )
        figures.setdefault(figure.measure, figure)  # the first row of a measure is its newest
    return figures
