"""Freezing asks first and confirms after: the page says what freezing means before the group
presses the button, opening the freeze page freezes nothing, and the review page then says the
quarter is frozen (once)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from actionplan.models import PriorityArea, QuarterlyReview
from tests.actionplan.conftest import login
from tests.factories import RatingFactory

WARNING = "Once frozen, nobody can change this quarter's final RAGs or updates."
CONFIRMED = "2021/22 Q2 is frozen: its updates and RAGs are final"


def rate_every_area(review) -> None:
    for area in PriorityArea.objects.filter(plan=review.plan):
        RatingFactory(review=review, priority_area=area, proposed="amber")


def freeze_form_posts(html: str, review) -> bool:
    action = reverse("actionplan:freeze", args=[review.pk])
    return f'<form method="post" action="{action}"' in html


@pytest.mark.django_db
def test_the_review_page_says_what_freezing_means_beside_the_button(client, group_member, review):
    login(client, group_member)

    html = client.get(reverse("actionplan:review", args=[review.pk])).content.decode()

    assert freeze_form_posts(html, review)
    button = html.index("Freeze this quarter</button>")
    form = html.rindex(f'action="{reverse("actionplan:freeze", args=[review.pk])}"', 0, button)
    assert WARNING in html[form:button]


@pytest.mark.django_db
def test_opening_the_freeze_page_asks_and_freezes_nothing(client, group_member, review):
    rate_every_area(review)
    login(client, group_member)

    page = client.get(reverse("actionplan:freeze", args=[review.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Every priority area has a final RAG." in html
    assert WARNING in html
    assert freeze_form_posts(html, review)
    assert "Freeze this quarter</button>" in html
    review.refresh_from_db()
    assert (review.state, review.frozen_at) == (QuarterlyReview.State.OPEN, None)


@pytest.mark.django_db
def test_a_freeze_is_confirmed_on_the_review_page_once(client, group_member, review):
    rate_every_area(review)
    login(client, group_member)

    response = client.post(reverse("actionplan:freeze", args=[review.pk]), follow=True)

    review.refresh_from_db()
    assert review.is_frozen
    assert response.redirect_chain == [(reverse("actionplan:review", args=[review.pk]), 302)]
    html = response.content.decode()
    assert "govuk-notification-banner--success" in html
    assert CONFIRMED in html
    again = client.get(reverse("actionplan:review", args=[review.pk])).content.decode()
    assert CONFIRMED not in again


@pytest.mark.django_db
def test_a_refused_freeze_is_not_confirmed(client, group_member, review):
    login(client, group_member)

    response = client.post(reverse("actionplan:freeze", args=[review.pk]), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == []
    assert CONFIRMED not in response.content.decode()
    review.refresh_from_db()
    assert not review.is_frozen
