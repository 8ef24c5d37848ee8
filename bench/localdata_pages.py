"""Requests per second of the local-data pages from the page cache, beside the other pages.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python manage.py shell < bench/localdata_pages.py

Issue 13 asks the district × decile page to be served from cache at the same throughput as the
other pages. Needs a database with the bundled snapshot and the synthetic examples loaded
(`load_snapshot`, then `import_local_data A|B1|B2|C fixtures/examples/synthetic_*.csv`). Each
URL once to warm the cache, then REPEAT requests signed out (as the public, whom the page cache
serves) with Django's test client, whole middleware stack, `Accept-Encoding: gzip, br`. Three
rounds, interleaved, so that a busy machine slows every page alike; the median is printed.
"""

import os
import statistics
import time

from django.test import Client
from django.test.utils import setup_test_environment

setup_test_environment()
REPEAT = int(os.environ.get("REPEAT", "200"))
URLS = [
    "/",
    "/indicators/92196/",
    "/areas/E07000117/",
    "/local/deprivation/",
    "/local/measures/",
    "/local/reviews/",
    "/api/v1/local/deprivation/",
]
client = Client()
headers = {"HTTP_ACCEPT_ENCODING": "gzip, br"}
rates: dict[str, list[float]] = {url: [] for url in URLS}
sizes = {}
for url in URLS:
    first = client.get(url, **headers)
    assert first.status_code == 200, (url, first.status_code)
    sizes[url] = len(first.content)
for _ in range(3):
    for url in URLS:
        started = time.perf_counter()
        for _ in range(REPEAT):
            client.get(url, **headers)
        rates[url].append(REPEAT / (time.perf_counter() - started))
print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end")
print(f"| URL | median req/s (3 rounds of {REPEAT}) | range | gzip bytes |")
print("|---|---|---|---|")
for url in URLS:
    r = rates[url]
    print(f"| `{url}` | {statistics.median(r):.0f} | {min(r):.0f}-{max(r):.0f} | {sizes[url]:,} |")
