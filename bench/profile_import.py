"""Where one import spends its time and memory: stage timings, and optionally cProfile.

    DATABASE_URL=... .venv/bin/python bench/profile_import.py var/bench/national.csv \
        [--times 2] [--then var/bench/national_revised.csv] [--cprofile 25 --sort tottime]

Runs `import_file` as the command does, with the importer's stage functions and those of the
derived-statistics step (`indicators.derived`) wrapped, in this process only (no production code is
changed), to record inclusive wall time, the number of calls and the process RSS after each stage.
`--times 2` imports the file twice (first import, then the unchanged re-import) into the database
DATABASE_URL names, which should be a fresh, migrated benchmark database; `--then` imports another
file afterwards (the revised copy). `--cprofile N` prints the N functions with the highest
cumulative (or `--sort tottime`) time per import. Sets DJANGO_SETTINGS_MODULE and DEBUG=1 itself.
For var/bench/national*.csv only: timing data, never shipped.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import os
import pstats
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "imr_dashboard.settings"
os.environ["DEBUG"] = "1"

import django  # noqa: E402

django.setup()

from indicators import derived  # noqa: E402
from indicators.importers import csv_shape, fingertips, loading, staged  # noqa: E402

# (module, function); a name the module lacks is skipped, so older importers still profile.
STAGES = [
    (fingertips, "read_export"),
    (fingertips, "validate_export"),  # row by row: reads the rows as it validates them
    (fingertips, "fold_across_files"),  # several files only
    (fingertips, "load_records"),
    (fingertips, "load_staged"),  # PostgreSQL, one file: COPY as written, checked in SQL
    (loading, "sync_definitions"),
    (loading, "_ensure_indicators"),
    (loading, "_ensure_areas"),
    (loading, "upsert_rows"),  # row by row: stage the rows, then one guarded upsert
    (csv_shape, "copies_whole"),  # the byte scans that decide whether COPY may take the file
    (staged, "_check"),  # every validation rule in one SQL pass
    (staged, "_periods"),
    (staged, "_names"),
    (staged, "_write"),  # the typed pass, the row checks and the write
    (staged, "_insert_new"),  # a first import's plain INSERT
    (staged, "upsert_observations"),
    (fingertips, "_finish"),
    (fingertips, "recompute"),  # derived statistics, after an import that changed rows
    (derived, "_Context"),
    (derived, "_refresh_home_aggregates"),
    (derived, "_recompute_indicator"),  # per indicator: read, derive, write
    (derived, "_trends"),
]
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def instrument(log: dict[str, list[float]]) -> None:
    """Wrap each stage; log[name] = [calls, inclusive seconds, RSS MiB after the last call]."""
    for module, name in STAGES:
        original = getattr(module, name, None)
        if original is None or isinstance(original, type):
            continue

        @functools.wraps(original)
        def wrapper(*args, __original=original, __name=name, **kwargs):
            start = time.perf_counter()
            try:
                return __original(*args, **kwargs)
            finally:
                entry = log.setdefault(__name, [0, 0.0, 0.0])
                entry[0] += 1
                entry[1] += time.perf_counter() - start
                entry[2] = rss_mb()

        setattr(module, name, wrapper)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--times", type=int, default=2)
    parser.add_argument("--then", type=Path, action="append", default=[], metavar="PATH")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key, e.g. tottime")
    args = parser.parse_args()
    log: dict[str, list[float]] = {}
    instrument(log)
    print(f"backend: {django.db.connection.vendor}; RSS after django.setup(): {rss_mb():.0f} MiB")
    for attempt, path in enumerate([args.path] * args.times + args.then, start=1):
        log.clear()
        profiler = cProfile.Profile() if args.cprofile else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        outcome = fingertips.import_file(path)
        if profiler:
            profiler.disable()
        total = time.perf_counter() - start
        print(f"\nimport {attempt} ({path.name}): {outcome.as_json()}")
        print(f"  total {total:.2f} s in import_file; peak RSS so far {peak_mb():.0f} MiB")
        for name in [n for _, n in STAGES if n in log]:
            calls, seconds, rss = log[name]
            print(f"  {name:24} {seconds:6.2f} s  {calls:3.0f} call(s)  RSS after {rss:5.0f} MiB")
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.cprofile)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
