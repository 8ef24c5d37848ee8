"""Screenshots of the plan's board view (1280 and 375 CSS px wide) and of the board pack's first
pages, from the bundled snapshot and plan.

    .venv/bin/python docs/screenshots/make_plan_screenshots.py

A throwaway SQLite database as `make run` sets it up (migrate, the bundled snapshot, the plan,
the roles), a board member to sign in as, and the plan's last quarter (2022/23 Q4) opened so
that the board shows a quarter and a draft board pack can be drawn: no final RAG, update or
rationale is made up, so every RAG is the rule's proposal from the bundled figures. The
development server runs on a free port, with the system Chromium (CHROMIUM_PATH, default
/usr/bin/chromium) and pdftoppm. Saves docs/screenshots/board-1280.png, board-375.png and
pack-page-1.png … pack-page-4.png.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from make_screenshots import (
    FLAGS,
    VIEWER,
    manage,
    serve_and_shoot,
    set_up_as_make_run,
    sign_in,
    throwaway_env,
)
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
PACK_PAGES = 4


def shoot(base: str, tmp: str) -> list[Path]:
    saved = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, base)
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(base + "/plan/")
            page.wait_for_load_state("load")
            page.evaluate("document.fonts.ready.then(() => true)")
            target = OUT / f"board-{width}.png"
            page.screenshot(path=target, full_page=True, animations="disabled")
            saved.append(target)
        link = page.get_by_test_id("board-pack").get_attribute("href")
        pdf = Path(tmp) / "pack.pdf"
        pdf.write_bytes(page.request.get(base + link).body())
        browser.close()
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            str(PACK_PAGES),
            str(pdf),
            str(Path(tmp) / "pack"),
        ],
        check=True,
    )
    for number, image in enumerate(sorted(Path(tmp).glob("pack-*.png")), start=1):
        target = OUT / f"pack-page-{number}.png"
        target.write_bytes(image.read_bytes())
        saved.append(target)
    return saved


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = throwaway_env(tmp)
        set_up_as_make_run(env)
        manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth.models import Group, User; "
            "from actionplan.models import QuarterlyReview; "
            "from actionplan.presenters import current_plan; "
            f"u = User.objects.create_user({VIEWER[0]!r}, password={VIEWER[1]!r}); "
            "u.groups.add(Group.objects.get(name='Board member')); "
            "QuarterlyReview.objects.create(plan=current_plan(), financial_year=2022, quarter=4)",
        )
        serve_and_shoot(env, lambda base: shoot(base, tmp))


if __name__ == "__main__":
    main()
