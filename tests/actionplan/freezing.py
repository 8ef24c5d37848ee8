"""Freezing a review in tests the one way a quarter is frozen: `workflow.freeze`."""

from __future__ import annotations

from actionplan import workflow
from actionplan.models import PriorityArea, QuarterlyReview, Rating


def freeze_with_every_area_rated(review: QuarterlyReview, final: str = "amber") -> None:
    """Give every priority area without a final RAG one (as proposed), then freeze the review
    the one way a quarter is frozen, `workflow.freeze`."""
    for area in PriorityArea.objects.filter(plan=review.plan):
        Rating.objects.get_or_create(
            review=review, priority_area=area, defaults={"proposed": final, "final": final}
        )
    workflow.freeze(review)
    review.refresh_from_db()
