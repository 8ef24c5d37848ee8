"""What two proposed importer changes would save, measured without changing the importer.

    DATABASE_URL=postgres://.../bench SECRET_KEY=x .venv/bin/python bench/what_if.py \
        var/bench/national.csv [--copy] [--no-fold]

Replaces, in this process only, two functions of indicators.importers.fingertips, then imports the
file twice (first import, unchanged re-import) into DATABASE_URL, which should be a fresh, migrated
benchmark database:
  --copy     `_insert_observations` writes with PostgreSQL COPY instead of execute_values;
  --no-fold  `_fold_across_files` returns the records as they are when every key occurs once
             (always so for one file: validate_export already folds repeats within a file),
             instead of copying every record with dataclasses.replace.
Prints wall time and peak RSS of each import. An experiment for docs/PERFORMANCE.md, not a fix.
For var/bench/national.csv only: timing data, never shipped.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imr_dashboard.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from indicators.importers import fingertips  # noqa: E402
from indicators.models import Observation  # noqa: E402

original_fold = fingertips._fold_across_files


def insert_with_copy(rows: list[tuple]) -> None:
    if not rows:
        return
    if connection.vendor != "postgresql":
        raise SystemExit("--copy needs PostgreSQL")
    if hasattr(fingertips, "_with_json"):  # the importer at bff16e8
        position = fingertips._OBSERVATION_COLUMNS.index("parent_comparisons")
        flatten = lambda row: fingertips._with_json(row, position)  # noqa: E731
    else:  # later versions call it _flatten(row)
        flatten = fingertips._flatten
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        flat = flatten(row)
        writer.writerow([r"\N" if value is None else value for value in flat])
    buffer.seek(0)
    columns = ", ".join(fingertips._OBSERVATION_COLUMNS)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {Observation._meta.db_table} ({columns}) FROM STDIN "
            r"WITH (FORMAT csv, NULL '\N')",
            buffer,
        )


def fold_only_repeats(records):
    keys = {record.key for record in records}
    return records if len(keys) == len(records) else original_fold(records)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--copy", action="store_true")
    parser.add_argument("--no-fold", action="store_true")
    args = parser.parse_args()
    if args.copy:
        fingertips._insert_observations = insert_with_copy
    if args.no_fold:
        fingertips._fold_across_files = fold_only_repeats
    print(f"{connection.vendor}; copy={args.copy}; no_fold={args.no_fold}")
    for attempt in ("first import", "unchanged re-import"):
        start = time.perf_counter()
        outcome = fingertips.import_file(args.path)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  {attempt}: {seconds:.2f} s in import_file, peak RSS so far {peak:.0f} MiB; "
              f"{outcome.as_json()}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
