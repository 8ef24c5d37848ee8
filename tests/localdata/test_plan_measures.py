"""Issue 13 item 4: the plan measures that template-C measures feed show their latest quarter,
its value, the Making Data Count variation and assurance (icon and words) on the board view and
in the board pack, disclosure-controlled; with no local data they say so.

The link is data: `PerformanceMeasure.local_measure_code`, given in the plan file
(fixtures/actionplan/plan.json: 2.02ii -> BF_68W_ANY, 2.03 -> SATOD) or set by an administrator.
"""

from __future__ import annotations

import io
import os
from datetime import date, datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from actionplan import boardpack, frozen_pack
from actionplan.models import PerformanceMeasure, QuarterlyReview
from localdata import loading, synthetic
from tests.actionplan.conftest import (  # noqa: F401 (fixtures)
    analyst,
    board_member,
    loaded_plan,
    login,
    plan_roles,
)

HOME = "E10000017"
SMOKING_AT_DELIVERY = 93085
BREASTFEEDING = 92517


@pytest.fixture
def plan(loaded_plan):  # noqa: F811
    from actionplan.presenters import current_plan

    return current_plan()


def upload_c(rows) -> None:
    uploader = User.objects.create_user("uploader-c")
    data = synthetic.to_csv("C", rows)
    upload = loading.preview_file(
        "C", data, file_name="c.csv", user=uploader, today=date(2025, 6, 30)
    )
    assert upload.status == "previewed", upload.errors
    loading.commit(upload)


def satod_quarters(count: int = 12):
    """SATOD at the county, 2021/22 Q1 onwards, around 9% against a target of 1%."""
    rows = synthetic.template_c(
        HOME, synthetic.quarters(2021, count), measure="SATOD", level=0.09, target=1
    )
    for row in rows:
        row[11] = "test figures"  # not the synthetic example
    return rows


def test_the_plan_file_links_the_framework_measures_template_c_feeds(plan):
    codes = dict(
        PerformanceMeasure.objects.filter(plan=plan).values_list(
            "indicator__fingertips_id", "local_measure_code"
        )
    )
    assert codes[SMOKING_AT_DELIVERY] == "SATOD"
    assert codes[BREASTFEEDING] == "BF_68W_ANY"
    assert codes[92196] == ""


def test_a_link_to_an_unknown_measure_is_refused(plan):
    from django.core.exceptions import ValidationError

    measure = PerformanceMeasure.objects.get(plan=plan, indicator__fingertips_id=92196)
    measure.local_measure_code = "NOT_A_MEASURE"
    with pytest.raises(ValidationError, match="not a local quarterly measure"):
        measure.save()


def test_board_says_when_a_linked_measure_has_no_local_data(client, board_member, plan):  # noqa: F811
    login(client, board_member)
    html = client.get(reverse("actionplan:board")).content.decode()
    assert 'data-testid="local-quarter-SATOD"' in html
    assert "No local data: no SATOD quarter uploaded for Lancashire." in html
    assert "No local data: no BF_68W_ANY quarter uploaded for Lancashire." in html


def test_board_shows_the_latest_quarter_value_and_icons_with_words(client, board_member, plan):  # noqa: F811
    upload_c(satod_quarters())
    login(client, board_member)
    response = client.get(reverse("actionplan:board"))
    html = response.content.decode()
    rows = {row.area.number: row for row in response.context["status"].areas}
    (satod,) = [m for m in rows[5].measures if m.measure.local_measure_code == "SATOD"]
    latest = satod.local
    assert latest.quarter == "2023/24 Q4"  # the twelfth quarter from April 2021
    assert latest.value.endswith("%") and not latest.withheld
    assert f"Local data (SATOD), Lancashire, 2023/24 Q4:</span> <strong>{latest.value}" in html
    # The variation and the assurance, each an icon labelled in words, with the words beside.
    assert latest.variation and latest.variation in html
    assert f'aria-label="{latest.variation}"' in html
    # Around 9% against a 1% target, lower being better: the process fails the target.
    assert latest.assurance == "Assurance: the process consistently fails the target"
    assert f'aria-label="{latest.assurance}"' in html
    assert f"{latest.assurance}</span>" in html


def test_board_withholds_a_small_unpublished_latest_quarter(client, analyst, plan):  # noqa: F811
    """The board is members' (tier 1) even for an analyst: a latest quarter of 5 of 10
    safer-sleep assessments (not published nationally) is suppressed, never shown."""
    measure = PerformanceMeasure.objects.get(plan=plan, indicator__fingertips_id=BREASTFEEDING)
    measure.local_measure_code = "SAFER_SLEEP_ASSESSMENT"
    measure.save()
    rows = synthetic.template_c(
        HOME, synthetic.quarters(2021, 6), measure="SAFER_SLEEP_ASSESSMENT", target=None
    )
    rows[-1][6], rows[-1][7] = 5, 10
    upload_c(rows)
    login(client, analyst)
    html = client.get(reverse("actionplan:board")).content.decode()
    assert "Local data (SAFER_SLEEP_ASSESSMENT), Lancashire, 2022/23 Q2:" in html
    assert "<strong>Suppressed (withheld: too small to publish)</strong>" in html
    assert "50.0%" not in html


@pytest.fixture
def pack_review(plan):
    return QuarterlyReview.objects.create(
        plan=plan, financial_year=2022, quarter=4, meeting_date=date(2023, 4, 19)
    )


def pdf_text(pack) -> str:
    pdf = boardpack.render(pack)
    if os.environ.get("LOCALDATA_PACK"):  # a folder: keep the pack to look at
        Path(os.environ["LOCALDATA_PACK"], f"pack-{len(pdf)}.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _collect(review):
    moment = timezone.make_aware(datetime(2023, 4, 1, 9, 0))
    return boardpack.collect(review, today=date(2023, 4, 1), generated_at=moment)


def test_board_pack_says_when_a_linked_measure_has_no_local_data(pack_review):
    pack = _collect(pack_review)
    lines = [m for section in pack.sections for m in section.measures if m.local]
    assert {m.local.heading for m in lines} == {
        "No local data: no SATOD quarter uploaded for Lancashire.",
        "No local data: no BF_68W_ANY quarter uploaded for Lancashire.",
    }
    assert "No local data: no SATOD quarter uploaded for Lancashire." in pdf_text(pack)


def test_board_pack_prints_the_latest_quarter_with_icon_words(pack_review):
    upload_c(satod_quarters())
    pack = _collect(pack_review)
    (line,) = [
        m for s in pack.sections for m in s.measures if m.local and "SATOD" in m.local.heading
    ]
    assert line.local.heading.startswith("Local data (SATOD), Lancashire, 2023/24 Q4: ")
    assert line.local.assurance == "Assurance: the process consistently fails the target"
    assert line.local.assurance_letter == "F" and line.local.variation_letter
    text = pdf_text(pack)
    assert line.local.heading in text
    assert line.local.variation in text
    assert "Assurance: the process consistently fails the target" in text
    # A frozen quarter's stored pack reads the line back as it was.
    assert frozen_pack.from_plain(frozen_pack.to_plain(pack)) == pack


def test_board_pack_is_public_disclosure(pack_review):
    """The pack is a download (tier 2): a small unpublished count is withheld there too."""
    measure = PerformanceMeasure.objects.get(
        plan=pack_review.plan, indicator__fingertips_id=BREASTFEEDING
    )
    measure.local_measure_code = "SAFER_SLEEP_ASSESSMENT"
    measure.save()
    rows = synthetic.template_c(
        HOME, synthetic.quarters(2021, 6), measure="SAFER_SLEEP_ASSESSMENT", target=None
    )
    rows[-1][6], rows[-1][7] = 5, 10
    upload_c(rows)
    pack = _collect(pack_review)
    text = pdf_text(pack)
    assert "Local data (SAFER_SLEEP_ASSESSMENT), Lancashire, 2022/23 Q2: Suppressed" in text
    assert "50.0%" not in text
