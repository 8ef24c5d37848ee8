"""Synthetic upload files for tests, the benchmark and the shipped example (pure).

Every figure here is made up by a seeded random generator: none describes a real place or person.
Each file's `source` column says "synthetic".
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence

from localdata.schema import AGE_BANDS, TEMPLATES

SOURCE = "synthetic example (made-up figures)"


def to_csv(template: str, rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TEMPLATES[template].names)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return out.getvalue().encode("utf-8")


def template_a(
    areas: Sequence[str], years: Sequence[int], *, seed: int = 1, extract_date: str = "2025-06-30"
) -> list[list[object]]:
    """Rows of template A: every area × year × decile, deaths falling with deprivation."""
    rng = random.Random(seed)
    rows: list[list[object]] = []
    for year in years:
        for area in areas:
            for decile in range(1, 11):
                births = rng.randint(50, 900)
                rate = (7.5 - 0.45 * decile) / 1000
                deaths = min(births, max(0, round(births * rate * rng.uniform(0.4, 1.6))))
                neonatal = round(deaths * 0.7)
                rows.append(
                    [
                        year,
                        "registration",
                        area,
                        "IMD2019",
                        "LSOA2011",
                        "national",
                        decile,
                        births,
                        deaths,
                        neonatal,
                        deaths - neonatal,
                        None,
                        SOURCE,
                        extract_date,
                        None,
                    ]
                )
    return rows


def template_b1(area: str, periods: Sequence[str], *, seed: int = 2) -> list[list[object]]:
    rng = random.Random(seed)
    rows: list[list[object]] = []
    for period in periods:
        for band in AGE_BANDS[:2]:
            for category in range(1, 11):
                reviewed = rng.choice([0, 0, 1, 2, 3, 5, 9, 12, 20])
                modifiable = rng.randint(0, reviewed)
                insufficient = rng.randint(0, reviewed - modifiable)
                rows.append(
                    [period, area, band, category, reviewed, modifiable, insufficient, None]
                )
    return rows


FACTOR_ROWS = (
    ("A_child", "teen_pregnancy"),
    ("B_social_family_parenting", "smoking_household"),
    ("B_social_family_parenting", "smoking_pregnancy"),
    ("C_physical_environment", "unsafe_sleep"),
    ("C_physical_environment", "co_sleeping"),
    ("D_service_provision", "late_booking"),
    ("any", "two_or_more"),
)


def template_b2(area: str, periods: Sequence[str], *, seed: int = 3) -> list[list[object]]:
    rng = random.Random(seed)
    rows: list[list[object]] = []
    for period in periods:
        for band in AGE_BANDS[:2]:
            denominator = rng.randint(20, 45)
            for domain, factor in FACTOR_ROWS:
                present = rng.randint(0, denominator // 2)
                rows.append(
                    [
                        period,
                        area,
                        band,
                        domain,
                        factor,
                        present,
                        rng.randint(0, present),
                        denominator,
                    ]
                )
    return rows


def template_c(
    area: str,
    quarters: Sequence[tuple[str, str]],
    *,
    measure: str = "HV_NBV_14D",
    seed: int = 4,
    level: float = 0.88,
    target: float | None = 90,
) -> list[list[object]]:
    """One measure's quarters at one upper-tier council, around `level`."""
    rng = random.Random(seed)
    rows: list[list[object]] = []
    for start, end in quarters:
        denominator = rng.randint(1800, 2200)
        numerator = round(denominator * min(1.0, level + rng.uniform(-0.03, 0.03)))
        rows.append(
            [
                measure,
                "quarter",
                start,
                end,
                "UTLA",
                area,
                numerator,
                denominator,
                None,
                target,
                "final",
                SOURCE,
                None,
            ]
        )
    return rows


def quarters(first_year: int, count: int) -> list[tuple[str, str]]:
    """Financial quarters from April of first_year, as (start, end) ISO dates."""
    ends = {4: "06-30", 7: "09-30", 10: "12-31", 1: "03-31"}
    out = []
    year, month = first_year, 4
    for _ in range(count):
        out.append((f"{year}-{month:02d}-01", f"{year}-{ends[month]}"))
        month += 3
        if month > 12:
            month, year = 1, year + 1
    return out
