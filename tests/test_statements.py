"""The accessibility statement and privacy notice a public-sector site must publish (issue 12)."""

from __future__ import annotations

import re

import pytest


@pytest.mark.parametrize(
    ("path", "heading", "must_say"),
    [
        ("/accessibility/", "Accessibility statement", ["Compliance status", "Enforcement"]),
        ("/privacy/", "Privacy notice", ["csrftoken", "sessionid", "Information Commissioner"]),
    ],
)
def test_statement_pages_answer_and_are_linked_from_every_footer(
    client, db, path, heading, must_say
):
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html
    for words in must_say:
        assert words in html
    for other in ["/", "/data/", "/inequalities/", "/accounts/login/", path]:
        footer = client.get(other).content.decode().split('<footer class="govuk-footer">')[1]
        assert f'href="{path}"' in footer, other


def test_contact_address_is_given_when_configured(client, db, settings):
    settings.CONTACT_EMAIL = "intelligence@example.org"
    html = client.get("/accessibility/").content.decode()
    assert 'href="mailto:intelligence@example.org"' in html
    settings.CONTACT_EMAIL = ""
    html = client.get("/privacy/").content.decode()
    assert "mailto:" not in html
    assert re.search(r"expires after 8 hours", html)
