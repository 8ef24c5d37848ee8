"""Every value in the API and the downloads carries one of the spec's status words.

LOCAL_DATA.md section 5: `ok`, `suppressed`, `provider_suppressed`, `missing`, `not_applicable`,
`low_quality`. A value given (rounded or not) is `ok`, never the screen's word "shown".
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client

from indicators.vocabulary import Disclosure
from tests.localdata.test_disclosure_outputs import real_counts  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

STATUS_WORDS = {
    "ok",
    "suppressed",
    "provider_suppressed",
    "missing",
    "not_applicable",
    "low_quality",
}


def test_every_state_has_a_status_word_of_the_spec():
    assert {state.status for state in Disclosure} == STATUS_WORDS
    assert Disclosure.SHOWN.status == Disclosure.ROUNDED.status == "ok"
    assert Disclosure.SUPPRESSED_AT_SOURCE.status == "provider_suppressed"


def test_api_values_carry_the_spec_status_words(real_counts):  # noqa: F811
    body = json.loads(Client().get("/api/v1/local/deprivation/").content)
    cells = [
        value
        for area in body["areas"]
        for cell in [*area["deciles"].values(), area["all"]]
        for value in cell.values()
    ]
    statuses = {value["status"] for value in cells}
    assert statuses <= STATUS_WORDS
    assert {"ok", "suppressed"} <= statuses
    assert all(value["value"] is not None for value in cells if value["status"] == "ok")
    assert all(value["value"] is None for value in cells if value["status"] != "ok")


def test_csv_download_carries_the_spec_status_words(real_counts):  # noqa: F811
    text = Client().get("/local/deprivation.csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    statuses = {row["status"] for row in rows}
    assert statuses <= STATUS_WORDS
    assert {"ok", "suppressed"} <= statuses
    assert all(row["value"] for row in rows if row["status"] == "ok")
