"""Server time per request of pages and API answers, in process (no network), warm cache.

    DATABASE_URL=... .venv/bin/python manage.py shell < bench/request_cost.py

Each URL once to warm the cache, then REPEAT requests timed with Django's test client (the
whole middleware stack, so GZipMiddleware's work is counted), plain and with
`Accept-Encoding: gzip, br` as a browser sends it. One process: requests per second here are
what one sync worker can serve. Run it in two checkouts against the same database to compare.
"""

import os
import time

from django.test import Client
from django.test.utils import setup_test_environment

setup_test_environment()
REPEAT = int(os.environ.get("REPEAT", "200"))
URLS = [
    "/",
    "/indicators/92196/",
    "/areas/E07000117/",
    "/api/v1/observations/?indicator=92196",
    "/api/v1/observations/?indicator=92196&format=csv",
]
client = Client()
print(f"{'URL':50} {'plain req/s':>12} {'gzip req/s':>11} {'bytes':>8} {'gzip bytes':>11}")
for url in URLS:
    sizes = {}
    rates = {}
    for label, headers in (("plain", {}), ("gzip", {"HTTP_ACCEPT_ENCODING": "gzip, br"})):
        first = client.get(url, **headers)
        assert first.status_code == 200, (url, first.status_code)
        sizes[label] = len(first.content)
        started = time.perf_counter()
        for _ in range(REPEAT):
            client.get(url, **headers)
        rates[label] = REPEAT / (time.perf_counter() - started)
    print(
        f"{url:50} {rates['plain']:>12.0f} {rates['gzip']:>11.0f} "
        f"{sizes['plain']:>8,} {sizes['gzip']:>11,}"
    )
