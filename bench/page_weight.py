"""Cold page weight: what a first visit to a page downloads, raw and compressed.

Loads each page once in a fresh headless Chromium (empty cache), records every response, and
sums the bytes of the HTML, JavaScript and CSS (fonts listed apart), as sent and as gzip (level 6,
what GZipMiddleware and nginx send) and Brotli (quality 11, what WhiteNoise precompresses static
files with) would send them. A compressed size is computed here from the body, so the figures do
not depend on whether the server under test compresses.

    .venv/bin/python bench/page_weight.py http://127.0.0.1:8000/ /indicators/92196/
"""

from __future__ import annotations

import gzip
import os
import sys
import urllib.request
from collections import defaultdict

import brotli
from playwright.sync_api import sync_playwright

KINDS = {"document": "HTML", "script": "JS", "stylesheet": "CSS", "font": "fonts"}


def weigh(base: str, path: str, browser) -> dict[str, list[int]]:
    page = browser.new_page()
    bodies: list[tuple[str, str, bytes]] = []

    def keep(response):
        kind = KINDS.get(response.request.resource_type)
        if kind and response.status == 200 and response.url.startswith(base):
            # Read again outside the browser: Chromium drops the bodies of large scripts.
            with urllib.request.urlopen(response.url) as answer:
                bodies.append((kind, response.url, answer.read()))

    page.on("response", keep)
    page.goto(base.rstrip("/") + path, wait_until="networkidle")
    page.close()
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for kind, _url, body in bodies:
        sizes = (len(body), len(gzip.compress(body, 6)), len(brotli.compress(body, quality=11)))
        for i, size in enumerate(sizes):
            totals[kind][i] += size
    return totals


def main() -> None:
    base, *paths = sys.argv[1:]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH"))
        for path in paths:
            totals = weigh(base, path, browser)
            print(f"{path}")
            print(f"  {'':6} {'raw':>11} {'gzip':>11} {'brotli':>11}")
            for kind in ("HTML", "JS", "CSS", "fonts"):
                raw, gz, br = totals.get(kind, [0, 0, 0])
                print(f"  {kind:6} {raw:>11,} {gz:>11,} {br:>11,}")
            page = [
                sum(totals.get(k, [0, 0, 0])[i] for k in ("HTML", "JS", "CSS")) for i in range(3)
            ]
            print(f"  {'H+J+C':6} {page[0]:>11,} {page[1]:>11,} {page[2]:>11,}")
        browser.close()


if __name__ == "__main__":
    main()
