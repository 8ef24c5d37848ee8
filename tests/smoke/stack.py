"""Run docker-compose.yml's processes on this machine, smoke-test them, stop them; no Docker.

`.ci/smoke` calls it with the environment a deployment's .env would give (an empty PostgreSQL
database, Redis, production settings). It reads each service's command from docker-compose.yml,
so the processes tested are the ones deployed: the one-shot setup, then collectstatic (the image
runs it at build), gunicorn, the Celery worker and Celery beat, and the setup again, as an
upgrade runs it. Then it runs tests/smoke against them, stops every process it started (each in
its own process group), and prints their logs if anything failed. Every step has a deadline; the
whole run stays under SMOKE_TIMEOUT_SECONDS.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

BASE_DIR = Path(__file__).resolve().parents[2]
COMPOSE_FILE = BASE_DIR / "docker-compose.yml"
LONG_RUNNING = ("web", "worker", "beat")
LOG_TAIL_LINES = 150

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}, $NAME, $$
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|(?P<bare>\w+))"
)


class StackError(Exception):
    """A step of the stack that did not do what it should."""


def interpolate(text: str, environ: dict[str, str]) -> str:
    """Substitute variables as docker compose does in a compose file's values."""

    def substitute(match: re.Match) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["bare"]
        value = environ.get(name)
        op = match["op"] or ""
        unset = value is None or (op.startswith(":") and value == "")
        if op.endswith("-") and unset:
            return match["arg"]
        if op.endswith("?") and unset:
            raise StackError(f"{name} is not set: {match['arg']}")
        return value or ""

    return _VARIABLE.sub(substitute, text)


def compose_commands(environ: dict[str, str]) -> dict[str, list[str]]:
    """Each service's command from docker-compose.yml, its variables substituted."""
    services = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))["services"]
    return {
        name: [interpolate(str(part), environ) for part in services[name]["command"]]
        for name in ("migrate", *LONG_RUNNING)
    }


@dataclass
class Stack:
    """The processes started, their log files, and the deadline every step must meet."""

    log_dir: Path
    deadline: float
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def remaining(self, limit: float) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise StackError("the smoke test ran out of time")
        return min(limit, left)

    def log_path(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def begin(self, name: str, argv: list[str]) -> tuple[str, subprocess.Popen, float]:
        """Start a one-shot step in a process group of its own; its output goes to its log."""
        with self.log_path(name).open("ab") as log:
            process = subprocess.Popen(
                argv,
                cwd=BASE_DIR,
                env=self.environ,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return name, process, time.monotonic()

    def finish(self, step: tuple[str, subprocess.Popen, float], *, limit: float) -> None:
        """Wait for a one-shot step to end well within its limit (counted from its start)."""
        name, process, started = step
        try:
            returncode = process.wait(timeout=self.remaining(started + limit - time.monotonic()))
        except BaseException as exc:
            # A timeout, or this script being stopped: the step's whole process group goes.
            _signal_group(process.pid, signal.SIGKILL)
            process.wait()
            if isinstance(exc, subprocess.TimeoutExpired):
                if time.monotonic() >= self.deadline:
                    raise StackError(f"the smoke test ran out of time during {name}") from None
                raise StackError(f"{name} did not finish within {limit:g} s") from None
            raise
        if returncode != 0:
            raise StackError(f"{name} exited with status {returncode}")
        print(f"{name}: done in {time.monotonic() - started:.1f} s", flush=True)

    def run(self, name: str, argv: list[str], *, limit: float) -> None:
        self.finish(self.begin(name, argv), limit=limit)

    def start(self, name: str, argv: list[str], **extra_env: str) -> None:
        """Start a long-running process in a process group of its own."""
        log = self.log_path(name).open("ab")
        self.processes[name] = subprocess.Popen(
            argv,
            cwd=BASE_DIR,
            env={**self.environ, **extra_env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        print(f"{name}: started (pid {self.processes[name].pid}): {' '.join(argv)}", flush=True)

    def check_running(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise StackError(f"{name} stopped unexpectedly with status {process.returncode}")

    def wait_until_healthy(self, *, limit: float) -> None:
        """Poll the same healthcheck that docker-compose.yml gives the web service."""
        until = time.monotonic() + self.remaining(limit)
        while True:
            self.check_running()
            probe = subprocess.run(
                [sys.executable, "-m", "imr_dashboard.healthcheck"],
                cwd=BASE_DIR,
                env=self.environ,
                capture_output=True,
                timeout=10,
                check=False,
            )
            if probe.returncode == 0:
                print("web: healthy", flush=True)
                return
            if time.monotonic() > until:
                raise StackError(f"web was not healthy within {limit:g} s: {probe.stderr!r}")
            time.sleep(0.5)

    def stop(self) -> list[str]:
        """Stop every process group (TERM, then KILL after a grace period); return problems."""
        problems = []
        for process in self.processes.values():
            _signal_group(process.pid, signal.SIGTERM)
        grace_until = time.monotonic() + 30
        for name, process in self.processes.items():
            try:
                process.wait(timeout=max(0.1, grace_until - time.monotonic()))
            except subprocess.TimeoutExpired:
                problems.append(f"{name} ignored SIGTERM for 30 s and was killed")
            # Whatever is left of the group (a gunicorn or Celery child) goes too.
            if _signal_group(process.pid, signal.SIGKILL) and process.returncode is not None:
                problems.append(f"{name} left child processes behind; they were killed")
            process.wait()
            print(f"{name}: stopped (status {process.returncode})", flush=True)
        return problems

    def print_logs(self) -> None:
        for path in sorted(self.log_dir.glob("*.log")):
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            print(f"\n===== {path.name} (last {LOG_TAIL_LINES} of {len(lines)} lines) =====")
            print("\n".join(lines[-LOG_TAIL_LINES:]), flush=True)


def _signal_group(pgid: int, signum: int) -> bool:
    """Send a signal to a process group; False when the group no longer exists."""
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        return False
    return True


def _stop_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    started = time.monotonic()
    log_dir = Path(os.environ["SMOKE_LOG_DIR"])
    log_dir.mkdir(parents=True, exist_ok=True)
    stack = Stack(
        log_dir=log_dir,
        deadline=started + float(os.environ.get("SMOKE_TIMEOUT_SECONDS", "170")),
    )
    address = f"127.0.0.1:{os.environ['SMOKE_PORT']}"
    stack.environ["HEALTHCHECK_ADDRESS"] = address
    failures: list[str] = []
    try:
        commands = compose_commands(stack.environ)
        # The image collects static files at build time; here it runs beside the setup step.
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
        stack.start("web", commands["web"], GUNICORN_BIND=address)
        stack.start("worker", commands["worker"])
        stack.start("beat", commands["beat"])
        # An upgrade runs the setup step again beside the running services; it must keep the data.
        stack.run("migrate-again", commands["migrate"], limit=90)
        stack.wait_until_healthy(limit=30)
        stack.run(
            "smoke-tests",
            [
                sys.executable,
                "-m",
                "pytest",
                "tests/smoke",
                "-p",
                "no:cacheprovider",
                "-v",
                "-rA",
            ],
            limit=120,
        )
        stack.check_running()
    except (StackError, OSError) as exc:
        failures.append(str(exc))
    finally:
        failures += stack.stop()
        if (log := stack.log_path("smoke-tests")).exists():
            print(log.read_text(encoding="utf-8", errors="replace"), flush=True)
    elapsed = time.monotonic() - started
    if failures:
        stack.print_logs()
        for failure in failures:
            print(f"SMOKE FAILED: {failure}", file=sys.stderr)
        print(f"smoke test failed after {elapsed:.0f} s", file=sys.stderr)
        return 1
    print(f"smoke test passed in {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
