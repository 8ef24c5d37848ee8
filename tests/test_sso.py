"""Single sign-on against a real OpenID Connect provider on 127.0.0.1 (tests/oidc_provider.py).

The whole flow through the Django test client: the sign-in page's button, the redirect to the
provider, its redirect back with a code, the token request over HTTP, the ID token checked
(signature by the provider's JWKS, issuer, audience, times, nonce) and the person signed in with
the roles their groups map to. Tokens wrong in any of those ways are refused with a page that
says so, and nobody is signed in.
"""

from __future__ import annotations

import io

import pytest
import requests
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client

from actionplan import roles
from imr_dashboard import sso
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, LocalProvider, query_of

ROLE_MAP = {
    "g-board": (roles.BOARD_MEMBER,),
    "g-analysts": (roles.ANALYST,),
    "g-admins": (roles.ADMINISTRATOR, "staff"),
}
ALICE = {
    "sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
    "oid": "00000000-0000-0000-66f3-3332eca7ea81",
    "email": "alice@council.example.org",
    "preferred_username": "alice@council.example.org",
    "name": "Alice Example",
    "given_name": "Alice",
    "family_name": "Example",
    "groups": ["g-board", "g-analysts", "g-unrelated"],
}


@pytest.fixture
def provider(httpserver, settings, db) -> LocalProvider:
    call_command("setup_roles", stdout=io.StringIO())
    local = LocalProvider(httpserver, person=dict(ALICE)).install()
    settings.SSO_ENABLED = True
    settings.OIDC_ISSUER = local.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_ROLE_MAP = ROLE_MAP
    settings.OIDC_PROVIDER_NAME = "Council Entra ID"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, sso.BACKEND]
    sso._discovered.clear()
    yield local
    sso._discovered.clear()


def sign_in(client: Client, next_path: str = "/plan/"):
    """Press "Sign in with …", let the provider approve, follow it back; the callback's answer."""
    start = client.get("/accounts/sso/start/", {"next": next_path})
    assert start.status_code == 302, start.content
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302, at_provider.text
    back = at_provider.headers["Location"]
    assert back.startswith("http://testserver/accounts/sso/callback/")
    return client.get("/accounts/sso/callback/", query_of(back))


def roles_of(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_sign_in_page_offers_the_provider_beside_the_password_form(provider, client):
    page = client.get("/accounts/login/?next=/plan/").content.decode()
    assert "Sign in with Council Entra ID" in page
    assert 'href="/accounts/sso/start/?next=/plan/"' in page
    assert 'name="password"' in page


def test_without_configuration_there_is_no_provider_sign_in(client, db):
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()
    assert client.get("/accounts/sso/start/").status_code == 404
    assert client.get("/accounts/sso/callback/?code=x&state=y").status_code == 404


def test_provider_sign_in_signs_in_with_the_mapped_roles(provider, client):
    response = sign_in(client)
    assert response.status_code == 302 and response["Location"] == "/plan/"
    user = User.objects.get()
    assert user.username == "sso-" + ALICE["sub"]
    assert (user.email, user.first_name, user.last_name) == (ALICE["email"], "Alice", "Example")
    assert not user.has_usable_password()
    assert roles_of(user) == {roles.BOARD_MEMBER, roles.ANALYST}
    assert not user.is_staff and not user.is_superuser
    assert client.get("/plan/").status_code == 200
    # The client's secret and PKCE verifier went to the token endpoint, over HTTP.
    (token_request,) = provider.token_requests
    assert token_request["client_secret"] == CLIENT_SECRET and token_request["code_verifier"]


def test_the_same_person_is_found_by_subject_not_by_email(provider, client):
    sign_in(client)
    provider.person["email"] = "alice.renamed@council.example.org"
    sign_in(Client())
    user = User.objects.get()
    assert user.email == "alice.renamed@council.example.org"
    # Someone else with Alice's old address is someone else.
    provider.person = {**ALICE, "sub": "another-subject"}
    sign_in(Client())
    assert User.objects.count() == 2


def test_roles_follow_the_groups_at_every_sign_in_and_others_are_kept(provider, client):
    sign_in(client)
    user = User.objects.get()
    user.groups.add(Group.objects.get(name=roles.ACTION_OWNER))  # given in the dashboard itself
    provider.person["groups"] = ["g-analysts"]
    assert sign_in(Client()).status_code == 302
    assert roles_of(user) == {roles.ANALYST, roles.ACTION_OWNER}
    provider.person["groups"] = ["g-admins"]
    sign_in(Client())
    user.refresh_from_db()
    assert roles_of(user) == {roles.ADMINISTRATOR, roles.ACTION_OWNER}
    assert user.is_staff and not user.is_superuser


def test_a_person_whose_groups_no_longer_map_is_refused_and_loses_the_roles(provider, client):
    sign_in(client)
    provider.person["groups"] = ["g-unrelated"]
    second = Client()
    response = sign_in(second)
    assert response.status_code == 403
    assert "not in any of the groups" in response.content.decode()
    assert roles_of(User.objects.get()) == set()
    assert second.get("/plan/")["Location"].startswith("/accounts/login/")


def test_a_new_person_with_no_mapped_group_is_refused_and_no_account_is_made(provider, client):
    provider.person["groups"] = []
    response = sign_in(client)
    assert response.status_code == 403
    assert "not in any of the groups" in response.content.decode()
    assert not User.objects.exists()


def test_staff_and_superuser_never_come_from_the_provider_unless_mapped(provider, client):
    provider.person["groups"] = ["g-board", "g-superusers"]
    sign_in(client)
    user = User.objects.get()
    assert not user.is_staff and not user.is_superuser


@pytest.mark.parametrize(
    "tamper",
    ["signature", "audience", "nonce", "issuer", "expired", "key"],
)
def test_a_wrong_id_token_is_refused(provider, client, tamper):
    provider.tamper = tamper
    response = sign_in(client)
    assert response.status_code == 403
    assert "could not be checked" in response.content.decode()
    assert not User.objects.exists()
    assert client.get("/plan/")["Location"].startswith("/accounts/login/")


def test_a_local_account_with_a_password_is_not_taken_over(provider, client):
    User.objects.create_user("sso-" + ALICE["sub"], password="a-local-password-123")
    response = sign_in(client)
    assert response.status_code == 403
    assert "local account" in response.content.decode()
    assert roles_of(User.objects.get()) == set()


def test_a_switched_off_account_is_refused(provider, client):
    sign_in(client)
    User.objects.update(is_active=False)
    response = sign_in(Client())
    assert response.status_code == 403
    assert "switched off" in response.content.decode()


def test_an_unreachable_provider_gives_a_clear_page(provider, client, settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens on the discard port
    sso._discovered.clear()
    response = client.get("/accounts/sso/start/")
    assert response.status_code == 503
    assert "cannot be reached" in response.content.decode()


def test_the_provider_saying_no_gives_a_clear_page(provider, client):
    client.get("/accounts/sso/start/")
    response = client.get("/accounts/sso/callback/", {"error": "access_denied", "state": "x"})
    assert response.status_code == 403
    assert "did not sign you in" in response.content.decode()


def test_a_callback_replayed_with_a_used_code_signs_nobody_in(provider, client):
    start = client.get("/accounts/sso/start/")
    back = requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"]
    assert client.get("/accounts/sso/callback/", query_of(back)).status_code == 302
    other = Client()
    response = other.get("/accounts/sso/callback/", query_of(back))
    assert response.status_code == 403
    assert other.get("/plan/")["Location"].startswith("/accounts/login/")


def test_the_mfa_claim_is_remembered_for_the_session(provider, client):
    provider.person["amr"] = ["pwd", "mfa"]
    sign_in(client)
    assert client.session[sso.SESSION_MFA] is True
    provider.person["amr"] = ["pwd"]
    other = Client()
    sign_in(other)
    assert other.session[sso.SESSION_MFA] is False


def test_role_map_is_read_from_either_form():
    from imr_dashboard.role_map import parse_role_map

    assert parse_role_map("g1=Board member; g2 = Analyst;g1=staff") == {
        "g1": ("Board member", "staff"),
        "g2": ("Analyst",),
    }
    assert parse_role_map('{"g1": ["Board member", "staff"], "g2": "Analyst"}') == {
        "g1": ("Board member", "staff"),
        "g2": ("Analyst",),
    }
    for bad in ("", "g1", "=Analyst", "{not json"):
        with pytest.raises(Exception, match="OIDC_ROLE_MAP"):
            parse_role_map(bad)


def test_a_role_map_naming_an_unknown_role_fails_the_system_check(settings):
    settings.OIDC_ROLE_MAP = {"g1": ("Board member",), "g2": ("Board Members",)}
    (error,) = sso.check_role_map(None)
    assert error.id == "imr.E010" and "Board Members" in error.msg
    settings.OIDC_ROLE_MAP = ROLE_MAP
    assert sso.check_role_map(None) == []


def test_refused_provider_sign_ins_do_not_lock_out_others_at_the_same_address(provider, settings):
    # Many staff reach the site from one council address: people refused by the role map must
    # not lock single sign-on for everyone there (django-axes counts failed sign-ins).
    provider.person = {**ALICE, "sub": "someone-without-a-role", "groups": []}
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        assert sign_in(Client()).status_code == 403
    provider.person = dict(ALICE)
    assert sign_in(Client()).status_code == 302


# --- Configuration, read in a new process as in production

TEST_SECRET_KEY = "test-only-secret-key-not-for-production"  # pyproject's pytest env
CONFIGURED = {
    "SECRET_KEY": TEST_SECRET_KEY,
    "OIDC_ISSUER": "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0",
    "OIDC_CLIENT_ID": "11111111-2222-3333-4444-555555555555",
    "OIDC_CLIENT_SECRET": "from-the-environment",
    "OIDC_ROLE_MAP": "g-board=Board member;g-admins=Administrator;g-admins=staff",
}


def test_single_sign_on_is_off_unless_configured():
    from tests.test_deployment import run_settings

    off = run_settings(
        {"SECRET_KEY": TEST_SECRET_KEY}, "settings.SSO_ENABLED, settings.AUTHENTICATION_BACKENDS"
    )
    assert off.returncode == 0, off.stderr
    assert off.stdout.startswith("False [") and sso.BACKEND not in off.stdout
    on = run_settings(CONFIGURED, "settings.SSO_ENABLED, settings.OIDC_ROLE_MAP['g-admins']")
    assert on.returncode == 0, on.stderr
    assert on.stdout.strip() == "True ('Administrator', 'staff')"


def test_the_client_secret_can_come_from_a_file(tmp_path):
    from tests.test_deployment import run_settings

    (tmp_path / "oidc").write_text("s$cret-from-a-file\n")
    environ = {
        **CONFIGURED,
        "OIDC_CLIENT_SECRET": "",
        "OIDC_CLIENT_SECRET_FILE": str(tmp_path / "oidc"),
    }
    result = run_settings(environ, "settings.OIDC_RP_CLIENT_SECRET")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "s$cret-from-a-file"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"OIDC_ROLE_MAP": ""}, "OIDC_ROLE_MAP is empty"),
        ({"OIDC_CLIENT_SECRET": ""}, "set OIDC_CLIENT_SECRET"),
        ({"OIDC_ISSUER": ""}, "set OIDC_ISSUER"),
        ({"OIDC_ROLE_MAP": "g-board"}, "is not group=Role"),
    ],
)
def test_an_incomplete_configuration_stops_the_start_and_says_what_is_missing(change, message):
    from tests.test_deployment import run_settings

    result = run_settings({**CONFIGURED, **change}, "1")
    assert result.returncode != 0
    assert message in result.stderr
