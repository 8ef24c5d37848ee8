"""The board's pages: the one-screen board, a priority area's page and a review's board pack."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from actionplan import (
    boardpack,
    frozen_pack,
    presenters,
    review_changes,
    stewardship,
    workflow,
)
from actionplan.models import (
    QuarterlyReview,
    QuarterlyUpdate,
)
from actionplan.views.access import plan_role_required
from indicators.configuration import areas_config
from localdata.disclosure import Tier


def _rules_context() -> dict:
    intro, sections = presenters.rules_sections()
    return {
        "rules_intro": intro,
        "rules_sections": sections,
        "rules_text": presenters.rules_text(),
        "region": areas_config().region,
    }


@plan_role_required
def board(request: HttpRequest) -> HttpResponse:
    """The board's one-screen view: each priority area's RAG, its measures and the exceptions."""
    plan = presenters.current_plan()
    status = presenters.plan_status(plan, today=timezone.localdate()) if plan else None
    if status:  # the board is members' (tier 1): disclosure-controlled local figures
        presenters.with_local_quarters(status, Tier.MEMBERS)
    changes = None
    if status and status.review:
        changes = review_changes.changes_for(status.review, status=status)
    return render(
        request,
        "actionplan/board.html",
        {
            "plan": plan,
            "status": status,
            "changes": changes,
            "rag_order": presenters.ACTION_COUNT_ORDER,
        }
        | _rules_context(),
    )


@plan_role_required
def priority_area(request: HttpRequest, number: int) -> HttpResponse:
    """One priority area: its objectives, actions, latest updates and measures, with RAGs."""
    plan = presenters.current_plan()
    if plan is None:
        raise Http404("No plan has been loaded.")
    status = presenters.plan_status(plan, today=timezone.localdate(), area_number=number)
    if not status.areas:
        raise Http404("No such priority area.")
    row = status.areas[0]
    objectives = []
    for objective in row.area.objectives.all():
        objectives.append(
            (objective, [a for a in row.actions if a.action.objective_id == objective.pk])
        )
    # The open quarter's update links, for the actions this user may update.
    review = workflow.open_review(plan)
    updatable: set[int] = set()
    updated: set[int] = set()
    if review is not None:
        everyone = workflow.is_administrator(request.user)
        updatable = {
            a.action.pk
            for a in row.actions
            if everyone
            or (
                a.action.owner_id == request.user.pk
                and workflow.can_update_action(request.user, a.action)
            )
        }
        updated = set(
            QuarterlyUpdate.objects.filter(review=review, action__in=updatable).values_list(
                "action_id", flat=True
            )
        )
    return render(
        request,
        "actionplan/priority_area.html",
        {
            "plan": plan,
            "status": status,
            "row": row,
            "objectives": objectives,
            "open_review": review,
            "updatable": updatable,
            "updated": updated,
            "measure_cards": presenters.measure_trend_cards(row.measures),
            "can_steward": stewardship.can_steward_area(request.user, row.area),
        }
        | _rules_context(),
    )


@plan_role_required
def board_pack(request: HttpRequest, pk: int) -> HttpResponse:
    """One quarterly review's board pack as a PDF download: a frozen quarter's as stored."""
    review = get_object_or_404(QuarterlyReview.objects.select_related("plan"), pk=pk)
    if review.is_frozen:
        record = frozen_pack.stored(review)
        response = HttpResponse(bytes(record.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{record.filename}"'
        response["ETag"] = f'"{record.sha256}"'
        return response
    pack = boardpack.collect(review, today=timezone.localdate(), generated_at=timezone.localtime())
    response = HttpResponse(boardpack.render(pack), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{boardpack.filename(pack)}"'
    return response
