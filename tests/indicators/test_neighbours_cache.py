"""A neighbour ranking page is served from the cache like every other page, and its key covers
the groups: a group defined or changed rebuilds it (issue 15, "Numbers")."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators import peer_groups

pytestmark = pytest.mark.django_db
PAGE = "/indicators/90284/"  # injury admissions: the county ranked among its DfE neighbours
AREA, BLACKPOOL, BLACKBURN, CUMBERLAND = "E10000017", "E06000009", "E06000008", "E06000063"


def fetch(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PAGE)
    assert response.status_code == 200
    return response, len(queries)


def test_the_ranking_page_is_a_cache_hit_until_a_group_changes(client, snapshot):
    built, _ = fetch(client)
    assert built["X-Cache"] == "miss"
    page = built.content.decode()
    assert 'data-testid="neighbours"' in page and " of 11" in page
    served, queries = fetch(client)
    assert (served["X-Cache"], queries) == ("hit", 1)  # the data versions, nothing else
    assert served.content == built.content

    peer_groups.define(
        "Lancashire coast",
        AREA,
        [BLACKPOOL, BLACKBURN, CUMBERLAND],
        "Councils on the coast, for a test of the cache",
        source="an analyst",
    )
    rebuilt, _ = fetch(client)
    assert rebuilt["X-Cache"] == "miss"
    assert "Lancashire coast" in rebuilt.content.decode()
    again, queries = fetch(client)
    assert (again["X-Cache"], queries) == ("hit", 1)
