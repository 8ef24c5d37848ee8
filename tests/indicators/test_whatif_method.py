"""The method page cites every relative risk and every neighbour list with its version and date
(issue 15, "Done when"): walked from the data files and the stored groups, not from a list."""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from indicators import peer_groups
from indicators.configuration import sync_configured_areas
from indicators.neighbours_models import PeerGroup, PeerGroupMember

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
RISKS = ROOT / "fixtures" / "whatif" / "relative_risks.csv"
DFE = ROOT / "fixtures" / "reference" / "statistical_neighbours_dfe.csv"


def page() -> str:
    return html.unescape(Client().get("/methods/what-if/").content.decode())


def rows(text: str, testid: str) -> list[str]:
    return re.findall(rf'<tr[^>]*data-testid="{testid}">(.*?)</tr>', text, re.S)


def lists(text: str) -> dict[str, str]:
    """Each neighbour list's summary ("name, for code") and the whole of its details."""
    found = re.findall(
        r'<details class="govuk-details" data-testid="neighbour-list">(.*?)</details>', text, re.S
    )
    return {re.search(r'summary-text">(.*?)</span>', d, re.S).group(1): d for d in found}


def test_every_relative_risk_in_the_file_is_cited_with_its_set_version_and_date():
    text = page()
    shown = rows(text, "rr-row")
    with open(RISKS, newline="", encoding="utf-8") as handle:
        risks = list(csv.DictReader(handle))
    assert risks and len(shown) == len(risks)
    for risk in risks:
        cited = f"{risk['parameter_set']}, version {risk['version']}, dated {risk['set_date']}"
        outcome = "infant" if risk["outcome"] == "infant_mortality" else "stillbirth"
        matching = [
            r
            for r in shown
            if risk["citation"] in r
            and cited in r
            and f"{risk['exposure']}</th>" in r
            and f'<td class="govuk-table__cell">{outcome}</td>' in r
        ]
        assert len(matching) == 1, (risk["factor"], risk["outcome"])


def test_every_neighbour_list_is_cited_with_its_version_and_date():
    sync_configured_areas()
    peer_groups.define(
        "Lancashire coast",
        "E10000017",
        ["E06000009", "E06000008"],
        "Councils on the coast, for tourism-related work",
        source="an analyst",
    )
    fetched = PeerGroup.objects.create(
        kind=PeerGroup.Kind.CIPFA,
        name="CIPFA nearest neighbours",
        area_code="E10000017",
        purpose="CIPFA's model of councils alike in finance and population",
        source="OHID Fingertips API, parent code nn-1-E10000017",
        version="fetched 2026-12-06",
        fetched_at=timezone.now(),
    )
    PeerGroupMember.objects.create(group=fetched, code="E10000019", name="Lincolnshire", rank=1)
    text = page()
    shown = lists(text)
    with open(DFE, newline="", encoding="utf-8") as handle:
        dfe = {(row["area_code"], row["list"]) for row in csv.DictReader(handle)}
    assert dfe and len(shown) == len(dfe) + PeerGroup.objects.count()
    for code, name in dfe:
        details = shown[f"{name}, for {code}"]
        version = re.search(r"\((.*)\)$", name).group(1)  # e.g. "May 2025 model"
        month_year = re.search(r"[A-Z][a-z]+ \d{4}", version).group(0)
        assert f"Version: {version}; dated {month_year}." in details
    for group in PeerGroup.objects.all():
        details = shown[f"{group.name}, for {group.area_code}"]
        dated = (group.fetched_at or group.updated_at).date().isoformat()
        assert f"Version: {group.version}; dated {dated}." in details
        assert group.source in details and group.purpose in details


def test_method_page_works_the_report_factors_together_and_never_adds_them():
    text = page()
    joint = re.search(r'data-testid="joint-example">(.*?)</p>', text, re.S).group(1)
    # By hand: smoking 1,619 / 11,647 (RR 1.40) and BMI 25 or more 6,190 / 12,137 (RR 1.33).
    now = (1 + 1619 / 11647 * 0.40) * (1 + 6190 / 12137 * 0.33)
    single = [1 - 1 / (1 + 1619 / 11647 * 0.40), 1 - 1 / (1 + 6190 / 12137 * 0.33)]
    assert f"would take {100 * (1 - 1 / now):.1f}% of the rate" in joint  # 18.9%
    assert f"to about {4.5 / now:.3f} per 1,000" in joint
    assert f"not the {100 * sum(single):.1f}% the two fractions add up to" in joint  # 19.7%
    assert "approximation" in joint and "never a number of women" in joint
