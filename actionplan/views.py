"""Action plan pages: the board's one-screen view and each priority area's page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from actionplan import presenters, rag
from actionplan.roles import has_plan_role
from indicators.configuration import areas_config


def plan_role_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous users go to the login page; signed-in users without a plan role get 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not has_plan_role(request.user):
            raise PermissionDenied("You need a role in the plan to see it.")
        return view(request, *args, **kwargs)

    return wrapped


def _rules_context() -> dict:
    intro, sections = presenters.rules_sections()
    return {
        "rules_intro": intro,
        "rules_sections": sections,
        "rules_text": rag.RULES_TEXT,
        "region": areas_config().region,
    }


@plan_role_required
def board(request: HttpRequest) -> HttpResponse:
    """The board's one-screen view: each priority area's RAG, its measures and the exceptions."""
    plan = presenters.current_plan()
    status = presenters.plan_status(plan, today=timezone.localdate()) if plan else None
    return render(
        request,
        "actionplan/board.html",
        {"plan": plan, "status": status, "rag_order": presenters.ACTION_COUNT_ORDER}
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
    return render(
        request,
        "actionplan/priority_area.html",
        {"plan": plan, "status": status, "row": row, "objectives": objectives} | _rules_context(),
    )
