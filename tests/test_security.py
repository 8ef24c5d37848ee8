"""Security settings, headers, sign-in lockout, request size limits and secrets in the repository.

Production values are checked in a separate process started with a production environment (the
test process itself runs with DEBUG off but plain HTTP): `check --deploy`, the settings they
produce and the headers a request gets back.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import plotly
import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.utils import get_random_secret_key
from django.test import Client, RequestFactory

from imr_dashboard.security import client_ip

ROOT = settings.BASE_DIR
PASSWORD = "a-long-test-password-9241"
TEST_SECRET_KEY = "test-only-secret-key-not-for-production"  # pyproject's pytest env


def production_env(**overrides: str | None) -> dict[str, str]:
    """The environment of a production server: nothing from the test run but the basics."""
    env = {k: v for k, v in os.environ.items() if k in _PASSED_ON}
    env |= {
        "DEBUG": "0",
        "SECRET_KEY": get_random_secret_key(),
        "ALLOWED_HOSTS": "dashboard.example.org,testserver",
        "CSRF_TRUSTED_ORIGINS": "https://dashboard.example.org",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    env |= overrides
    return {k: v for k, v in env.items() if v is not None}


_PASSED_ON = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT"}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


# What a production process reports about itself: settings and the answers to three requests.
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
names = ["DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD",
         "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE",
         "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SECURE",
         "CSRF_COOKIE_SAMESITE", "CSRF_TRUSTED_ORIGINS", "X_FRAME_OPTIONS",
         "AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME", "DATA_UPLOAD_MAX_MEMORY_SIZE",
         "SECRET_KEY_FALLBACKS", "SESSION_COOKIE_AGE"]
out = {n: getattr(settings, n) for n in names}
out["AXES_COOLOFF_TIME"] = out["AXES_COOLOFF_TIME"].total_seconds()
client = Client()
plain = client.get("/accounts/login/")
out["plain"] = [plain.status_code, plain.get("Location")]
proxied = client.get("/accounts/login/", headers={"x-forwarded-proto": "https"})
out["proxied"] = proxied.status_code
out["health_plain"] = client.get("/healthz/").status_code
secure = client.get("/accounts/login/", secure=True)
out["headers"] = dict(secure.headers)
cookie = secure.cookies["csrftoken"]
out["csrf_cookie"] = {k: cookie[k] for k in ("secure", "httponly", "samesite")}
print(json.dumps(out))
"""


def probe(**overrides: str) -> dict:
    result = run(
        ["-c", PROBE], production_env(DJANGO_SETTINGS_MODULE="imr_dashboard.settings", **overrides)
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- Production settings -------------------------------------------------------------------------


def test_deploy_check_is_clean_with_production_values():
    result = subprocess.run(
        [str(ROOT / ".ci" / "deploy-check")],
        cwd=ROOT,
        env=production_env(PY=sys.executable, SECRET_KEY=None, ALLOWED_HOSTS=None),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_fails_when_https_is_off():
    """The same check, proving it fails: without HTTPS the cookie and HSTS warnings come back."""
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(HTTPS="0")
    )
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr, warning


def test_production_refuses_to_start_without_a_secret_key():
    result = run(["manage.py", "check"], production_env(SECRET_KEY=""))
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_a_secret_key_starting_with_a_dollar_is_taken_as_it_is():
    """One generated key in fifty starts with "$"; django-environ would read it as a reference."""
    key = "$" + "q7Lr2!vX9#kD4mN8pT1wZ6bF3hJ0sG5cE-aU_iO^yR&eW*tK(" + "lPn)"
    result = run(
        [
            "-c",
            "import django; django.setup(); "
            "from django.conf import settings; print(settings.SECRET_KEY)",
        ],
        production_env(SECRET_KEY=key, DJANGO_SETTINGS_MODULE="imr_dashboard.settings"),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == key


def test_development_starts_without_a_secret_key():
    result = run(["manage.py", "check"], production_env(SECRET_KEY="", DEBUG="1"))
    assert result.returncode == 0, result.stderr


def test_production_settings_and_headers():
    seen = probe()
    assert seen["DEBUG"] is False
    assert seen["SECURE_SSL_REDIRECT"] is True
    assert seen["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert seen["SECURE_HSTS_PRELOAD"] is False
    assert seen["SESSION_COOKIE_SECURE"] is True
    assert seen["SESSION_COOKIE_HTTPONLY"] is True
    assert seen["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert seen["CSRF_COOKIE_SECURE"] is True
    assert seen["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert seen["CSRF_TRUSTED_ORIGINS"] == ["https://dashboard.example.org"]
    assert seen["AXES_FAILURE_LIMIT"] == 5
    assert seen["AXES_COOLOFF_TIME"] == 15 * 60

    # Plain HTTP is redirected; without a configured proxy header, X-Forwarded-Proto is not trusted.
    assert seen["plain"] == [301, "https://testserver/accounts/login/"]
    assert seen["proxied"] == 301
    # The health check answers plain HTTP: probes inside the deployment call it directly.
    assert seen["health_plain"] == 200
    assert seen["SESSION_COOKIE_AGE"] == 8 * 60 * 60
    assert seen["SECRET_KEY_FALLBACKS"] == []

    headers = {k.lower(): v for k, v in seen["headers"].items()}
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "content-security-policy-report-only" not in headers
    assert seen["csrf_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}


def test_behind_a_tls_proxy_the_configured_header_is_trusted():
    seen = probe(SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https")
    assert seen["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert seen["plain"][0] == 301
    assert seen["proxied"] == 200


def test_old_secret_keys_are_accepted_while_a_new_one_takes_over():
    seen = probe(SECRET_KEY_FALLBACKS="old-key-one,old-key-two", SESSION_COOKIE_AGE="3600")
    assert seen["SECRET_KEY_FALLBACKS"] == ["old-key-one", "old-key-two"]
    assert seen["SESSION_COOKIE_AGE"] == 3600


def test_hsts_preload_and_redirect_are_configurable():
    seen = probe(SECURE_HSTS_PRELOAD="1", SECURE_HSTS_SECONDS="63072000", SECURE_SSL_REDIRECT="0")
    assert seen["plain"] == [200, None]
    headers = {k.lower(): v for k, v in seen["headers"].items()}
    assert headers["strict-transport-security"] == "max-age=63072000; includeSubDomains; preload"


def test_violation_reports_go_where_configured():
    headers = probe(CSP_REPORT_URI="https://reports.example.org/csp")["headers"]
    policy = {k.lower(): v for k, v in headers.items()}["content-security-policy"]
    assert "report-uri https://reports.example.org/csp" in policy
    assert (
        "report-uri"
        not in {k.lower(): v for k, v in probe()["headers"].items()}["content-security-policy"]
    )


def test_a_malformed_proxy_header_setting_is_refused():
    result = run(
        ["manage.py", "check"], production_env(SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO")
    )
    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER is a header and a value" in result.stderr


def test_every_new_setting_is_in_env_example():
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, flags=re.M))
    for name in (
        "HTTPS",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "CSRF_TRUSTED_ORIGINS",
        "CSP_REPORT_URI",
        "AXES_FAILURE_LIMIT",
        "AXES_COOLOFF_MINUTES",
        "TRUSTED_PROXY_COUNT",
        "DATA_UPLOAD_MAX_MEMORY_SIZE",
        "FILE_UPLOAD_MAX_MEMORY_SIZE",
        "DATA_UPLOAD_MAX_NUMBER_FIELDS",
        "DATA_UPLOAD_MAX_NUMBER_FILES",
    ):
        assert name in documented, name


# --- Secrets in the repository --------------------------------------------------------------------

# Values of SECRET_KEY the repository may hold, each a throwaway: the test suite's key, the
# development fallback (DEBUG on only), the image build's key for collectstatic, the benchmarks'.
ALLOWED_SECRET_KEYS = {
    TEST_SECRET_KEY,
    "insecure-development-key-used-only-with-DEBUG-on",
    "collectstatic-only",
    "bench-only",
    "bench-only-key-not-a-secret",
    "from-the-environment",  # tests/test_deployment.py's stand-in
    "...",
}
SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE" + r" KEY( BLOCK)?-----"),
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),
}
# SECRET_KEY given a literal value: quoted (Python, JSON, YAML), KEY=value (env files, shells)
# or KEY: value (YAML). Values taken from elsewhere ($VAR, ${VAR}, $(command), env.str(...)) pass.
SECRET_KEY_VALUE = re.compile(
    r"""SECRET_KEY['"]?[ \t]*[:=][ \t]*["']([^"'\s]+)["']"""
    r"""|(?<![\w.])SECRET_KEY(?:=|:[ \t]+)(?![$])([^\s"',)]+)"""
)


# This file plants secrets to prove the scan finds them.
SCAN_EXEMPT = {"tests/test_security.py"}


def secrets_in(text: str, *, python: bool = False) -> list[str]:
    found = [name for name, pattern in SECRET_PATTERNS.items() if pattern.search(text)]
    for match in SECRET_KEY_VALUE.finditer(text):
        value = match.group(1) or match.group(2)
        if python and match.group(2) and value.isidentifier():
            continue  # a keyword argument given a variable: Python needs quotes for a literal
        if value not in ALLOWED_SECRET_KEYS:
            found.append(f"SECRET_KEY={value[:6]}…")
    return found


def tracked_files() -> list[Path]:
    listing = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    return [ROOT / name for name in listing.split("\0") if name]


def test_the_secret_scan_finds_planted_secrets():
    key_header = "-----BEGIN RSA PRIVATE" + " KEY-----"
    assert secrets_in(f"{key_header}\nMIIEow...") == ["private key"]
    assert secrets_in("SECRET_KEY=w8#kd92jf0aj3lqp\n") == ["SECRET_KEY=w8#kd9…"]
    assert secrets_in('SECRET_KEY = "w8#kd92jf0aj3lqp"') == ["SECRET_KEY=w8#kd9…"]
    assert secrets_in("  SECRET_KEY: w8kd92jf0aj3lqp") == ["SECRET_KEY=w8kd92…"]
    assert secrets_in("AKIA" + "ABCDEFGHIJKLMNOP") == ["AWS access key id"]
    # Not secrets: an empty value, the test key, a value read from elsewhere.
    assert secrets_in("SECRET_KEY=\n") == []
    assert secrets_in(f"SECRET_KEY={TEST_SECRET_KEY}") == []
    assert secrets_in('SECRET_KEY = env.str("SECRET_KEY", default="")') == []
    assert secrets_in("SECRET_KEY=$(python -c 'print(1)')") == []
    assert secrets_in("SECRET_KEY: ${SECRET_KEY:?set it}") == []
    assert secrets_in("run(SECRET_KEY=key, DEBUG=debug)", python=True) == []
    assert secrets_in("run(SECRET_KEY='w8kd92jf0aj3lqp')", python=True) == ["SECRET_KEY=w8kd92…"]


def test_no_secret_is_tracked_in_the_repository():
    files = tracked_files()
    assert len(files) > 50
    assert not any(f.name == ".env" for f in files), ".env is tracked"
    found = {}
    for path in files:
        name = str(path.relative_to(ROOT))
        if name in SCAN_EXEMPT or not path.is_file() or path.stat().st_size > 5_000_000:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary: screenshots, fonts
        if hits := secrets_in(text, python=path.suffix == ".py"):
            found[name] = hits
    assert found == {}


# --- Content Security Policy ----------------------------------------------------------------------


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_the_policy_allows_the_govuk_snippet_by_its_exact_hash():
    base = (ROOT / "templates" / "base.html").read_text()
    snippets = re.findall(r"<script>(.*?)</script>", base, flags=re.S)
    assert len(snippets) == 1, "base.html's only inline script is GOV.UK Frontend's snippet"
    assert "js-enabled" in snippets[0]
    assert csp_hash(snippets[0]) == settings.GOVUK_FRONTEND_SNIPPET_HASH
    assert (
        settings.GOVUK_FRONTEND_SNIPPET_HASH
        in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
    )


def test_no_template_has_another_inline_script_or_handler():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            allowed = "src=" in tag or 'type="application/json"' in tag
            if path.name == "base.html" and tag == "<script>":
                allowed = True  # the GOV.UK snippet, allowed by hash
            assert allowed, (path, tag)
        assert not re.search(r"\son[a-z]+\s*=", text), path
        assert "javascript:" not in text, path


def test_plotlys_injected_stylesheet_is_allowed_by_hash():
    """A fixed stylesheet the served plotly.js injects must be allowed by its hash.

    The full bundle injects one for map tiles (maplibre); the partial bundle the dashboard
    serves (static/vendor/plotly/, no map-tile traces) injects none.
    """
    full = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text()
    served = (Path(settings.BASE_DIR) / "static/vendor/plotly/plotly.min.js").read_text()
    pattern = r"""createElement\("style"\);\w\.id="[0-9a-f]+",\w\.textContent='((?:[^'\\]|\\.)*)'"""
    assert len(re.findall(pattern, full)) == 1  # the pattern still finds what it looks for
    allowed = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src-elem"]
    for sheet in re.findall(pattern, served):
        assert csp_hash(sheet) in allowed, f"set PLOTLY_STYLE_HASHES to {csp_hash(sheet)}"
    assert csp_hash("") in allowed  # the empty <style> Plotly fills through the CSSOM


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/api/v1/indicators/", "/accounts/login/", "/plan/", "/no-such-page/"]
)
def test_every_response_carries_the_enforced_policy(client, path):
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == f"'self' {settings.GOVUK_FRONTEND_SNIPPET_HASH}"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["form-action"] == "'self'"
    assert "'unsafe-eval'" not in policy
    assert "Content-Security-Policy-Report-Only" not in response.headers


# --- Sign-in lockout ------------------------------------------------------------------------------


@pytest.fixture
def member(db) -> User:
    call_command("setup_roles", stdout=io.StringIO())
    user = User.objects.create_user("alice", password=PASSWORD)
    user.groups.add(Group.objects.get(name="Board member"))
    return user


def sign_in(
    client: Client,
    password: str,
    *,
    username: str = "alice",
    url: str = "/accounts/login/",
    ip: str = "10.0.0.1",
):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(client: Client, times: int, **kwargs) -> list[int]:
    return [sign_in(client, "wrong-password", **kwargs).status_code for _ in range(times)]


def test_the_sixth_attempt_is_refused_even_with_the_right_password(client, member, caplog):
    caplog.set_level(logging.INFO, logger="axes")
    assert fail(client, 4) == [200] * 4  # the form again, with its error
    locked = sign_in(client, "wrong-password")
    assert locked.status_code == 429  # the fifth failure locks
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    page = response.content.decode()
    assert "Sign-in locked for 15 minutes" in page
    assert "5 failed attempts" in page
    assert 'class="govuk-heading-l"' in page
    assert any(
        r.getMessage().startswith("AXES: Locking out")
        for r in caplog.records
        if r.levelno >= logging.WARNING
    )


def test_the_lockout_clears_after_the_cool_off(client, member):
    fail(client, 5)
    assert sign_in(client, PASSWORD).status_code == 429
    # Fourteen minutes later: still locked.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=14)
    )
    assert sign_in(client, PASSWORD).status_code == 429
    # The refused attempt restarted the wait; sixteen minutes after it, the lock has gone.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    response = sign_in(client, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_a_successful_sign_in_resets_the_count(client, member):
    assert fail(client, 4) == [200] * 4
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()
    assert fail(client, 4) == [200] * 4  # counted from nought again: not locked
    assert sign_in(client, PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_lock_is_for_that_username_from_that_address(client, member):
    User.objects.create_user("bob", password=PASSWORD)
    fail(client, 5)
    assert sign_in(client, PASSWORD, ip="10.0.0.2").status_code == 302  # another address
    client.logout()
    assert sign_in(client, PASSWORD, username="bob").status_code == 302  # another user


def test_the_admin_sign_in_is_locked_too(client, db):
    User.objects.create_superuser("root", password=PASSWORD)
    assert fail(client, 4, username="root", url="/admin/login/") == [200] * 4
    assert sign_in(client, "wrong", username="root", url="/admin/login/").status_code == 429
    response = sign_in(client, PASSWORD, username="root", url="/admin/login/")
    assert response.status_code == 429
    assert not signed_in(client)
    # The lock holds on the site's own sign-in page as well.
    assert sign_in(client, PASSWORD, username="root").status_code == 429


def test_the_limit_is_configurable(client, member, settings):
    settings.AXES_FAILURE_LIMIT = 2
    assert fail(client, 2) == [200, 429]
    assert sign_in(client, PASSWORD).status_code == 429


def test_client_address_behind_trusted_proxies(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="172.16.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "172.16.0.5"  # no proxy: the header is the client's own words
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # what our proxy saw; the forged entry is ignored
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "172.16.0.5"  # fewer entries than proxies: not through them


# --- Request size -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_a_too_large_body_is_a_400(client, path):
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(path, {"username": "alice", "password": big})
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_too_large_form_from_a_signed_in_user_is_a_400(client):
    client.force_login(User.objects.create_superuser("root", password=PASSWORD))
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post("/admin/actionplan/plan/add/", {"title": big})
    assert response.status_code == 400


@pytest.mark.django_db
def test_too_many_fields_is_a_400(client):
    fields = {f"field{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    assert client.post("/accounts/login/", fields).status_code == 400


@pytest.mark.django_db
def test_a_file_is_refused_everywhere(client):
    """Nothing takes a file over the web: a multipart body with a file is a 400."""
    upload = io.BytesIO(b"area,value\nE07000117,5.3\n")
    upload.name = "figures.csv"
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "x", "file": upload}
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_the_api_takes_no_body(client):
    """The API reads only its query string: any other method is a 405, whatever its body."""
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    for path in ("/api/v1/indicators/", "/api/v1/observations/", "/api/v1/schema/"):
        response = client.post(path, big, content_type="application/json")
        assert response.status_code == 405, path


@pytest.mark.django_db
def test_an_ordinary_sign_in_fits_the_limits(client):
    User.objects.create_user("alice", password=PASSWORD)
    assert sign_in(client, PASSWORD).status_code == 302
