"""Local-data benchmark: a ~100,000-row template-A file under a ~300-district test configuration.

    .venv/bin/python bench/localdata_bench.py [--repeat 3] [--pg-url postgres://postgres@127.0.0.1:5440]

FOR TIMING ONLY. The areas file is a test configuration (written to var/bench/): the home county
of the shipped file with every English district and unitary of the bundled ONS boundary file
(296) as its "districts". The file is synthetic (localdata.synthetic): 296 areas × 10 deciles
plus an ALL row × 31 years (1995-2025) = 100,936 rows, about 8 MB. For each repeat, in a fresh
PostgreSQL database `localdata_bench` (dropped and created with psql, then migrated):
  1. validate + preview: `loading.preview_file` (read, every rule, compare with current data,
     store the attempt and the original bytes)
  2. commit: `loading.commit` (one transaction: rows written, history kept)
  3. a revised file (1% of rows changed) previewed, then committed
  4. SII and RII for 14 districts, cold (100,000 simulations each, nothing cached)
Prints a Markdown table of medians (with ranges) for docs/PERFORMANCE.md; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "var" / "bench"
DB = "localdata_bench"
YEARS = list(range(1995, 2026))


def areas_file() -> Path:
    shipped = json.loads((ROOT / "fixtures/config/lancashire.json").read_text())
    geo = json.loads(
        (
            ROOT / "fixtures/geo/Local_Authority_Districts_May_2024_Boundaries_UK_BSC.geo.json"
        ).read_text()
    )
    districts = [
        {"code": f["properties"]["LAD24CD"], "name": f["properties"]["LAD24NM"]}
        for f in geo["features"]
        if f["properties"]["LAD24CD"][:3] in ("E06", "E07", "E08", "E09")
    ]
    shipped.update(districts=districts, neighbours=[], local_datasets=[])
    shipped["child_death_review_panel"]["areas"] = [shipped["home"]["code"]]
    shipped.pop("$schema", None)
    path = BENCH / "localdata_300_districts.json"
    path.write_text(json.dumps(shipped))
    return path


def fresh_database(pg_url: str) -> None:
    for sql in (f"DROP DATABASE IF EXISTS {DB}", f"CREATE DATABASE {DB}"):
        subprocess.run(["psql", pg_url + "/postgres", "-qc", sql], check=True)


def file_rows(codes: list[str], *, seed: int, revise: float = 0.0) -> bytes:
    from localdata import synthetic

    rows = synthetic.template_a(codes, YEARS, seed=seed)
    if revise:
        step = int(1 / revise)
        for row in rows[::step]:
            row[7] += 10  # more births: a revision
    totals: dict[tuple, list] = {}
    for row in rows:
        key = (row[0], row[2])
        if key not in totals:
            totals[key] = [*row[:6], "ALL", 0, 0, 0, 0, None, *row[12:]]
        for i in (7, 8, 9, 10):
            totals[key][i] += row[i]
    return synthetic.to_csv("A", rows + list(totals.values()))


CPU: dict[str, float] = {}


def timed(function, *args, **kwargs):
    """Wall seconds (and, in CPU, this process's CPU seconds: less hit by a busy machine)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    CPU[function.__name__] = time.process_time() - cpu
    return time.perf_counter() - start, result


def one_run(pg_url: str) -> dict[str, float]:
    fresh_database(pg_url)
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connections

    connections.close_all()
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import User

    from indicators.configuration import areas_config
    from localdata import loading, presenters

    user = User.objects.create_user("bench")
    codes = [d.code for d in areas_config().districts]
    first, revised = file_rows(codes, seed=1), file_rows(codes, seed=1, revise=0.01)
    out = {"rows": first.count(b"\n") - 1, "megabytes": len(first) / 1e6}
    CPU.clear()
    out["preview_first"], upload = timed(
        loading.preview_file, "A", first, file_name="a.csv", user=user
    )
    assert upload.status == "previewed", upload.errors[:3]
    out["commit_first"], _ = timed(loading.commit, upload)
    out["preview_first_cpu"], out["commit_first_cpu"] = CPU["preview_file"], CPU["commit"]
    out["preview_revised"], upload = timed(
        loading.preview_file, "A", revised, file_name="b.csv", user=user
    )
    out["changed"] = upload.changed
    out["commit_revised"], _ = timed(loading.commit, upload)
    out["preview_revised_cpu"], out["commit_revised_cpu"] = CPU["preview_file"], CPU["commit"]
    cache.clear()
    births = [[900, 800, 700, 650, 600, 550, 500, 450, 400, 350]] * 14
    deaths = [[9, 7, 6, 5, 4, 4, 3, 3, 2, 2]] * 14
    areas = [(f"D{i}", f"D{i}") for i in range(14)]
    out["sii_14_cold"], _ = timed(presenters.sii_by_area, areas, births, deaths, county="C")
    connections.close_all()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--pg-url", default=os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5440")
    )
    args = parser.parse_args()
    BENCH.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        DASHBOARD_AREAS_FILE=str(areas_file()),
        DEBUG="1",
        DATABASE_URL=f"{args.pg_url}/{DB}",
        SECRET_KEY="bench-only",
    )
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imr_dashboard.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    start_load = os.getloadavg()[0]
    runs = [one_run(args.pg_url) for _ in range(args.repeat)]
    print(
        f"{runs[0]['rows']:,} rows, {runs[0]['megabytes']:.1f} MB; "
        f"revised file changes {runs[0]['changed']:,} rows; {args.repeat} runs\n"
    )
    print(
        f"load average {start_load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, "
        f"on {os.cpu_count()} cores\n"
    )
    print("| step | median s (wall) | range s | median CPU s (this process) |")
    print("|---|---|---|---|")
    steps = ("preview_first", "commit_first", "preview_revised", "commit_revised", "sii_14_cold")
    for key in steps:
        values = [r[key] for r in runs]
        cpu = [r[f"{key}_cpu"] for r in runs if f"{key}_cpu" in r]
        cpu_text = f"{statistics.median(cpu):.2f}" if cpu else "–"
        print(
            f"| {key} | {statistics.median(values):.2f} | "
            f"{min(values):.2f}-{max(values):.2f} | {cpu_text} |"
        )


if __name__ == "__main__":
    main()
