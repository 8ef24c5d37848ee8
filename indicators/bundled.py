"""What the bundled export files hold for the configured areas, and loading it.

The snapshot (fixtures/exports/snapshot) was made for one county, which its MANIFEST.json names.
For that county it is loaded whole, with the exports that cover every upper-tier council
(MANIFEST.json's `any_county` entries, indicator 90284), also whole: comparator groups are drawn
from every council. For any other county every bundled file is cut to the configured areas'
rows: the snapshot's files give England's figures, and the `any_county` exports give the
county's, its neighbours' and its region's. No other county's areas enter that county's
dashboard, and the indicators with no bundled data for the county are named. An entry whose
extract date is not recorded (`data_current_at` null) is stored with none.

This module says what the files hold (the manifest, the rows for given areas, the report's printed
figures), which pages use; `indicators.importers.bundled_load` loads them.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from indicators.configuration import AreasConfig

SNAPSHOT_DIR = settings.BASE_DIR / "fixtures" / "exports" / "snapshot"


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
