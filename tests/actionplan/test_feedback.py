"""What a person sees after acting: a success banner, their own update links, a way to sign out."""

from __future__ import annotations

import pytest
from django.urls import reverse

from indicators.vocabulary import Rag
from tests.actionplan.conftest import login


def area_url(action) -> str:
    return reverse("actionplan:area", args=[action.objective.priority_area.number])


@pytest.mark.django_db
def test_a_saved_update_is_confirmed_once(client, action_owner, review, owned):
    login(client, action_owner)
    url = reverse("actionplan:action_update", args=[owned[0].pk])
    response = client.post(url, {"rag": "amber", "progress_note": "Started"}, follow=True)
    html = response.content.decode()
    assert "govuk-notification-banner--success" in html
    assert f"Update for action {owned[0].number} saved for {review}" in html
    # Shown once: the next page has no banner.
    assert "govuk-notification-banner" not in client.get(area_url(owned[0])).content.decode()


@pytest.mark.django_db
def test_a_saved_rating_and_a_freeze_are_confirmed(client, group_member, review):
    login(client, group_member)
    url = reverse("actionplan:rating", args=[review.pk, 1])
    proposed = client.get(url).context["form"].instance.proposed
    response = client.post(url, {"area-1-final": proposed}, follow=True)
    assert "Final RAG for priority area 1 saved" in response.content.decode()


@pytest.mark.django_db
def test_an_area_is_never_rated_complete(client, group_member, review):
    login(client, group_member)
    url = reverse("actionplan:rating", args=[review.pk, 1])
    choices = [value for value, _ in client.get(url).context["form"].fields["final"].choices]
    assert Rag.COMPLETE not in choices
    assert {Rag.RED, Rag.AMBER, Rag.GREEN} <= set(choices)
    response = client.post(url, {"area-1-final": Rag.COMPLETE, "area-1-rationale": "Done"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.django_db
def test_owner_finds_the_update_link_on_the_area_page(
    client,
    action_owner,
    review,
    owned,
):
    mine, theirs = owned
    login(client, action_owner)
    update_url = reverse("actionplan:action_update", args=[mine.pk])
    html = client.get(area_url(mine)).content.decode()
    assert f'href="{update_url}"' in html
    assert "Enter the update" in html
    assert reverse("actionplan:action_update", args=[theirs.pk]) not in html
    client.post(update_url, {"rag": "green", "progress_note": "On track"})
    assert "Change the update" in client.get(area_url(mine)).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["board_member", "group_member", "analyst"])
def test_readers_get_no_update_links(client, request, persona, review, owned):
    login(client, request.getfixturevalue(persona))
    html = client.get(area_url(owned[0])).content.decode()
    assert 'data-testid="enter-update"' not in html


@pytest.mark.django_db
def test_no_update_links_without_an_open_quarter(client, action_owner, plan, owned):
    login(client, action_owner)
    assert 'data-testid="enter-update"' not in client.get(area_url(owned[0])).content.decode()


@pytest.mark.django_db
def test_signed_in_people_can_sign_out(client, board_member, snapshot):
    login(client, board_member)
    html = client.get(reverse("indicators:home")).content.decode()
    assert f'action="{reverse("logout")}"' in html
    assert 'data-testid="sign-out"' in html
    client.post(reverse("logout"))
    assert client.get(reverse("actionplan:board")).status_code == 302
    # A public page never keeps a signed-in person's header for the next visitor.
    assert 'data-testid="sign-out"' not in client.get(reverse("indicators:home")).content.decode()
