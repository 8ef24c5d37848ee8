"""Full-page screenshots of every page, desktop and mobile, for the README: `make screenshots`.

Sets up a throwaway SQLite database as `make run` does (migrate, the bundled snapshot, the plan
and its roles, no refresh from the API; a board member to sign in as), serves it with the
development server on a free port, and saves docs/screenshots/<page>-desktop.png (1280 CSS px
wide) and <page>-mobile.png (375 wide) once every chart is drawn. Uses the system Chromium
(CHROMIUM_PATH, default /usr/bin/chromium).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = {
    "overview": "/",
    "indicator": "/indicators/92196/",
    "area": "/areas/E07000117/",
    "inequalities": "/inequalities/",
    "data": "/data/",
    # The plan's pages, signed in as a board member. The plan is the report's, as loaded; no
    # review is made up, so every RAG is the rule's proposal.
    "plan-board": "/plan/",
    "plan-area": "/plan/areas/5/",
}
VIEWER = ("board.viewer", "screenshots-only-password")
# Name: (CSS width, device scale, tallest part kept). The files stay small (all ten under 3 MB):
# desktop images are drawn at 0.75 (960 px wide, about as wide as a README shows them), and a
# phone's long pages, which stack every chart, table and download, keep their first 3,000 px.
SIZES = {"desktop": (1280, 0.75, 6000), "mobile": (375, 1, 3000)}
ALL_DRAWN = """() => [...document.querySelectorAll("div.chart[data-figure]")]
  .every(c => c.dataset.drawn === "true")"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict, *args: str, **kwargs) -> subprocess.Popen | None:
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    if kwargs.pop("background", False):
        return subprocess.Popen(command, env=env, cwd=ROOT, **kwargs)
    subprocess.run(command, env=env, cwd=ROOT, check=True, **kwargs)
    return None


def wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def sign_in(page, base: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", VIEWER[0])
    page.fill("#id_password", VIEWER[1])
    page.click("button[type=submit]")
    page.wait_for_url(base + "/plan/")


def shoot(base: str) -> list[Path]:
    saved = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for kind, (width, scale, max_height) in SIZES.items():
            page = browser.new_page(
                viewport={"width": width, "height": 900}, device_scale_factor=scale
            )
            for name, path in PAGES.items():
                if name.startswith("plan-") and not page.context.cookies():
                    sign_in(page, base)
                page.goto(base + path)
                page.wait_for_function(ALL_DRAWN)
                # Not "networkidle": Chromium never reports GOV.UK Frontend's import() finished.
                page.wait_for_load_state("load")
                page.evaluate("document.fonts.ready.then(() => true)")
                saved.append(save_page(page, OUT / f"{name}-{kind}.png", width, max_height))
            page.close()
        browser.close()
    return saved


def save_page(page, target: Path, width: int, max_height: int) -> Path:
    """The page's top `max_height` pixels (or all of it) at `width`, saved as `target`."""
    height = min(page.evaluate("document.documentElement.scrollHeight"), max_height)
    page.screenshot(
        path=target,
        full_page=True,
        clip={"x": 0, "y": 0, "width": width, "height": height},
        animations="disabled",
    )
    return target


def set_up_as_make_run(env: dict) -> None:
    """Migrate and load the bundled snapshot, plan and roles, as `make run` does."""
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "load_snapshot", stdout=subprocess.DEVNULL)
    manage(env, "load_action_plan", stdout=subprocess.DEVNULL)
    manage(env, "setup_roles", stdout=subprocess.DEVNULL)


def throwaway_env(tmp: str) -> dict:
    """The environment of a throwaway SQLite site as `make run` sets it up, tasks in-process."""
    return {
        **os.environ,
        "DEBUG": "1",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "screenshots-only"),
        "DATABASE_URL": f"sqlite:///{tmp}/screenshots.sqlite3",
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
    }


def serve_and_shoot(env: dict, shoot) -> None:
    """Run the development server on a free port, call `shoot(base)` and print what it saved."""
    port = free_port()
    server = manage(
        env,
        "runserver",
        f"127.0.0.1:{port}",
        "--noreload",
        background=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/healthz/")
        for path in shoot(base):
            print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} kB")
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = throwaway_env(tmp)
        set_up_as_make_run(env)
        manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth.models import Group, User; "
            f"u = User.objects.create_user({VIEWER[0]!r}, password={VIEWER[1]!r}); "
            "u.groups.add(Group.objects.get(name='Board member'))",
        )
        serve_and_shoot(env, shoot)


if __name__ == "__main__":
    main()
