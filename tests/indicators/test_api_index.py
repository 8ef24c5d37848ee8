"""/api/v1/, which the README names, answers a JSON index of the endpoints (issue 12)."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_api_root_lists_every_endpoint_the_schema_describes():
    answer = Client().get("/api/v1/")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json"
    index = answer.json()
    assert index["schema"] == "/api/v1/schema/"
    urls = [e["url"] for e in index["endpoints"]]
    schema = Client().get("/api/v1/schema/").json()
    assert urls == list(schema["paths"])
    assert {"/api/v1/", "/api/v1/indicators/", "/api/v1/areas/", "/api/v1/observations/"} <= set(
        urls
    )
    observations = next(e for e in index["endpoints"] if e["url"] == "/api/v1/observations/")
    assert {"name": "indicator", "required": True} in observations["parameters"]
    assert {"name": "format", "required": False, "values": ["json", "csv"]} in observations[
        "parameters"
    ]


def test_every_listed_endpoint_answers(snapshot):
    for endpoint in Client().get("/api/v1/").json()["endpoints"]:
        required = {p["name"] for p in endpoint["parameters"] if p["required"]}
        query = {"indicator": "92196"} if required == {"indicator"} else {}
        if required - {"indicator"}:
            continue  # an endpoint that needs inputs of its own is tested with it
        assert Client().get(endpoint["url"], query).status_code == 200, endpoint["url"]
