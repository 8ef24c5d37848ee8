"""A control character in an address or a query parameter answers 400, never a 500.

PostgreSQL refuses NUL in text, so a view that looked up `/areas/%00/` failed with a 500; other
control characters reached views, the cache key and the database the same way. Every URL
pattern with a parameter is opened with each parameter holding one, and every pattern with one
in its query string, by an anonymous visitor and by a superuser (who reaches the admin's views).
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.test_url_access import (  # noqa: F401 (world: the objects the URLs are opened with)
    ACCESS,
    SUPERUSER,
    all_patterns,
    url_for,
    world,
)

# NUL, other C0 controls (tab, line feed, carriage return, escape...), DEL and a C1 control.
CONTROLS = ["\x00", "\x01", "\t", "\n", "\r", "\x1b", "\x1f", "\x7f", "\x85"]


def _clients(world) -> dict[str, Client]:  # noqa: F811
    anonymous = Client(raise_request_exception=False)
    superuser = Client(raise_request_exception=False)
    superuser.force_login(world.users[SUPERUSER])
    return {"anonymous": anonymous, "superuser": superuser}


def _with_control(args: dict | tuple, which, control: str) -> dict | tuple:
    """The arguments, one of them (by name or position) with a control character added."""
    if isinstance(args, tuple):
        return tuple(
            quote(f"{v}{control}", safe="") if i == which else v for i, v in enumerate(args)
        )
    return {k: quote(f"{v}{control}", safe="") if k == which else v for k, v in args.items()}


def _args(pattern, world) -> dict | tuple:  # noqa: F811
    """The arguments test_url_access opens the pattern with; any, for a pattern it lacks."""
    if pattern.key in ACCESS:
        return ACCESS[pattern.key].args(world)
    route = pattern.pattern.pattern
    if hasattr(route, "converters"):
        return dict.fromkeys(route.converters, "1")
    if route.regex.groupindex:
        return dict.fromkeys(route.regex.groupindex, "1")
    return ("1",) * route.regex.groups


def test_a_control_character_in_any_parameter_of_any_url_answers_400(world):  # noqa: F811
    clients = _clients(world)
    wrong, checked = [], 0
    for pattern in all_patterns():
        args = _args(pattern, world)
        names = range(len(args)) if isinstance(args, tuple) else list(args)
        for name in names:
            for control in CONTROLS:
                url = url_for(pattern, _with_control(args, name, control))
                for persona, client in clients.items():
                    status = client.get(url).status_code
                    checked += 1
                    if status != 400:
                        wrong.append(f"{pattern.key} [{name}={control!r}] as {persona}: {status}")
    assert wrong == [], "\n".join(wrong)
    assert checked > 300


def test_a_control_character_in_the_query_string_of_any_url_answers_400(world):  # noqa: F811
    clients = _clients(world)
    wrong = []
    for pattern in all_patterns():
        url = url_for(pattern, _args(pattern, world))
        query = f"{ACCESS[pattern.key].query}&" if pattern.key in ACCESS else ""
        for control in ("\x00", "\n", "\x7f"):
            encoded = quote(control, safe="")
            for extra in (f"area={encoded}", f"x{encoded}=1", f"next=/{encoded}"):
                for persona, client in clients.items():
                    status = client.get(f"{url}?{query}{extra}").status_code
                    if status != 400:
                        wrong.append(f"{pattern.key}?{extra} as {persona}: {status}")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/areas/%00/",
        "/areas/E07000117%00/profile.csv",
        "/areas/%0A/",
        "/?benchmark=%00",
        "/indicators/92196/?period=%00",
        "/indicators/92196/compare.csv?area=E07000117%00",
        "/plan/?next=%1B",
    ],
)
def test_the_reported_addresses_answer_400_with_the_error_page(snapshot, url):
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_the_api_answers_a_control_character_with_its_own_400(snapshot):
    response = Client(raise_request_exception=False).get(
        "/api/v1/observations/", {"indicator": "92196", "area": "E06000009\x00"}
    )
    assert response.status_code == 400
    assert "control character" in response.json()["error"]


@pytest.mark.django_db
def test_a_signed_in_form_still_takes_line_breaks_in_its_body(client):
    """Only addresses are refused: a form's text (a progress note) may hold line breaks."""
    User.objects.create_user("alice", password="not-a-real-password-1")
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "not-a-real-password-1\n"}
    )
    assert response.status_code in {200, 302}
