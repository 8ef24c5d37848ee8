"""The quarterly review workflow: who may open, rate, update and freeze; frozen is final."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from actionplan.models import PriorityArea, QuarterlyReview, QuarterlyUpdate, Rating
from tests.actionplan.conftest import login
from tests.actionplan.freezing import freeze_with_every_area_rated

READERS = ["board_member", "analyst", "action_owner"]
EVERY_ROLE = ["board_member", "action_owner", "group_member", "analyst", "administrator"]


def plan_forms(html: str) -> list[str]:
    """The page's forms, leaving out the header's sign-out form that every signed-in page has."""
    return [form for form in re.findall(r"<form[^>]*>", html) if "app-sign-out" not in form]


def review_urls(review):
    return {
        "list": reverse("actionplan:reviews"),
        "detail": reverse("actionplan:review", args=[review.pk]),
        "rating": reverse("actionplan:rating", args=[review.pk, 1]),
        "freeze": reverse("actionplan:freeze", args=[review.pk]),
    }


def rate_every_area(client, review, *, final=None):
    for area in PriorityArea.objects.filter(plan=review.plan):
        proposed = client.get(reverse("actionplan:rating", args=[review.pk, area.number]))
        value = final or proposed.context["form"].instance.proposed
        response = client.post(
            reverse("actionplan:rating", args=[review.pk, area.number]),
            {f"area-{area.number}-final": value, f"area-{area.number}-rationale": "Agreed"},
        )
        assert response.status_code == 302, response.content


# Anonymous and outsiders -------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_users_go_to_login_everywhere(client, review, owned):
    urls = [*review_urls(review).values(), reverse("actionplan:action_update", args=[owned[0].pk])]
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("login")), url


@pytest.mark.django_db
def test_outsiders_get_403_everywhere(client, outsider, review, owned):
    login(client, outsider)
    urls = [*review_urls(review).values(), reverse("actionplan:action_update", args=[owned[0].pk])]
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url).status_code == 403, url
    assert QuarterlyReview.objects.count() == 1


# Reading and the forms each role sees ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", EVERY_ROLE)
def test_every_role_reads_the_review_list_and_page(client, request, persona, review):
    login(client, request.getfixturevalue(persona))
    urls = review_urls(review)
    listing = client.get(urls["list"])
    assert listing.status_code == 200
    assert str(review) in listing.content.decode()
    page = client.get(urls["detail"])
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="review-area-') == 9


@pytest.mark.django_db
@pytest.mark.parametrize("persona", READERS)
def test_readers_see_no_forms_and_cannot_post(client, request, persona, plan, review):
    login(client, request.getfixturevalue(persona))
    urls = review_urls(review)
    assert not plan_forms(client.get(urls["detail"]).content.decode())
    assert client.get(urls["list"]).context["form"] is None
    assert client.get(urls["rating"]).status_code == 403
    assert client.get(urls["freeze"]).status_code == 403
    posted = client.post(
        urls["list"],
        {
            "financial_year": 2021,
            "quarter": 3,
            "meeting_day": 1,
            "meeting_month": 2,
            "meeting_year": 2022,
        },
    )
    assert posted.status_code == 403
    assert (
        client.post(urls["rating"], {"area-1-final": "red", "area-1-rationale": "x"}).status_code
        == 403
    )
    assert client.post(urls["freeze"]).status_code == 403
    assert not Rating.objects.exists()
    assert QuarterlyReview.objects.get().state == QuarterlyReview.State.OPEN
    assert QuarterlyReview.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["group_member", "administrator"])
def test_group_sees_the_rating_forms_and_freeze_button(client, request, persona, review):
    login(client, request.getfixturevalue(persona))
    html = client.get(review_urls(review)["detail"]).content.decode()
    # Nine areas and the freeze form, beside the header's sign-out form.
    assert len(plan_forms(html)) == 10
    assert "Freeze this quarter" in html
    assert 'for="id_area-1-rationale"' in html


# Opening a review ---------------------------------------------------------------------------


def _open(client, **overrides):
    data = {
        "financial_year": 2021,
        "quarter": 1,
        "meeting_day": 20,
        "meeting_month": 7,
        "meeting_year": 2021,
    } | overrides
    return client.post(reverse("actionplan:reviews"), data)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["group_member", "administrator"])
def test_group_opens_a_review(client, request, persona, plan):
    user = request.getfixturevalue(persona)
    login(client, user)
    response = _open(client)
    review = QuarterlyReview.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("actionplan:review", args=[review.pk])
    assert (review.financial_year, review.quarter, review.meeting_date) == (
        2021,
        1,
        date(2021, 7, 20),
    )
    assert review.state == QuarterlyReview.State.OPEN
    assert review.history.get().history_user == user


@pytest.mark.django_db
def test_only_one_review_is_open_at_a_time(client, group_member, review):
    login(client, group_member)
    page = client.get(reverse("actionplan:reviews")).content.decode()
    assert "is open" in page
    response = _open(client, financial_year=2021, quarter=3)
    assert response.status_code == 200
    assert "still open" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert QuarterlyReview.objects.count() == 1


@pytest.mark.django_db
def test_the_review_form_names_its_errors(client, group_member, plan):
    login(client, group_member)
    response = _open(client, financial_year="", quarter="", meeting_day="31", meeting_month="2")
    html = response.content.decode()
    assert response.status_code == 200
    for message in ("Enter the financial year", "Select the quarter", "real date"):
        assert message in html
    assert 'href="#id_financial_year"' in html
    assert not QuarterlyReview.objects.exists()


@pytest.mark.django_db
def test_a_quarter_is_reviewed_once_and_in_order(client, group_member, review):
    freeze_with_every_area_rated(review)
    login(client, group_member)
    same = _open(client, financial_year=2021, quarter=2)
    assert "already a review for that quarter" in same.content.decode()
    earlier = _open(client, financial_year=2021, quarter=1)
    assert "must come after the latest review" in earlier.content.decode()
    assert QuarterlyReview.objects.count() == 1
    assert _open(client, financial_year=2021, quarter=3).status_code == 302


# Final RAGs ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_group_member_sets_the_proposed_rag_without_a_rationale(client, group_member, review):
    login(client, group_member)
    url = review_urls(review)["rating"]
    proposed = client.get(url).context["form"].instance.proposed
    response = client.post(url, {"area-1-final": proposed, "area-1-rationale": ""})
    assert response.status_code == 302
    rating = Rating.objects.get(review=review, priority_area__number=1)
    assert (rating.final, rating.proposed, rating.rationale) == (proposed, proposed, "")
    assert rating.decided_by == group_member
    assert rating.proposed_reason
    assert rating.history.get().history_user == group_member


@pytest.mark.django_db
def test_a_different_final_rag_needs_a_rationale(client, group_member, review):
    login(client, group_member)
    url = review_urls(review)["rating"]
    proposed = client.get(url).context["form"].instance.proposed
    other = "red" if proposed != "red" else "green"
    refused = client.post(url, {"area-1-final": other, "area-1-rationale": "  "})
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "govuk-error-summary" in html
    assert 'href="#id_area-1-rationale"' in html
    assert "Enter a rationale" in html
    assert refused.context["form"].errors["rationale"]
    assert not Rating.objects.exists()

    accepted = client.post(url, {"area-1-final": other, "area-1-rationale": "Funding cut"})
    assert accepted.status_code == 302
    rating = Rating.objects.get()
    assert (rating.final, rating.rationale) == (other, "Funding cut")
    page = client.get(review_urls(review)["detail"]).content.decode()
    assert "Funding cut" in page


@pytest.mark.django_db
def test_changing_a_final_rag_keeps_its_history(client, group_member, administrator, review):
    login(client, group_member)
    url = review_urls(review)["rating"]
    proposed = client.get(url).context["form"].instance.proposed
    client.post(url, {"area-1-final": proposed, "area-1-rationale": ""})
    login(client, administrator)
    client.post(
        url,
        {
            "area-1-final": "green" if proposed != "green" else "red",
            "area-1-rationale": "Done early",
        },
    )
    rating = Rating.objects.get()
    assert rating.decided_by == administrator
    users = [h.history_user for h in rating.history.order_by("history_date")]
    assert users == [group_member, administrator]


# Freezing -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_freezing_needs_every_area_rated(client, group_member, review):
    login(client, group_member)
    response = client.post(review_urls(review)["freeze"])
    assert response.status_code == 200
    assert "Set a final RAG for priority area 1" in response.content.decode()
    review.refresh_from_db()
    assert review.state == QuarterlyReview.State.OPEN


@pytest.mark.django_db
def test_group_member_freezes_the_quarter(client, group_member, review):
    login(client, group_member)
    rate_every_area(client, review)
    response = client.post(review_urls(review)["freeze"])
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.is_frozen
    assert review.history.latest().history_user == group_member
    assert not plan_forms(client.get(review_urls(review)["detail"]).content.decode())


@pytest.fixture
def frozen(client, group_member, action_owner, review, owned):
    """A review with every area rated and one update, frozen by the group."""
    login(client, action_owner)
    client.post(
        reverse("actionplan:action_update", args=[owned[0].pk]),
        {"rag": "green", "progress_note": "On track"},
    )
    login(client, group_member)
    rate_every_area(client, review)
    client.post(review_urls(review)["freeze"])
    review.refresh_from_db()
    assert review.is_frozen
    client.logout()
    return review


def _snapshot():
    return (
        list(QuarterlyReview.objects.values()),
        list(Rating.objects.values()),
        list(QuarterlyUpdate.objects.values()),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("persona", EVERY_ROLE)
def test_nobody_changes_a_frozen_quarter(client, request, persona, frozen, owned):
    login(client, request.getfixturevalue(persona))
    before = _snapshot()
    urls = review_urls(frozen)
    update_url = reverse("actionplan:action_update", args=[owned[0].pk])
    assert (
        client.post(urls["rating"], {"area-1-final": "red", "area-1-rationale": "x"}).status_code
        == 403
    )
    assert client.post(urls["freeze"]).status_code == 403
    assert client.get(urls["rating"]).status_code == 403
    assert client.post(update_url, {"rag": "red", "progress_note": "Changed"}).status_code == 403
    page = client.get(urls["detail"])
    assert page.status_code == 200
    assert not plan_forms(page.content.decode())
    assert _snapshot() == before


@pytest.mark.django_db
def test_a_frozen_review_shows_the_stored_proposals(client, board_member, frozen):
    login(client, board_member)
    page = client.get(review_urls(frozen)["detail"])
    rows = page.context["rows"]
    assert all(row.rating is not None for row in rows)
    assert [row.proposed.value for row in rows] == [row.rating.proposed for row in rows]


# Action updates -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_owner_enters_and_then_changes_their_update(client, action_owner, review, owned):
    login(client, action_owner)
    url = reverse("actionplan:action_update", args=[owned[0].pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'for="id_progress_note"' in page.content.decode()
    assert client.post(url, {"rag": "amber", "progress_note": "Started"}).status_code == 302
    assert client.post(url, {"rag": "green", "progress_note": "On track"}).status_code == 302
    update = QuarterlyUpdate.objects.get()
    assert (update.review, update.action, update.rag, update.progress_note) == (
        review,
        owned[0],
        "green",
        "On track",
    )
    assert update.author == action_owner
    assert [h.history_user for h in update.history.all()] == [action_owner, action_owner]
    detail = client.get(review_urls(review)["detail"]).content.decode()
    assert "Change the update" in detail


@pytest.mark.django_db
def test_the_update_form_names_its_errors(client, action_owner, review, owned):
    login(client, action_owner)
    response = client.post(reverse("actionplan:action_update", args=[owned[0].pk]), {})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_rag"' in html
    assert "Enter a progress note" in html
    assert not QuarterlyUpdate.objects.exists()


@pytest.mark.django_db
def test_owner_cannot_update_another_owners_action(client, action_owner, review, owned):
    login(client, action_owner)
    url = reverse("actionplan:action_update", args=[owned[1].pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"rag": "red", "progress_note": "x"}).status_code == 403
    assert not QuarterlyUpdate.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["board_member", "analyst", "group_member"])
def test_other_roles_cannot_enter_updates(client, request, persona, review, owned):
    login(client, request.getfixturevalue(persona))
    url = reverse("actionplan:action_update", args=[owned[0].pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"rag": "red", "progress_note": "x"}).status_code == 403
    assert not QuarterlyUpdate.objects.exists()


@pytest.mark.django_db
def test_administrator_enters_an_update_on_the_owners_behalf(client, administrator, review, owned):
    login(client, administrator)
    url = reverse("actionplan:action_update", args=[owned[1].pk])
    assert "on behalf of" in client.get(url).content.decode()
    assert client.post(url, {"rag": "red", "progress_note": "Stalled"}).status_code == 302
    update = QuarterlyUpdate.objects.get()
    assert update.author == administrator
    assert update.history.get().history_user == administrator


@pytest.mark.django_db
def test_no_updates_without_an_open_review(client, action_owner, plan, owned):
    login(client, action_owner)
    url = reverse("actionplan:action_update", args=[owned[0].pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "No quarter is open" in page.content.decode()
    assert not plan_forms(page.content.decode())
    assert client.post(url, {"rag": "red", "progress_note": "x"}).status_code == 403
    assert not QuarterlyUpdate.objects.exists()
