"""Write stored observations back in the 27-column Fingertips export layout."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from indicators.csv_safety import SafeWriter
from indicators.importers.fingertips import EXPORT_HEADER
from indicators.models import Area, AreaLevel, Indicator, Observation, Origin

AREA_TYPE_NAMES = {
    AreaLevel.ENGLAND: "England",
    AreaLevel.REGION: "Regions (statistical)",
    AreaLevel.COUNTY: "Counties & UAs (from Apr 2023)",
    AreaLevel.UNITARY: "Counties & UAs (from Apr 2023)",
    AreaLevel.DISTRICT: "Districts & UAs (from Apr 2023)",
}


def format_number(number: float | None) -> str:
    """Full precision, as Fingertips writes it; whole numbers without a decimal point."""
    if number is None:
        return ""
    return str(int(number)) if number.is_integer() else repr(number)


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
