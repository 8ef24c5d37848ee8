"""Pages and API answers go out gzipped to a browser that accepts it (issue 12: page weight)."""

from __future__ import annotations

import gzip

import pytest


@pytest.mark.parametrize("path", ["/", "/indicators/92196/", "/api/v1/indicators/"])
def test_html_and_json_are_gzipped_when_the_browser_accepts_it(client, snapshot, path):
    plain = client.get(path)
    packed = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 3


def test_the_csrf_token_differs_on_every_response(client, snapshot):
    """BREACH: the token in a compressed page is masked afresh each time (nothing to guess)."""
    tokens = set()
    for _ in range(3):
        html = client.get("/accounts/login/", HTTP_ACCEPT_ENCODING="gzip")
        body = gzip.decompress(html.content).decode()
        tokens.add(body.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0])
    assert len(tokens) == 3
