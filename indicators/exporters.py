"""CSV out: stored observations in the 27-column Fingertips export layout, and the tidy tables
of the pages' downloads and the API (numbers as published, one column per limit, provenance)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from indicators.csv_safety import SafeWriter
from indicators.fingertips_columns import EXPORT_HEADER
from indicators.formatting import SIGNIFICANT_DIGITS, Estimate, Limits, format_number  # noqa: F401
from indicators.models import Area, AreaLevel, ImportRun, Indicator, Observation, Origin

AREA_TYPE_NAMES = {
    AreaLevel.ENGLAND: "England",
    AreaLevel.REGION: "Regions (statistical)",
    AreaLevel.COUNTY: "Counties & UAs (from Apr 2023)",
    AreaLevel.UNITARY: "Counties & UAs (from Apr 2023)",
    AreaLevel.DISTRICT: "Districts & UAs (from Apr 2023)",
}


LICENCE = "Open Government Licence v3.0"
FINGERTIPS = "OHID Fingertips (Public Health Profiles)"
PROVENANCE_COLUMNS = ["source", "licence", "data_current_at"]


@dataclass(frozen=True)
class Provenance:
    """Where a CSV's figures come from: written as the last three columns of every row."""

    source: str
    licence: str = LICENCE
    data_current_at: datetime | None = None

    def cells(self) -> list[str]:
        current = self.data_current_at.isoformat(timespec="seconds") if self.data_current_at else ""
        return [self.source, self.licence, current]


def fingertips_provenance(indicator: Indicator | None = None) -> Provenance:
    """Fingertips as the source, current at the newest import that holds the indicator's rows
    (without an indicator: that holds any rows)."""
    runs = (
        ImportRun.objects.filter(observations__indicator=indicator)
        if indicator
        else ImportRun.objects.filter(observations__isnull=False)
    )
    current = (
        runs.exclude(data_current_at=None)
        .order_by("-data_current_at")
        .values_list("data_current_at", flat=True)
        .first()
    )
    source = f"{FINGERTIPS}, indicator {indicator.fingertips_id}" if indicator else FINGERTIPS
    return Provenance(source, data_current_at=current)


def _kinds(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> list[type | None]:
    """Per column: Limits or Estimate when any row holds one there, else None (plain cells)."""
    kinds: list[type | None] = []
    for i in range(len(columns)):
        found = {type(row[i]) for row in rows if i < len(row)}
        kinds.append(Limits if Limits in found else Estimate if Estimate in found else None)
    return kinds


def tidy_header(columns: Sequence[str], kinds: Sequence[type | None]) -> list[str]:
    """Column names, with an interval column split into its limits and an estimate flagged."""
    header = []
    for column, kind in zip(columns, kinds, strict=True):
        if kind is Limits:
            header += [f"{column}: lower limit", f"{column}: upper limit"]
        elif kind is Estimate:
            header += [column, f"{column} is an estimate"]
        else:
            header.append(column)
    return header + PROVENANCE_COLUMNS


def tidy_row(row: Sequence[object], header_kinds: Sequence[type | None], provenance) -> list:
    cells: list[object] = []
    for cell, kind in zip(row, header_kinds, strict=False):
        if kind is Limits:
            cells += list(cell) if isinstance(cell, Limits) else ["", ""]
        elif kind is Estimate:
            cells += [cell.value, "yes" if cell.estimated else "no"] if cell else ["", ""]
        else:
            cells.append(format_number(cell) if isinstance(cell, float) else cell)
    return cells + provenance.cells()


def write_tidy_csv(out, columns, rows, provenance: Provenance) -> None:
    """One header row, then one row per record: numbers as published, one column per limit,
    and the source, licence and "data current at" on every row (a spreadsheet or pandas reads
    it as it stands). Text a spreadsheet would run as a formula is neutralised."""
    kinds = _kinds(columns, rows)
    writer = SafeWriter(out)
    writer.writerow(tidy_header(columns, kinds))
    for row in rows:
        writer.writerow(tidy_row(row, kinds, provenance))


def export_rows(indicator: Indicator) -> Iterable[list[str]]:
    """One row per published observation and parent comparison, in Fingertips' column order."""
    names = dict(Area.objects.values_list("code", "name"))
    observations = (
        Observation.objects.filter(indicator=indicator, origin=Origin.PUBLISHED)
        .select_related("area")
        .order_by("period_sortable", "area__code", "sex", "age", "category_type", "category")
    )
    for o in observations:
        comparisons = sorted(o.parent_comparisons.items()) or [("", ["", ""])]
        for parent_code, (to_england, to_parent) in comparisons:
            yield [
                str(indicator.fingertips_id),
                indicator.name,
                parent_code,
                names.get(parent_code, ""),
                o.area.code,
                o.area.name,
                AREA_TYPE_NAMES.get(o.area.level, ""),
                o.sex,
                o.age,
                o.category_type,
                o.category,
                o.period_label,
                format_number(o.value),
                format_number(o.lower_ci_95),
                format_number(o.upper_ci_95),
                format_number(o.lower_ci_998),
                format_number(o.upper_ci_998),
                format_number(o.count),
                format_number(o.denominator),
                o.value_note,
                o.recent_trend,
                to_england,
                to_parent,
                str(o.period_sortable),
                o.new_data,
                o.compared_to_goal,
                o.period_range,
            ]


def write_export(indicator: Indicator, out: TextIO) -> int:
    """Write the export to a text stream opened with newline=''; returns the rows written.

    Text a spreadsheet would run as a formula is neutralised (`csv_safety`); the importer
    restores it, so importing the export gives back the same values.
    """
    writer = SafeWriter(out, lineterminator="\n")
    writer.writerow(EXPORT_HEADER)
    written = 0
    for row in export_rows(indicator):
        writer.writerow(row)
        written += 1
    return written


# --------------------------------------------------------------------------------------------
# A local inequality dataset (the report's printed table by deprivation decile)
# --------------------------------------------------------------------------------------------

INEQUALITY_COLUMNS = [
    "dataset",
    "indicator_id",
    "indicator",
    "area_code",
    "area_name",
    "period",
    "quantile_type",
    "quantile",
    "count",
    "count_state",
    "denominator",
    "denominator_is_estimate",
    "value_per_1000",
    "lower_ci_95",
    "upper_ci_95",
    "published_value",
    "sii",
    "sii_lower_ci_95",
    "sii_upper_ci_95",
    "rii",
    "rii_lower_ci_95",
    "rii_upper_ci_95",
    "sii_status",
    "note",
    *PROVENANCE_COLUMNS,
]
# Figures the dashboard calculates are written at a stated precision, not with float noise.
CALCULATED_PLACES = 2
PRECISION_NOTE = (
    f"Confidence limits, SII and RII calculated here, rounded to {CALCULATED_PLACES} decimal "
    "places; births estimated from count ÷ rate rounded to whole births; counts and rates as "
    "printed."
)
REPORT_LICENCE = "Not stated in the report (figures quoted as printed)"


def _places(number: float | None, places: int = CALCULATED_PLACES) -> str:
    return "" if number is None else format_number(round(float(number), places))


def _figures(numbers: Sequence[float | None]) -> list[str]:
    """An estimate and its two limits at the stated precision, or three empty cells."""
    return [_places(n) for n in numbers] if numbers else ["", "", ""]


def write_inequality_csv(out, dataset, rows: Sequence[dict], *, missing: str, rii_shown: bool):
    """One tidy row per quantile of a local inequality dataset (`rows`: each a quantile's
    disclosed figures, as the page shows them), with the dataset's SII and RII and their
    limits as columns of every row, and its source, licence and when it was loaded. `missing`
    names the quantiles without a value (the SII cannot then be calculated)."""
    status = f"cannot be calculated: {missing}" if missing else "calculated"
    sii = [] if missing else [dataset.sii, dataset.sii_lower, dataset.sii_upper]
    rii = [dataset.rii, dataset.rii_lower, dataset.rii_upper] if sii and rii_shown else []
    if sii and not rii_shown:
        status += "; RII not meaningful (the fitted line reaches zero or below)"
    note = "; ".join(part for part in (dataset.sii_note, PRECISION_NOTE) if part)
    provenance = Provenance(
        dataset.source, licence=REPORT_LICENCE, data_current_at=dataset.loaded_at
    ).cells()
    writer = SafeWriter(out)
    writer.writerow(INEQUALITY_COLUMNS)
    for row in rows:
        point = row["point"]
        denominator = row["denominator"]
        if denominator is not None and point.denominator_is_estimate:
            denominator = round(denominator)
        writer.writerow(
            [
                dataset.slug,
                dataset.indicator.fingertips_id,
                dataset.indicator.name,
                dataset.area.code,
                dataset.area.name,
                dataset.period_note,
                dataset.quantile_type,
                point.quantile,
                format_number(row["count"].value),
                row["count"].state,
                format_number(denominator),
                "estimated" if point.denominator_is_estimate else "",
                format_number(row["value"]),
                _places(row["lower"]),
                _places(row["upper"]),
                format_number(row["published_value"]),
                *_figures(sii),
                *_figures(rii),
                status,
                note,
                *provenance,
            ]
        )
