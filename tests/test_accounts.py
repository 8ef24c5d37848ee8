"""Accounts: password reset only through a real SMTP server, throttled, its link never printed.

The SMTP server is real (aiosmtpd on 127.0.0.1); the throttle counts in the cache, in memory and
in a real Redis.
"""

from __future__ import annotations

import email
import json
import os
import re
import socket
import subprocess
import sys
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser, User
from django.core import mail
from django.core.cache import cache
from django.core.management.utils import get_random_secret_key
from django.template.loader import render_to_string

ROOT = django_settings.BASE_DIR
PASSWORD = "a-long-test-password-5120"
RESET_LINK = re.compile(r"(\S*)/accounts/reset/([^/\s]+)/([^/\s]+)/")
CONTACT = "the public health intelligence team (phi@example.org)"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 Message accepted"

    def recipients(self) -> list[str]:
        return [m["To"] for m in self.messages]


@pytest.fixture
def smtp_inbox():
    """A real SMTP server on 127.0.0.1 and what it received."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def email_configured(settings, smtp_inbox):
    """The site configured to send through the SMTP server, as EMAIL_URL=smtp://… does."""
    inbox, port = smtp_inbox
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.SITE_URL = "https://dashboard.example.org"
    settings.PASSWORD_RESET_CONTACT = CONTACT
    return inbox


@pytest.fixture
def people(db, settings):
    """Alice, Bob and Carol, each with an email address and a password (quickly hashed)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return {
        name: User.objects.create_user(
            name, email=f"{name}@example.org", password=PASSWORD, first_name=name.title()
        )
        for name in ("alice", "bob", "carol")
    }


def ask_reset(client, address: str, *, remote_addr: str = "198.51.100.1", **headers):
    return client.post(
        "/accounts/password_reset/", {"email": address}, REMOTE_ADDR=remote_addr, headers=headers
    )


def assert_neutral(response) -> None:
    """The answer every well-formed request gets: allowed, throttled or for no account."""
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"


# --- Without an SMTP server, reset is off ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["production", "development"])
def test_with_the_console_backend_no_reset_link_is_printed_or_sent(
    client, people, settings, capsys, caplog, debug
):
    """The defect: the console backend printed the reset link into the web server's log."""
    settings.DEBUG = debug
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.PASSWORD_RESET_CONTACT = CONTACT

    response = ask_reset(client, "alice@example.org")

    printed = capsys.readouterr()
    for text in (printed.out, printed.err, caplog.text):
        assert "/accounts/reset/" not in text
        assert "alice@example.org" not in text
    assert response.status_code == 200
    assert "You cannot reset your password here" in response.text
    assert CONTACT in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/MQ/set-password/",
        "/accounts/reset/done/",
    ],
)
def test_without_an_smtp_server_every_reset_page_says_who_resets_passwords(client, settings, path):
    settings.PASSWORD_RESET_CONTACT = CONTACT  # and the tests' in-memory backend: no server

    response = client.get(path)

    assert response.status_code == 200
    assert 'data-testid="reset-unavailable"' in response.text
    assert f"ask {CONTACT} to reset it" in response.text
    assert "administration pages" in response.text
    assert "<form" not in response.text  # nothing here sends anything
    assert 'class="govuk-' in response.text  # the service's own pages, not the admin's


@pytest.mark.django_db
def test_an_smtp_backend_without_a_host_is_not_configured(client, people, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = ""

    response = ask_reset(client, "alice@example.org")

    assert response.status_code == 200
    assert "You cannot reset your password here" in response.text


@pytest.mark.django_db
def test_the_sign_in_page_links_to_reset_and_names_who_resets_when_it_is_off(client, settings):
    settings.PASSWORD_RESET_CONTACT = CONTACT

    page = client.get("/accounts/login/").text

    assert (
        '<a class="govuk-link" href="/accounts/password_reset/">Forgotten your password?</a>'
        in (page)
    )
    assert f"Ask {CONTACT} to reset it." in page


@pytest.mark.django_db
def test_the_sign_in_page_links_to_reset_when_email_is_configured(client, email_configured):
    page = client.get("/accounts/login/").text

    assert 'href="/accounts/password_reset/">Forgotten your password?</a>' in page
    assert f"Ask {CONTACT}" not in page


# --- With an SMTP server: one email per allowed request --------------------------------------


@pytest.mark.django_db
def test_a_reset_email_arrives_at_the_smtp_server_and_its_link_sets_a_new_password(
    client, people, email_configured, caplog
):
    form = client.get("/accounts/password_reset/")
    assert form.status_code == 200 and 'name="email"' in form.text

    assert_neutral(ask_reset(client, "Alice@Example.org"))

    [message] = email_configured.messages
    assert message["To"] == "alice@example.org"
    assert message["Subject"].startswith("Reset your password for the ")
    body = message.get_content()
    assert "Dear Alice," in body
    site, uid, token = RESET_LINK.search(body).groups()
    assert site == "https://dashboard.example.org"  # from SITE_URL, not the request's Host
    assert "/accounts/reset/" not in caplog.text

    set_password = client.get(f"/accounts/reset/{uid}/{token}/")
    assert set_password.status_code == 302
    page = client.get(set_password["Location"])
    assert "Set a new password" in page.text
    new = "another-long-password-7731"
    done = client.post(set_password["Location"], {"new_password1": new, "new_password2": new})
    assert done["Location"] == "/accounts/reset/done/"
    signed_in = client.post("/accounts/login/", {"username": "alice", "password": new})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/plan/"
    # The link works once.
    client.logout()
    assert "The link does not work" in client.get(f"/accounts/reset/{uid}/{token}/").text


@pytest.mark.django_db
def test_an_address_with_no_account_gets_the_same_page_and_no_email(
    client, people, email_configured
):
    assert_neutral(ask_reset(client, "nobody@example.org"))
    assert email_configured.messages == []


@pytest.mark.django_db
def test_reset_requests_for_one_account_are_throttled_and_the_page_does_not_say_so(
    client, people, email_configured, settings
):
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 3
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 100

    # From five different addresses, in any case: still one account.
    for n, spelling in enumerate(["alice@example.org", "ALICE@example.org"] * 3):
        assert_neutral(ask_reset(client, spelling, remote_addr=f"198.51.100.{n + 1}"))

    assert email_configured.recipients() == ["alice@example.org"] * 3
    # Other accounts are not held up by Alice's.
    assert_neutral(ask_reset(client, "bob@example.org"))
    assert email_configured.recipients()[-1] == "bob@example.org"
    assert len(email_configured.messages) == 4


@pytest.mark.django_db
def test_reset_requests_from_one_client_address_are_throttled(
    client, people, email_configured, settings
):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 2
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 100

    for name in ("alice", "bob", "carol", "alice"):
        assert_neutral(ask_reset(client, f"{name}@example.org", remote_addr="203.0.113.9"))

    assert email_configured.recipients() == ["alice@example.org", "bob@example.org"]
    # Another client is not held up by that one.
    assert_neutral(ask_reset(client, "carol@example.org", remote_addr="203.0.113.10"))
    assert email_configured.recipients()[-1] == "carol@example.org"


@pytest.mark.django_db
def test_behind_a_proxy_the_client_address_is_the_one_the_proxy_saw(
    client, people, email_configured, settings
):
    """Entries the client writes into X-Forwarded-For itself do not buy it a fresh allowance."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 2
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 100

    for n, name in enumerate(("alice", "bob", "carol")):
        forwarded = f"10.0.0.{n}, 203.0.113.7"  # made up by the client, then the proxy's
        response = ask_reset(
            client, f"{name}@example.org", remote_addr="127.0.0.1", x_forwarded_for=forwarded
        )
        assert_neutral(response)

    assert email_configured.recipients() == ["alice@example.org", "bob@example.org"]


@pytest.fixture
def redis_cache(settings, redis_url):
    """The default cache in a real Redis, as in production."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_the_throttle_counts_in_redis_shared_by_every_web_worker(
    client, people, email_configured, settings, redis_cache
):
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 2

    for _ in range(4):
        assert_neutral(ask_reset(client, "alice@example.org"))

    assert len(email_configured.messages) == 2
    keys = [k.decode() for k in cache._cache.get_client().keys("*password-reset:*")]
    assert any(":password-reset:address:198.51.100.1" in k for k in keys)
    assert not any("alice" in k for k in keys)  # addresses are hashed
    ttl = cache._cache.get_client().ttl(next(k for k in keys if ":account:" in k))
    assert 0 < ttl <= settings.PASSWORD_RESET_WINDOW_MINUTES * 60


@pytest.mark.django_db
def test_when_the_cache_is_down_a_reset_request_sends_nothing(
    client, people, email_configured, settings, caplog
):
    """Unthrottled reset emails would be worse than none for a while."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

    assert_neutral(ask_reset(client, "alice@example.org"))

    assert email_configured.messages == []
    assert "Password reset refused: the request could not be counted" in caplog.text


@pytest.mark.django_db
def test_a_bad_email_address_gets_the_form_again_with_its_error(client, email_configured):
    response = ask_reset(client, "not an address")

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "Enter a valid email address." in response.text
    assert email_configured.messages == []


def test_the_locked_out_page_names_who_resets_passwords(settings, rf):
    settings.PASSWORD_RESET_CONTACT = CONTACT
    request = rf.get("/accounts/login/")
    request.user = AnonymousUser()

    page = render_to_string(
        "registration/locked_out.html",
        {"cooloff_timedelta": timedelta(minutes=15), "failure_limit": 5},
        request=request,
    )
    assert f"ask {CONTACT} to reset it" in page


# --- EMAIL_URL and the separate variables, as a production process reads them ---------------

_PASSED_ON = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}
EMAIL_SETTINGS = list(django_settings.EMAIL_SERVER_VARIABLES)  # read back as the process set them
SETTINGS_PROBE = f"""
import json, django
django.setup()
from django.conf import settings
from imr_dashboard.mail import smtp_configured
out = {{name: getattr(settings, name) for name in {EMAIL_SETTINGS!r}}}
out["configured"] = smtp_configured()
out["has_email_url"] = hasattr(settings, "EMAIL_URL")
print(json.dumps(out))
"""


def production_env(**variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in _PASSED_ON}
    return env | {
        "DJANGO_SETTINGS_MODULE": "imr_dashboard.settings",
        "DEBUG": "0",
        "SECRET_KEY": get_random_secret_key(),
        "ALLOWED_HOSTS": "dashboard.example.org,testserver",
        "DATABASE_URL": "sqlite:///:memory:",
        **variables,
    }


def email_settings(**variables: str) -> dict | str:
    """The email settings a production process reads, or its error when it refuses to start."""
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_PROBE],
        cwd=ROOT,
        env=production_env(**variables),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode:
        return result.stderr.strip().splitlines()[-1]
    return json.loads(result.stdout.strip().splitlines()[-1])


SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp+tls://dashboard%40council.example:p%40ss%2Fw0rd@mail.example.org:587",
            [SMTP, "mail.example.org", 587, "dashboard@council.example", "p@ss/w0rd", True, False],
        ),
        ("smtp+ssl://mail.example.org", [SMTP, "mail.example.org", 465, "", "", False, True]),
        ("smtp://relay.internal", [SMTP, "relay.internal", 25, "", "", False, False]),
        ("smtp://relay.internal:2525", [SMTP, "relay.internal", 2525, "", "", False, False]),
    ],
)
def test_email_url_names_the_smtp_server(url, expected):
    read = email_settings(EMAIL_URL=url)
    assert [read[name] for name in EMAIL_SETTINGS] == expected
    assert read["configured"] is True
    assert read["has_email_url"] is False  # its password is not kept as a setting


def test_consolemail_prints_emails_and_is_not_configured():
    read = email_settings(EMAIL_URL="consolemail://")
    assert read["EMAIL_BACKEND"] == CONSOLE
    assert read["configured"] is False


def test_without_any_email_variable_email_is_printed_and_not_configured():
    read = email_settings()
    assert read["EMAIL_BACKEND"] == CONSOLE
    assert read["configured"] is False


def test_the_separate_email_variables_still_work_and_empty_ones_mean_their_defaults():
    read = email_settings(
        EMAIL_BACKEND=SMTP,
        EMAIL_HOST="mail.example.org",
        EMAIL_PORT="2525",
        EMAIL_HOST_USER="dashboard",
        EMAIL_HOST_PASSWORD="secret",
        EMAIL_USE_TLS="1",
    )
    assert [read[name] for name in EMAIL_SETTINGS] == [
        SMTP,
        "mail.example.org",
        2525,
        "dashboard",
        "secret",
        True,
        False,
    ]
    assert read["configured"] is True

    empty = dict.fromkeys(EMAIL_SETTINGS, "")  # as .env.example lists them
    read = email_settings(**empty, EMAIL_URL="")
    assert [read[name] for name in EMAIL_SETTINGS] == [
        CONSOLE,
        "localhost",
        25,
        "",
        "",
        False,
        False,
    ]


def test_email_url_beside_a_separate_variable_is_refused_by_name():
    error = email_settings(EMAIL_URL="smtp://mail.example.org", EMAIL_HOST="other.example.org")
    assert "EMAIL_URL gives the whole email server, so leave EMAIL_HOST empty or unset" in error


def test_the_password_may_stay_out_of_email_url_in_a_file(tmp_path):
    password_file = tmp_path / "email_password"
    password_file.write_text("p@ss:w0rd\n", encoding="utf-8")

    read = email_settings(
        EMAIL_URL="smtp+tls://dashboard@mail.example.org",
        EMAIL_HOST_PASSWORD_FILE=str(password_file),
    )

    assert (read["EMAIL_HOST_USER"], read["EMAIL_HOST_PASSWORD"]) == ("dashboard", "p@ss:w0rd")
    error = email_settings(
        EMAIL_URL="smtp+tls://dashboard:other@mail.example.org",
        EMAIL_HOST_PASSWORD_FILE=str(password_file),
    )
    assert "EMAIL_URL holds a password and EMAIL_HOST_PASSWORD (or _FILE) is set too" in error


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://user:hunter2@mail.example.org", "EMAIL_URL must start with smtp://"),
        ("smtps://user:hunter2@mail.example.org", "EMAIL_URL must start with smtp://"),
        ("smtp://user:hunter2@", "EMAIL_URL names no host"),
        ("smtp://user:hunter2@mail.example.org:twenty-five", "EMAIL_URL cannot be read"),
    ],
)
def test_a_bad_email_url_is_a_clear_error_that_does_not_show_the_password(url, message):
    error = email_settings(EMAIL_URL=url)
    assert message in error
    assert "hunter2" not in error


def test_a_production_process_with_email_url_sends_the_reset_link_to_the_server(smtp_inbox):
    """EMAIL_URL end to end: settings read from the environment, a real request, a real server."""
    inbox, port = smtp_inbox
    script = """
import django
django.setup()
from django.core.management import call_command
from django.contrib.auth.models import AnonymousUser, User
from django.test import Client
call_command("migrate", verbosity=0)
User.objects.create_user("alice", email="alice@example.org", password="x-long-password-1")
response = Client().post("/accounts/password_reset/", {"email": "alice@example.org"}, secure=True)
print(response.status_code, response["Location"])
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=production_env(
            EMAIL_URL=f"smtp://127.0.0.1:{port}",
            SITE_URL="https://dashboard.example.org",
            DEFAULT_FROM_EMAIL="dashboard@example.org",
        ),
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["302", "/accounts/password_reset/done/"]
    [message] = inbox.messages
    assert message["To"] == "alice@example.org"
    assert message["From"] == "dashboard@example.org"
    assert RESET_LINK.search(message.get_content())
    assert "/accounts/reset/" not in result.stdout + result.stderr


def test_the_tests_default_backend_is_memory_and_sends_no_reset(client, people):
    """pytest-django's in-memory backend is no server: reset stays off in the other tests."""
    ask_reset(client, "alice@example.org")
    assert mail.outbox == []
