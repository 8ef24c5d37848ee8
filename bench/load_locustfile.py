"""The users of the load test (bench/load_test.py starts it; locust runs it).

Three kinds of user, in fixed numbers out of --users (50: 30 analysts, 12 API clients, 8 board
members), each waiting LOAD_WAIT_MIN to LOAD_WAIT_MAX seconds (default 1 to 3) between steps:

- Analysts open the overview and fetch its styles and scripts once (a first visit), then move
  between indicator pages (six indicators; sometimes another benchmark) and download
  their charts' CSVs (the Download tab of compare, trend, map and inequalities), now and then an
  area profile.
- API clients ask /api/v1/observations/ for an indicator as JSON or CSV (sometimes for one
  area), and now and then /api/v1/indicators/.
- Board members sign in once, at a random moment of the first LOAD_SIGN_IN_WITHIN seconds
  (default 10; GET the form, POST the credentials, expect the redirect to /plan/), then read
  the board view /plan/ and the priority area pages /plan/areas/<1-9>/.

A response counts as a failure when its status is not the expected one (200, or the sign-in's
302 to /plan/), when a plan page answers with the sign-in page, or when a page lacks the text
that shows it was rendered. Every request is also recorded with its group, start time, latency
and X-Cache header in LOAD_RECORD (JSON lines), so bench/load_test.py can compute exact
percentiles per group and see when the cache was rebuilt.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from urllib.parse import urlencode, urlsplit

import gevent
from locust import FastHttpUser, between, events, task

INDICATORS = [92196, 93085, 20101, 20401, 93701, 92266]
CHARTS = ["compare", "trend", "map", "inequalities"]
AREAS = ["E06000008", "E06000009", "E07000117", "E07000123", "E10000017"]
PRIORITY_AREAS = list(range(1, 10))
BENCHMARKS = ["england", "region", "home"]
WAIT = between(
    float(os.environ.get("LOAD_WAIT_MIN", "1")), float(os.environ.get("LOAD_WAIT_MAX", "3"))
)
ASSET = re.compile(r'(?:<link[^>]+href|<script[^>]+src)="(/static/[^"]+)"')
IMPORTED = re.compile(r'import[^"\']*from\s*["\'](/static/[^"\']+)["\']')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

_record = open(os.environ.get("LOAD_RECORD", os.devnull), "a", buffering=1)  # noqa: SIM115


@events.request.add_listener
def _record_request(
    request_type, name, response_time, response_length, response, exception, url=None, **kwargs
):
    cache = ""
    if response is not None and getattr(response, "headers", None) is not None:
        cache = response.headers.get("X-Cache") or ""
    _record.write(
        json.dumps(
            {
                "t": kwargs.get("start_time") or time.time() - response_time / 1000,
                "group": name,
                "url": _path(url),
                "ms": response_time,
                "bytes": response_length,
                "cache": cache,
                "ok": exception is None,
                "error": str(exception)[:200] if exception else "",
            }
        )
        + "\n"
    )


def _path(url: str | None) -> str:
    if not url:
        return ""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@events.quitting.add_listener
def _close(environment, **kwargs):
    _record.flush()


def with_query(path: str, params: dict) -> str:
    # The query in the URL itself, so that the request record holds it.
    return f"{path}?{urlencode(params)}" if params else path


def expect(response, text: str | None = None, status: int = 200) -> None:
    if response.status_code != status:
        response.failure(f"status {response.status_code}, expected {status}")
    elif text is not None and text not in response.text:
        response.failure(f"no {text!r} in the answer")
    else:
        response.success()


class Analyst(FastHttpUser):
    fixed_count = int(os.environ.get("LOAD_ANALYSTS", "30"))
    wait_time = WAIT

    def on_start(self):
        with self.client.get("/", name="overview", catch_response=True) as page:
            expect(page)
        # A first visit: the overview's styles and scripts, then an indicator page's (Plotly).
        indicator = self.client.get(
            f"/indicators/{random.choice(INDICATORS)}/", name="indicator page"
        )
        assets = set()
        for body in (page.text or "", indicator.text or ""):
            assets.update(ASSET.findall(body))
            assets.update(IMPORTED.findall(body))
        for asset in sorted(assets):
            with self.client.get(
                asset,
                name="static (first visit)",
                headers={"Accept-Encoding": "gzip"},
                catch_response=True,
            ) as response:
                expect(response)

    @task(6)
    def indicator_page(self):
        fingertips_id = random.choice(INDICATORS)
        params = {}
        if random.random() < 0.3:
            params["benchmark"] = random.choice(BENCHMARKS)
        with self.client.get(
            with_query(f"/indicators/{fingertips_id}/", params),
            name="indicator page",
            catch_response=True,
        ) as response:
            expect(response, "OHID Fingertips indicator")
        # The Download tab of one to three of its charts.
        for chart in random.sample(CHARTS, random.randint(1, 3)):
            with self.client.get(
                with_query(f"/indicators/{fingertips_id}/{chart}.csv", params),
                name="chart CSV",
                catch_response=True,
            ) as response:
                expect(response)

    @task(2)
    def overview(self):
        params = {"benchmark": random.choice(BENCHMARKS)} if random.random() < 0.3 else {}
        with self.client.get(with_query("/", params), name="overview", catch_response=True) as r:
            expect(r)

    @task(1)
    def area_profile(self):
        with self.client.get(
            f"/areas/{random.choice(AREAS)}/", name="area profile", catch_response=True
        ) as response:
            expect(response)


class ApiClient(FastHttpUser):
    fixed_count = int(os.environ.get("LOAD_API_CLIENTS", "12"))
    wait_time = WAIT

    @task(5)
    def observations_json(self):
        with self.client.get(
            with_query("/api/v1/observations/", self._params()),
            name="API JSON",
            catch_response=True,
        ) as response:
            expect(response, '"results"')

    @task(4)
    def observations_csv(self):
        with self.client.get(
            with_query("/api/v1/observations/", {**self._params(), "format": "csv"}),
            name="API CSV",
            catch_response=True,
        ) as response:
            expect(response, "indicator_id,")

    @task(1)
    def indicators(self):
        with self.client.get("/api/v1/indicators/", name="API JSON", catch_response=True) as r:
            expect(r, '"results"')

    def _params(self) -> dict:
        params = {"indicator": random.choice(INDICATORS)}
        if random.random() < 0.3:
            params["area"] = random.choice(AREAS)
        return params


_board_accounts = iter(os.environ.get("LOAD_BOARD_USERS", "").split(","))


class BoardMember(FastHttpUser):
    fixed_count = int(os.environ.get("LOAD_BOARD_MEMBERS", "8"))
    wait_time = WAIT

    def on_start(self):
        username = next(_board_accounts)
        # People sign in as they arrive, not all in the same second: each check of a password
        # costs about 0.2 s of CPU by design (PBKDF2, 1,000,000 iterations).
        gevent.sleep(random.uniform(0, float(os.environ.get("LOAD_SIGN_IN_WITHIN", "10"))))
        form = self.client.get("/accounts/login/", name="sign-in form")
        token = CSRF.search(form.text or "")
        with self.client.post(
            "/accounts/login/",
            data={
                "username": username,
                "password": os.environ["LOAD_BOARD_PASSWORD"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="sign-in (password check)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302 and response.headers.get("Location", "").endswith(
                "/plan/"
            ):
                response.success()
            else:
                response.failure(f"sign-in answered {response.status_code}, not 302 to /plan/")

    @task(3)
    def board(self):
        with self.client.get(
            "/plan/", name="board view /plan/", allow_redirects=False, catch_response=True
        ) as response:
            expect(response, "Priority areas")

    @task(4)
    def priority_area(self):
        with self.client.get(
            f"/plan/areas/{random.choice(PRIORITY_AREAS)}/",
            name="priority area page",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            expect(response)
