"""A local file's figures against Fingertips' published ones: the preview's warnings
(LOCAL_DATA.md section 3). Warnings, not errors: extracts are revised and the two may count
late registrations differently. `loading.preview_file` adds them to a valid file's preview.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F

from indicators.models import Observation
from localdata.schema import MEASURES

INFANT_MORTALITY = 92196  # Fingertips: infant mortality rate, 3-year pools by registration


def fingertips_warnings(template: str, records: list[dict]) -> list[str]:
    """LOCAL_DATA.md section 3's warning for template A: a district's registration-basis infant
    deaths (and live births, where Fingertips gives them) over a 3-year pool that the file
    covers whole, against Fingertips' published count for the same pool. A warning, not an
    error: extracts are revised and the two may count late registrations differently.

    Template C: `_national_warnings`."""
    if template == "C":
        return _national_warnings(records)
    if template != "A":
        return []
    sums: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for r in records:
        if r["period_basis"] == "registration" and r["imd_decile"] != "ALL":
            cell = sums[(r["area_code"], r["year"])]
            cell[0] += r["infant_deaths"]
            cell[1] += r["live_births"]
    if not sums:
        return []
    areas = {area for area, _ in sums}
    published = (
        Observation.objects.filter(
            indicator__fingertips_id=INFANT_MORTALITY,
            area__code__in=areas,
            sex="Persons",
            category_type="",
            period_end_year=F("period_start_year") + 2,
            count__isnull=False,
        )
        .order_by("area__code", "period_start_year")
        .values_list("area__code", "period_start_year", "period_end_year", "count", "denominator")
    )
    warnings, seen = [], set()
    for area, start, end, count, denominator in published:
        years = [(area, y) for y in range(start, end + 1)]
        if (area, start) in seen or not all(y in sums for y in years):
            continue
        seen.add((area, start))
        deaths = sum(sums[y][0] for y in years)
        births = sum(sums[y][1] for y in years)
        pool = f"{start}-{str(end)[-2:]}"
        if deaths != round(count):
            warnings.append(
                f"File: {area} {pool}: {deaths} infant deaths here, {round(count)} in Fingertips "
                f"(indicator {INFANT_MORTALITY}, registrations)."
            )
        if denominator is not None and births != round(denominator):
            warnings.append(
                f"File: {area} {pool}: {births} live births here, {round(denominator)} in "
                f"Fingertips (indicator {INFANT_MORTALITY}, registrations)."
            )
    return warnings


def _national_warnings(records: list[dict]) -> list[str]:
    """Template C against the national publication: a measure Fingertips publishes by financial
    year (SATOD, breastfeeding at 6-8 weeks), for a financial year whose four quarters the file
    gives for an area, the file's percentage (numerator and denominator summed) against the
    published one, both to one decimal place."""
    sums: dict[tuple[str, str, int], list] = defaultdict(lambda: [0, 0, set()])
    for r in records:
        measure = MEASURES.get(r["measure_code"])
        if measure is None or measure.fingertips_id is None or r["period_type"] != "quarter":
            continue
        start = r["period_start"]
        year = start.year if start.month >= 4 else start.year - 1
        cell = sums[(r["measure_code"], r["area_code"], year)]
        cell[0] += r["numerator"]
        cell[1] += r["denominator"]
        cell[2].add(start.month)
    whole = {key: cell for key, cell in sums.items() if len(cell[2]) == 4 and cell[1]}
    if not whole:
        return []
    ids = {MEASURES[code].fingertips_id: code for code, _, _ in whole}
    published = Observation.objects.filter(
        indicator__fingertips_id__in=ids,
        area__code__in={area for _, area, _ in whole},
        category_type="",  # SATOD is published for females, breastfeeding for persons
        period_label__in={f"{year}/{str(year + 1)[-2:]}" for _, _, year in whole},
        value__isnull=False,
    ).values_list("indicator__fingertips_id", "area__code", "period_label", "value")
    warnings, seen = [], set()
    for fingertips_id, area, label, value in published:
        year = int(label[:4])
        key = (ids[fingertips_id], area, year)
        if key not in whole or key in seen:
            continue
        seen.add(key)
        numerator, denominator, _ = whole[key]
        here = float(numerator) / float(denominator) * 100
        if round(here, 1) != round(value, 1):
            warnings.append(
                f"File: {key[0]} {area} {year}/{str(year + 1)[-2:]}: {here:.1f}% from its four "
                f"quarters here, {value:.1f}% published nationally (Fingertips {fingertips_id})."
            )
    return warnings
