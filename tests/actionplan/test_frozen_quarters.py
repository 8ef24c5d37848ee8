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
    Rag,
    Rating,
)


@pytest.fixture
def frozen_review(loaded_plan):
    plan = Plan.objects.get()
    review = QuarterlyReview.objects.create(plan=plan, financial_year=2021, quarter=1)
    QuarterlyUpdate.objects.create(
        review=review, action=Action.objects.first(), rag=Rag.AMBER, progress_note="Started"
    )
    Rating.objects.create(
        review=review,
        priority_area=PriorityArea.objects.first(),
        proposed=Rag.AMBER,
        final=Rag.AMBER,
    )
    review.state = QuarterlyReview.State.FROZEN
    review.save()
    return review


@pytest.mark.django_db
def test_updates_and_ratings_of_a_frozen_quarter_cannot_be_saved_or_deleted(frozen_review):
    update = frozen_review.updates.get()
    rating = frozen_review.ratings.get()

    update.rag = Rag.RED
    with pytest.raises(FrozenReview):
        update.save()
    rating.final, rating.rationale = Rag.GREEN, "Changed later"
    with pytest.raises(FrozenReview):
        rating.save()
    with pytest.raises(FrozenReview):
        rating.delete()

    assert QuarterlyUpdate.objects.get().rag == Rag.AMBER
    assert Rating.objects.get().final == Rag.AMBER


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
    rating = frozen_review.ratings.get()

    response = client.post(
        f"/admin/actionplan/rating/{rating.pk}/change/",
        {"final": Rag.GREEN, "rationale": "later", "proposed": Rag.AMBER},
    )

    assert response.status_code in {403, 200}
    assert Rating.objects.get().final == Rag.AMBER
