"""Pages a plan steward keeps the plan on, the plan changes log and each owner's actions.

Thin: the forms gather values, `actionplan.stewardship` decides and saves.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from actionplan import presenters, stewardship, workflow
from actionplan.models import (
    Action,
    AreaSteward,
    PerformanceMeasure,
    PlanChange,
    QuarterlyReview,
    QuarterlyUpdate,
)
from actionplan.steward_forms import ActionForm, MeasureForm, RetireForm, StewardForm
from actionplan.views.access import plan_role_required


def _plan():
    plan = presenters.current_plan()
    if plan is None:
        raise Http404("No plan has been loaded.")
    return plan


def _refuse_unless(allowed: bool, what: str) -> None:
    if not allowed:
        raise PermissionDenied(f"Only a steward of {what} may change it.")


def _action_url(action: Action) -> str:
    area = action.objective.priority_area
    return reverse("actionplan:area", args=[area.number]) + f"#action-{action.number}"


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


@plan_role_required
def edit_action(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(
        Action.objects.select_related("objective__priority_area__plan", "owner"), pk=pk
    )
    area = action.objective.priority_area
    _refuse_unless(stewardship.can_steward_area(request.user, area), f"priority area {area.number}")
    plan = area.plan
    meanwhile = ""
    if request.method == "POST":
        form = ActionForm(request.POST, instance=action, plan=plan)
        if form.is_valid():
            try:
                parts = stewardship.save_action(
                    form.instance,
                    by=request.user,
                    version=form.cleaned_data["version"],
                    measures=form.cleaned_data["measures"],
                )
            except stewardship.SavedMeanwhile as exc:
                fresh = Action.objects.get(pk=pk)
                form = ActionForm(instance=fresh, plan=plan)
                form.initial["version"] = stewardship.version_of(fresh)
                meanwhile = str(exc)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                said = "; ".join(parts) if parts else "nothing had changed"
                messages.success(request, f"Action {action.number} saved: {said}")
                return redirect(_action_url(action))
    else:
        form = ActionForm(instance=action, plan=plan)
        form.initial["version"] = stewardship.version_of(action)
    return render(
        request,
        "actionplan/steward_action.html",
        {
            "action": action,
            "form": form,
            "has_updates": action.updates.exists(),
            "meanwhile": meanwhile,
        },
    )


@plan_role_required
def edit_measure(request: HttpRequest, pk: int) -> HttpResponse:
    measure = get_object_or_404(
        PerformanceMeasure.objects.select_related("plan", "indicator"), pk=pk
    )
    what = f"priority area {measure.priority_area.number}" if measure.priority_area else "the plan"
    allowed = stewardship.scope(request.user, measure.plan).covers(measure.priority_area_id)
    _refuse_unless(allowed, what)
    meanwhile = ""
    if request.method == "POST":
        form = MeasureForm(request.POST, instance=measure)
        if form.is_valid():
            try:
                parts = stewardship.save_measure(
                    form.instance, by=request.user, version=form.cleaned_data["version"]
                )
            except stewardship.SavedMeanwhile as exc:
                fresh = PerformanceMeasure.objects.get(pk=pk)
                form = MeasureForm(instance=fresh)
                form.initial["version"] = stewardship.version_of(fresh)
                meanwhile = str(exc)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                said = "; ".join(parts) if parts else "nothing had changed"
                messages.success(request, f"Measure saved: {said}")
                return redirect(reverse("actionplan:changes_log"))
    else:
        form = MeasureForm(instance=measure)
        form.initial["version"] = stewardship.version_of(measure)
    return render(
        request,
        "actionplan/steward_measure.html",
        {"measure": measure, "form": form, "meanwhile": meanwhile},
    )


@plan_role_required
def retire_action(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(Action.objects.select_related("objective__priority_area"), pk=pk)
    area = action.objective.priority_area
    _refuse_unless(stewardship.can_steward_area(request.user, area), f"priority area {area.number}")
    form = RetireForm(request.POST or None, action=action)
    if request.method == "POST" and form.is_valid():
        try:
            stewardship.retire_action(
                action,
                by=request.user,
                reason=form.cleaned_data["reason"],
                merged_into=form.cleaned_data["merged_into"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Action {action.number} retired: it stays in the record")
            return redirect(_action_url(action))
    return render(request, "actionplan/steward_retire.html", {"action": action, "form": form})


@plan_role_required
def changes_log(request: HttpRequest) -> HttpResponse:
    """Every change stewards made to the plan, newest first, with who made it."""
    plan = _plan()
    entries = PlanChange.objects.filter(plan=plan).select_related("made_by")[:500]
    return render(request, "actionplan/plan_changes.html", {"plan": plan, "entries": entries})


@plan_role_required
def my_actions(request: HttpRequest) -> HttpResponse:
    """The actions the signed-in user owns, alone or through a team, with what is due."""
    plan = _plan()
    review = workflow.open_review(plan)
    owned = (
        Action.objects.filter(objective__priority_area__plan=plan)
        .filter(Q(owner=request.user) | Q(owner_team__members=request.user))
        .select_related("objective__priority_area", "owner_team")
        .distinct()
        .order_by("objective__priority_area__number", "objective_id", "pk")
    )
    entered = set()
    if review is not None:
        entered = set(
            QuarterlyUpdate.objects.filter(review=review, action__in=owned).values_list(
                "action_id", flat=True
            )
        )
    rows = [(action, action.pk in entered) for action in owned]
    return render(
        request, "actionplan/my_actions.html", {"plan": plan, "review": review, "rows": rows}
    )


@plan_role_required
def stewards(request: HttpRequest) -> HttpResponse:
    """Who stewards what; whole-plan stewards give and take areas and the whole plan."""
    plan = _plan()
    can_assign = stewardship.scope(request.user, plan).whole_plan
    form = StewardForm(request.POST or None, plan=plan)
    if request.method == "POST":
        _refuse_unless(can_assign, "the whole plan")
        if "remove" in request.POST:
            row = get_object_or_404(AreaSteward, pk=request.POST["remove"], plan=plan)
            stewardship.unassign(plan, row.user, row.priority_area, by=request.user)
            messages.success(request, f"{stewardship.who(row.user)} no longer stewards that")
            return redirect(reverse("actionplan:stewards"))
        if form.is_valid():
            user, area = form.cleaned_data["user"], form.cleaned_data["area"]
            stewardship.assign(plan, user, area, by=request.user)
            where = f"priority area {area.number}" if area else "the whole plan"
            messages.success(request, f"{stewardship.who(user)} now stewards {where}")
            return redirect(reverse("actionplan:stewards"))
    rows = AreaSteward.objects.filter(plan=plan).select_related("user", "priority_area")
    return render(
        request,
        "actionplan/stewards.html",
        {"plan": plan, "rows": rows, "form": form, "can_assign": can_assign},
    )


@require_POST
@plan_role_required
def confirm_complete(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """A steward of the action's area confirms its owner's Complete in an open review."""
    review = get_object_or_404(QuarterlyReview, pk=pk)
    action = get_object_or_404(
        Action.objects.select_related("objective__priority_area"), pk=action_pk
    )
    area = action.objective.priority_area
    _refuse_unless(stewardship.can_steward_area(request.user, area), f"priority area {area.number}")
    try:
        stewardship.confirm_complete(action, review, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Action {action.number} is complete: confirmed")
    return redirect(reverse("actionplan:review", args=[review.pk]) + "#completions")
