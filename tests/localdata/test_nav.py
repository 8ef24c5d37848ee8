"""The site navigation offers the local-data pages to analysts and administrators only."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from actionplan import roles
from tests.localdata.test_pages import person

pytestmark = pytest.mark.django_db


def nav_links(client: Client, url: str) -> list[str]:
    html = client.get(url).content.decode()
    menu = re.search(r'<ul class="govuk-service-navigation__list".*?</ul>', html, re.S).group(0)
    return re.findall(r'class="govuk-service-navigation__link" href="([^"]+)"', menu)


@pytest.mark.parametrize("role", [roles.ANALYST, roles.ADMINISTRATOR])
def test_analysts_and_administrators_see_local_data_in_the_navigation(role):
    client = person("alice", role)
    assert reverse("localdata:index") in nav_links(client, reverse("privacy"))
    page = client.get(reverse("localdata:index")).content.decode()
    assert re.search(r'href="/local/" aria-current="page"><strong[^>]*>Local data<', page)


@pytest.mark.parametrize("role", [None, roles.GROUP_MEMBER, roles.BOARD_MEMBER])
def test_the_public_and_plan_members_see_the_navigation_unchanged(role):
    public = nav_links(Client(), reverse("privacy"))
    assert reverse("localdata:index") not in public
    if role:
        links = nav_links(person("bob", role), reverse("privacy"))
        assert reverse("localdata:index") not in links
        assert set(public) <= set(links)
