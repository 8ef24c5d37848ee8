"""The shipped TLS proxy in front of gunicorn, for real: Debian's nginx runs the repository's own
config (deploy/nginx/templates/, rendered for this test's ports and certificate as the nginx image
renders it), gunicorn runs on 127.0.0.2 with the settings docker-compose.yml and .env.example
give the web service, and the requests go over HTTPS with a self-signed certificate made here.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import ssl
import subprocess
import sys
from dataclasses import dataclass
from html import unescape
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import yaml

from tests.processes import free_port, stop, wait_for_port
from tests.smoke.stack import interpolate

BASE_DIR = Path(__file__).resolve().parent.parent
TEMPLATE = BASE_DIR / "deploy" / "nginx" / "templates" / "dashboard.conf.template"
NGINX = shutil.which("nginx") or next(
    (path for path in ("/usr/sbin/nginx",) if os.access(path, os.X_OK)), None
)
OPENSSL = shutil.which("openssl")
UPSTREAM_HOST = "127.0.0.2"  # gunicorn: not the address the proxy connects from
MAX_REDIRECTS = 10

pytestmark = [
    pytest.mark.nginx,
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (CI installs it)"),
    pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed (CI installs it)"),
]


def render(template: str, values: dict[str, str]) -> str:
    """As the nginx image does at start: ${NAME} replaced by its value; nginx's $vars kept."""
    rendered = re.sub(r"\$\{(\w+)\}", lambda m: values.get(m[1], m[0]), template)
    missing = re.findall(r"\$\{(\w+)\}", rendered)
    assert not missing, f"the proxy's template needs {missing}, which docker-compose.yml lacks"
    return rendered


def compose_services() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text(encoding="utf-8"))["services"]


def web_environment() -> dict[str, str]:
    """What .env.example and docker-compose.yml give the web service, less the secrets and URLs."""
    example = (BASE_DIR / ".env.example").read_text(encoding="utf-8")
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", example, re.M))
    compose_env = {
        name: interpolate(str(value), {})
        for name, value in compose_services()["web"]["environment"].items()
        if "$" not in str(value)  # the secrets and the URLs built from them
    }
    wanted = {
        "DEBUG",
        "HTTPS",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "AXES_FAILURE_LIMIT",
        "AXES_COOLOFF_MINUTES",
        "TRUSTED_PROXY_COUNT",
        "FORWARDED_ALLOW_IPS",
        "GUNICORN_TIMEOUT",
    }
    return {name: value for name, value in {**values, **compose_env}.items() if name in wanted}


@dataclass
class Proxied:
    https_port: int
    http_port: int
    certificate: Path

    def request(
        self,
        method: str,
        path: str,
        *,
        source: str = "127.0.0.1",
        headers: dict[str, str] | None = None,
        body: str | None = None,
    ) -> http.client.HTTPResponse:
        context = ssl.create_default_context(cafile=str(self.certificate))
        connection = http.client.HTTPSConnection(
            "127.0.0.1",
            self.https_port,
            context=context,
            timeout=30,
            source_address=(source, 0),
        )
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        response.text = response.read().decode("utf-8", errors="replace")
        connection.close()
        return response

    def follow(self, path: str) -> list[tuple[int, str]]:
        """GET path and every redirect after it (at most MAX_REDIRECTS); each status and path."""
        seen: list[tuple[int, str]] = []
        for _ in range(MAX_REDIRECTS + 1):
            response = self.request("GET", path)
            seen.append((response.status, path))
            if response.status not in (301, 302, 303, 307, 308):
                return seen
            location = urlsplit(response.headers["Location"])
            if location.netloc:
                assert location.scheme == "https", seen
                assert location.netloc == f"127.0.0.1:{self.https_port}", seen
            path = location.path + (f"?{location.query}" if location.query else "")
            if any(path == earlier for _, earlier in seen):
                pytest.fail(f"redirect loop: {[*seen, (0, path)]}")
        pytest.fail(f"more than {MAX_REDIRECTS} redirects: {seen}")

    def sign_in(self, username: str, password: str, *, source: str, forwarded_for: str = ""):
        """The sign-in form, as a browser at address `source` posts it."""
        form = self.request("GET", "/accounts/login/", source=source)
        assert form.status == 200, form.status
        cookies = SimpleCookie()
        for header in form.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        token = unescape(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1])
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={m.value}" for k, m in cookies.items()),
            "Referer": f"https://127.0.0.1:{self.https_port}/accounts/login/",
        }
        if forwarded_for:
            headers["X-Forwarded-For"] = forwarded_for
        body = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
        return self.request("POST", "/accounts/login/", source=source, headers=headers, body=body)


@pytest.fixture(scope="module")
def proxied(tmp_path_factory) -> Proxied:
    work = tmp_path_factory.mktemp("proxy")
    certificate, key = work / "fullchain.pem", work / "privkey.pem"
    subprocess.run(
        [
            *(OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", str(key), "-out", str(certificate), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )

    # gunicorn with the production settings of the web service, on its own SQLite database.
    web_port = free_port(UPSTREAM_HOST)
    environ = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        **web_environment(),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_BIND": f"{UPSTREAM_HOST}:{web_port}",
        "WEB_CONCURRENCY": "2",
        "STATIC_ROOT": str(work / "static"),
        "FINGERTIPS_API_URL": "http://127.0.0.1:9/api/",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=BASE_DIR,
        env=environ,
        check=True,
        capture_output=True,
        timeout=300,
    )
    # nginx with the shipped server config, rendered with docker-compose.yml's values for the
    # proxy service except this test's ports, upstream and certificate paths.
    https_port, http_port = free_port("127.0.0.1"), free_port("127.0.0.1")
    values = {
        **{k: str(v) for k, v in compose_services()["proxy"]["environment"].items()},
        "PROXY_UPSTREAM": f"{UPSTREAM_HOST}:{web_port}",
        "PROXY_HTTPS_LISTEN": f"127.0.0.1:{https_port}",
        "PROXY_HTTP_LISTEN": f"127.0.0.1:{http_port}",
        "PROXY_TLS_CERTIFICATE": str(certificate),
        "PROXY_TLS_KEY": str(key),
    }
    (work / "dashboard.conf").write_text(render(TEMPLATE.read_text(encoding="utf-8"), values))
    # What the nginx image's own nginx.conf gives around conf.d, with this test's paths.
    temp_paths = "\n".join(
        f"  {kind}_temp_path {work / kind};" for kind in ("client_body", "proxy", "fastcgi")
    )
    (work / "nginx.conf").write_text(
        f"worker_processes 1;\npid {work / 'nginx.pid'};\nerror_log {work / 'error.log'};\n"
        "events { worker_connections 64; }\n"
        f"http {{\n  access_log {work / 'access.log'};\n{temp_paths}\n"
        f"  uwsgi_temp_path {work / 'uwsgi'};\n  scgi_temp_path {work / 'scgi'};\n"
        f"  include {work / 'dashboard.conf'};\n}}\n"
    )
    web_log, proxy_log = work / "gunicorn.log", work / "nginx.log"
    started: list[subprocess.Popen] = []
    try:
        with web_log.open("wb") as log:
            web = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "imr_dashboard.wsgi:application"],
                cwd=BASE_DIR,
                env=environ,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(web)
        with proxy_log.open("wb") as log:
            proxy = subprocess.Popen(
                [
                    *(NGINX, "-p", str(work), "-c", str(work / "nginx.conf")),
                    *("-e", str(proxy_log), "-g", "daemon off;"),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(proxy)
        wait_for_port(UPSTREAM_HOST, web_port, web, web_log, 90)
        wait_for_port("127.0.0.1", https_port, proxy, proxy_log, 30)
        yield Proxied(https_port=https_port, http_port=http_port, certificate=certificate)
    finally:
        for process in reversed(started):
            stop(process, seconds=20)


def test_pages_through_the_proxy_answer_200_without_a_redirect_loop(proxied):
    assert proxied.follow("/") == [(200, "/")]
    # A signed-in page sends the visitor to the sign-in page, over HTTPS, once.
    assert proxied.follow("/plan/") == [(302, "/plan/"), (200, "/accounts/login/?next=/plan/")]


def test_the_dashboard_sends_hsts_and_secure_cookies_through_the_proxy(proxied):
    response = proxied.request("GET", "/accounts/login/")
    assert response.status == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert all("Secure" in c for c in response.headers.get_all("Set-Cookie"))


def test_plain_http_is_redirected_to_https_by_the_proxy(proxied):
    connection = http.client.HTTPConnection("127.0.0.1", proxied.http_port, timeout=30)
    connection.request("GET", "/plan/?area=E10000017", headers={"Host": "127.0.0.1"})
    response = connection.getresponse()
    connection.close()
    assert response.status == 301
    assert response.headers["Location"] == "https://127.0.0.1/plan/?area=E10000017"


def test_failed_sign_ins_from_one_client_do_not_lock_out_another(proxied):
    statuses = [
        proxied.sign_in("alice", "wrong-password", source="127.0.0.5").status for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks alice from .5
    # Another client, the same username: the form again with its error, not the lockout.
    assert proxied.sign_in("alice", "wrong-password", source="127.0.0.6").status == 200
    assert proxied.sign_in("alice", "wrong-password", source="127.0.0.5").status == 429


def test_a_client_cannot_choose_its_address_with_x_forwarded_for(proxied):
    statuses = [
        proxied.sign_in(
            "bob", "wrong-password", source="127.0.0.7", forwarded_for=f"203.0.113.{n}, 127.0.0.8"
        ).status
        for n in range(5)
    ]
    # Every attempt counted against the address the proxy saw, whatever the header said ...
    assert statuses == [200, 200, 200, 200, 429]
    # ... so the address the client named is not locked out.
    assert proxied.sign_in("bob", "wrong-password", source="127.0.0.8").status == 200


def test_pages_and_api_answers_are_gzipped_by_the_proxy(proxied):
    """Issue 12: pages went out uncompressed (83 kB, 19 kB gzipped)."""
    for path in ["/", "/api/v1/schema/", "/accessibility/"]:
        packed = proxied.request("GET", path, headers={"Accept-Encoding": "gzip, br"})
        assert packed.status == 200, path
        assert packed.headers["Content-Encoding"] == "gzip", path
        assert "Accept-Encoding" in packed.headers["Vary"], path
    plain = proxied.request("GET", "/")
    assert plain.status == 200
    assert "Content-Encoding" not in plain.headers
    assert "<html" in plain.text
