"""Real server processes started by tests (gunicorn, nginx): a free port, waiting for one to
listen, and stopping a process group. Bounded waits; a process that dies shows its log."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_for_port(
    host: str, port: int, process: subprocess.Popen, log: Path, seconds: float
) -> None:
    """Wait until something listens on host:port; fail with the log if the process exits."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if process.poll() is not None:
            pytest.fail(f"exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"nothing listened on {host}:{port} within {seconds} s:\n{log.read_text()}")


def stop(process: subprocess.Popen, *, seconds: float = 30) -> None:
    """SIGTERM the process's group (started with start_new_session=True), SIGKILL if it stays."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=seconds)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
