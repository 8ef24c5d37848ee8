"""The deployment files, checked without Docker: docker-compose.yml, the Dockerfile, the lock file
and .env.example agree with each other and with the settings. (.ci/smoke runs the processes.)"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.smoke.stack import StackError, compose_commands, interpolate

BASE_DIR = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
APP_SERVICES = ("migrate", "web", "worker", "beat")
DOCKERFILE = (BASE_DIR / "Dockerfile").read_text(encoding="utf-8")
LOCK = (BASE_DIR / "requirements.lock").read_text(encoding="utf-8")
ENV_EXAMPLE = (BASE_DIR / ".env.example").read_text(encoding="utf-8")
DOCUMENTED = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE, re.M))


def compose_variables() -> set[str]:
    text = (BASE_DIR / "docker-compose.yml").read_text(encoding="utf-8").replace("$$", "")
    return set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text))


def settings_variables() -> set[str]:
    """Every variable the settings read through django-environ, e.g. env.int("NAME", ...), in
    settings.py and the readers it uses (imr_dashboard/settings_parts/)."""
    folder = BASE_DIR / "imr_dashboard"
    paths = [folder / "settings.py", *sorted((folder / "settings_parts").glob("*.py"))]
    text = "\n".join(path.read_text(encoding="utf-8") for path in paths)
    return set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", text))


def process_variables() -> set[str]:
    """What gunicorn.conf.py and the healthcheck read from the environment."""
    names = set()
    for path in (BASE_DIR / "gunicorn.conf.py", BASE_DIR / "imr_dashboard" / "healthcheck.py"):
        names |= set(re.findall(r"environ\.get\(\"([A-Z][A-Z0-9_]*)\"", path.read_text()))
    return names


# --- .env.example -----------------------------------------------------------------------------


def test_every_variable_docker_compose_reads_is_documented_in_env_example():
    assert compose_variables() >= {"POSTGRES_PASSWORD", "REDIS_PASSWORD"}
    assert compose_variables() - DOCUMENTED == set()


def test_every_variable_the_settings_read_is_documented_in_env_example():
    assert len(settings_variables()) > 20
    assert settings_variables() - DOCUMENTED == set()


def test_every_variable_gunicorn_and_the_healthcheck_read_is_documented_in_env_example():
    assert process_variables() >= {"WEB_CONCURRENCY", "GUNICORN_BIND", "HEALTHCHECK_ADDRESS"}
    assert process_variables() - DOCUMENTED == set()


def test_env_example_holds_no_secret_values():
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE, re.M))
    secrets = ("SECRET_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD", "EMAIL_HOST_PASSWORD")
    for name in (*secrets, "OIDC_CLIENT_SECRET", "STORAGE_S3_SECRET_ACCESS_KEY"):
        if name in values:
            assert values[name] == "", f"{name} has a value in .env.example"


# --- docker-compose.yml -----------------------------------------------------------------------


def test_compose_has_the_services_of_a_deployment():
    assert set(SERVICES) == {
        *("db", "redis", "cache", "storage", "storage-setup"),
        *("migrate", "web", "worker", "beat", "proxy"),
    }


def test_database_is_postgres_15_on_a_named_volume_with_a_readiness_check():
    db = SERVICES["db"]
    assert db["image"] == "postgres:15"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    # Over TCP: the image's temporary first-start server listens on the Unix socket only.
    assert re.search(r"pg_isready .*-h 127\.0\.0\.1 -p 5432", " ".join(db["healthcheck"]["test"]))
    volume = db["volumes"][0].split(":")[0]
    assert volume in COMPOSE["volumes"]


def test_redis_needs_its_password_and_has_a_healthcheck():
    redis = SERVICES["redis"]
    assert "requirepass" in " ".join(redis["command"])
    assert redis["healthcheck"]["test"][-1] == "ping"
    assert "REDISCLI_AUTH" in redis["environment"]


REDIS_SERVICES = [
    name for name, s in SERVICES.items() if str(s.get("image", "")).startswith("redis")
]


@pytest.mark.parametrize("service", REDIS_SERVICES)
def test_redis_reads_its_password_from_a_config_file_never_its_command_line(service, tmp_path):
    """The compose file's own command, run with Debian's redis-server and the service's mounted
    files: the password works, and neither the command that starts the server nor the running
    server's command line (what `ps` on the host shows) holds it."""
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.access(server, os.X_OK):
        pytest.skip("redis-server is not installed")
    import redis

    password = "c0rrect" + "horse" * 6
    environ = {"REDIS_PASSWORD": password}
    command = [interpolate(str(part), environ) for part in SERVICES[service]["command"]]
    assert not any(password in part for part in command)
    for volume in SERVICES[service].get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("./"):  # a file of the repository, mounted into the container
            command = [part.replace(target, str(BASE_DIR / source)) for part in command]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # The image's entrypoint, as far as this test needs it: the command, on a port of its own.
    (tmp_path / "bin").mkdir()
    entrypoint = tmp_path / "bin" / "docker-entrypoint.sh"
    entrypoint.write_text(
        f'#!/bin/sh\nexec "$@" --port {port} --bind 127.0.0.1 --dir {tmp_path} --save ""\n'
    )
    entrypoint.chmod(0o755)
    env = {
        "PATH": f"{tmp_path / 'bin'}:{os.path.dirname(server)}:/usr/bin:/bin",
        "TMPDIR": str(tmp_path),
        **{
            name: interpolate(str(value), environ)
            for name, value in SERVICES[service]["environment"].items()
        },
    }
    process = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        client = redis.Redis(port=port, password=password, socket_timeout=2)
        for _ in range(100):
            try:
                assert client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None:
                    pytest.fail(f"{service} exited with status {process.returncode}")
                time.sleep(0.1)
        else:
            pytest.fail(f"{service} did not answer within 10 s")
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(port=port, password="wrong", socket_timeout=2).ping()
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(port=port, socket_timeout=2).set("key", "value")
        cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes().decode()
        assert "redis-server" in cmdline
        assert password not in cmdline
        written = [p for p in tmp_path.iterdir() if p.is_file() and p.name.startswith("tmp.")]
        assert [oct(p.stat().st_mode & 0o777) for p in written] == ["0o600"]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def test_app_services_share_one_image_built_once_and_one_env_file():
    assert [name for name, service in SERVICES.items() if "build" in service] == ["web"]
    for name in APP_SERVICES:
        service = SERVICES[name]
        assert service["env_file"] == ".env", name
        assert service["image"] == SERVICES["web"]["image"], name
        environment = service["environment"]
        assert "@db:5432/" in environment["DATABASE_URL"], name
        assert environment["CELERY_BROKER_URL"].endswith("@redis:6379/0"), name
        # The page cache on a Redis of its own (tests/test_cache_bounds.py).
        assert environment["REDIS_URL"].endswith("@cache:6379/0"), name


def test_web_worker_and_beat_start_after_the_setup_step_and_healthy_services():
    for name in ("web", "worker", "beat"):
        depends = SERVICES[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["db"] == {"condition": "service_healthy"}, name
        assert depends["redis"] == {"condition": "service_healthy"}, name
        assert depends["cache"] == {"condition": "service_healthy"}, name
    assert set(SERVICES["migrate"]["depends_on"]) == {"db", "redis"}
    assert SERVICES["migrate"]["restart"] == "no"


def test_the_setup_step_migrates_loads_the_data_and_creates_the_roles():
    script = SERVICES["migrate"]["command"][-1]
    steps = [
        "manage.py migrate --no-input",
        "manage.py load_snapshot",
        "manage.py load_action_plan",
        "manage.py setup_roles",
    ]
    positions = [script.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "Observation.objects.exists()" in script  # the snapshot only on a first install


def test_web_runs_gunicorn_with_the_healthcheck_on_healthz():
    web = SERVICES["web"]
    assert web["command"][0] == "gunicorn"
    assert web["healthcheck"]["test"] == ["CMD", "python", "-m", "imr_dashboard.healthcheck"]
    # Only the proxy reaches it: not published on the host, on the proxy's network.
    assert "ports" not in web
    assert set(web["networks"]) == {"default", "frontend"}


def test_each_app_service_has_a_healthcheck_of_its_own_or_none():
    # The image's HEALTHCHECK asks gunicorn: right for web only.
    assert "imr_dashboard.healthcheck" in " ".join(SERVICES["web"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(SERVICES["worker"]["healthcheck"]["test"])
    assert SERVICES["beat"]["healthcheck"] == {"disable": True}
    assert SERVICES["migrate"]["healthcheck"] == {"disable": True}


def test_beat_uses_the_database_scheduler_and_the_worker_is_celery():
    beat = SERVICES["beat"]["command"]
    assert beat[:4] == ["celery", "-A", "imr_dashboard", "beat"]
    assert beat[beat.index("--scheduler") + 1] == "django_celery_beat.schedulers:DatabaseScheduler"
    assert SERVICES["worker"]["command"][:4] == ["celery", "-A", "imr_dashboard", "worker"]


def test_compose_commands_are_read_as_compose_substitutes_variables():
    environ = {"LOG_LEVEL": "WARNING", "WORKER_CONCURRENCY": ""}
    commands = compose_commands(environ)
    worker = commands["worker"]
    assert worker[worker.index("--loglevel") + 1] == "WARNING"
    assert worker[worker.index("--concurrency") + 1] == "2"  # empty counts as unset with ":-"
    assert "celery@$HOSTNAME" in interpolate("celery@$$HOSTNAME", {})
    assert interpolate("${A-x}/${A:-y}", {"A": ""}) == "/y"
    with pytest.raises(StackError, match="POSTGRES_PASSWORD is not set: set it"):
        interpolate("${POSTGRES_PASSWORD:?set it}", {})


@pytest.fixture
def compose_project(tmp_path) -> Path:
    """docker-compose.yml beside a .env made from .env.example with its secrets filled in."""
    shutil.copy(BASE_DIR / "docker-compose.yml", tmp_path)
    env = re.sub(
        r"^(SECRET_KEY|POSTGRES_PASSWORD|REDIS_PASSWORD|STORAGE_S3_SECRET_ACCESS_KEY)=$",
        r"\1=s3cret",
        ENV_EXAMPLE,
        flags=re.M,
    )
    (tmp_path / ".env").write_text(env, encoding="utf-8")
    return tmp_path


def compose_cli() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_accepts_the_file(compose_project):
    cli = compose_cli()
    if cli is None:
        pytest.skip("neither `docker compose` nor docker-compose is installed")
    result = subprocess.run(
        [*cli, "config", "--quiet"], cwd=compose_project, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    resolved = subprocess.run(
        [*cli, "config"], cwd=compose_project, capture_output=True, text=True, check=True
    ).stdout
    assert "postgres://imr:s3cret@db:5432/imr" in resolved


def compose_config(project: Path) -> subprocess.CompletedProcess:
    cli = compose_cli()
    if cli is None:
        pytest.skip("neither `docker compose` nor docker-compose is installed")
    # Only .env speaks: the test run's own SECRET_KEY must not stand in for a missing one.
    environ = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    return subprocess.run(
        [*cli, "config"], cwd=project, env=environ, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    "secret", ["SECRET_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD", "STORAGE_S3_SECRET_ACCESS_KEY"]
)
def test_docker_compose_refuses_to_start_without_a_secret_and_names_it(compose_project, secret):
    env = compose_project / ".env"
    env.write_text(re.sub(rf"^{secret}=.*$", f"{secret}=", env.read_text(), flags=re.M))
    result = compose_config(compose_project)
    assert result.returncode != 0
    assert f"Set {secret} in .env".lower() in result.stderr.lower()


def test_no_password_is_on_any_command_line(compose_project):
    """What `ps` on the host and `docker inspect` show of each container's command."""
    result = compose_config(compose_project)
    assert result.returncode == 0, result.stderr
    for name, service in yaml.safe_load(result.stdout)["services"].items():
        for key in ("command", "entrypoint"):
            assert "s3cret" not in str(service.get(key, "")), f"{name}: {key}"
        assert "s3cret" not in str(service.get("healthcheck", {}).get("test", "")), name


def test_every_service_has_memory_and_cpu_limits():
    for name, service in SERVICES.items():
        limits = service["deploy"]["resources"]["limits"]
        assert re.fullmatch(r"\d+[mg]", limits["memory"]), name
        assert 0 < float(limits["cpus"]) <= 2, name


def test_the_proxy_is_published_and_the_app_trusts_exactly_it():
    proxy = SERVICES["proxy"]
    assert {port.rsplit(":", 1)[1] for port in proxy["ports"]} == {"443", "80"}
    assert [name for name, s in SERVICES.items() if "ports" in s] == ["proxy"]
    template = (BASE_DIR / "deploy/nginx/templates/dashboard.conf.template").read_text()
    # The template's variables are exactly what the service gives it.
    assert set(re.findall(r"\$\{(\w+)\}", template)) == set(proxy["environment"])
    assert "/etc/nginx/templates" in " ".join(proxy["volumes"])
    # The proxy says HTTPS and replaces X-Forwarded-For; the app reads the one and trusts one hop.
    assert "proxy_set_header X-Forwarded-Proto https;" in template
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in template
    assert "return 301 https://$host$request_uri;" in template
    for name in APP_SERVICES:
        environment = SERVICES[name]["environment"]
        assert environment["SECURE_PROXY_SSL_HEADER"] == "HTTP_X_FORWARDED_PROTO,https", name
        assert environment["TRUSTED_PROXY_COUNT"] == "1", name
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE, re.M))
    assert values["SECURE_PROXY_SSL_HEADER"] == "HTTP_X_FORWARDED_PROTO,https"
    assert values["TRUSTED_PROXY_COUNT"] == "1"


# --- the healthcheck -------------------------------------------------------------------------


@pytest.fixture
def web_answering():
    """A local HTTP server that answers /healthz/ as told, and records the headers it was sent."""
    seen: list[dict[str, str]] = []
    answer: dict[str, object] = {"status": 200, "headers": {}}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append({"path": self.path, **dict(self.headers)})
            self.send_response(answer["status"])
            for name, value in answer["headers"].items():
                self.send_header(name, value)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_port}", answer, seen
    server.shutdown()
    server.server_close()


def run_healthcheck(address: str, allowed_hosts: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "HEALTHCHECK_ADDRESS": address, "ALLOWED_HOSTS": allowed_hosts}
    return subprocess.run(
        [sys.executable, "-m", "imr_dashboard.healthcheck"],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_healthcheck_asks_as_the_proxy_would_and_passes_on_200(web_answering):
    address, _, seen = web_answering
    result = run_healthcheck(address, ".example.org, dashboard.example.org")
    assert result.returncode == 0, result.stderr
    assert seen[0]["path"] == "/healthz/"
    assert seen[0]["Host"] == "example.org"
    assert seen[0]["X-Forwarded-Proto"] == "https"


def test_healthcheck_fails_on_a_redirect_to_https_and_says_which_setting(web_answering):
    address, answer, _ = web_answering
    answer.update(status=301, headers={"Location": "https://dashboard.example.org/healthz/"})
    result = run_healthcheck(address, "dashboard.example.org")
    assert result.returncode == 1
    assert "answered 301" in result.stderr
    assert "SECURE_PROXY_SSL_HEADER" in result.stderr


def test_healthcheck_fails_when_nothing_listens():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run_healthcheck(f"127.0.0.1:{port}", "*")
    assert result.returncode == 1
    assert f"127.0.0.1:{port}" in result.stderr


# --- Dockerfile, lock file, .dockerignore ----------------------------------------------------


def test_dockerfile_builds_in_two_stages_on_slim_python_3_11():
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim", DOCKERFILE, re.M)
    stages = re.findall(r"^FROM (\S+) AS (\w+)$", DOCKERFILE, re.M)
    assert stages == [("${PYTHON_IMAGE}", "build"), ("${PYTHON_IMAGE}", "runtime")]
    assert "COPY --from=build /opt/venv /opt/venv" in DOCKERFILE


def test_dockerfile_pins_the_base_image_by_digest_and_the_refresh_is_documented():
    assert re.search(
        r"^ARG PYTHON_IMAGE=python:3\.11-slim-bookworm@sha256:[0-9a-f]{64}$", DOCKERFILE, re.M
    )
    operations = (BASE_DIR / "docs" / "OPERATIONS.md").read_text(encoding="utf-8")
    assert "docker buildx imagetools inspect python:3.11-slim-bookworm" in operations


def test_dockerfile_installs_the_lock_file_with_hashes_and_runs_unprivileged():
    assert "pip install --require-hashes --no-deps -r /tmp/requirements.lock" in DOCKERFILE
    users = re.findall(r"^USER (\S+)$", DOCKERFILE, re.M)
    assert users == ["dashboard"]
    assert DOCKERFILE.index("collectstatic") < DOCKERFILE.index("USER dashboard")
    assert re.search(r"^HEALTHCHECK .*\n.*imr_dashboard\.healthcheck", DOCKERFILE, re.M)


def test_no_secret_is_built_into_the_image():
    env_lines = re.findall(r"^ENV (.*(?:\n\s+.*\\?)*)", DOCKERFILE, re.M)
    assert not re.search(r"SECRET|PASSWORD", "\n".join(env_lines))
    ignored = (BASE_DIR / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", ".env.*", ".git", ".venv", "var"} <= set(ignored)


def test_lock_file_pins_every_dependency_with_hashes():
    project = tomllib.loads((BASE_DIR / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = {}
    for block in re.split(r"\n(?=[a-z0-9])", LOCK.split("\n", 2)[2]):
        requirement = Requirement(block.split(" \\")[0].split(" ;")[0].strip())
        assert "--hash=sha256:" in block, requirement.name
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", requirement
        pins.setdefault(canonicalize_name(requirement.name), []).append(specifier.version)
    for dependency in map(Requirement, project["dependencies"]):
        name = canonicalize_name(dependency.name)
        assert name in pins, f"{dependency.name} is not in requirements.lock: compile it again"
        assert any(dependency.specifier.contains(v) for v in pins[name]), dependency
        for extra in dependency.extras:  # whitenoise[brotli] → brotli; PyJWT[crypto] → cryptography
            brought = [
                Requirement(line)
                for line in metadata.requires(dependency.name) or []
                if Requirement(line).marker and Requirement(line).marker.evaluate({"extra": extra})
            ]
            assert brought, f"{dependency.name} has no extra {extra!r}"
            for requirement in brought:
                assert canonicalize_name(requirement.name) in pins, (
                    f"{dependency.name}[{extra}] needs {requirement.name}, not in requirements.lock"
                )


def test_lock_file_says_how_it_was_made():
    assert "uv pip compile pyproject.toml -o requirements.lock --generate-hashes" in LOCK


# --- secrets and Celery's limits -----------------------------------------------------------------


def run_settings(environ: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    """Load the settings in production mode in a new process and print an expression of them."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "imr_dashboard.settings",
        "DEBUG": "0",
        "SECRET_KEY": "",
        **environ,
    }
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )


def test_the_dashboard_does_not_start_without_its_secret_key_and_says_so():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env={"PATH": os.environ.get("PATH", ""), "DEBUG": "0", "SECRET_KEY": ""},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    assert "SECRET_KEY_FILE" in result.stderr


@pytest.mark.parametrize(
    ("name", "expression", "expected"),
    [
        ("SECRET_KEY", "settings.SECRET_KEY", "k$y-from-a-file"),
        ("DATABASE_PASSWORD", "settings.DATABASES['default']['PASSWORD']", "k$y-from-a-file"),
        ("REDIS_PASSWORD", "settings.CELERY_BROKER_URL", "redis://:k%24y-from-a-file@redis:6379/0"),
        ("EMAIL_HOST_PASSWORD", "settings.EMAIL_HOST_PASSWORD", "k$y-from-a-file"),
    ],
)
def test_each_secret_can_come_from_a_file(tmp_path, name, expression, expected):
    secret_file = tmp_path / name.lower()
    secret_file.write_text("k$y-from-a-file\n")
    environ = {
        "SECRET_KEY": "from-the-environment",
        "DATABASE_URL": "postgres://imr@db:5432/imr",
        "CELERY_BROKER_URL": "redis://redis:6379/0",
    }
    environ.pop(name, None)
    result = run_settings({**environ, f"{name}_FILE": str(secret_file)}, expression)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.mark.parametrize("name", ["SECRET_KEY", "DATABASE_PASSWORD", "REDIS_PASSWORD"])
def test_a_secret_file_that_is_missing_or_empty_stops_the_start_naming_it(tmp_path, name):
    key = {} if name == "SECRET_KEY" else {"SECRET_KEY": "from-the-environment"}
    missing = run_settings({f"{name}_FILE": str(tmp_path / "nowhere"), **key}, "1")
    assert missing.returncode != 0
    assert f"{name}_FILE: {tmp_path / 'nowhere'} cannot be read" in missing.stderr
    (tmp_path / "empty").write_text("")
    empty = run_settings({f"{name}_FILE": str(tmp_path / "empty"), **key}, "1")
    assert empty.returncode != 0
    assert f"{name}_FILE: {tmp_path / 'empty'} is empty" in empty.stderr


def test_celery_hands_a_task_to_another_worker_only_after_any_task_could_have_finished():
    from django.conf import settings

    import actionplan.tasks  # noqa: F401  (registers its tasks)
    import indicators.tasks  # noqa: F401
    from imr_dashboard.celery import app

    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert app.conf.broker_transport_options["visibility_timeout"] == visibility
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
    ours = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    assert {task.name for task in ours} >= {
        "indicators.tasks.refresh_fingertips",
        "actionplan.tasks.send_update_reminders",
    }
    for task in ours:
        limit = task.time_limit or app.conf.task_time_limit
        assert limit, f"{task.name} has no time limit"
        assert limit < visibility, task.name


# --- the smoke tests --------------------------------------------------------------------------


def test_make_test_does_not_collect_the_smoke_tests():
    environ = {k: v for k, v in os.environ.items() if k != "SMOKE_PORT"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/smoke",
        ],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 5, result.stdout + result.stderr  # 5: no tests collected
