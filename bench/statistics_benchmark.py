"""Statistics-engine benchmark: the national recomputation, one SII, and limits for 100k pairs.

    .venv/bin/python bench/statistics_benchmark.py [--repeat 3] [--backends postgresql,sqlite]
        [--file var/bench/national_21periods.csv] [--sii-runs 20] [--pairs 100000] [--pg-db bench]

Uses var/bench/national_21periods.csv (FOR TIMING ONLY, never shipped as data; built by
bench/make_national_file.py --periods 21, which this script runs when it is missing).

(a) National recomputation, per backend: a fresh database (as bench/import_benchmark.py makes it:
    var/bench/bench.sqlite3, or database `bench` on 127.0.0.1:5433 dropped and created with psql),
    `migrate`, one timed `manage.py import_fingertips` of the file (which itself ends with the
    recomputation of the indicators it created rows for), then in a new process (a worker of this
    script) `indicators.derived.recompute()` over all indicators, timed in-process --repeat times
    with nothing left to change (what `manage.py compute_statistics` does on current data), then
    --repeat times after the derived columns were reset to their defaults (the state a first
    import leaves, so every derived row is written again; on PostgreSQL the table is then
    compacted with VACUUM (FULL, ANALYZE), untimed, as a first import leaves no dead rows).
    Finally one `manage.py compute_statistics` under /usr/bin/time -v (whole process: start-up,
    recompute with nothing to change, exit), on a compacted table.
(b) One SII with 100,000 simulations: `indicators.statistics.sii_from_counts` on the ten deciles
    of fixtures/reference/report_infant_deaths_by_imd_decile.csv (births estimated as deaths /
    rate * 1000, as indicators.importers.local_deciles does), first call and median of --sii-runs.
(c) Engine limits for --pairs count/denominator pairs from the file: every row with a Count and a
    Denominator whose indicator has a confidence-interval method in indicators/definitions.py
    (Byar's/exact -> rate_at_standard_levels, Wilson -> proportion_at_standard_levels, each with
    the definition's multiplier and ci_count_divisor, as indicators.derived_limits.engine_limits
    calls them), cycled to reach --pairs; then the same pairs through the array forms
    (rates_/proportions_at_standard_levels, one call per multiplier, as
    indicators.derived_limits.limits_of calls them); the exact-limits cache is cleared before each
    form in each of --repeat runs. "rejected" for an array form: pairs it did not accept.

The worker processes set DJANGO_SETTINGS_MODULE=imr_dashboard.settings and DEBUG=1 themselves
(DEBUG=1 also lets them count the queries of each recomputation). Prints Markdown tables to stdout
and writes every measure to var/bench/statistics_results.json. Figures are for
docs/PERFORMANCE.md; nothing here is a test or asserts a target.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import import_benchmark as ib  # noqa: E402  (bench/import_benchmark.py: databases, /usr/bin/time)

DEFAULT_FILE = ib.BENCH / "national_21periods.csv"
DECILES = ROOT / "fixtures/reference/report_infant_deaths_by_imd_decile.csv"
RESULTS = ib.BENCH / "statistics_results.json"
PAGE = os.sysconf("SC_PAGE_SIZE")


# ---------------------------------------------------------------------------------------------
# Worker side: runs inside Django, prints one JSON document
# ---------------------------------------------------------------------------------------------


def _setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "imr_dashboard.settings"
    os.environ["DEBUG"] = "1"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_recompute(repeat: int) -> dict:
    _setup_django()
    from django.db import connection, reset_queries

    from indicators.derived import COMPUTED_FIELDS, recompute
    from indicators.models import Observation

    defaults = {
        name: None if Observation._meta.get_field(name).null else "" for name in COMPUTED_FIELDS
    }

    def compact() -> None:
        # Each full rewrite leaves a dead copy of every row in PostgreSQL; without this, later
        # runs read an ever larger table. A first import leaves a table with no dead rows.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM (FULL, ANALYZE) {Observation._meta.db_table}")

    out: dict = {"vendor": connection.vendor, "rss_after_setup": _rss_mb(), "runs": []}
    for case in ("nothing to change", "every derived row rewritten"):
        for _ in range(repeat):
            if case.startswith("every"):
                Observation.objects.update(**defaults)  # not timed
                compact()
            reset_queries()
            start = time.perf_counter()
            summary = recompute()
            seconds = time.perf_counter() - start
            out["runs"].append(
                dict(
                    case=case,
                    seconds=seconds,
                    observations=summary.observations,
                    changed=summary.changed,
                    disagreements=summary.disagreements,
                    aggregates=summary.aggregates,
                    queries=len(connection.queries),
                    rss_after=_rss_mb(),
                )
            )
            print(f"    {case}: {seconds:.2f} s", file=sys.stderr)
    compact()  # for the compute_statistics run that follows
    out["peak_rss"] = _peak_mb()
    return out


def worker_sii(runs: int) -> dict:
    _setup_django()
    from indicators import statistics as stats
    from indicators.importers.local_deciles import SII_REPETITIONS, SII_SEED

    with DECILES.open(encoding="utf-8-sig", newline="") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: int(r["imd_decile"]))
    deaths = [float(r["infant_deaths"]) for r in rows]
    births = [d / float(r["imr_per_1000"]) * 1000 for d, r in zip(deaths, rows, strict=True)]
    arguments = dict(
        counts=deaths,
        populations=births,
        value_type=stats.ValueType.RATE,
        rate_multiplier=1000,
        quantiles=[int(r["imd_decile"]) for r in rows],
        repetitions=SII_REPETITIONS,
        seed=SII_SEED,
    )
    times = []
    for _ in range(runs + 1):  # the first call is reported apart
        start = time.perf_counter()
        result = stats.sii_from_counts(**arguments)
        times.append(time.perf_counter() - start)
    limits = result.limits[0]
    return dict(
        deciles=len(rows),
        deaths=sum(deaths),
        births=round(sum(births)),
        repetitions=SII_REPETITIONS,
        seed=SII_SEED,
        first=times[0],
        times=times[1:],
        sii=result.sii,
        rii=result.rii,
        limits=[limits.sii_lower, limits.sii_upper, limits.rii_lower, limits.rii_upper],
    )


def worker_limits(path: Path, pairs: int, repeat: int) -> dict:
    _setup_django()
    from indicators import statistics as stats
    from indicators.definitions import INDICATORS
    from indicators.models import CIMethod
    from indicators.statistics import intervals

    functions = {
        CIMethod.BYARS_EXACT: stats.rate_at_standard_levels,
        CIMethod.WILSON: stats.proportion_at_standard_levels,
    }
    # The array forms (what indicators.derived calls, one indicator at a time), on the same pairs.
    array_forms = {
        stats.rate_at_standard_levels: stats.rates_at_standard_levels,
        stats.proportion_at_standard_levels: stats.proportions_at_standard_levels,
    }
    methods = {
        d.fingertips_id: (functions[d.ci_method], d.ci_count_divisor or 1.0, d.multiplier)
        for d in INDICATORS
        if d.ci_method in functions
    }
    found: list[tuple] = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            method = methods.get(int(row["Indicator ID"]))
            if method is None or not row["Count"] or not row["Denominator"]:
                continue
            function, divisor, multiplier = method
            count, denominator = float(row["Count"]), float(row["Denominator"])
            found.append((function, count / divisor, denominator / divisor, multiplier))
    chosen = list(itertools.islice(itertools.cycle(found), pairs))
    groups: dict[str, list[tuple]] = {}
    for item in chosen:
        groups.setdefault(item[0].__name__, []).append(item)
    exact = sum(
        1 for f, c, *_ in chosen if f is stats.rate_at_standard_levels and c < stats.EXACT_BELOW
    )
    columns: dict[str, list[tuple]] = {}  # per function: (array form, counts, denominators, m)
    for name, items in groups.items():
        by_multiplier: dict[float, list[tuple]] = {}
        for _function, count, denominator, multiplier in items:
            by_multiplier.setdefault(multiplier, []).append((count, denominator))
        columns[f"{name} (array form)"] = [
            (array_forms[items[0][0]], *map(list, zip(*pairs, strict=True)), multiplier)
            for multiplier, pairs in by_multiplier.items()
        ]
    runs = []
    for _ in range(repeat):
        intervals._exact_count_limits.cache_clear()
        run = {}
        for name, items in groups.items():
            invalid = 0
            start = time.perf_counter()
            for function, count, denominator, multiplier in items:
                try:
                    function(count=count, denominator=denominator, multiplier=multiplier)
                except stats.InvalidInput:
                    invalid += 1
            run[name] = (time.perf_counter() - start, invalid)
        intervals._exact_count_limits.cache_clear()
        for name, calls in columns.items():
            refused = 0
            start = time.perf_counter()
            for form, counts, denominators, multiplier in calls:
                refused += int((~form(counts, denominators, multiplier=multiplier).accepted).sum())
            run[name] = (time.perf_counter() - start, refused)
        runs.append(run)
    return dict(
        distinct_pairs=len(found),
        pairs=len(chosen),
        per_function={
            **{name: len(items) for name, items in groups.items()},
            **{f"{name} (array form)": len(items) for name, items in groups.items()},
        },
        exact_rate_pairs=exact,
        runs=runs,
    )


# ---------------------------------------------------------------------------------------------
# Parent side: databases, processes, tables
# ---------------------------------------------------------------------------------------------


def worker(env: dict[str, str], *args: str) -> dict:
    """Run this script as a worker in its own process and return its JSON document."""
    cmd = [ib.PY, str(Path(__file__).resolve()), "--worker", *args]
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        sys.exit(f"worker failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout}")
    return json.loads(proc.stdout)


def bench_recompute(backend: str, path: Path, repeat: int) -> dict:
    print(f"  {backend}: fresh database, migrate, import", file=sys.stderr)
    url = ib.fresh_database(backend)
    env = ib.django_env(url)
    ib.run([ib.PY, "manage.py", "migrate", "--no-input", "-v", "0"], env)
    load = ib.timed([ib.PY, "manage.py", "import_fingertips", str(path.relative_to(ROOT))], env)
    outcome = ib.import_outcome(load.stdout)
    measured = worker(env, "recompute", "--repeat", str(repeat))
    command = ib.timed([ib.PY, "manage.py", "compute_statistics"], env)
    ib.drop_database(backend)
    return dict(
        backend=backend,
        load=dict(wall=load.wall, max_rss_kb=load.max_rss_kb, outcome=outcome),
        command=dict(
            wall=command.wall, max_rss_kb=command.max_rss_kb, stdout=command.stdout.strip()
        ),
        **measured,
    )


def _spread(values: list[float], digits: int = 2) -> str:
    text = f"{statistics.median(values):.{digits}f}"
    if len(values) > 1:
        text += f"; {min(values):.{digits}f}-{max(values):.{digits}f}"
    return text


def recompute_table(results: list[dict]) -> str:
    lines = [
        "| backend | case | in-process s (median; min-max) | first run s | observations "
        "| rows written | queries | RSS after MiB |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        name = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}[r["vendor"]]
        for case in ("nothing to change", "every derived row rewritten"):
            runs = [x for x in r["runs"] if x["case"] == case]
            lines.append(
                f"| {name} | {case} | {_spread([x['seconds'] for x in runs])} "
                f"| {runs[0]['seconds']:.2f} | {runs[0]['observations']:,} "
                f"| {statistics.median(x['changed'] for x in runs):,.0f} "
                f"| {runs[0]['queries']} | {max(x['rss_after'] for x in runs):.0f} |"
            )
        lines.append(
            f"| {name} | `manage.py compute_statistics` (whole process, nothing to change) "
            f"| {r['command']['wall']:.2f} | | | | | peak {r['command']['max_rss_kb'] / 1024:.0f} |"
        )
    lines.append("")
    for r in results:
        load = r["load"]
        lines.append(
            f"- {r['vendor']}: load (`import_fingertips`, incl. its recompute) "
            f"{load['wall']:.2f} s, peak {load['max_rss_kb'] / 1024:.0f} MiB, {load['outcome']}; "
            f"worker RSS after set-up {r['rss_after_setup']:.0f} MiB, peak {r['peak_rss']:.0f} "
            f"MiB; compute_statistics said: {r['command']['stdout']}"
        )
    return "\n".join(lines)


def sii_table(r: dict) -> str:
    low, high, rii_low, rii_high = r["limits"]
    return "\n".join(
        [
            "| call | runs | s (median; min-max) | first call s | SII (95% limits) | RII "
            "(95% limits) |",
            "|---|--:|--:|--:|--:|--:|",
            f"| `sii_from_counts`, {r['deciles']} deciles, {r['repetitions']:,} simulations "
            f"| {len(r['times'])} | {_spread(r['times'], 3)} | {r['first']:.3f} "
            f"| {r['sii']:.3f} ({low:.3f} to {high:.3f}) "
            f"| {r['rii']:.3f} ({rii_low:.3f} to {rii_high:.3f}) |",
            "",
            f"- inputs: {r['deaths']:,.0f} deaths, {r['births']:,} estimated births; "
            f"seed {r['seed']}",
        ]
    )


def limits_table(r: dict) -> str:
    lines = [
        "| function | pairs | s (median; min-max) | us per pair | rejected (InvalidInput) |",
        "|---|--:|--:|--:|--:|",
    ]
    totals = [
        sum(seconds for name, (seconds, _) in run.items() if not name.endswith("(array form)"))
        for run in r["runs"]
    ]
    for name, count in r["per_function"].items():
        times = [run[name][0] for run in r["runs"]]
        invalid = r["runs"][0][name][1]
        lines.append(
            f"| `{name}` | {count:,} | {_spread(times)} "
            f"| {statistics.median(times) / count * 1e6:.1f} | {invalid:,} |"
        )
    lines.append(
        f"| all, one pair at a time | {r['pairs']:,} | {_spread(totals)} "
        f"| {statistics.median(totals) / r['pairs'] * 1e6:.1f} | |"
    )
    lines.append("")
    lines.append(
        f"- {r['distinct_pairs']:,} pairs in the file (rows with Count and Denominator of an "
        f"indicator with a CI method), cycled to {r['pairs']:,}; {r['exact_rate_pairs']:,} rate "
        "pairs have a count below 10 (exact limits, cached)"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--sii-runs", type=int, default=20)
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--pg-db", default=ib.PG_DB, help="PostgreSQL database to drop and create")
    parser.add_argument("--worker", choices=("recompute", "sii", "limits"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = args.file.resolve()
    if args.worker:
        document = {
            "recompute": lambda: worker_recompute(args.repeat),
            "sii": lambda: worker_sii(args.sii_runs),
            "limits": lambda: worker_limits(path, args.pairs, args.repeat),
        }[args.worker]()
        print(json.dumps(document))
        return 0

    ib.PG_DB = args.pg_db
    ib.BENCH.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        periods = "21" if "21" in path.name else "20"
        print(ib.run([ib.PY, "bench/make_national_file.py", "--periods", periods,
                      "--out", str(path)]).strip(), file=sys.stderr)  # fmt: skip
    rows = ib.count_rows(path)
    print(f"{path.relative_to(ROOT)}: {rows:,} rows (timing only; never shipped)", file=sys.stderr)
    recomputed = [bench_recompute(b, path, args.repeat) for b in args.backends.split(",") if b]
    # SII and limits touch no database; the worker still needs settings, so point it at the
    # benchmark's SQLite file rather than the project's own.
    env = ib.django_env(f"sqlite:///{ib.BENCH / 'bench.sqlite3'}")
    print("  SII", file=sys.stderr)
    sii = worker(env, "sii", "--sii-runs", str(args.sii_runs))
    print("  limits", file=sys.stderr)
    limits = worker(
        env, "limits", "--file", str(path), "--pairs", str(args.pairs), "--repeat", str(args.repeat)
    )
    print(ib.machine())
    print(f"\nFile: {path.relative_to(ROOT)}, {rows:,} data rows.\n")
    print("(a) `indicators.derived.recompute()` over all indicators\n")
    print(recompute_table(recomputed))
    print("\n(b) One SII\n")
    print(sii_table(sii))
    print("\n(c) Engine limits at both levels\n")
    print(limits_table(limits))
    RESULTS.write_text(
        json.dumps(dict(recompute=recomputed, sii=sii, limits=limits), indent=1, default=str)
    )
    print(f"raw measures: {RESULTS.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
