"""Write a national-size Fingertips export for the import benchmark.

    .venv/bin/python bench/make_national_file.py [--out var/bench/national.csv] [--periods 20]

FOR TIMING ONLY. NEVER SHIPPED AS DATA. The file pairs real values with area codes and periods they
do not belong to: every English district, unitary authority and county x 15 indicators x 20 periods,
each row's numbers copied from a real headline row of the Lancashire snapshot. It lives under
var/bench/ (gitignored) and must never be imported into a database anyone reads, nor committed.

How it is built
- Templates: the headline rows (empty `Category Type`) of fixtures/exports/snapshot/*.csv, local
  areas only (England and region rows are left out so values stay area-sized). The snapshot holds
  real rows for 9 of the 15 declared indicators; the other 6 borrow the rows of a declared
  indicator with the same period form (see BORROWED) and are written under their own id and name.
- Areas: every `E` code of LAD24CD/LAD24NM in the May 2024 district boundaries (districts, UAs,
  metropolitan and London boroughs) plus the county codes (E10) from the `Area Code` column of
  fixtures/exports/raw/dfe_csc_90284_utla502_parent15_*.csv; UAs appear once. Parent: England.
- Periods: the 20 periods ending at the indicator's latest real period, in that indicator's label
  form (`2017`, `2017/18`, `2022 - 24`); `Time period Sortable` moves with the label; `Time period
  range` is the template's.
- Values: each (area, period) takes the next real row of its indicator in turn, and copies its
  Value, CIs, Count, Denominator, note, trend and comparisons as written, so each row keeps the
  value/CI/count/denominator relationships of the real row it copies.

It also writes `national_revised.csv`: the same file with Value and CIs of ~1 row in 100 scaled
by 1.01 (a revision; lower <= upper still holds), for the re-import-with-changes case.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = sorted((ROOT / "fixtures/exports/snapshot").glob("*.csv"))
COUNTIES_FILE = ROOT / "fixtures/exports/raw/dfe_csc_90284_utla502_parent15_2010-11_to_2023-24.csv"
DISTRICTS_GEO = ROOT / "fixtures/geo/Local_Authority_Districts_May_2024_Boundaries_UK_BSC.geo.json"
PERIODS = 20
REVISE_EVERY = 100

# Declared indicators with no real row in the snapshot -> the snapshot indicator whose real rows
# (and so period form, sex and age) they borrow. Names are those in indicators/definitions.py.
BORROWED = {
    92705: (92196, "Neonatal mortality rate"),
    92706: (92196, "Post-neonatal mortality rate"),
    92530: (92196, "Stillbirth rate"),
    90639: (20401, "Under 16s conception rate / 1,000"),
    92517: (93085, "Breastfeeding prevalence at 6 to 8 weeks - current method"),
    93580: (20201, "Baby's first feed breastmilk"),
}
DISTRICT_TYPE = "Districts & UAs (from Apr 2023)"
COUNTY_TYPE = "Counties & UAs (from Apr 2023)"
NUMBER_COLUMNS = ("Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit",
                  "Lower CI 99.8 limit", "Upper CI 99.8 limit")  # fmt: skip


def read_templates() -> tuple[list[str], dict[int, list[dict[str, str]]]]:
    header: list[str] | None = None
    by_indicator: dict[int, list[dict[str, str]]] = {}
    seen: set[tuple] = set()
    for path in SNAPSHOT:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            header = header or list(reader.fieldnames or [])
            for row in reader:
                if row["Category Type"] or row["Area Code"][:3] in {"E92", "E12"}:
                    continue
                key = (row["Indicator ID"], row["Area Code"], row["Time period Sortable"])
                if key in seen:  # a UA in both the district and the county export
                    continue
                seen.add(key)
                by_indicator.setdefault(int(row["Indicator ID"]), []).append(row)
    assert header is not None and len(header) == 27, header
    return header, by_indicator


def read_areas() -> list[tuple[str, str, str]]:
    features = json.loads(DISTRICTS_GEO.read_text(encoding="utf-8"))["features"]
    areas = {
        f["properties"]["LAD24CD"]: (f["properties"]["LAD24NM"], DISTRICT_TYPE)
        for f in features
        if f["properties"]["LAD24CD"].startswith("E")
    }
    with COUNTIES_FILE.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            code = row["Area Code"]
            if code.startswith("E") and code[:3] not in {"E92", "E12"} and code not in areas:
                areas[code] = (row["Area Name"], COUNTY_TYPE)
    return [(code, name, area_type) for code, (name, area_type) in sorted(areas.items())]


def period_labels(template_label: str, last_start: int, count: int) -> list[tuple[str, str]]:
    """The `count` (label, sortable) pairs ending at last_start, in template_label's form."""
    if re.fullmatch(r"\d{4}", template_label):
        form = lambda y: str(y)  # noqa: E731
    elif re.fullmatch(r"\d{4}/\d{2}", template_label):
        form = lambda y: f"{y}/{(y + 1) % 100:02}"  # noqa: E731
    elif m := re.fullmatch(r"(\d{4}) - (\d{2})", template_label):
        span = (int(m[2]) - int(m[1]) % 100) % 100
        form = lambda y: f"{y} - {(y + span) % 100:02}"  # noqa: E731
    else:
        raise SystemExit(f"unexpected period form {template_label!r}")
    starts = range(last_start - count + 1, last_start + 1)
    return [(form(y), f"{y:04}0000") for y in starts]


def build_rows(header, templates, areas, count):
    indicators = {i: (i, None) for i in templates} | BORROWED
    for indicator_id in sorted(indicators):
        source_id, name = indicators[indicator_id]
        pool = sorted(
            templates[source_id], key=lambda r: (r["Time period Sortable"], r["Area Code"])
        )
        latest = max(pool, key=lambda r: r["Time period Sortable"])
        periods = period_labels(
            latest["Time period"], int(latest["Time period Sortable"][:4]), count
        )
        n = 0
        for code, area_name, area_type in areas:
            for label, sortable in periods:
                real = pool[n % len(pool)]
                n += 1
                row = dict(real)
                row.update({
                    "Indicator ID": str(indicator_id),
                    "Indicator Name": name or real["Indicator Name"],
                    "Parent Code": "E92000001",
                    "Parent Name": "England",
                    "Area Code": code,
                    "Area Name": area_name,
                    "Area Type": area_type,
                    "Time period": label,
                    "Time period Sortable": sortable,
                })  # fmt: skip
                yield [row[h] for h in header]


def revise(row: list[str], index: dict[str, int]) -> list[str]:
    row = list(row)
    for column in NUMBER_COLUMNS:
        cell = row[index[column]]
        if cell:
            row[index[column]] = repr(round(float(cell) * 1.01, 6))
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var/bench/national.csv")
    parser.add_argument("--periods", type=int, default=PERIODS, help="periods per area (20)")
    args = parser.parse_args()
    header, templates = read_templates()
    areas = read_areas()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    revised_path = args.out.with_name(args.out.stem + "_revised.csv")
    index = {h: i for i, h in enumerate(header)}
    rows = revised = 0
    with (
        args.out.open("w", encoding="utf-8", newline="") as out,
        revised_path.open("w", encoding="utf-8", newline="") as rev,
    ):
        plain, changed = csv.writer(out, lineterminator="\n"), csv.writer(rev, lineterminator="\n")
        plain.writerow(header)
        changed.writerow(header)
        for row in build_rows(header, templates, areas, args.periods):
            plain.writerow(row)
            if rows % REVISE_EVERY == 0 and row[index["Value"]]:
                row = revise(row, index)
                revised += 1
            changed.writerow(row)
            rows += 1
    counties = sum(1 for a in areas if a[2] == COUNTY_TYPE)
    print(
        f"{args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}: "
        f"{rows} rows ({len(areas)} areas: {len(areas) - counties} districts/UAs + {counties} "
        f"counties; {len(templates) + len(BORROWED)} indicators; {args.periods} periods), "
        f"{args.out.stat().st_size / 1e6:.1f} MB; {revised_path.name}: {revised} rows revised"
    )
    print("FOR TIMING ONLY: never ship or import this file as data.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
