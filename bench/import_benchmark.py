"""Import benchmark: the national-size file on SQLite and PostgreSQL, beside plain CSV readers.

    .venv/bin/python bench/import_benchmark.py [--repeat 3] [--backends sqlite,postgresql]
        [--file var/bench/national_21periods.csv] [--no-readers] [--pg-db bench]

Uses var/bench/national.csv and national_revised.csv (FOR TIMING ONLY, never shipped as data;
built by bench/make_national_file.py, which this script runs when they are missing). For each
backend and repeat: a fresh database (SQLite: var/bench/bench.sqlite3; PostgreSQL: database
`bench` on PG_URL, dropped and created with psql), `migrate`, then under `/usr/bin/time -v`:
  1. first import      `manage.py import_fingertips var/bench/national.csv`
  2. unchanged re-import of the same file
  3. revised re-import of national_revised.csv (~1% of rows with revised values)
and, once, `pandas.read_csv` and `csv.reader` over national.csv, each in its own process.
An import that creates or updates rows ends with `indicators.derived.recompute()` for the
indicators it touched, so steps 1 and 3 include it and step 2 does not (the note column says so).
Prints a Markdown table (median wall time over the repeats, with the range; the highest peak RSS)
to stdout, and writes every measure to var/bench/<file>_results.json.
Figures are for docs/PERFORMANCE.md; nothing here is a test or asserts a target.

    PG_URL=postgres://postgres@127.0.0.1:5440/h2bench .venv/bin/python \
        bench/import_benchmark.py --against-baseline [--repeat 3] \
        [--file var/bench/national_21periods.csv] [--pg-db bench]

times the importer against the baseline, in one process and one PostgreSQL database (fresh and
migrated for each repeat: --pg-db, else the database PG_URL names, else `bench`), step by step in
the order first import, unchanged re-import, 1% revision. The baseline of each step, timed just
before the importer's, is exactly: COPY the same file's rows into an UNLOGGED staging table, then
one `INSERT … ON CONFLICT (natural key) DO UPDATE … WHERE (values) IS DISTINCT FROM (new values)`
into a table of the file's columns keyed on the natural key (indicator, area, sex, age, category
type, category, sortable period). The importer is `import_file` in the same process; the time its
statistics recomputation takes is measured apart, so a step's time "before statistics" is its total
less that. Peak memory is the process's `resource.getrusage` maximum RSS after each step.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "var/bench"
# The file imported and its revised copy; --file replaces them.
FILES = {"plain": BENCH / "national.csv", "revised": BENCH / "national_revised.csv"}
PY = str(ROOT / ".venv/bin/python")
TIME = "/usr/bin/time"
PG_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5433")
# A database named in PG_URL is the one the benchmark drops and creates (--pg-db overrides it).
PG_DB = urlsplit(PG_URL).path.strip("/") or "bench"
PG_URL = PG_URL.removesuffix(urlsplit(PG_URL).path)
PG_PORT = str(urlsplit(PG_URL).port or 5432)
PSQL = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", PG_PORT, "-U",
        "postgres", "-d", "postgres"]  # fmt: skip

READERS = {
    "pandas.read_csv": (
        "import sys, time; t = time.perf_counter(); import pandas as pd; i = time.perf_counter(); "
        "df = pd.read_csv(sys.argv[1]); "
        "print(len(df), time.perf_counter() - i, i - t)"
    ),
    "csv.reader": (
        "import csv, sys, time; t = time.perf_counter(); n = 0\n"
        "with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:\n"
        "    r = csv.reader(f); next(r)\n"
        "    for row in r: n += 1\n"
        "print(n, time.perf_counter() - t, 0.0)"
    ),
}


@dataclass
class Measure:
    wall: float
    user: float
    system: float
    max_rss_kb: int
    stdout: str


@dataclass
class Result:
    step: str
    backend: str
    rows: int
    measures: list[Measure] = field(default_factory=list)
    outcome: str = ""
    note: str = ""


def timed(cmd: list[str], env: dict[str, str]) -> Measure:
    with tempfile.NamedTemporaryFile("r", suffix=".time", dir=BENCH) as report:
        proc = subprocess.run(
            [TIME, "-v", "-o", report.name, *cmd],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        text = report.read()
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}")
    return Measure(
        wall=_elapsed(_field(text, "Elapsed (wall clock) time (h:mm:ss or m:ss)")),
        user=float(_field(text, "User time (seconds)")),
        system=float(_field(text, "System time (seconds)")),
        max_rss_kb=int(_field(text, "Maximum resident set size (kbytes)")),
        stdout=proc.stdout,
    )


def _field(text: str, name: str) -> str:
    match = re.search(rf"^\s*{re.escape(name)}: (.+)$", text, re.MULTILINE)
    if not match:
        sys.exit(f"/usr/bin/time -v output lacks {name!r}:\n{text}")
    return match.group(1).strip()


def _elapsed(text: str) -> float:
    seconds = 0.0
    for part in text.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def run(cmd: list[str], env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def django_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY="bench-only-key-not-a-secret",
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.pop("CELERY_BROKER_URL", None)
    env.pop("REDIS_URL", None)
    return env


def fresh_database(backend: str) -> str:
    if backend == "sqlite":
        path = BENCH / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    run([*PSQL, "-c", f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"])
    run([*PSQL, "-c", f"CREATE DATABASE {PG_DB}"])
    return f"{PG_URL}/{PG_DB}"


def drop_database(backend: str) -> None:
    if backend == "postgresql":
        run([*PSQL, "-c", f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"])
    else:
        (BENCH / "bench.sqlite3").unlink(missing_ok=True)


def import_outcome(stdout: str) -> str:
    line = json.loads(stdout.strip().splitlines()[-1])
    if line["status"] != "ok":
        sys.exit(f"import not ok: {line}")
    return f"{line['created']:,} / {line['updated']:,} / {line['unchanged']:,}"


def count_rows(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f) - 1


def bench_backend(backend: str, repeat: int, rows: int) -> list[Result]:
    steps = [
        ("first import", FILES["plain"]),
        ("unchanged re-import", FILES["plain"]),
        ("re-import, ~1% revised", FILES["revised"]),
    ]
    results = [Result(step, backend, rows) for step, _ in steps]
    startup = Result("Django start-up only (`manage.py shell -c pass`)", backend, 0)
    for _ in range(repeat):
        url = fresh_database(backend)
        env = django_env(url)
        run([PY, "manage.py", "migrate", "--no-input", "-v", "0"], env)
        startup.measures.append(timed([PY, "manage.py", "shell", "-c", "pass"], env))
        for result, (_, path) in zip(results, steps, strict=True):
            rel = str(path.relative_to(ROOT))
            measure = timed([PY, "manage.py", "import_fingertips", rel], env)
            result.measures.append(measure)
            result.outcome = import_outcome(measure.stdout)
            # The importer recomputes derived statistics only after it created or updated rows.
            changed = not result.outcome.startswith("0 / 0 /")
            result.note = "incl. recompute" if changed else "recompute skipped"
        print(f"  {backend}: " + ", ".join(f"{r.measures[-1].wall:.2f} s" for r in results),
              file=sys.stderr)  # fmt: skip
    drop_database(backend)
    return [*results, startup]


def bench_readers(repeat: int) -> list[Result]:
    results = []
    for name, code in READERS.items():
        result = Result(f"`{name}` of the same file", "-", count_rows(FILES["plain"]))
        inner = []
        for _ in range(repeat):
            measure = timed([PY, "-c", code, str(FILES["plain"])], dict(os.environ))
            result.measures.append(measure)
            n, seconds, import_seconds = measure.stdout.split()
            inner.append(float(seconds))
            result.rows = int(n)
        result.note = f"read itself {statistics.median(inner):.2f} s"
        if name.startswith("pandas"):
            result.note += f" (+ {float(import_seconds):.2f} s to import pandas)"
        result.outcome = "-"
        results.append(result)
    return results


def machine() -> str:
    pg = run([*PSQL, "-Atc", "SHOW server_version"]).strip()
    settings = run([*PSQL, "-Atc", "SELECT string_agg(name || '=' || setting || COALESCE(unit, ''),"
                    " ', ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', "
                    "'synchronous_commit', 'shared_buffers', 'work_mem')"]).strip()  # fmt: skip
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    sqlite = run([PY, "-c", "import sqlite3; print(sqlite3.sqlite_version)"]).strip()
    django = run([PY, "-c", "import django; print(django.get_version())"]).strip()
    psycopg = run([PY, "-c", "import psycopg2; print(psycopg2.__version__.split()[0])"]).strip()
    pandas = run([PY, "-c", "import pandas; print(pandas.__version__)"]).strip()
    git = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                         capture_output=True, text=True, check=False)  # fmt: skip
    code = git.stdout.strip() if git.returncode == 0 else os.environ.get("BENCH_SOURCE", "unknown")
    return (
        f"- Code: {code} ({ROOT})\n"
        f"- CPU: {os.cpu_count()} (nproc), {cpu[1] if cpu else 'unknown'}; memory "
        f"{mem_kb / 1024 / 1024:.1f} GiB\n"
        f"- OS: {platform.platform()}\n"
        f"- Python {platform.python_version()}, Django {django}, psycopg2 {psycopg}, "
        f"pandas {pandas}, SQLite {sqlite}\n"
        f"- PostgreSQL {pg} on 127.0.0.1:{PG_PORT} (same machine; {settings})\n"
        f"- Load average (1, 5, 15 min) at the end: "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    )


def table(results: list[Result]) -> str:
    lines = [
        "| step | backend | rows | wall s (median; min-max) | rows/s | user+sys s | peak RSS MiB "
        "| created / updated / unchanged | note |",
        "|---|---|--:|--:|--:|--:|--:|---|---|",
    ]
    for r in results:
        walls = [m.wall for m in r.measures]
        wall = statistics.median(walls)
        spread = f"; {min(walls):.2f}-{max(walls):.2f}" if len(walls) > 1 else ""
        cpu = statistics.median(m.user + m.system for m in r.measures)
        rss = max(m.max_rss_kb for m in r.measures) / 1024  # /usr/bin/time reports KiB
        rate = f"{r.rows / wall:,.0f}" if r.rows else "-"
        rows = f"{r.rows:,}" if r.rows else "-"
        lines.append(
            f"| {r.step} | {r.backend} | {rows} | {wall:.2f}{spread} | {rate} | {cpu:.2f} "
            f"| {rss:.1f} | {r.outcome or '-'} | {r.note} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Against the baseline: COPY into an unlogged staging table + one guarded upsert, same process
# ---------------------------------------------------------------------------------------------

# The file's 27 columns as the baseline stores them (the header's order).
BASELINE_COLUMNS = [
    ("indicator_id", "integer"), ("indicator_name", "text"), ("parent_code", "text"),
    ("parent_name", "text"), ("area_code", "text"), ("area_name", "text"), ("area_type", "text"),
    ("sex", "text"), ("age", "text"), ("category_type", "text"), ("category", "text"),
    ("time_period", "text"), ("value", "float8"), ("lower_ci_95", "float8"),
    ("upper_ci_95", "float8"), ("lower_ci_998", "float8"), ("upper_ci_998", "float8"),
    ("count", "float8"), ("denominator", "float8"), ("value_note", "text"),
    ("recent_trend", "text"), ("compared_to_england", "text"), ("compared_to_parent", "text"),
    ("period_sortable", "integer"), ("new_data", "text"), ("compared_to_goal", "text"),
    ("period_range", "text"),
]  # fmt: skip
BASELINE_KEY = ["indicator_id", "area_code", "sex", "age", "category_type", "category",
                "period_sortable"]  # fmt: skip


def baseline_tables(cursor) -> None:
    columns = ", ".join(f"{name} {kind}" for name, kind in BASELINE_COLUMNS)
    cursor.execute(
        f"CREATE TABLE bench_baseline ({columns}, PRIMARY KEY ({', '.join(BASELINE_KEY)}))"
    )


def baseline_step(cursor, path: Path) -> float:
    """COPY the file into an unlogged staging table, then one guarded upsert; seconds taken."""
    import time

    names = [name for name, _ in BASELINE_COLUMNS]
    values = [n for n in names if n not in BASELINE_KEY]
    text = [name for name, kind in BASELINE_COLUMNS if kind == "text"]
    start = time.perf_counter()
    cursor.execute("DROP TABLE IF EXISTS bench_baseline_staging")
    cursor.execute("CREATE UNLOGGED TABLE bench_baseline_staging (LIKE bench_baseline)")
    with path.open("rb") as f:
        # Empty text cells are empty strings, not NULL, so an empty category matches its key.
        cursor.copy_expert(
            f"COPY bench_baseline_staging ({', '.join(names)}) FROM STDIN WITH "
            f"(FORMAT csv, HEADER true, FORCE_NOT_NULL ({', '.join(text)}))",
            f,
        )
    cursor.execute(
        f"INSERT INTO bench_baseline AS t ({', '.join(names)}) "
        f"SELECT {', '.join(names)} FROM bench_baseline_staging "
        f"ON CONFLICT ({', '.join(BASELINE_KEY)}) DO UPDATE SET "
        + ", ".join(f"{n} = EXCLUDED.{n}" for n in values)
        + f" WHERE ({', '.join(f't.{n}' for n in values)}) IS DISTINCT FROM "
        f"({', '.join(f'EXCLUDED.{n}' for n in values)})"
    )
    cursor.connection.commit()
    return time.perf_counter() - start


def floor_step(cursor, path: Path) -> float:
    """What any import of the file into the observation table costs before it checks or types a
    cell: COPY the file as text into an unlogged table (as the importer's staging does), then
    INSERT the rows a first import stored, already typed, into an empty table with the observation
    table's columns, indexes and fill factor. Seconds taken (setting up is not timed)."""
    import time

    text = ", ".join(f"c{i} text" for i in range(len(BASELINE_COLUMNS)))
    forced = ", ".join(f"c{i}" for i in range(len(BASELINE_COLUMNS)))
    cursor.execute("DROP TABLE IF EXISTS bench_floor_text, bench_floor_rows, bench_floor_obs")
    cursor.execute(f"CREATE UNLOGGED TABLE bench_floor_text (row_number serial, {text})")
    cursor.execute("CREATE UNLOGGED TABLE bench_floor_rows AS SELECT * FROM indicators_observation")
    cursor.execute(
        "CREATE TABLE bench_floor_obs (LIKE indicators_observation INCLUDING ALL) "
        "WITH (fillfactor = 40)"
    )
    cursor.connection.commit()
    start = time.perf_counter()
    with path.open("rb") as f:
        cursor.copy_expert(
            f"COPY bench_floor_text ({forced}) FROM STDIN WITH "
            f"(FORMAT csv, HEADER true, FORCE_NOT_NULL ({forced}))",
            f,
        )
    cursor.execute("SET LOCAL jit = off")
    cursor.execute("INSERT INTO bench_floor_obs SELECT * FROM bench_floor_rows")
    cursor.connection.commit()
    taken = time.perf_counter() - start
    cursor.execute("DROP TABLE bench_floor_text, bench_floor_rows, bench_floor_obs")
    cursor.connection.commit()
    return taken


FLOOR = "floor: COPY as text, then INSERT of the stored rows, typed"


def against_baseline_worker(plain: Path, revised: Path) -> None:
    """In one process: each step's baseline, then the importer; one JSON line per step."""
    import resource
    import time

    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imr_dashboard.settings")
    django.setup()
    from django.db import connection

    from indicators.importers import fingertips

    recomputed: list[float] = []
    real_recompute = fingertips.recompute

    def timed_recompute(*args, **kwargs):
        start = time.perf_counter()
        try:
            return real_recompute(*args, **kwargs)
        finally:
            recomputed.append(time.perf_counter() - start)

    fingertips.recompute = timed_recompute
    raw = connection.cursor().connection  # psycopg2's, outside Django's transaction handling
    with raw.cursor() as cursor:
        baseline_tables(cursor)
    raw.commit()
    steps = [("first import", plain), ("unchanged re-import", plain), ("1% revision", revised)]
    for step, path in steps:
        with raw.cursor() as cursor:
            baseline = baseline_step(cursor, path)
        if step == "first import":
            first_baseline = baseline
        recomputed.clear()
        start = time.perf_counter()
        outcome = fingertips.import_file(path)
        total = time.perf_counter() - start
        if outcome.status != "ok":
            sys.exit(f"import not ok: {outcome}")
        print(json.dumps({
            "step": step, "baseline": baseline, "import": total, "statistics": sum(recomputed),
            "recomputed": len(recomputed),
            "outcome": [outcome.created, outcome.updated, outcome.unchanged],
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }), flush=True)  # fmt: skip
    # Against the first import's baseline, which also wrote into an empty table.
    with raw.cursor() as cursor:
        floor = floor_step(cursor, plain)
    print(json.dumps({
        "step": FLOOR, "baseline": first_baseline, "import": floor, "statistics": 0.0,
        "recomputed": 0, "outcome": [0, 0, 0],
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }), flush=True)  # fmt: skip


def _spread(xs: list[float]) -> str:
    return f" ({min(xs):.2f}-{max(xs):.2f})" if len(xs) > 1 else ""


def bench_against_baseline(repeat: int) -> str:
    runs: dict[str, list[dict]] = {}
    for _ in range(repeat):
        env = django_env(fresh_database("postgresql"))
        run([PY, "manage.py", "migrate", "--no-input", "-v", "0"], env)
        out = run([PY, __file__, "--baseline-worker", str(FILES["plain"]), str(FILES["revised"])],
                  env)  # fmt: skip
        for line in out.strip().splitlines():
            measure = json.loads(line)
            runs.setdefault(measure["step"], []).append(measure)
        print("  " + ", ".join(f"{m['step']}: {m['import']:.2f} s vs {m['baseline']:.2f} s"
                               for m in map(json.loads, out.strip().splitlines())),
              file=sys.stderr)  # fmt: skip
    drop_database("postgresql")
    lines = [
        "| step | baseline s | import s | ratio | statistics s | before statistics s | ratio "
        "before statistics | created / updated / unchanged | peak RSS MiB |",
        "|---|--:|--:|--:|--:|--:|--:|---|--:|",
    ]
    for step, measures in runs.items():
        med = {k: statistics.median(m[k] for m in measures)
               for k in ("baseline", "import", "statistics")}  # fmt: skip
        ratios = [m["import"] / m["baseline"] for m in measures]
        before = [(m["import"] - m["statistics"]) / m["baseline"] for m in measures]
        created, updated, unchanged = measures[-1]["outcome"]
        lines.append(
            f"| {step} | {med['baseline']:.2f} | {med['import']:.2f} | "
            f"{statistics.median(ratios):.2f}{_spread(ratios)} | {med['statistics']:.2f} | "
            f"{med['import'] - med['statistics']:.2f} | {statistics.median(before):.2f}"
            f"{_spread(before)} | {created:,} / {updated:,} / {unchanged:,} | "
            f"{max(m['peak_rss_mib'] for m in measures):.1f} |"
        )
    return "\n".join(lines)


def main() -> int:
    global PG_DB
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the national file")
    parser.add_argument("--file", type=Path, default=FILES["plain"],
                        help="another file made by make_national_file.py --out (its *_revised.csv "
                        "copy is used for the revised re-import)")  # fmt: skip
    parser.add_argument("--no-readers", action="store_true", help="skip pandas and csv.reader")
    parser.add_argument("--pg-db", default=PG_DB, help="PostgreSQL database to drop and create")
    parser.add_argument("--against-baseline", action="store_true",
                        help="PostgreSQL only: the importer against COPY + one guarded upsert, "
                        "in one process")  # fmt: skip
    parser.add_argument("--baseline-worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_worker:
        against_baseline_worker(*args.baseline_worker)
        return 0
    PG_DB = args.pg_db
    national = args.file.resolve()
    FILES.update(plain=national, revised=national.with_name(national.stem + "_revised.csv"))
    if not Path(TIME).exists():
        sys.exit(f"{TIME} missing: apt-get install -y time")
    if shutil.which("psql") is None and "postgresql" in args.backends:
        sys.exit("psql missing")
    BENCH.mkdir(parents=True, exist_ok=True)
    if args.regenerate or not (FILES["plain"].exists() and FILES["revised"].exists()):
        print(run([PY, "bench/make_national_file.py", "--out", str(FILES["plain"])]).strip(),
              file=sys.stderr)  # fmt: skip
    rows = count_rows(FILES["plain"])
    name, megabytes = FILES["plain"].relative_to(ROOT), FILES["plain"].stat().st_size / 1e6
    print(f"{name}: {rows:,} rows, {megabytes:.1f} MB (timing only; never shipped as data)\n",
          file=sys.stderr)  # fmt: skip
    if args.against_baseline:
        print(f"Started {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", file=sys.stderr)
        result = bench_against_baseline(args.repeat)
        print(machine())
        print(f"\nFile: {name}, {rows:,} data rows; {args.repeat} repeat(s), each on a fresh, "
              "migrated database; baseline and importer in one process.\n")  # fmt: skip
        print(result)
        return 0
    results: list[Result] = []
    for backend in args.backends.split(","):
        results.extend(bench_backend(backend, args.repeat, rows))
    if not args.no_readers:
        results.extend(bench_readers(args.repeat))
    print(machine())
    print(f"\nFile: {name}, {rows:,} data rows, {megabytes:.1f} MB; {args.repeat} repeat(s), "
          "each on a fresh database.\n")  # fmt: skip
    print(table(results))
    raw = FILES["plain"].with_name(FILES["plain"].stem + "_results.json")
    raw.write_text(json.dumps([asdict(r) for r in results], indent=1))
    print(f"raw measures: {raw.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
