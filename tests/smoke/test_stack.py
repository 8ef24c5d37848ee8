"""The deployed processes, working together: gunicorn with production settings, WhiteNoise,
sign-in, a Celery worker taking tasks from Redis, and beat keeping its schedule in PostgreSQL.

Run by .ci/smoke against the stack it starts; each request goes through gunicorn as a browser's
would come through the council's TLS proxy.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import secrets
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urljoin

import brotli
import pytest
import requests
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.template.defaultfilters import floatformat
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from pytest_httpserver import HTTPServer

from actionplan import roles
from actionplan.models import PriorityArea
from indicators.bundled import read_manifest, rows_for_areas, snapshot_county
from indicators.configuration import areas_config, read_config
from indicators.models import ImportRun, Observation
from indicators.tasks import refresh_fingertips

pytestmark = [pytest.mark.smoke, pytest.mark.usefixtures("stack_db")]

SNAPSHOT = settings.BASE_DIR / "fixtures" / "exports" / "snapshot"
MANIFEST = read_manifest(SNAPSHOT)
# The stack may run with another county's areas file (DASHBOARD_AREAS_FILE, see .ci/smoke):
# then the bundled snapshot is not its own, and the local API answers with its areas' rows only.
OWN_SNAPSHOT = snapshot_county(MANIFEST) == areas_config().home.code
EXPORTS = {  # Fingertips' child area type → the real export the local server answers with
    "501": (SNAPSHOT / "lancashire_districts_501.csv").read_bytes(),
    "502": (SNAPSHOT / "lancashire_counties_502.csv").read_bytes(),
}
if not OWN_SNAPSHOT:
    EXPORTS = {k: rows_for_areas(v, set(areas_config().all_codes)) for k, v in EXPORTS.items()}


def other_counties_words(also_ours: set[str] = frozenset()) -> list[str]:
    """The names and codes of every bundled areas file's areas that this stack does not show
    (`also_ours`: codes it does hold, e.g. comparator councils the API lists)."""
    config = areas_config()
    ours = {a.code for a in (config.home, *config.footprint, config.region, config.england)}
    ours |= also_ours
    words = set()
    for path in (settings.BASE_DIR / "fixtures" / "config").glob("*.json"):
        if path.name.endswith(".schema.json"):
            continue
        other = read_config(path)
        for area in (other.home, *other.footprint, other.region):
            if area.code not in ours:
                words |= {area.code, area.name}
    return sorted(words)


INFANT_MORTALITY = 92196
GOVUK_CSS = "vendor/govuk-frontend/govuk-frontend.min.css"
FOREVER = "max-age=315360000"
WAIT_SECONDS = 60


class Visitor:
    """Requests as a browser sends them through a TLS proxy; cookies kept by hand.

    The production settings mark cookies Secure, which a client speaking plain HTTP to gunicorn
    would not send back; the proxy in front of a real deployment speaks HTTPS to the visitor.
    """

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies: dict[str, str] = {}
        header = settings.SECURE_PROXY_SSL_HEADER
        # ("HTTP_X_FORWARDED_PROTO", "https") → X-Forwarded-Proto: https
        self.proxy_headers = (
            {header[0].removeprefix("HTTP_").replace("_", "-").title(): header[1]} if header else {}
        )
        scheme = "https" if header else "http"
        self.origin = f"{scheme}://{base_url.split('://', 1)[1].rstrip('/')}"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {**self.proxy_headers, **kwargs.pop("headers", {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = requests.request(
            method,
            urljoin(self.base_url, path),
            headers=headers,
            allow_redirects=False,
            timeout=30,
            **kwargs,
        )
        for raw in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(raw).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, data: dict[str, str]) -> requests.Response:
        return self.request(
            "POST", path, data=data, headers={"Origin": self.origin, "Referer": self.origin + path}
        )


# Gunicorn itself (.ci/smoke), or the TLS proxy in front of several instances (.ci/scale).
BASE_URL = os.environ.get("SMOKE_BASE_URL") or f"http://127.0.0.1:{os.environ['SMOKE_PORT']}/"


@pytest.fixture(scope="module")
def base_url() -> str:
    return BASE_URL


@pytest.fixture
def visitor(base_url) -> Visitor:
    return Visitor(base_url)


@pytest.fixture(scope="module")
def fingertips() -> HTTPServer:
    """A local HTTP server answering the refresh's calls with the bundled real exports."""
    server = HTTPServer(host="127.0.0.1", port=0)

    def answer(request):
        from werkzeug import Response

        area_type = request.args.get("child_area_type_id")
        if request.path.endswith("/all_data/csv/by_indicator_id") and area_type in EXPORTS:
            return Response(EXPORTS[area_type], content_type="text/csv; charset=utf-8")
        return Response("not served here", status=404)

    server.expect_request(re.compile(r".*/api/")).respond_with_handler(answer)
    server.start()
    yield server
    server.clear()
    server.stop()


def wait_for(description: str, found, seconds: float = WAIT_SECONDS):
    until = time.monotonic() + seconds
    while not (result := found()):
        assert time.monotonic() < until, f"{description}: not within {seconds:g} s"
        time.sleep(0.5)
    return result


def latest_county_figure(fingertips_id: int) -> Observation:
    """The home county's latest published figure, as the setup step loaded it."""
    return (
        Observation.objects.filter(
            indicator__fingertips_id=fingertips_id,
            area__code=areas_config().home.code,
            value__isnull=False,
        )
        .order_by("-period_sortable")
        .first()
    )


# --- the web process ------------------------------------------------------------------------


def test_healthz_answers_ok(visitor):
    response = visitor.get("healthz/")
    assert response.status_code == 200
    assert response.text == "ok"


@pytest.mark.skipif(not settings.SECURE_SSL_REDIRECT, reason="HTTPS redirect is off")
@pytest.mark.skipif(
    BASE_URL.startswith("https:"), reason="the proxy redirects plain HTTP (tests/test_proxy.py)"
)
def test_plain_http_is_sent_to_https(base_url):
    response = requests.get(base_url, allow_redirects=False, timeout=30)
    assert response.status_code == 301
    assert response.headers["Location"] == "https://127.0.0.1:" + base_url.rsplit(":", 1)[1]


@pytest.mark.skipif(not settings.SECURE_HSTS_SECONDS, reason="HSTS is off")
def test_pages_tell_browsers_to_use_https_only(visitor):
    response = visitor.get("")
    assert response.headers["Strict-Transport-Security"].startswith(
        f"max-age={settings.SECURE_HSTS_SECONDS}"
    )


def test_home_page_shows_the_loaded_figures(visitor):
    figure = latest_county_figure(INFANT_MORTALITY)
    response = visitor.get("")
    assert response.status_code == 200, response.text[:500]
    page = response.text
    assert "Data current at" in page
    tile = r'<li class="tile">.*?href="/indicators/(\d+)/".*?<p class="tile__value">([^ <]+)'
    if figure is None:  # another county's stack: the bundled files hold no figure for it
        assert not OWN_SNAPSHOT
        # The county's cells say "No data" (England and the region have figures), and the
        # indicators the bundle does not hold at all are listed once as awaiting data.
        assert "No data" in page
        assert 'data-testid="awaiting-data"' in page
        return
    first_tile = re.search(tile, page, re.S)
    assert first_tile, "the home page shows no headline figure"
    assert first_tile.groups() == (str(INFANT_MORTALITY), floatformat(figure.value, 1))
    assert page.count('<td class="cmp cmp-') > 50  # the heat map, filled in


def test_no_page_names_an_area_of_another_county(visitor):
    pages = other_counties_words()
    # The API lists every area the stack holds figures for, the comparator councils of the
    # exports that cover every upper-tier council included; another county's stack holds only
    # its own areas of those exports, so it still never lists the snapshot's county.
    held = set(Observation.objects.values_list("area__code", flat=True).distinct())
    api = other_counties_words(also_ours=held)
    for path in ["", f"indicators/{INFANT_MORTALITY}/", "data/", "api/v1/areas/"]:
        response = visitor.get(path)
        assert response.status_code == 200, path
        assert areas_config().home.name in response.text or path.startswith("api"), path
        words = api if path.startswith("api") else pages
        named = [w for w in words if w.lower() in response.text.lower()]
        assert not named, f"/{path} names {named}"


def test_indicator_page_shows_the_latest_county_figure(visitor):
    figure = latest_county_figure(INFANT_MORTALITY)
    response = visitor.get(f"indicators/{INFANT_MORTALITY}/")
    assert response.status_code == 200, response.text[:500]
    if figure is None:  # another county's stack: its districts and county say "No data"
        assert "No data" in response.text
        return
    assert figure.period_label in response.text
    assert floatformat(figure.value, 1) in response.text


def test_the_setup_step_run_again_keeps_the_loaded_figures():
    # The snapshot's files and the exports that cover every upper-tier council (90284), for any
    # county: the county's own comparator groups are drawn from them.
    files = len(MANIFEST["files"]) + len(MANIFEST["any_county"])
    snapshot_runs = ImportRun.objects.filter(source=ImportRun.Source.SNAPSHOT)
    assert snapshot_runs.count() == files  # loaded once, by the first setup
    second_setup = Path(os.environ["SMOKE_LOG_DIR"], "migrate-again.log").read_text()
    assert "Figures already loaded: the bundled snapshot is not loaded again." in second_setup


# --- static files by WhiteNoise ---------------------------------------------------------------


@pytest.fixture(scope="module")
def stylesheet_path(base_url) -> str:
    """The hashed name the pages link to for GOV.UK Frontend's stylesheet."""
    page = Visitor(base_url).get("").text
    stem, suffix = GOVUK_CSS.rsplit(".", 1)
    match = re.search(rf'href="/static/({re.escape(stem)}\.[0-9a-f]{{12}}\.{suffix})"', page)
    assert match, "the home page does not link GOV.UK Frontend's stylesheet by a hashed name"
    return match[1]


def test_static_file_has_a_hashed_name_and_is_cached_for_ever(visitor, stylesheet_path):
    response = visitor.get("static/" + stylesheet_path, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/css")
    assert FOREVER in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]
    assert "Content-Encoding" not in response.headers  # not asked for: sent as it is
    assert response.content == (Path(settings.STATIC_ROOT) / stylesheet_path).read_bytes()


@pytest.mark.parametrize(
    ("encoding", "decompress"), [("br", brotli.decompress), ("gzip", gzip.decompress)]
)
def test_static_file_is_sent_compressed_when_asked(visitor, stylesheet_path, encoding, decompress):
    response = visitor.get(
        "static/" + stylesheet_path, headers={"Accept-Encoding": encoding}, stream=True
    )
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert FOREVER in response.headers["Cache-Control"]
    body = response.raw.read(decode_content=False)
    original = (Path(settings.STATIC_ROOT) / stylesheet_path).read_bytes()
    assert len(body) < len(original) / 2
    assert decompress(body) == original


# --- sign-in and the plan board ---------------------------------------------------------------


@pytest.fixture
def board_member() -> tuple[str, str]:
    password = secrets.token_urlsafe(16)
    user = User.objects.create_user(f"board-{secrets.token_hex(4)}", password=password)
    user.groups.add(Group.objects.get(name=roles.BOARD_MEMBER))
    return user.username, password


def test_the_plan_board_asks_for_sign_in(visitor):
    response = visitor.get("plan/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")


def test_a_board_member_signs_in_and_reaches_the_plan_board(visitor, board_member):
    username, password = board_member
    form = visitor.get("accounts/login/?next=/plan/")
    assert form.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert token, "the sign-in form carries no CSRF token"

    signed_in = visitor.post_form(
        "accounts/login/?next=/plan/",
        {"username": username, "password": password, "csrfmiddlewaretoken": token[1]},
    )
    assert signed_in.status_code == 302, signed_in.text[:500]
    assert signed_in.headers["Location"] == "/plan/"

    board = visitor.get("plan/")
    assert board.status_code == 200
    assert "board view" in board.text
    first_area = PriorityArea.objects.order_by("number").first()
    if first_area is None:  # the bundled plan is not this county's: none was loaded
        assert not OWN_SNAPSHOT
        assert f"No plan has been loaded for {areas_config().home.name} yet." in board.text
        return
    assert first_area.title in board.text


# --- the Celery worker and beat ---------------------------------------------------------------


def refresh_runs() -> list[ImportRun]:
    return list(ImportRun.objects.filter(source=ImportRun.Source.API).order_by("pk"))


def finished(run_id: int) -> ImportRun | None:
    run = ImportRun.objects.get(pk=run_id)
    return run if run.status != ImportRun.Status.RUNNING else None


def test_the_worker_runs_a_refresh_sent_through_the_broker(fingertips):
    before = len(refresh_runs())
    calls_before = len(fingertips.log)
    base_url = fingertips.url_for("/sent-to-the-worker/api/")

    refresh_fingertips.delay(base_url)

    run = wait_for("an API import run", lambda: refresh_runs()[before:])[0]
    run = wait_for("the run to finish", lambda: finished(run.pk))
    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    assert base_url in run.location
    served = [
        parse_qs(request.query_string.decode())["child_area_type_id"][0]
        for request, _ in fingertips.log[calls_before:]
        if request.path.endswith("by_indicator_id") and "all_data" in request.path
    ]
    assert sorted(served) == ["501", "502"]
    # The same figures as the snapshot the setup step loaded: read, checked, nothing rewritten.
    assert run.rows > 0
    assert run.unchanged > 0
    assert run.created == run.updated == 0


def test_beat_keeps_the_weekly_refresh_in_the_database():
    entry = wait_for(
        "beat's weekly refresh in the database",
        lambda: PeriodicTask.objects.filter(name="refresh-fingertips-weekly").first(),
        seconds=30,
    )
    assert entry.task == "indicators.tasks.refresh_fingertips"
    assert entry.enabled
    assert (entry.crontab.minute, entry.crontab.hour) == ("0", "5")
    assert entry.crontab.day_of_week in {"wed", "3"}


def test_beat_sends_a_task_from_the_database_schedule_to_the_worker(fingertips):
    before = len(refresh_runs())
    base_url = fingertips.url_for("/sent-by-beat/api/")
    every_second, _ = IntervalSchedule.objects.get_or_create(
        every=1, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.create(
        name=f"smoke: refresh once {secrets.token_hex(4)}",
        task="indicators.tasks.refresh_fingertips",
        interval=every_second,
        args=json.dumps([base_url]),
        one_off=True,
    )

    run = wait_for("beat to send the task", lambda: refresh_runs()[before:])[0]
    run = wait_for("the run to finish", lambda: finished(run.pk))
    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    assert base_url in run.location  # the arguments beat read from the database
