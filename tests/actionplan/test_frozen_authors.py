"""A frozen quarter keeps who wrote its updates and ratings: their authors cannot be deleted.

Deleting a user used to null the author of every update and rating they wrote, frozen or not,
with one UPDATE that the frozen quarter's `save()` guard never saw.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db.models import ProtectedError

from actionplan import workflow
from indicators.vocabulary import Rag
from tests.factories import (
    ActionFactory,
    QuarterlyReviewFactory,
    QuarterlyUpdateFactory,
    RatingFactory,
)


@pytest.fixture
def people(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return {
        name: User.objects.create_user(name, password="a-long-test-password-5120")
        for name in ("bob", "charlie", "frank")
    }


@pytest.fixture
def quarters(people):
    """2021/22 Q1, frozen: Bob's update and Charlie's rating. Q2, open: Frank's update."""
    first = ActionFactory(
        number="1.1.1",
        objective__priority_area__number=1,
        objective__priority_area__title="Safer sleep",
    )
    second = ActionFactory(number="1.1.2", objective=first.objective)
    area = first.objective.priority_area
    frozen = QuarterlyReviewFactory(plan=area.plan, financial_year=2021, quarter=1)
    QuarterlyUpdateFactory(
        review=frozen, action=first, rag=Rag.AMBER, progress_note="Started", author=people["bob"]
    )
    RatingFactory(
        review=frozen, priority_area=area, proposed=Rag.AMBER, decided_by=people["charlie"]
    )
    workflow.freeze(frozen)
    frozen.refresh_from_db()
    open_review = QuarterlyReviewFactory(plan=area.plan, financial_year=2021, quarter=2)
    QuarterlyUpdateFactory(
        review=open_review,
        action=second,
        rag=Rag.GREEN,
        progress_note="Done",
        author=people["frank"],
    )
    return frozen, open_review


def frozen_record(review) -> list:
    return [
        *review.updates.values_list("action__number", "rag", "author__username"),
        *review.ratings.values_list("priority_area__number", "final", "decided_by__username"),
    ]


AS_FROZEN = [("1.1.1", "amber", "bob"), (1, "amber", "charlie")]


@pytest.mark.django_db
@pytest.mark.parametrize("author", ["bob", "charlie"])
def test_a_user_who_wrote_in_a_frozen_quarter_cannot_be_deleted(quarters, people, author):
    frozen, _ = quarters

    with pytest.raises(ProtectedError) as refused:
        people[author].delete()

    assert frozen_record(frozen) == AS_FROZEN
    assert User.objects.filter(username=author).exists()
    assert {row.review_id for row in refused.value.protected_objects} == {frozen.pk}


@pytest.mark.django_db
def test_deleting_such_users_in_bulk_is_refused_too(quarters, people):
    frozen, _ = quarters

    with pytest.raises(ProtectedError):
        User.objects.filter(username__in=["bob", "frank"]).delete()

    assert frozen_record(frozen) == AS_FROZEN
    assert User.objects.filter(username__in=["bob", "frank"]).count() == 2


@pytest.mark.django_db
def test_a_user_who_wrote_only_in_open_quarters_can_be_deleted(quarters, people):
    frozen, open_review = quarters

    people["frank"].delete()

    assert list(open_review.updates.values_list("author", flat=True)) == [None]
    assert frozen_record(frozen) == AS_FROZEN


@pytest.mark.django_db
def test_a_deactivated_author_cannot_sign_in_and_the_record_keeps_them(client, quarters, people):
    frozen, _ = quarters
    bob = people["bob"]
    bob.is_active = False
    bob.save()

    signed_in = client.post(
        "/accounts/login/", {"username": "bob", "password": "a-long-test-password-5120"}
    )

    assert signed_in.status_code == 200  # the form again: inactive accounts cannot sign in
    assert frozen_record(frozen) == AS_FROZEN


@pytest.fixture
def admin_client_as_root(client, people):
    root = User.objects.create_superuser("root", "root@example.org", "a-long-test-password-5120")
    client.force_login(root)
    return client


@pytest.mark.django_db
def test_the_admin_says_why_such_a_user_cannot_be_deleted_and_offers_deactivation(
    admin_client_as_root, quarters, people
):
    frozen, _ = quarters
    url = f"/admin/auth/user/{people['bob'].pk}/delete/"

    page = admin_client_as_root.get(url)
    refused = admin_client_as_root.post(url, {"post": "yes"})

    for response in (page, refused):
        assert response.status_code == 200
        text = response.content.decode()
        assert "cannot be deleted: they wrote these updates or ratings in quarters" in text
        assert "2021/22 Q1 1.1.1 amber" in text
        assert "Deactivate the account instead" in text
        assert f'href="/admin/auth/user/{people["bob"].pk}/change/"' in text
        assert 'name="post"' not in text  # no "Yes, I'm sure" button
    assert User.objects.filter(username="bob").exists()
    assert frozen_record(frozen) == AS_FROZEN


@pytest.mark.django_db
def test_the_admins_bulk_delete_refuses_such_users_with_the_same_message(
    admin_client_as_root, quarters, people
):
    frozen, _ = quarters
    chosen = [people["charlie"].pk, people["frank"].pk]
    form = {"action": "delete_selected", "_selected_action": chosen}

    page = admin_client_as_root.post("/admin/auth/user/", form)
    refused = admin_client_as_root.post("/admin/auth/user/", {**form, "post": "yes"})

    for response in (page, refused):
        assert response.status_code == 200
        assert "The selected users cannot be deleted" in response.content.decode()
    assert User.objects.filter(pk__in=chosen).count() == 2
    assert frozen_record(frozen) == AS_FROZEN


@pytest.mark.django_db
def test_the_admin_still_deletes_a_user_who_wrote_nothing_frozen(
    admin_client_as_root, quarters, people
):
    url = f"/admin/auth/user/{people['frank'].pk}/delete/"

    response = admin_client_as_root.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(username="frank").exists()
