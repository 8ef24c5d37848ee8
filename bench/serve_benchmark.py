"""Serving benchmark: gunicorn on PostgreSQL under wrk, page weight and worker memory.

    .venv/bin/python bench/serve_benchmark.py [--duration 30] [--connections 20] [--threads 2]
        [--workers 2] [--port 0] [--db serve_bench] [--pg-port 5433] [--redis-url URL]
        [--profile-requests 40] [--keep-db]

The configuration that ships: DEBUG=0 with the security and proxy settings of .env.example
(HTTPS on, SECURE_SSL_REDIRECT on, SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https,
TRUSTED_PROXY_COUNT=1, read from that file) and gunicorn with the project's gunicorn.conf.py.
Every request carries `X-Forwarded-Proto: https`, which the shipped TLS proxy (deploy/nginx/)
sets on every request it forwards. What differs from a deployment, and why: the TLS proxy itself
is not in the path (wrk talks to gunicorn on the loopback, so nginx's and TLS's cost is not
measured); the cache is Redis only with --redis-url (as docker-compose.yml ships it), otherwise
each worker's LocMemCache; SECRET_KEY is a fixed bench-only value, ALLOWED_HOSTS the loopback
names, LOG_LEVEL=WARNING (gunicorn's access log still goes to var/bench/serve_gunicorn.log).

Steps (bounded: about 5 minutes with the defaults):

1. A fresh database: `DROP DATABASE IF EXISTS serve_bench WITH (FORCE)`, `CREATE DATABASE
   serve_bench` with psql on 127.0.0.1:PG_PORT (user postgres, trust). No other database is touched.
2. With DATABASE_URL=postgres://postgres@127.0.0.1:PG_PORT/serve_bench DEBUG=0 SECRET_KEY=bench-only
   ALLOWED_HOSTS=127.0.0.1,localhost LOG_LEVEL=WARNING, the proxy settings above and
   STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage (REDIS_URL and
   CELERY_BROKER_URL are --redis-url, or removed so that the cache is each worker's LocMemCache):
   `manage.py migrate`, `manage.py load_snapshot`, `manage.py collectstatic --noinput` (into
   var/staticfiles, with WhiteNoise's .gz/.br copies and the hashed manifest names), then an
   untimed `VACUUM ANALYZE` of the new database (what autovacuum would do a minute later).
3. `gunicorn imr_dashboard.wsgi:application` with GUNICORN_BIND=127.0.0.1:PORT WEB_CONCURRENCY=2
   (gunicorn.conf.py: sync workers, the app preloaded, its worker recycling) in its own process
   group; it is stopped at the end, on an error, Ctrl-C or SIGTERM.
4. Warm-up: each URL once on its own (its time is reported as the first, cold request of a worker),
   then 3 rounds of 2 simultaneous requests so that both workers have built their caches.
5. For each URL, `wrk -t2 -c20 -d30s --latency -H 'X-Forwarded-Proto: https'
   --script var/bench/serve_stats.lua URL` (wrk's default 2 s request timeout); the
   baseline /healthz/ runs first and again last (drift). The Lua script counts every response by
   status and prints p50/p90/p95/p99 (latency:percentile) and summary.errors as one JSON line.
   Around each run: CPU seconds of the gunicorn workers and of the PostgreSQL backends serving
   serve_bench (from /proc/<pid>/stat), wrk's own CPU, machine-wide CPU use (/proc/stat), the
   load average, and the other processes that used the most CPU meanwhile (by command name).
6. VmRSS and VmHWM of each gunicorn worker (/proc/<pid>/status) after the runs.
7. Cold page weight of / and /indicators/92196/: the HTML with `Accept-Encoding: br, gzip` (as
   served, and gzip level 6 as django.middleware.gzip.GZipMiddleware would send it), then every
   `<link rel=stylesheet href>`, `<script src>` and `import ... from "..."` of an inline module
   script it references, each with the same Accept-Encoding; sizes are response bodies as
   transferred (HTTP headers not counted). The HTML is kept as var/bench/serve_page_<name>.html.
8. In-process profile of each URL (a worker process with the same environment):
   `django.test.Client().get(url)`, the first (cold) request timed, then --profile-requests warm
   requests timed and their SQL queries counted, then the same number under cProfile; the top
   functions go to var/bench/serve_profile_<name>.txt.
9. The database is dropped (unless --keep-db).

Prints Markdown tables to stdout, progress to stderr, and writes every measure to
var/bench/serve_results.json. Figures are for docs/PERFORMANCE.md; nothing here asserts a target.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import html.parser
import io
import json
import os
import pstats
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "var" / "bench"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
RESULTS = BENCH / "serve_results.json"
LUA = BENCH / "serve_stats.lua"
CLK_TCK = os.sysconf("SC_CLK_TCK")
KIB = 1024

BASELINE = "/healthz/"
URLS = ["/", "/indicators/92196/", "/api/v1/observations/?indicator=92196"]
WEIGHT_PAGES = ["/", "/indicators/92196/"]

# Targets (docs/PERFORMANCE.md): p95 under 150 ms, zero errors, a page within 5x the baseline's
# cost, a cold page under 2 MB compressed, each worker under 300 MB resident.
P95_TARGET_MS = 150
COST_TARGET = 5.0
WEIGHT_TARGET_BYTES = 2_000_000
RSS_TARGET_BYTES = 300_000_000

LUA_SCRIPT = r"""-- Written by bench/serve_benchmark.py: responses by status, one JSON line.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do
      counts[code] = (counts[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', code, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"min": %d, "max": %d, "mean": %.1f, "stdev": %.1f, ' ..
    '"p50": %d, "p90": %d, "p95": %d, "p99": %d}, "statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.max, latency.mean, latency.stdev,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), table.concat(parts, ", ")))
end
"""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Environment, database, setup commands
# ---------------------------------------------------------------------------------------------


# The settings of .env.example that make the deployment's behaviour behind its TLS proxy.
SHIPPED = (
    "DEBUG",
    "HTTPS",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "TRUSTED_PROXY_COUNT",
    "FORWARDED_ALLOW_IPS",
    "GUNICORN_TIMEOUT",
    "CONN_MAX_AGE",
)
# What the shipped proxy sets on every request it forwards (deploy/nginx/templates/).
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
PG_PORT = "5433"


def shipped_settings() -> dict[str, str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", text, re.M))
    return {name: values[name] for name in SHIPPED if values.get(name, "") != ""}


def bench_env(db: str, redis_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(shipped_settings())
    if redis_url:
        env.update(REDIS_URL=redis_url, CELERY_BROKER_URL=redis_url)
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{PG_PORT}/{db}",
        DEBUG="0",
        SECRET_KEY="bench-only",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATICFILES_BACKEND="whitenoise.storage.CompressedManifestStaticFilesStorage",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="imr_dashboard.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def psql_base() -> list[str]:
    return [*PSQL[:-3], str(PG_PORT), *PSQL[-2:]]  # PSQL with this run's port


PSQL = [
    "psql",
    "-X",
    "-q",
    "-At",
    "-v",
    "ON_ERROR_STOP=1",
    "-h",
    "127.0.0.1",
    "-p",
    "5433",
    "-U",
    "postgres",
]


def psql(*sql: str, db: str = "postgres") -> str:
    cmd = [*psql_base(), "-d", db]
    for statement in sql:
        cmd += ["-c", statement]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def fresh_database(db: str) -> None:
    if db in {"app", "benchme", "postgres", "template0", "template1"}:
        sys.exit(f"refusing to drop database {db!r}")
    psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)', f'CREATE DATABASE "{db}"')


def drop_database(db: str) -> None:
    psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def timed_command(cmd: list[str], env: dict[str, str]) -> dict:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}")
    return {
        "command": " ".join(cmd[1:] if cmd[0] == PYTHON else cmd),
        "seconds": seconds,
        "stdout_tail": done.stdout.strip().splitlines()[-3:],
    }


# ---------------------------------------------------------------------------------------------
# /proc readings
# ---------------------------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def status_kib(pid: int, name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / CLK_TCK, sum(fields) / CLK_TCK


def all_processes() -> dict[int, tuple[str, float]]:
    """pid -> (command name, CPU seconds) of every process that can be read."""
    out = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                text = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            comm = text[text.index("(") + 1 : text.rindex(")")]
            try:  # "python" says little: name the script or module it runs
                argv = Path(entry.path, "cmdline").read_bytes().split(b"\0")
                words = [os.path.basename(w.decode(errors="replace")) for w in argv[:4] if w]
                if comm.startswith("python") and len(words) > 1:
                    comm = " ".join(words[1:3])[:40]
            except OSError:
                pass
            fields = text.rsplit(")", 1)[1].split()
            out[int(entry.name)] = (comm, (int(fields[11]) + int(fields[12])) / CLK_TCK)
    return out


def top_others(before: dict, after: dict, ours: set[int], seconds: float) -> list[list]:
    """The other processes (by command name) that used the most CPU during a run, in cores."""
    used: dict[str, float] = {}
    for pid, (comm, cpu) in after.items():
        if pid in ours:
            continue
        start = before.get(pid, (comm, 0.0))[1] if pid in before else 0.0
        used[comm] = used.get(comm, 0.0) + cpu - start
    top = sorted(used.items(), key=lambda kv: -kv[1])[:4]
    return [[comm, round(cpu / seconds, 2)] for comm, cpu in top if cpu / seconds >= 0.02]


def pg_backends(db: str) -> list[int]:
    out = psql(f"SELECT pid FROM pg_stat_activity WHERE datname = '{db}'")
    return [int(p) for p in out.split()]


# ---------------------------------------------------------------------------------------------
# gunicorn
# ---------------------------------------------------------------------------------------------


class Server:
    def __init__(self, port: int, workers: int, env: dict[str, str]):
        self.port = port
        self.log_path = BENCH / "serve_gunicorn.log"
        # gunicorn reads ./gunicorn.conf.py, as the image runs it; only address and workers given.
        self.cmd = [GUNICORN, "imr_dashboard.wsgi:application"]
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)}
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "w") as log_file:  # gunicorn keeps its own descriptor
            self.proc = subprocess.Popen(
                self.cmd,
                cwd=ROOT,
                env=self.env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited: see {self.log_path}")
            try:
                status, _, _ = fetch(self.url(BASELINE), timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("gunicorn did not answer /healthz/ within 30 s")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def workers(self) -> list[int]:
        return children(self.proc.pid) if self.proc else []

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # only gunicorn's own process group
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, timeout: float = 30, encoding: str | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=PROXY_HEADERS)
    if encoding:
        request.add_header("Accept-Encoding", encoding)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read()


# ---------------------------------------------------------------------------------------------
# Warm-up and wrk
# ---------------------------------------------------------------------------------------------


def warm(server: Server, path: str) -> dict:
    start = time.perf_counter()
    status, _, body = fetch(server.url(path))
    first = time.perf_counter() - start
    statuses = [status]

    def one():
        statuses.append(fetch(server.url(path))[0])

    for _ in range(3):
        pair = [threading.Thread(target=one) for _ in range(2)]
        for t in pair:
            t.start()
        for t in pair:
            t.join()
    return {"first_seconds": first, "bytes": len(body), "statuses": statuses}


def run_wrk(server: Server, path: str, args, db: str) -> dict:
    cmd = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--latency",
        *(x for name, value in PROXY_HEADERS.items() for x in ("-H", f"{name}: {value}")),
        "--script",
        str(LUA),
        server.url(path),
    ]
    workers = server.workers()
    backends = pg_backends(db)
    load_before = os.getloadavg()
    worker_cpu = sum(cpu_seconds(p) for p in workers)
    pg_cpu = {p: cpu_seconds(p) for p in backends}
    procs0 = all_processes()
    busy0, total0 = machine_cpu()
    wrk0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.strftime("%H:%M:%S")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.duration + 60)
    wrk1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy1, total1 = machine_cpu()
    procs1 = all_processes()
    worker_cpu = sum(cpu_seconds(p) for p in server.workers()) - worker_cpu
    backends_after = pg_backends(db)
    pg_used = sum(cpu_seconds(p) - pg_cpu.get(p, 0.0) for p in backends_after)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed: {done.stderr}")
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON "))
    result = json.loads(line[len("BENCH_JSON ") :])
    printed_rps = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    seconds = result["duration_us"] / 1e6
    statuses = {int(k): v for k, v in result["statuses"].items()}
    non_2xx = sum(n for code, n in statuses.items() if not 200 <= code < 300)
    socket_errors = sum(result["errors"][k] for k in ("connect", "read", "write", "timeout"))
    requests = result["requests"]
    wall_cpu = (total1 - total0) / os.cpu_count()
    result.update(
        path=path,
        command=" ".join(cmd),
        started=started,
        rps=requests / seconds,
        wrk_printed_rps=float(printed_rps.group(1)) if printed_rps else None,
        non_2xx=non_2xx,
        socket_errors=socket_errors,
        worker_cpu_ms_per_request=1000 * worker_cpu / max(requests, 1),
        pg_cpu_ms_per_request=1000 * pg_used / max(requests, 1),
        pg_backends=len(backends_after),
        wrk_cpu_seconds=(wrk1.ru_utime + wrk1.ru_stime) - (wrk0.ru_utime + wrk0.ru_stime),
        worker_cpu_seconds=worker_cpu,
        machine_busy_percent=100 * (busy1 - busy0) / max(total1 - total0, 1e-9),
        wall_seconds_per_cpu=wall_cpu,
        load_before=load_before,
        load_after=os.getloadavg(),
        stdout=done.stdout,
    )
    ours = {os.getpid(), server.proc.pid, *workers, *backends, *backends_after}
    result["top_others"] = top_others(procs0, procs1, ours, seconds)
    # CPU used by everything else on the machine during the run (other sessions' work).
    ours = worker_cpu + pg_used + result["wrk_cpu_seconds"]
    result["others_cpu_seconds"] = max((busy1 - busy0) - ours, 0.0)
    return result


# ---------------------------------------------------------------------------------------------
# Page weight
# ---------------------------------------------------------------------------------------------


class AssetParser(html.parser.HTMLParser):
    IMPORT = re.compile(
        r"""\bimport\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*['"]([^'"]+)['"]"""
    )

    def __init__(self):
        super().__init__()
        self.assets: list[tuple[str, str]] = []
        self._module = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and "stylesheet" in (a.get("rel") or "").split() and a.get("href"):
            self.assets.append(("css", a["href"]))
        elif tag == "script" and a.get("src"):
            self.assets.append(("js", a["src"]))
        elif tag == "script" and a.get("type") == "module":
            self._module = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._module = False

    def handle_data(self, data):
        if self._module:
            for m in self.IMPORT.finditer(data):
                self.assets.append(("js (module import)", m.group(1) or m.group(2)))


def page_weight(server: Server, path: str) -> dict:
    accept = "br, gzip"
    status, headers, body = fetch(server.url(path), encoding=accept)
    served_encoding = headers.get("Content-Encoding", "identity")
    raw = decode(body, served_encoding)
    parser = AssetParser()
    parser.feed(raw.decode("utf-8"))
    name = re.sub(r"[^a-z0-9]+", "_", path.lower()).strip("_") or "overview"
    (BENCH / f"serve_page_{name}.html").write_bytes(raw)
    gzip_ms = []
    for _ in range(20):  # what GZipMiddleware would add to each response (compress_string)
        start = time.perf_counter()
        gzip.compress(raw, compresslevel=6, mtime=0)
        gzip_ms.append(1000 * (time.perf_counter() - start))
    rows = [
        {
            "kind": "html",
            "url": path,
            "status": status,
            "encoding": served_encoding,
            "transfer": len(body),
            "uncompressed": len(raw),
            "gzip6": len(gzip.compress(raw, compresslevel=6, mtime=0)),
            "gzip6_ms": statistics.median(gzip_ms),
            "cache_control": headers.get("Cache-Control", ""),
        }
    ]
    for kind, href in parser.assets:
        url = urljoin(server.url(path), href)
        if urlsplit(url).netloc != f"127.0.0.1:{server.port}":
            rows.append({"kind": kind, "url": href, "status": None, "external": True})
            continue
        a_status, a_headers, a_body = fetch(url, encoding=accept)
        encoding = a_headers.get("Content-Encoding", "identity")
        rows.append(
            {
                "kind": kind,
                "url": urlsplit(url).path,
                "status": a_status,
                "encoding": encoding,
                "transfer": len(a_body),
                "uncompressed": len(decode(a_body, encoding)),
                "cache_control": a_headers.get("Cache-Control", ""),
            }
        )
    html_row = rows[0]
    assets = rows[1:]
    asset_bytes = sum(r.get("transfer", 0) for r in assets)
    return {
        "path": path,
        "rows": rows,
        "total_as_served": html_row["transfer"] + asset_bytes,
        "total_html_gzip6": html_row["gzip6"] + asset_bytes,
        "total_uncompressed": sum(r.get("uncompressed", 0) for r in rows),
    }


def decode(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    return body


# ---------------------------------------------------------------------------------------------
# Profile worker: runs inside Django with the benchmark's environment
# ---------------------------------------------------------------------------------------------


def profile_worker(paths: list[str], n: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    out = {}
    for path in paths:
        start = time.perf_counter()
        response = client.get(path)
        cold = time.perf_counter() - start
        times, queries = [], []
        for _ in range(n):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - start)
            queries.append(len(ctx.captured_queries))
        sql = [q["sql"][:160] for q in ctx.captured_queries]
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            client.get(path)
        profiler.disable()
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
        name = re.sub(r"[^a-z0-9]+", "_", path.lower()).strip("_") or "overview"
        target = BENCH / f"serve_profile_{name}.txt"
        target.write_text(f"{path}: {n} warm requests under cProfile\n" + text.getvalue())
        out[path] = {
            "status": response.status_code,
            "bytes": len(response.content),
            "cold_seconds": cold,
            "warm_ms_median": 1000 * statistics.median(times),
            "warm_ms_min": 1000 * min(times),
            "queries": statistics.median(queries),
            "sql": sql,
            "profile_file": str(target.relative_to(ROOT)),
        }
    from django.conf import settings

    import indicators

    out["_code"] = {"indicators": indicators.__file__, "BASE_DIR": str(settings.BASE_DIR)}
    print(json.dumps(out))


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def ms(us: float) -> str:
    return f"{us / 1000:.1f}"


def kb(n: int) -> str:
    return f"{n / 1000:,.1f}"


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def report(data: dict) -> str:
    runs = data["runs"]
    base_first, base_last = runs[0], runs[-1]
    base_rps = base_first["rps"]
    out = []
    out.append(
        "| URL | started | req/s | p50 ms | p90 ms | p95 ms | p99 ms | max ms | errors "
        "(non-2xx / socket) | cost vs baseline (baseline req/s / req/s) | worker CPU ms/req "
        "| cost by worker CPU |"
    )
    out.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    base_cpu = base_first["worker_cpu_ms_per_request"]
    for r in runs:
        lat = r["latency_us"]
        out.append(
            f"| `{r['path']}` | {r['started']} | {r['rps']:,.0f} | {ms(lat['p50'])} | "
            f"{ms(lat['p90'])} | {ms(lat['p95'])} | {ms(lat['p99'])} | {ms(lat['max'])} | "
            f"{r['non_2xx']} / {r['socket_errors']} | {base_rps / r['rps']:.2f}x | "
            f"{r['worker_cpu_ms_per_request']:.2f} | "
            f"{r['worker_cpu_ms_per_request'] / base_cpu:.1f}x |"
        )
    out.append("")
    out.append(
        "| URL | started | PostgreSQL CPU ms/req | wrk CPU (cores) | other processes' CPU "
        "(cores) | machine CPU busy | load avg before -> after | busiest other processes "
        "(cores) |"
    )
    out.append("|---|---|--:|--:|--:|--:|---|---|")
    for r in runs:
        seconds = r["duration_us"] / 1e6
        others = ", ".join(f"{c} {n:.2f}" for c, n in r.get("top_others", []))
        out.append(
            f"| `{r['path']}` | {r['started']} | {r['pg_cpu_ms_per_request']:.2f} | "
            f"{r['wrk_cpu_seconds'] / seconds:.2f} | {r['others_cpu_seconds'] / seconds:.2f} | "
            f"{r['machine_busy_percent']:.0f} % | {r['load_before'][0]:.2f} -> "
            f"{r['load_after'][0]:.2f} | {others} |"
        )
    out.append("")
    out.append(
        f"Baseline drift: {base_first['rps']:,.0f} -> {base_last['rps']:,.0f} req/s "
        f"({100 * (base_last['rps'] / base_first['rps'] - 1):+.1f} %); costs are against "
        "the first baseline run."
    )
    out.append("")
    out.append(
        "| page | resource | status | Content-Encoding | bytes transferred | "
        "uncompressed | Cache-Control |"
    )
    out.append("|---|---|--:|---|--:|--:|---|")
    for w in data["weight"]:
        for r in w["rows"]:
            if r.get("external"):
                out.append(f"| `{w['path']}` | {r['kind']} `{r['url']}` (external) | | | | | |")
                continue
            extra = (
                f" (gzip -6: {kb(r['gzip6'])} kB in {r['gzip6_ms']:.2f} ms)"
                if r["kind"] == "html"
                else ""
            )
            out.append(
                f"| `{w['path']}` | {r['kind']} `{r['url']}` | {r['status']} | {r['encoding']} | "
                f"{kb(r['transfer'])} kB{extra} | {kb(r['uncompressed'])} kB | "
                f"{r['cache_control']} |"
            )
        out.append(
            f"| `{w['path']}` | **total** | | | **{kb(w['total_as_served'])} kB** as served; "
            f"{kb(w['total_html_gzip6'])} kB with the HTML gzipped | "
            f"{kb(w['total_uncompressed'])} kB | |"
        )
    out.append("")
    out.append("| process | VmRSS MiB | VmHWM (peak) MiB |")
    out.append("|---|--:|--:|")
    for m in data["memory"]:
        out.append(
            f"| {m['role']} (pid {m['pid']}) | {m['rss_kib'] / KIB:.1f} | "
            f"{m['hwm_kib'] / KIB:.1f} |"
        )
    out.append("")
    if data.get("profile"):
        out.append(
            "| URL | in-process warm ms (median; min) | first request, empty cache "
            "s | SQL queries per warm request | response bytes |"
        )
        out.append("|---|--:|--:|--:|--:|")
        for path, p in data["profile"].items():
            if path.startswith("_"):
                continue
            out.append(
                f"| `{path}` | {p['warm_ms_median']:.1f}; {p['warm_ms_min']:.1f} | "
                f"{p['cold_seconds']:.2f} | {p['queries']:g} | {p['bytes']:,} |"
            )
        out.append("")
    out.append("| target | measured | verdict |")
    out.append("|---|---|---|")
    pages = runs[1:-1]
    worst_p95 = max(r["latency_us"]["p95"] for r in pages)
    out.append(
        f"| p95 under {P95_TARGET_MS} ms | "
        + "; ".join(f"`{r['path']}` {ms(r['latency_us']['p95'])} ms" for r in pages)
        + f" | {verdict(worst_p95 < P95_TARGET_MS * 1000)} |"
    )
    errors = sum(r["non_2xx"] + r["socket_errors"] for r in runs)
    out.append(
        f"| zero errors | {errors} non-2xx or socket errors in {len(runs)} runs | "
        f"{verdict(errors == 0)} |"
    )
    costs = {r["path"]: base_rps / r["rps"] for r in pages}
    out.append(
        "| a page within 5x the baseline's cost | "
        + "; ".join(f"`{p}` {c:.1f}x" for p, c in costs.items())
        + f" | {verdict(max(costs.values()) <= COST_TARGET)} |"
    )
    heaviest = max(w["total_as_served"] for w in data["weight"])
    out.append(
        "| cold page under 2 MB compressed | "
        + "; ".join(f"`{w['path']}` {kb(w['total_as_served'])} kB" for w in data["weight"])
        + f" | {verdict(heaviest < WEIGHT_TARGET_BYTES)} |"
    )
    workers = [m for m in data["memory"] if m["role"] == "worker"]
    worst = max(m["rss_kib"] * KIB for m in workers)
    out.append(
        "| each worker under 300 MB resident | "
        + "; ".join(f"{m['rss_kib'] * KIB / 1e6:.1f} MB" for m in workers)
        + f" | {verdict(worst < RSS_TARGET_BYTES)} |"
    )
    return "\n".join(out)


def git_state() -> dict:
    def git(*a):
        r = subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else ""

    return {
        "head": git("rev-parse", "--short", "HEAD") or os.environ.get("BENCH_SOURCE", ""),
        "dirty": git("status", "--short", "--untracked-files=no"),
    }


def machine() -> dict:
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    model = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        "",
    )
    versions = subprocess.run(
        [
            PYTHON,
            "-c",
            "import sys; from importlib.metadata import version as v; print(sys."
            "version.split()[0], *(v(p) for p in ('django', 'gunicorn', 'whitenoise', 'brotli', "
            "'psycopg2-binary')))",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.split()
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return {
        "cpus": os.cpu_count(),
        "cpu": model,
        "mem_gib": int(mem) / 2**20,
        "python_django_gunicorn_whitenoise_brotli_psycopg2": versions,
        "wrk": (wrk.stdout or wrk.stderr).splitlines()[0],
        "postgres": psql("SHOW server_version").strip(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--db", default="serve_bench")
    parser.add_argument("--pg-port", default=os.environ.get("PGPORT", "5433"))
    parser.add_argument(
        "--redis-url", help="the cache and broker as shipped (default: each worker's LocMemCache)"
    )
    parser.add_argument("--profile-requests", type=int, default=40, help="0: no profile")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--profile-worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.profile_worker:
        profile_worker(args.profile_worker, args.profile_requests)
        return 0
    for tool in ("wrk", "psql"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} missing (apt-get install wrk postgresql-client)")
    BENCH.mkdir(parents=True, exist_ok=True)
    LUA.write_text(LUA_SCRIPT)
    global PG_PORT
    PG_PORT = str(args.pg_port)
    env = bench_env(args.db, args.redis_url)
    data: dict = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "git": git_state(),
        "machine": machine(),
        "args": vars(args),
    }
    server = Server(args.port or free_port(), args.workers, env)

    def on_signal(signum, frame):
        raise SystemExit(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        log(f"fresh database {args.db}")
        fresh_database(args.db)
        if args.redis_url:  # pages cached by an earlier run would carry the same data versions
            import redis

            redis.Redis.from_url(args.redis_url).flushdb()
        data["setup"] = []
        for cmd in (
            ["migrate", "--no-input", "-v", "0"],
            ["load_snapshot"],
            ["collectstatic", "--noinput", "-v", "0"],
        ):
            log("manage.py " + " ".join(cmd))
            data["setup"].append(timed_command([PYTHON, "manage.py", *cmd], env))
        # Untimed: the state autovacuum reaches a minute later, so it cannot start mid-run.
        psql("VACUUM ANALYZE", db=args.db)
        log(f"starting gunicorn on port {server.port}")
        server.start()
        data["gunicorn"] = " ".join(server.cmd[1:])
        data["warm"] = {}
        for path in [BASELINE, *URLS]:
            data["warm"][path] = w = warm(server, path)
            log(
                f"warm {path}: first {w['first_seconds']:.3f} s, {w['bytes']:,} bytes, "
                f"statuses {sorted(set(w['statuses']))}"
            )
        data["runs"] = []
        for path in [BASELINE, *URLS, BASELINE]:
            log(f"wrk {path} ({args.duration} s)")
            r = run_wrk(server, path, args, args.db)
            data["runs"].append(r)
            log(
                f"  {r['rps']:,.0f} req/s, p95 {ms(r['latency_us']['p95'])} ms, "
                f"non-2xx {r['non_2xx']}, socket errors {r['socket_errors']}"
            )
            time.sleep(2)
        data["memory"] = []
        master = server.proc.pid
        for role, pid in [("master", master)] + [("worker", p) for p in server.workers()]:
            data["memory"].append(
                {
                    "role": role,
                    "pid": pid,
                    "rss_kib": status_kib(pid, "VmRSS"),
                    "hwm_kib": status_kib(pid, "VmHWM"),
                }
            )
        log("page weight")
        data["weight"] = [page_weight(server, p) for p in WEIGHT_PAGES]
        server.stop()
        if args.profile_requests:
            log(f"in-process profile, {args.profile_requests} warm requests per URL")
            done = subprocess.run(
                [
                    PYTHON,
                    __file__,
                    "--profile-requests",
                    str(args.profile_requests),
                    "--profile-worker",
                    BASELINE,
                    *URLS,
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            if done.returncode != 0:
                sys.stderr.write(done.stderr[-3000:])
            else:
                data["profile"] = json.loads(done.stdout.strip().splitlines()[-1])
        data["git_after"] = git_state()
        data["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    finally:
        server.stop()
        if not args.keep_db:
            try:
                drop_database(args.db)
            except subprocess.CalledProcessError as exc:
                log(f"could not drop {args.db}: {exc.stderr}")
        RESULTS.write_text(json.dumps(data, indent=2, default=str))
    print(
        f"Code: {data['git']['head']} in {ROOT}"
        + (f"; working tree differs: {data['git']['dirty']!r}" if data["git"]["dirty"] else "")
    )
    for path, w in data["warm"].items():
        print(
            f"- warm-up `{path}`: first request {1000 * w['first_seconds']:.0f} ms "
            f"(empty cache), {w['bytes']:,} bytes"
        )
    print(f"Machine: {json.dumps(data['machine'])}")
    for s in data["setup"]:
        print(f"- `{s['command']}`: {s['seconds']:.1f} s")
    print()
    print(report(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
