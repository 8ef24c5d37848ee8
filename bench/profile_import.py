"""Where one import spends its time and memory: stage timings, and optionally cProfile.

    DATABASE_URL=... SECRET_KEY=x .venv/bin/python bench/profile_import.py var/bench/national.csv \
        [--times 2] [--cprofile 25]

Runs `import_file` as the command does, with the importer's stage functions wrapped (in this process
only; no production code is changed) to record inclusive wall time and the process RSS after each
stage. `--times 2` imports the file twice (first import, then the unchanged re-import) into the
database DATABASE_URL names, which should be a fresh, migrated benchmark database. `--cprofile N`
prints the N functions with the highest cumulative (or `--sort tottime`) time per import.
For var/bench/national.csv only: timing data, never shipped.
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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imr_dashboard.settings")

import django  # noqa: E402

django.setup()

from indicators.importers import fingertips  # noqa: E402

STAGES = [
    "read_export",
    "validate_export",
    "_fold_across_files",
    "load_records",
    "sync_definitions",
    "_ensure_indicators",
    "_ensure_areas",
    "_existing_observations",
    "_insert_observations",
    "_update_observations",
    "_finish",
    "recompute",  # derived statistics after an import, where the importer has that step
]
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def instrument(log: list[tuple[str, float, float]]) -> None:
    for name in STAGES:
        original = getattr(fingertips, name, None)
        if original is None:
            continue

        @functools.wraps(original)
        def wrapper(*args, __original=original, __name=name, **kwargs):
            start = time.perf_counter()
            try:
                return __original(*args, **kwargs)
            finally:
                log.append((__name, time.perf_counter() - start, rss_mb()))

        setattr(fingertips, name, wrapper)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--times", type=int, default=2)
    parser.add_argument("--cprofile", type=int, default=0, metavar="N")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key, e.g. tottime")
    args = parser.parse_args()
    log: list[tuple[str, float, float]] = []
    instrument(log)
    print(f"backend: {django.db.connection.vendor}; RSS after django.setup(): {rss_mb():.0f} MiB")
    for attempt in range(1, args.times + 1):
        log.clear()
        profiler = cProfile.Profile() if args.cprofile else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        outcome = fingertips.import_file(args.path)
        if profiler:
            profiler.disable()
        total = time.perf_counter() - start
        print(f"\nimport {attempt}: {outcome.as_json()}")
        print(f"  total {total:.2f} s in import_file; peak RSS so far {peak_mb():.0f} MiB")
        for name, seconds, rss in log:
            print(f"  {name:24} {seconds:6.2f} s   RSS after {rss:5.0f} MiB")
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.cprofile)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
