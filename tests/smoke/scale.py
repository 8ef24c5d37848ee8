"""Several web and worker instances on one machine, as `docker compose up --scale web=3 --scale
worker=2` runs them, smoke-tested through the shipped proxy; no Docker.

`.ci/scale` calls it with the environment a deployment's .env gives (one empty PostgreSQL
database, the broker's Redis and the cache's Redis, production settings). Like tests/smoke/stack.py
it reads every command from docker-compose.yml. It runs the one-shot setup once, then starts
SCALE_WEB gunicorn instances (the shipped gunicorn.conf.py, each on a port of its own),
SCALE_WORKERS Celery workers, exactly one beat, the setup again beside them (an upgrade), and
Debian's nginx with the shipped config (deploy/nginx/templates/, rendered as tests/test_proxy.py
renders it) with the web instances in its upstream, as Docker's DNS gives nginx every address of
the scaled `web` service. Then, through the proxy over HTTPS:

1. the smoke tests (tests/smoke), all of them but the plain-HTTP one, which is the proxy's own
   redirect here (tests/test_proxy.py checks it);
2. a bounded load: SCALE_LOAD_USERS clients for SCALE_LOAD_SECONDS, each asking in turn for the
   pages, charts' CSVs and the API; any answer but 200, or any failed request, is an error, and
   every web instance must have served a share (the proxy's log names the upstream);
3. a refresh seen by every instance: the latest period of infant mortality is held back (as
   before Fingertips published it), every instance shows the period before; the refresh is sent
   through the broker to the workers, one of them runs it against a local server with the real
   exports, and every web instance, asked directly, then shows the new period and figure.

The files the dashboard writes go to an S3-compatible server (moto's, standing in for the
`storage` service's MinIO) when moto[server] is installed; at the end one process saves a file
and another reads it, and nothing has been written under MEDIA_ROOT.

Every process is stopped (by its process group) at the end; the whole run stays under
SMOKE_TIMEOUT_SECONDS.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.smoke.stack import (
    BASE_DIR,
    Stack,
    StackError,
    _signal_group,
    _stop_on_sigterm,
    compose_commands,
)
from tests.test_proxy import TEMPLATE, compose_services, render

SNAPSHOT = BASE_DIR / "fixtures" / "exports" / "snapshot"
EXPORTS = {
    "501": (SNAPSHOT / "lancashire_districts_501.csv").read_bytes(),
    "502": (SNAPSHOT / "lancashire_counties_502.csv").read_bytes(),
}
INFANT_MORTALITY = 92196
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MOTO_SERVER = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
BUCKET = "imr-dashboard"
# What each load client asks for in turn: the pages, a chart's CSV, the API (JSON and CSV).
LOAD_PATHS = (
    "/",
    f"/indicators/{INFANT_MORTALITY}/",
    "/indicators/93085/",
    "/data/",
    "/api/v1/indicators/",
    f"/api/v1/observations/?indicator={INFANT_MORTALITY}",
    f"/api/v1/observations/?indicator={INFANT_MORTALITY}&format=csv",
    "/indicators/92196/trend.csv",
    "/healthz/",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Fingertips(ThreadingHTTPServer):
    """The Fingertips API on 127.0.0.1: the bundled real exports, by child area type."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _FingertipsHandler)
        self.calls: list[str] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/"


class _FingertipsHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        parts = urlsplit(self.path)
        area_type = parse_qs(parts.query).get("child_area_type_id", [""])[0]
        self.server.calls.append(self.path)
        if parts.path.endswith("/all_data/csv/by_indicator_id") and area_type in EXPORTS:
            body, status = EXPORTS[area_type], 200
        else:
            body, status = b"not served here", 404
        self.send_response(status)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def make_certificate(work: Path) -> tuple[Path, Path]:
    certificate, key = work / "fullchain.pem", work / "privkey.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", str(key), "-out", str(certificate), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return certificate, key


def proxy_config(work: Path, web_ports: list[int], https_port: int, http_port: int) -> Path:
    """The shipped template with every web instance in the upstream; the image's nginx.conf."""
    certificate, key = make_certificate(work)
    # `server web:8000;` in docker-compose.yml: Docker's DNS answers with every scaled
    # container's address and nginx balances over them; here each instance is one line.
    upstream = "; server ".join(f"127.0.0.1:{port}" for port in web_ports)
    values = {
        **{k: str(v) for k, v in compose_services()["proxy"]["environment"].items()},
        "PROXY_UPSTREAM": upstream,
        "PROXY_HTTPS_LISTEN": f"127.0.0.1:{https_port}",
        "PROXY_HTTP_LISTEN": f"127.0.0.1:{http_port}",
        "PROXY_TLS_CERTIFICATE": str(certificate),
        "PROXY_TLS_KEY": str(key),
    }
    (work / "dashboard.conf").write_text(render(TEMPLATE.read_text(encoding="utf-8"), values))
    temp_paths = "\n".join(
        f"  {kind}_temp_path {work / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = work / "nginx.conf"
    conf.write_text(
        f"worker_processes 1;\npid {work / 'nginx.pid'};\nerror_log {work / 'error.log'};\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        "  log_format upstream '$status $upstream_addr $request_uri';\n"
        f"  access_log {work / 'access.log'} upstream;\n{temp_paths}\n"
        f"  include {work / 'dashboard.conf'};\n}}\n"
    )
    return conf


def wait_for_port(port: int, stack: Stack, seconds: float) -> None:
    until = time.monotonic() + stack.remaining(seconds)
    while True:
        stack.check_running()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > until:
                raise StackError(f"nothing listened on 127.0.0.1:{port} in {seconds:g} s") from None
            time.sleep(0.2)


def get(url: str, context: ssl.SSLContext | None = None) -> tuple[int, str]:
    """One GET as a browser behind the TLS proxy sends it; the status and the text."""
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=30, context=context) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", errors="replace")


def bounded_load(base_url: str, context: ssl.SSLContext, *, users: int, seconds: float) -> dict:
    """Each client asks for LOAD_PATHS in turn until the time is up; every answer counted."""
    until = time.monotonic() + seconds
    counts: Counter = Counter()
    errors: list[str] = []
    latencies: list[float] = []
    lock = threading.Lock()

    def client(offset: int) -> None:
        i = offset
        while time.monotonic() < until:
            path = LOAD_PATHS[i % len(LOAD_PATHS)]
            i += 1
            started = time.monotonic()
            try:
                status, _ = get(base_url.rstrip("/") + path, context)
            except OSError as exc:
                status, problem = 0, f"{path}: {exc}"
            else:
                problem = "" if status == 200 else f"{path}: {status}"
            with lock:
                counts[status] += 1
                latencies.append(time.monotonic() - started)
                if problem:
                    errors.append(problem)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    latencies.sort()
    return {
        "requests": sum(counts.values()),
        "statuses": dict(counts),
        "errors": errors,
        "p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))]) if latencies else 0,
    }


def django(stack: Stack, code: str) -> dict:
    """Run code with the stack's settings (as `manage.py shell` would); it prints JSON."""
    done = subprocess.run(
        [sys.executable, "-c", "import json, django\ndjango.setup()\n" + code],
        cwd=BASE_DIR,
        env={**stack.environ, "DJANGO_SETTINGS_MODULE": "imr_dashboard.settings"},
        capture_output=True,
        text=True,
        timeout=stack.remaining(60),
        check=False,
    )
    if done.returncode != 0:
        raise StackError(f"a step in the stack's database failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


HOLD_BACK = f"""
from indicators.configuration import areas_config
from indicators.models import DataVersion, Indicator, Observation
indicator = Indicator.objects.get(fingertips_id={INFANT_MORTALITY})
home = areas_config().home.code
latest = (Observation.objects.filter(indicator=indicator, area__code=home, value__isnull=False)
          .order_by("-period_sortable").first())
earlier = (Observation.objects.filter(indicator=indicator, area__code=home, value__isnull=False,
           period_sortable__lt=latest.period_sortable).order_by("-period_sortable").first())
Observation.objects.filter(indicator=indicator, period_sortable=latest.period_sortable).delete()
DataVersion.bump_indicators([indicator.fingertips_id])
print(json.dumps({{"new": latest.period_label, "earlier": earlier.period_label}}))
"""

LATEST_REFRESH = """
from indicators.models import ImportRun
run = ImportRun.objects.filter(source=ImportRun.Source.API).order_by("-pk").first()
print(json.dumps({"status": run.status, "owner": run.owner, "error": run.error,
                  "created": run.created}))
"""


def start_object_store(stack: Stack, media_root: Path) -> str:
    """An S3-compatible server (moto's) and its bucket, as the `storage` service (MinIO)."""
    if not os.access(MOTO_SERVER, os.X_OK):
        return "no object store (moto[server] is not installed): files in MEDIA_ROOT"
    import boto3

    port = free_port()
    stack.start("storage", [MOTO_SERVER, "-H", "127.0.0.1", "-p", str(port)])
    wait_for_port(port, stack, 30)
    endpoint, keys = f"http://127.0.0.1:{port}", ("scale-access", "scale-secret")
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=keys[0],
        aws_secret_access_key=keys[1],
    ).create_bucket(Bucket=BUCKET)
    stack.environ.update(
        STORAGE_S3_BUCKET=BUCKET,
        STORAGE_S3_ENDPOINT_URL=endpoint,
        STORAGE_S3_REGION="us-east-1",
        STORAGE_S3_ACCESS_KEY_ID=keys[0],
        STORAGE_S3_SECRET_ACCESS_KEY=keys[1],
        MEDIA_ROOT=str(media_root),
    )
    return f"object store on {endpoint}, bucket {BUCKET}"


def files_shared(stack: Stack, media_root: Path) -> str:
    """A file one instance saves, another reads; nothing lands on local disk."""
    if "STORAGE_S3_BUCKET" not in stack.environ:
        return "files: no object store to check"
    saved = django(
        stack,
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import default_storage\n"
        "name = default_storage.save('scale/check.txt', ContentFile(b'written by one instance'))\n"
        "print(json.dumps({'name': name}))",
    )
    read = django(
        stack,
        "from django.core.files.storage import default_storage\n"
        f"print(json.dumps({{'body': default_storage.open({saved['name']!r}).read().decode()}}))",
    )
    if read["body"] != "written by one instance":
        raise StackError(f"a file saved by one instance read back by another as {read}")
    if media_root.exists() and any(media_root.rglob("*")):
        raise StackError(f"files were written to local disk: {list(media_root.rglob('*'))}")
    return "files: saved by one instance, read by another, none on local disk"


def shows_period(page: str, label: str) -> bool:
    """The indicator page offers this period (its period list holds only periods with data; the
    tables also name missing periods, so the label alone in the page is not enough)."""
    return f">{label}</option>" in page


def refresh_seen_everywhere(
    stack: Stack, web_ports: list[int], fingertips: Fingertips, seconds: float
) -> str:
    periods = django(stack, HOLD_BACK)
    path = f"/indicators/{INFANT_MORTALITY}/"
    for port in web_ports:  # each instance, directly: the earlier period, the new one absent
        status, page = get(f"http://127.0.0.1:{port}{path}")
        if status != 200 or shows_period(page, periods["new"]):
            raise StackError(f"web on {port} before the refresh: {status}, new period shown")
        if not shows_period(page, periods["earlier"]):
            raise StackError(f"web on {port} before the refresh does not show the earlier period")
    queued = django(
        stack,
        "from indicators.tasks import refresh_fingertips\n"
        f"print(json.dumps({{'id': refresh_fingertips.delay({fingertips.base_url!r}).id}}))",
    )
    until = time.monotonic() + stack.remaining(seconds)
    waiting = set(web_ports)
    while waiting:
        stack.check_running()
        for port in sorted(waiting):
            status, page = get(f"http://127.0.0.1:{port}{path}")
            if status == 200 and shows_period(page, periods["new"]):
                waiting.discard(port)
        if waiting and time.monotonic() > until:
            raise StackError(f"web on {sorted(waiting)} did not show the refreshed figures")
        time.sleep(0.5)
    run = django(stack, LATEST_REFRESH)
    if run["status"] != "succeeded" or not run["created"]:
        raise StackError(f"the refresh did not add the held-back period: {run}")
    return (
        f"refresh {queued['id']} ran by {run['owner']} ({run['created']} figures added); "
        f"{periods['new']} shown by every web instance ({len(web_ports)})"
    )


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    started = time.monotonic()
    log_dir = Path(os.environ["SMOKE_LOG_DIR"])
    log_dir.mkdir(parents=True, exist_ok=True)
    work = log_dir / "proxy"
    work.mkdir(exist_ok=True)
    stack = Stack(
        log_dir=log_dir,
        deadline=started + float(os.environ.get("SMOKE_TIMEOUT_SECONDS", "170")),
    )
    web_count = int(os.environ.get("SCALE_WEB", "3"))
    worker_count = int(os.environ.get("SCALE_WORKERS", "2"))
    web_ports = [free_port() for _ in range(web_count)]
    https_port = int(os.environ.get("SCALE_HTTPS_PORT") or free_port())
    http_port = int(os.environ.get("SCALE_HTTP_PORT") or free_port())
    fingertips = Fingertips()
    threading.Thread(target=fingertips.serve_forever, daemon=True).start()
    failures: list[str] = []
    results: list[str] = []
    try:
        media_root = log_dir / "media"
        results.append(start_object_store(stack, media_root))
        commands = compose_commands(stack.environ)
        collectstatic = stack.begin(
            "collectstatic", [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"]
        )
        try:
            stack.run("migrate", commands["migrate"], limit=120)
        except BaseException:
            _signal_group(collectstatic[1].pid, signal.SIGKILL)
            collectstatic[1].wait()
            raise
        stack.finish(collectstatic, limit=120)
        for n, port in enumerate(web_ports, 1):
            stack.start(f"web-{n}", commands["web"], GUNICORN_BIND=f"127.0.0.1:{port}")
        for n in range(1, worker_count + 1):
            # Each container has a host name of its own; here each worker is named.
            stack.start(f"worker-{n}", [*commands["worker"], "--hostname", f"worker{n}@%h"])
        stack.start("beat", commands["beat"])
        conf = proxy_config(work, web_ports, https_port, http_port)
        stack.start(
            "proxy", [NGINX, "-p", str(work), "-c", str(conf), "-e", "stderr", "-g", "daemon off;"]
        )
        stack.run("migrate-again", commands["migrate"], limit=90)
        for port in web_ports:
            stack.environ["HEALTHCHECK_ADDRESS"] = f"127.0.0.1:{port}"
            stack.wait_until_healthy(limit=30)
        wait_for_port(https_port, stack, 10)

        base_url = f"https://127.0.0.1:{https_port}/"
        certificate = str(work / "fullchain.pem")
        stack.environ.update(SMOKE_BASE_URL=base_url, REQUESTS_CA_BUNDLE=certificate)
        stack.run(
            "smoke-tests",
            [sys.executable, "-m", "pytest", "tests/smoke", "-p", "no:cacheprovider", "-q", "-rA"],
            limit=120,
        )
        results.append("smoke tests passed through the proxy")

        context = ssl.create_default_context(cafile=certificate)
        load = bounded_load(
            base_url,
            context,
            users=int(os.environ.get("SCALE_LOAD_USERS", "8")),
            seconds=stack.remaining(float(os.environ.get("SCALE_LOAD_SECONDS", "20"))),
        )
        served = Counter(
            line.split()[1]
            for line in (work / "access.log").read_text().splitlines()
            if len(line.split()) > 1
        )
        results.append(
            f"load: {load['requests']} requests, statuses {load['statuses']}, p95 "
            f"{load['p95_ms']} ms, {len(load['errors'])} errors; served by "
            + ", ".join(f"{addr}: {n}" for addr, n in sorted(served.items()))
        )
        if load["errors"]:
            raise StackError(f"the load had errors: {load['errors'][:10]}")
        idle = [port for port in web_ports if not served.get(f"127.0.0.1:{port}")]
        if idle:
            raise StackError(f"the proxy sent nothing to the web instances on {idle}")
        results.append(refresh_seen_everywhere(stack, web_ports, fingertips, 90))
        results.append(files_shared(stack, media_root))
        stack.check_running()
    except (StackError, OSError, subprocess.SubprocessError) as exc:
        failures.append(str(exc))
    finally:
        failures += stack.stop()
        fingertips.shutdown()
        fingertips.server_close()
        if (log := stack.log_path("smoke-tests")).exists():
            print(log.read_text(encoding="utf-8", errors="replace"), flush=True)
    for result in results:
        print(f"scale: {result}", flush=True)
    elapsed = time.monotonic() - started
    if failures:
        stack.print_logs()
        for failure in failures:
            print(f"SCALE FAILED: {failure}", file=sys.stderr)
        print(f"scale test failed after {elapsed:.0f} s", file=sys.stderr)
        return 1
    print(f"scale test passed in {elapsed:.0f} s: {web_count} web, {worker_count} workers, 1 beat")
    return 0


if __name__ == "__main__":
    sys.exit(main())
