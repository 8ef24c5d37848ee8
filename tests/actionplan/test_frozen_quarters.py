"""A frozen quarter cannot be changed by anyone, whatever the route: pages, admin or shell."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from actionplan.models import (
    Action,
    FrozenReview,
    Plan,
    PriorityArea,
    QuarterlyReview,
    QuarterlyUpdate,
    Rating,
)
from indicators.vocabulary import Rag
from tests.actionplan.freezing import freeze_with_every_area_rated


@pytest.fixture
def frozen_review(loaded_plan):
    """2021/22 Q1 with one update and every area rated Amber, frozen by `workflow.freeze`."""
    plan = Plan.objects.get()
    review = QuarterlyReview.objects.create(plan=plan, financial_year=2021, quarter=1)
    QuarterlyUpdate.objects.create(
        review=review, action=Action.objects.first(), rag=Rag.AMBER, progress_note="Started"
    )
    freeze_with_every_area_rated(review, final=Rag.AMBER)
    return review


def first_rating(review: QuarterlyReview) -> Rating:
    return review.ratings.get(priority_area=PriorityArea.objects.order_by("number").first())


@pytest.mark.django_db
def test_updates_and_ratings_of_a_frozen_quarter_cannot_be_saved_or_deleted(frozen_review):
    update = frozen_review.updates.get()
    rating = first_rating(frozen_review)

    update.rag = Rag.RED
    with pytest.raises(FrozenReview):
        update.save()
    rating.final, rating.rationale = Rag.GREEN, "Changed later"
    with pytest.raises(FrozenReview):
        rating.save()
    with pytest.raises(FrozenReview):
        rating.delete()

    assert QuarterlyUpdate.objects.get().rag == Rag.AMBER
    assert first_rating(frozen_review).final == Rag.AMBER


@pytest.mark.django_db
def test_a_frozen_quarter_cannot_be_reopened(frozen_review):
    frozen_review.state = QuarterlyReview.State.OPEN
    with pytest.raises(FrozenReview):
        frozen_review.save()
    assert QuarterlyReview.objects.get().is_frozen


@pytest.mark.django_db
def test_only_one_quarter_is_open_at_a_time(loaded_plan):
    plan = Plan.objects.get()
    QuarterlyReview.objects.create(plan=plan, financial_year=2021, quarter=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        QuarterlyReview.objects.create(
            plan=plan, financial_year=2021, quarter=2, meeting_date=date(2021, 9, 1)
        )


@pytest.mark.django_db
def test_the_admin_offers_no_change_to_a_frozen_quarter(client, frozen_review, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.org", "pw-x9!")
    client.force_login(admin_user)
    rating = first_rating(frozen_review)
    page = client.get(f"/admin/actionplan/rating/{rating.pk}/change/")
    assert page.status_code == 200  # shown, read-only: no save or delete
    assert not page.context["has_change_permission"]
    assert not page.context["has_delete_permission"]

    # Every field the admin's form has, valid: only the frozen quarter stops this change.
    response = client.post(
        f"/admin/actionplan/rating/{rating.pk}/change/",
        {
            "review": frozen_review.pk,
            "priority_area": rating.priority_area_id,
            "proposed": Rag.AMBER,
            "proposed_reason": "",
            "final": Rag.GREEN,
            "rationale": "later",
            "decided_by": admin_user.pk,
        },
        follow=True,
    )

    assert response.redirect_chain[0] == (f"/admin/actionplan/rating/{rating.pk}/change/", 302)
    assert "belongs to a frozen quarter: nobody can change or delete it" in (
        response.content.decode()
    )
    assert first_rating(frozen_review).final == Rag.AMBER
    assert rating.history.count() == 1
