"""A plan has a period: after it ends no quarter opens on it, and it stays readable."""

from __future__ import annotations

import pytest
from django.urls import reverse

from actionplan.models import QuarterlyReview

pytestmark = pytest.mark.django_db


def _open(client, year: int, quarter: int):
    return client.post(
        reverse("actionplan:reviews"),
        {
            "financial_year": year,
            "quarter": quarter,
            "meeting_day": 1,
            "meeting_month": 6,
            "meeting_year": year + 1,
        },
    )


def test_no_quarter_opens_after_the_plan_ends(client, bundled_plan, group_member):
    plan = bundled_plan
    assert str(plan.ends) == "2023-03-31"  # the bundled plan ran April 2020 to March 2023
    client.force_login(group_member)
    response = _open(client, 2023, 1)
    assert response.status_code == 200
    assert "ended on 31 March 2023: no quarter can be opened on it" in response.content.decode()
    assert not QuarterlyReview.objects.exists()
    # The last quarter of the plan still opens; the board still reads.
    assert _open(client, 2022, 4).status_code == 302
    board = client.get(reverse("actionplan:board"))
    assert board.status_code == 200
    # The board says the plan has ended and where its archive and successor are.
    ended = board.content.decode().split('data-testid="plan-ended">')[1].split("</div>")[0]
    assert "ran from 1 April 2020 to 31 March 2023 and has ended" in ended
    assert reverse("actionplan:plans") in ended


def test_no_quarter_opens_before_the_plan_starts(client, bundled_plan, group_member):
    client.force_login(group_member)
    response = _open(client, 2019, 4)
    assert "starts on 1 April 2020" in response.content.decode()
    assert not QuarterlyReview.objects.exists()
