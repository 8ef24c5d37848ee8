"""Load test: analysts, API clients and board members on a production-like stack, with refreshes.

    .venv/bin/python bench/load_test.py [--users 50] [--duration 60] [--port 8161]
        [--fingertips-port 8162] [--db h_load] [--redis-db 7] [--workers 3]
        [--refresh-at 15,30,45] [--wait-min 1] [--wait-max 3] [--pg-port 5433]
        [--redis-port 6390] [--keep-db]

Needs the bench extra (locust): `.venv/bin/uv pip install --python .venv/bin/python -e
'.[dev,bench]'`, PostgreSQL on 127.0.0.1:5433 (user postgres, trust; --pg-port) and Redis on
127.0.0.1:6390 (--redis-port). Bounded: about 2-3 minutes with the defaults (set-up, the run,
tear-down).

1. A fresh database (`DROP DATABASE IF EXISTS <db> WITH (FORCE)`, `CREATE DATABASE <db>`; no other
   database is touched) and an empty Redis database <redis-db> (FLUSHDB), used as the cache and
   as the Celery broker.
2. Three releases of the real snapshot (fixtures/exports/snapshot) in var/bench/load/: release 0
   lacks the latest period of infant mortality (92196, 2022 - 24) and of smoking at delivery
   (93085, 2023/24); release 1 adds 92196's; release 2 is the whole snapshot. Only real rows,
   held back and then published, as a weekly Fingertips release adds a period.
3. Production settings (DEBUG=0, a random SECRET_KEY, ALLOWED_HOSTS=127.0.0.1,localhost, Redis
   cache and broker, compressed static files with hashed names; HTTPS=0 with SECURE_SSL_REDIRECT=0
   and plain-HTTP cookies, since the test speaks plain HTTP on the loopback), then `manage.py
   migrate`, `load_snapshot --directory <release 0>`, `load_action_plan`, `setup_roles`, board
   member accounts (`loadboard1`.. with a random password), `collectstatic`, `VACUUM ANALYZE`.
4. A local Fingertips API on 127.0.0.1:<fingertips-port> (a thread of this process) that answers
   the refresh's data calls with the current release's files and its metadata call with an empty
   list; a Celery worker (`celery -A imr_dashboard worker --concurrency 2`, as docker-compose
   runs it); gunicorn (`gunicorn imr_dashboard.wsgi:application` with the project's
   gunicorn.conf.py as shipped: preloaded app, its worker recycling; only GUNICORN_BIND=
   127.0.0.1:<port> and WEB_CONCURRENCY=<workers> given). Each in its own process group.
5. Warm-up: each page, CSV and API answer of the mix requested once, as a site that has been
   serving would have them cached.
6. `locust -f bench/load_locustfile.py --headless --users N --spawn-rate R --run-time Ds`
   (30 analysts, 12 API clients, 8 board members out of 50; in proportion otherwise; R users
   started per second). At each --refresh-at second the next release is published and the
   refresh task (`indicators.tasks.refresh_fingertips`, with the local API's base URL) is sent
   through the broker to the worker, as Celery beat sends it: release 1 (92196's new period),
   release 2 (93085's), release 2 again (nothing new). Meanwhile: load average, CPU of the
   machine, of this stack's processes and of others.
7. Tear-down, always (also on an error, Ctrl-C or SIGTERM): locust, gunicorn and the worker are
   stopped by their process groups, the API thread is shut down, the database dropped (unless
   --keep-db) and the Redis database flushed.

Prints Markdown tables (per endpoint group: requests, req/s, median, p95, p99, max, errors, cache
hits; the refreshes; the machine) to stdout, progress to stderr; every measure goes to
var/bench/load_results.json, the requests to var/bench/load/requests.jsonl. Latencies are
computed here from every request locust recorded (exact, not locust's rounded histogram). Targets
(docs/PERFORMANCE.md): zero errors, p95 under 300 ms in every group.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "var" / "bench"
WORK = BENCH / "load"
RESULTS = BENCH / "load_results.json"
VENV = ROOT / ".venv" / "bin"
PYTHON = str(VENV / "python")
SNAPSHOT = ROOT / "fixtures" / "exports" / "snapshot"
FILES = {501: "lancashire_districts_501.csv", 502: "lancashire_counties_502.csv"}
CLK_TCK = os.sysconf("SC_CLK_TCK")

# (Fingertips id, time period) held back from release 0; release N publishes the first N.
HELD_BACK = [(92196, "2022 - 24"), (93085, "2023/24")]
REFRESH_RELEASES = [1, 2, 2]
P95_TARGET_MS = 300
GROUP_ORDER = [
    "indicator page",
    "chart CSV",
    "overview",
    "area profile",
    "API JSON",
    "API CSV",
    "board view /plan/",
    "priority area page",
    "sign-in form",
    "sign-in (password check)",
    "static (first visit)",
]

sys.path.insert(0, str(Path(__file__).resolve().parent))
import serve_benchmark  # noqa: E402
from serve_benchmark import all_processes, machine_cpu, psql, top_others  # noqa: E402


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Releases and the local Fingertips API
# ---------------------------------------------------------------------------------------------


def write_releases() -> list[Path]:
    """Release 0..len(HELD_BACK) of the snapshot, each a directory load_snapshot can read."""
    manifest = json.loads((SNAPSHOT / "MANIFEST.json").read_text(encoding="utf-8"))
    releases = []
    for number in range(len(HELD_BACK) + 1):
        held = set(HELD_BACK[number:])
        directory = WORK / f"release{number}"
        directory.mkdir(parents=True, exist_ok=True)
        for name in FILES.values():
            text = (SNAPSHOT / name).read_bytes().decode("utf-8-sig")
            reader = csv.reader(io.StringIO(text, newline=""))
            header = next(reader)
            at = {column: i for i, column in enumerate(header)}
            out = io.StringIO(newline="")
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(header)
            for cells in reader:
                key = (int(cells[at["Indicator ID"]]), cells[at["Time period"]])
                if key not in held:
                    writer.writerow(cells)
            (directory / name).write_text(out.getvalue(), encoding="utf-8")
        (directory / "MANIFEST.json").write_text(json.dumps(manifest), encoding="utf-8")
        releases.append(directory)
    return releases


class FingertipsApi:
    """The two calls a refresh makes, answered from the files of the current release."""

    def __init__(self, port: int, releases: list[Path]):
        self.releases = releases
        self.release = 0
        self.calls: list[dict] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                if url.path == "/api/all_data/csv/by_indicator_id":
                    area_type = int(query.get("child_area_type_id", ["0"])[0])
                    name = FILES.get(area_type)
                    body = (api.releases[api.release] / name).read_bytes() if name else None
                elif url.path == "/api/indicator_metadata/csv/by_indicator_id":
                    body = b"Indicator ID,Indicator,Definition\n"
                else:
                    body = None
                api.calls.append({"t": time.time(), "path": url.path, "release": api.release})
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/csv; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------------------------------------
# The stack
# ---------------------------------------------------------------------------------------------


def stack_env(args, secret: str) -> dict[str, str]:
    redis_url = f"redis://127.0.0.1:{args.redis_port}/{args.redis_db}"
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{args.pg_port}/{args.db}",
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        DEBUG="0",
        SECRET_KEY=secret,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain HTTP on the loopback: no redirect to HTTPS, no HSTS, cookies over HTTP.
        HTTPS="0",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        STATICFILES_BACKEND="whitenoise.storage.CompressedManifestStaticFilesStorage",
        STATIC_ROOT=str(BENCH / "load_static"),  # kept between runs: collectstatic is quicker
        FINGERTIPS_API_URL=f"http://127.0.0.1:{args.fingertips_port}/api/",
        FINGERTIPS_TIMEOUT_SECONDS="10",
        FINGERTIPS_RETRIES="1",
        FINGERTIPS_BACKOFF_SECONDS="0.5",
        GUNICORN_BIND=f"127.0.0.1:{args.port}",
        WEB_CONCURRENCY=str(args.workers),
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="imr_dashboard.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *arguments: str) -> str:
    start = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"manage.py {' '.join(arguments)} failed ({done.returncode})")
    log(f"manage.py {' '.join(arguments)[:80]}: {time.perf_counter() - start:.1f} s")
    return done.stdout


BOARD_ACCOUNTS = """
from django.contrib.auth.models import Group, User
from actionplan.roles import BOARD_MEMBER
import os
group = Group.objects.get(name=BOARD_MEMBER)
for name in os.environ["LOAD_BOARD_USERS"].split(","):
    user = User.objects.create_user(name, password=os.environ["LOAD_BOARD_PASSWORD"])
    user.groups.add(group)
"""


def descendants(pid: int) -> set[int]:
    """A process and every process under it."""
    found, todo = set(), [pid]
    while todo:
        pid = todo.pop()
        found.add(pid)
        for task in Path(f"/proc/{pid}/task").glob("*"):
            with contextlib.suppress(OSError):
                todo += [int(p) for p in (task / "children").read_text().split()]
    return found


class Process:
    """A child in its own process group, stopped with its children."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str]):
        self.name, self.cmd, self.env = name, cmd, env
        self.log_path = WORK / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "w") as log_file:
            self.proc = subprocess.Popen(
                self.cmd,
                cwd=ROOT,
                env=self.env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def pids(self) -> set[int]:
        """The process and its descendants."""
        return descendants(self.proc.pid) if self.proc else set()

    def stop(self, grace: float = 20) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # only this child's own group
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        with contextlib.suppress(ProcessLookupError):  # a grandchild left in the group
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc = None


def send_refreshes(
    api: FingertipsApi,
    refreshes: list[dict],
    started: float,
    refresh_at: list[float],
    broker: str,
    locust: Process,
    db: str,
) -> None:
    """At each time, publish the next release and send the refresh task to the worker.

    As Celery beat sends it: the task by name through the broker, with the API's base URL. Once
    the worker has finished it, the data versions it moved are read from the database.
    """
    from celery import Celery

    app = Celery("load_test", broker=broker)
    base_url = f"http://127.0.0.1:{api.server.server_address[1]}/api/"
    versions = data_versions(db)
    for number, (at, release) in enumerate(
        zip(refresh_at, REFRESH_RELEASES * len(refresh_at), strict=False), start=1
    ):
        while time.time() - started < at:
            if not locust.running():
                return
            time.sleep(0.05)
        api.release = release
        task = app.send_task("indicators.tasks.refresh_fingertips", args=[base_url])
        refreshes.append(
            {"queued_at_s": time.time() - started, "release": release, "task": task.id}
        )
        log(f"refresh queued at {refreshes[-1]['queued_at_s']:.1f} s (release {release})")
        deadline = time.time() + 60
        while finished_refreshes(db) < number and time.time() < deadline:
            time.sleep(0.2)
        now = data_versions(db)
        refreshes[-1]["bumped"] = sorted(k for k, v in now.items() if versions.get(k) != v)
        versions = now


def finished_refreshes(db: str) -> int:
    return int(
        psql(
            "SELECT count(*) FROM indicators_importrun "
            "WHERE source = 'api' AND finished_at IS NOT NULL",
            db=db,
        )
    )


def data_versions(db: str) -> dict[str, int]:
    rows = psql("SELECT scope, number FROM indicators_dataversion", db=db).split()
    return {scope: int(number) for scope, number in (row.split("|") for row in rows)}


def wait_for(predicate, what: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise SystemExit(f"{what} not ready within {seconds:.0f} s")


def get(url: str, timeout: float = 30) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def redis_flush(db: int, port: int = 6390) -> None:
    import redis

    redis.Redis(host="127.0.0.1", port=port, db=db).flushdb()


# ---------------------------------------------------------------------------------------------
# Measures
# ---------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def summarise(records: list[dict], start: float, end: float) -> list[dict]:
    seconds = end - start
    groups: dict[str, list[dict]] = {}
    for record in records:
        groups.setdefault(record["group"], []).append(record)
    rows = []
    names = [g for g in GROUP_ORDER if g in groups] + sorted(set(groups) - set(GROUP_ORDER))
    for name in [*names, "all"]:
        items = records if name == "all" else groups[name]
        times = [r["ms"] for r in items]
        cached = [r for r in items if r["cache"]]
        rows.append(
            {
                "group": name,
                "requests": len(items),
                "rps": len(items) / seconds,
                "median_ms": percentile(times, 50),
                "p95_ms": percentile(times, 95),
                "p99_ms": percentile(times, 99),
                "max_ms": max(times) if times else float("nan"),
                "errors": sum(not r["ok"] for r in items),
                "error_examples": sorted({r["error"] for r in items if not r["ok"]})[:3],
                "cache_hits": sum(r["cache"] == "hit" for r in cached),
                "cache_misses": sum(r["cache"] == "miss" for r in cached),
            }
        )
    return rows


class Sampler:
    """Load average and CPU every few seconds while locust runs."""

    def __init__(self, stack: dict[str, Process], db: str, every: float = 2):
        self.stack, self.db, self.every = stack, db, every
        self.samples: list[dict] = []
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def pg_backends(self) -> set[int]:
        try:
            out = psql(f"SELECT pid FROM pg_stat_activity WHERE datname = '{self.db}'")
        except subprocess.CalledProcessError:
            return set()
        return {int(p) for p in out.split()}

    def parts(self) -> dict[str, set[int]]:
        """This test's processes now, by part."""
        ours = {name: p.pids() for name, p in self.stack.items()}
        stack_pids = set().union(*ours.values()) if ours else set()
        ours["postgres (this database)"] = self.pg_backends()
        ours["this script and its manage.py commands"] = descendants(os.getpid()) - stack_pids
        return ours

    def run(self) -> None:
        # Processes are read every few seconds, so one that lives between two readings (or its
        # last seconds) is missed; the machine's total comes from /proc/stat and misses nothing.
        busy0 = machine_cpu()[0]
        before = all_processes()
        last = dict(before)
        seen: dict[str, set[int]] = {}
        start = time.time()
        while True:
            stopping = self.stop_event.wait(self.every)
            for name, pids in self.parts().items():
                seen.setdefault(name, set()).update(pids)
            last.update(all_processes())
            self.samples.append(
                {"t": time.time(), "loadavg": os.getloadavg()[0], "busy": machine_cpu()[0]}
            )
            if stopping:
                break
        busy1 = machine_cpu()[0]
        seconds = time.time() - start
        ours_all = set().union(*seen.values())

        def cores(pids: set[int]) -> float:
            used = sum(last[p][1] - before.get(p, (None, 0.0))[1] for p in pids if p in last)
            return round(used / seconds, 2)

        self.summary = {
            "seconds": seconds,
            "machine_cores_busy": round((busy1 - busy0) / seconds, 2),
            "cores_by_part": {name: cores(pids) for name, pids in seen.items()},
            "others_top": top_others(before, last, ours_all, seconds),
        }

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> dict:
        self.stop_event.set()
        self.thread.join()
        return self.summary


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def scope_of(url: str) -> str:
    """The data version a cached answer is keyed by: one indicator's, or every indicator's."""
    parts = urlsplit(url)
    if match := re.match(r"^/indicators/(\d+)/", parts.path):
        return f"indicator:{match.group(1)}"
    if parts.path == "/api/v1/observations/":
        return f"indicator:{parse_qs(parts.query).get('indicator', ['?'])[0]}"
    return "indicators"


def rebuilds(records: list[dict], refreshes: list[dict], started, warm) -> dict[str, int]:
    """For each refresh, the cached answers rebuilt because of it, by what they show.

    A miss on a URL that had been answered before is a rebuild, and is put down to the first
    refresh that finished between the start of the last earlier answer and the end of this one
    and moved the data version the URL is keyed by (none: "not explained");
    a miss on a URL not asked for before is a first build, which any new combination of
    parameters needs. Hits are counted from the end of each refresh to the end of the next.
    """
    finished = sorted(
        (started + r["started_at_s"] + r["seconds"], i)
        for i, r in enumerate(refreshes)
        if "seconds" in r and r["seconds"] == r["seconds"]  # not NaN: it finished
    )
    for r in refreshes:
        r["rebuilt"], r["first_builds"], r["hits"] = {}, 0, 0
    unexplained: dict[str, int] = {}
    # (start, end) of each answer by URL; the warm-up's count as answered before the run.
    answered: dict[str, list[tuple[float, float]]] = {url: [(started, started)] for url in warm}
    for record in sorted(records, key=lambda r: r["t"]):
        url, cache, t = record.get("url", ""), record["cache"], record["t"]
        end = t + record["ms"] / 1000
        if cache:
            earlier = [(s, e) for s, e in answered.get(url, []) if e <= t]
            since = [i for done, i in finished if done <= t]
            if cache == "hit":
                if since:
                    refreshes[since[-1]]["hits"] += 1
            elif not earlier:
                if since:
                    refreshes[since[-1]]["first_builds"] += 1
            else:
                # A request may wait in gunicorn's queue: the refresh may have committed
                # anywhere between the earlier answer's start and this one's end.
                last_start = max(earlier, key=lambda answer: answer[1])[0]
                scope = scope_of(url)
                cause = [
                    i
                    for done, i in finished
                    if last_start < done <= end and scope in refreshes[i].get("bumped", ())
                ]
                counts = refreshes[cause[0]]["rebuilt"] if cause else unexplained
                counts[scope] = counts.get(scope, 0) + 1
        answered.setdefault(url, []).append((t, end))
    return unexplained


def fmt(ms: float) -> str:
    return f"{ms:,.0f}" if ms >= 100 else f"{ms:.1f}"


def report(data: dict) -> str:
    out = []
    run = data["run"]
    out.append(
        f"Run {run['started']} UTC, {run['users']} users ({run['mix']}), {run['duration']} s, "
        f"waits {run['wait']} s; {run['workers']} gunicorn workers; load average "
        f"{run['loadavg_min']:.1f}-{run['loadavg_max']:.1f} (mean {run['loadavg_mean']:.1f})\n"
    )
    out.append(
        "| group | requests | req/s | median ms | p95 ms | p99 ms | max ms | errors "
        "| cache hit / miss |"
    )
    out.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for row in data["groups"]:
        cache = (
            f"{row['cache_hits']} / {row['cache_misses']}"
            if row["cache_hits"] or row["cache_misses"]
            else "-"
        )
        name = f"**{row['group']}**" if row["group"] == "all" else row["group"]
        out.append(
            f"| {name} | {row['requests']:,} | {row['rps']:.1f} | {fmt(row['median_ms'])} | "
            f"{fmt(row['p95_ms'])} | {fmt(row['p99_ms'])} | {fmt(row['max_ms'])} | "
            f"{row['errors']} | {cache} |"
        )
    out.append("\nBy 10-second window of the run:\n")
    out.append("| from s | requests | median ms | p95 ms | errors | cache misses | load average |")
    out.append("|--:|--:|--:|--:|--:|--:|---|")
    for w in data["windows"]:
        out.append(
            f"| {w['from_s']} | {w['requests']} | {fmt(w['median_ms'])} | {fmt(w['p95_ms'])} | "
            f"{w['errors']} | {w['cache_misses']} | {', '.join(map(str, w['loadavg']))} |"
        )
    out.append("\nRefreshes (queued through the worker during the run):\n")
    out.append(
        "| queued at s | release | took s | created / updated / unchanged | status "
        "| data versions moved | until the next: hits | rebuilt (URLs asked before) "
        "| first builds |"
    )
    out.append("|--:|--:|--:|---|---|---|--:|---|--:|")
    for r in data["refreshes"]:
        rebuilt = ", ".join(f"{k}: {v}" for k, v in sorted(r.get("rebuilt", {}).items()))
        out.append(
            f"| {r['queued_at_s']:.1f} | {r['release']} | {r.get('seconds', float('nan')):.1f} | "
            f"{r.get('created', '-')} / {r.get('updated', '-')} / {r.get('unchanged', '-')} | "
            f"{r.get('status', '-')} | {', '.join(r.get('bumped', [])) or 'none'} | "
            f"{r.get('hits', '-')} | {rebuilt or 'none'} | "
            f"{r.get('first_builds', '-')} |"
        )
    out.append(
        "\nRebuilds that no refresh explains (a URL answered before, missed with no refresh "
        "moving its data version in between): "
        + (", ".join(f"{k}: {v}" for k, v in data["unexplained_rebuilds"].items()) or "none")
    )
    rss = ", ".join(f"{v / 2**20:.0f}" for v in data["gunicorn_rss_bytes"].values())
    out.append(
        f"\ngunicorn resident memory after the run (MiB, master first): {rss}; workers recycled "
        f"during the run (max_requests): {data['gunicorn_worker_restarts']}"
    )
    cpu = data["cpu"]
    out.append(
        f"\nCPU during the run (cores of 2): machine {cpu['machine_cores_busy']}; "
        + ", ".join(f"{k} {v}" for k, v in cpu["cores_by_part"].items())
        + "; others: "
        + (", ".join(f"{c} {v}" for c, v in cpu["others_top"]) or "none above 0.02")
    )
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--port", type=int, default=8161)
    parser.add_argument("--fingertips-port", type=int, default=8162)
    parser.add_argument("--db", default="h_load")
    parser.add_argument("--redis-db", type=int, default=7)
    parser.add_argument("--pg-port", type=int, default=5433)
    parser.add_argument("--redis-port", type=int, default=6390)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--refresh-at", default="15,30,45", help="seconds into the run")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--wait-min", type=float, default=1.0)
    parser.add_argument("--wait-max", type=float, default=3.0)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    serve_benchmark.PG_PORT = str(args.pg_port)  # the psql calls shared with that script
    if args.db in {"postgres", "template0", "template1", "app"}:
        sys.exit(f"refusing to drop database {args.db!r}")
    refresh_at = [float(s) for s in args.refresh_at.split(",") if s]
    if shutil.which("locust", path=str(VENV)) is None:
        sys.exit("locust is not installed: uv pip install -e '.[dev,bench]'")

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    secret = secrets.token_urlsafe(50)
    env = stack_env(args, secret)
    analysts = round(args.users * 30 / 50)
    api_clients = round(args.users * 12 / 50)
    board = args.users - analysts - api_clients
    board_users = [f"loadboard{i}" for i in range(1, board + 1)]
    env.update(
        LOAD_BOARD_USERS=",".join(board_users),
        LOAD_BOARD_PASSWORD=secrets.token_urlsafe(16),
        LOAD_ANALYSTS=str(analysts),
        LOAD_API_CLIENTS=str(api_clients),
        LOAD_BOARD_MEMBERS=str(board),
        LOAD_WAIT_MIN=str(args.wait_min),
        LOAD_WAIT_MAX=str(args.wait_max),
        LOAD_RECORD=str(WORK / "requests.jsonl"),
    )
    stack: dict[str, Process] = {}
    api: FingertipsApi | None = None

    def stop_everything(*_signal) -> None:
        for name in ("locust", "gunicorn", "celery worker"):
            if name in stack:
                stack[name].stop()
        if api is not None:
            api.stop()
        if _signal:
            raise SystemExit(1)

    signal.signal(signal.SIGTERM, stop_everything)
    signal.signal(signal.SIGINT, stop_everything)
    try:
        log(f"fresh database {args.db}, empty Redis db {args.redis_db}")
        psql(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)', f'CREATE DATABASE "{args.db}"')
        redis_flush(args.redis_db, args.redis_port)
        releases = write_releases()
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "load_snapshot", "--directory", str(releases[0]))
        manage(env, "load_action_plan")
        manage(env, "setup_roles")
        manage(env, "shell", "-c", BOARD_ACCOUNTS)
        manage(env, "collectstatic", "--noinput", "-v", "0")
        psql("VACUUM ANALYZE", db=args.db)

        api = FingertipsApi(args.fingertips_port, releases)
        api.start()
        worker = stack["celery worker"] = Process(
            "celery-worker",
            [str(VENV / "celery"), "-A", "imr_dashboard", "worker", "--loglevel", "INFO",
             "--concurrency", "2", "--without-gossip", "--without-mingle"],
            env,
        )  # fmt: skip
        worker.start()
        wait_for(lambda: "ready." in worker.log_path.read_text(), "the Celery worker", 90)
        gunicorn = stack["gunicorn"] = Process(
            "gunicorn",
            # gunicorn.conf.py as shipped: GUNICORN_BIND and WEB_CONCURRENCY are in env.
            [str(VENV / "gunicorn"), "imr_dashboard.wsgi:application"],
            env,
        )  # fmt: skip
        gunicorn.start()
        base = f"http://127.0.0.1:{args.port}"
        wait_for(lambda: get(base + "/healthz/", timeout=2) == 200, "gunicorn", 60)
        # Every worker answers once (its first request imports the URLconf, about a second).
        for _ in range(5):
            probes = [
                threading.Thread(target=get, args=(base + "/healthz/",))
                for _ in range(2 * args.workers)
            ]
            for probe in probes:
                probe.start()
            for probe in probes:
                probe.join()
        log("warming the cache: every page, CSV and API answer of the mix once")
        warm = ["/", "/api/v1/indicators/"]
        for fid in (92196, 93085, 20101, 20401, 93701, 92266):
            warm += [f"/indicators/{fid}/", f"/api/v1/observations/?indicator={fid}",
                     f"/api/v1/observations/?indicator={fid}&format=csv"]  # fmt: skip
            warm += [f"/indicators/{fid}/{c}.csv" for c in ("compare", "trend", "map",
                                                             "inequalities")]  # fmt: skip
        warm += [f"/areas/{code}/" for code in ("E06000008", "E06000009", "E07000117",
                                                 "E07000123", "E10000017")]  # fmt: skip
        statuses = {path: get(base + path) for path in warm}
        bad = {p: s for p, s in statuses.items() if s != 200}
        if bad:
            raise SystemExit(f"warm-up answers that are not 200: {bad}")

        locust = stack["locust"] = Process(
            "locust",
            [str(VENV / "locust"), "-f", str(ROOT / "bench" / "load_locustfile.py"),
             "--headless", "--host", base, "--users", str(args.users),
             "--spawn-rate", str(args.spawn_rate), "--run-time", f"{args.duration}s",
             "--stop-timeout", "10", "--csv", str(WORK / "locust"), "--only-summary",
             "--exit-code-on-error", "0"],
            env,
        )  # fmt: skip
        sampler = Sampler(stack, args.db)
        started = time.time()
        started_utc = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(started))
        log(f"locust: {args.users} users for {args.duration} s (load average {os.getloadavg()})")
        locust.start()
        sampler.start()
        refreshes: list[dict] = []
        schedule = threading.Thread(
            target=send_refreshes,
            args=(api, refreshes, started, refresh_at, env["CELERY_BROKER_URL"], locust, args.db),
            daemon=True,
        )
        schedule.start()
        while locust.running():
            if time.time() - started > args.duration + 60:
                raise SystemExit("locust did not stop in time")
            time.sleep(0.1)
        schedule.join(timeout=30)
        ended = time.time()
        cpu = sampler.stop()
        log("locust finished; waiting for the refreshes to finish")
        finished = (
            "SELECT count(*) FROM indicators_importrun "
            "WHERE source = 'api' AND finished_at IS NOT NULL"
        )
        wait_for(lambda: int(psql(finished, db=args.db)) >= len(refreshes), "the refreshes", 120)

        runs = psql(
            "SELECT id, status, created, updated, unchanged, "
            "extract(epoch from started_at), extract(epoch from finished_at) "
            "FROM indicators_importrun WHERE source = 'api' ORDER BY id",
            db=args.db,
        ).split()
        for refresh, line in zip(refreshes, runs, strict=False):
            run_id, status, created, updated, unchanged, begun, finished = line.split("|")
            refresh.update(
                run_id=int(run_id),
                status=status,
                created=int(created),
                updated=int(updated),
                unchanged=int(unchanged),
                started_at_s=float(begun) - started,
                seconds=float(finished or "nan") - float(begun),
            )
        memory = {}
        for pid in sorted(stack["gunicorn"].pids()):
            try:
                status_text = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            rss = next(ln for ln in status_text.splitlines() if ln.startswith("VmRSS:"))
            memory[pid] = int(rss.split()[1]) * 1024
    finally:
        stop_everything()
        if not args.keep_db:
            try:
                psql(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
            except subprocess.CalledProcessError as exc:
                log(f"could not drop {args.db}: {exc}")
        try:
            redis_flush(args.redis_db, args.redis_port)
        except Exception as exc:
            log(f"could not flush Redis db {args.redis_db}: {exc}")

    records = [json.loads(line) for line in (WORK / "requests.jsonl").read_text().splitlines()]
    in_run = [r for r in records if started <= r["t"] <= ended]
    loads = [s["loadavg"] for s in sampler.samples] or [os.getloadavg()[0]]
    unexplained = rebuilds(in_run, refreshes, started, warm)
    windows = []
    for begin in range(0, args.duration, 10):
        items = [r for r in in_run if begin <= r["t"] - started < begin + 10]
        times = [r["ms"] for r in items]
        windows.append(
            {
                "from_s": begin,
                "requests": len(items),
                "median_ms": percentile(times, 50),
                "p95_ms": percentile(times, 95),
                "errors": sum(not r["ok"] for r in items),
                "cache_misses": sum(r["cache"] == "miss" for r in items),
                "loadavg": [
                    round(x["loadavg"], 2)
                    for x in sampler.samples
                    if begin <= x["t"] - started < begin + 10
                ],
            }
        )
    shutil.copy(WORK / "locust_stats.csv", BENCH / "load_locust_stats.csv")
    data = {
        "run": {
            "started": started_utc,
            "started_epoch": started,
            "users": args.users,
            "mix": f"{analysts} analysts, {api_clients} API clients, {board} board members",
            "duration": args.duration,
            "wait": f"{args.wait_min:g}-{args.wait_max:g}",
            "spawn_rate": args.spawn_rate,
            "workers": args.workers,
            "gunicorn_config": "gunicorn.conf.py" if (ROOT / "gunicorn.conf.py").exists() else "",
            "loadavg_min": min(loads),
            "loadavg_max": max(loads),
            "loadavg_mean": sum(loads) / len(loads),
            "loadavg_samples": [round(x, 2) for x in loads],
            "command": " ".join(sys.argv),
        },
        "groups": summarise(in_run, started, ended),
        "windows": windows,
        "refreshes": refreshes,
        "unexplained_rebuilds": unexplained,
        "fingertips_calls": api.calls if api else [],
        "cpu": cpu,
        "gunicorn_rss_bytes": memory,
        # gunicorn.conf.py recycles a worker after about 1,000 requests (max_requests).
        "gunicorn_worker_restarts": (WORK / "gunicorn.log").read_text().count("Autorestarting"),
        "targets": {"p95_ms": P95_TARGET_MS, "errors": 0},
    }
    RESULTS.write_text(json.dumps(data, indent=2, default=str))
    print(report(data))
    total = data["groups"][-1]
    met = total["errors"] == 0 and all(
        g["p95_ms"] < P95_TARGET_MS for g in data["groups"] if g["requests"]
    )
    log(f"targets {'met' if met else 'NOT met'}; results in {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
