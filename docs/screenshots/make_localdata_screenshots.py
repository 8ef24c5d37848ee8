"""Screenshots of the local-data pages, 1280 and 375 CSS px wide, from the synthetic examples.

    .venv/bin/python docs/screenshots/make_localdata_screenshots.py

A throwaway SQLite database (migrate, roles; no Fingertips data is needed by these pages), the
synthetic example files of fixtures/examples/ (B1, B2 and C loaded with
`manage.py import_local_data`; A uploaded in the browser so that its preview can be shown), an
analyst who signs in with a password and an authenticator code, the development server on a
free port, and the system Chromium (CHROMIUM_PATH, default /usr/bin/chromium). Saves
docs/screenshots/localdata-<page>-<width>.png: the upload preview, the district × decile grid
(public, disclosure-controlled) and the SPC chart page. Every figure is synthetic and the pages
say so under their banner.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from make_screenshots import FLAGS, manage, save_page, serve_and_shoot, throwaway_env
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
EXAMPLES = ROOT / "fixtures" / "examples"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
ANALYST = ("shots.analyst", "screenshots-only-password-7")
KEY = "3132333435363738393031323334353637383930"  # this throwaway database's TOTP key
WIDTHS = (1280, 375)
MAX_HEIGHT = 4000


def code() -> str:
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(KEY)):06d}"


def save(page, name: str) -> list[Path]:
    saved = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_load_state("load")
        saved.append(save_page(page, OUT / f"localdata-{name}-{width}.png", width, MAX_HEIGHT))
    page.set_viewport_size({"width": 1280, "height": 900})
    return saved


def shoot(base: str) -> list[Path]:
    saved: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/accounts/login/?next=/local/upload/")
        page.fill("#id_username", ANALYST[0])
        page.fill("#id_password", ANALYST[1])
        page.click("button[type=submit]")
        page.get_by_label("Code from your authenticator app").fill(code())
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(base + "/local/upload/")
        page.locator("#template-A").check()
        page.locator("#file").set_input_files(str(EXAMPLES / "synthetic_A.csv"))
        page.get_by_role("button", name="Preview").click()
        page.wait_for_url("**/local/upload/*/")
        saved += save(page, "upload-preview")
        page.get_by_test_id("commit").click()
        page.wait_for_url("**/local/upload/history/")
        # The public pages, as everyone but analysts sees them: a fresh, signed-out context.
        public = browser.new_page(viewport={"width": 1280, "height": 900})
        public.goto(base + "/local/deprivation/")
        saved += save(public, "grid")
        public.goto(base + "/local/measures/")
        saved += save(public, "spc")
        browser.close()
    return saved


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = throwaway_env(tmp)
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "setup_roles", stdout=subprocess.DEVNULL)
        manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth.models import Group, User; "
            "from django_otp.plugins.otp_totp.models import TOTPDevice; "
            f"u = User.objects.create_user({ANALYST[0]!r}, password={ANALYST[1]!r}); "
            "u.groups.add(Group.objects.get(name='Analyst')); "
            f"TOTPDevice.objects.create(user=u, name='app', key={KEY!r}, confirmed=True)",
        )
        for template in ("B1", "B2", "C"):
            manage(
                env,
                "import_local_data",
                template,
                str(EXAMPLES / f"synthetic_{template}.csv"),
                "--user",
                ANALYST[0],
                stdout=subprocess.DEVNULL,
            )
        serve_and_shoot(env, shoot)


if __name__ == "__main__":
    main()
