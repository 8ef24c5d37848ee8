"""Plans over time and the plan's teams: the archive of ended plans with their frozen packs, a
successor started from a copy, and the named teams stewards keep.

Thin: the forms gather values; `actionplan.successor` and `actionplan.teams` decide and log.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from actionplan import presenters, stewardship, successor, teams
from actionplan.models import FrozenBoardPack, Plan, PlanTeam, QuarterlyReview
from actionplan.steward_forms import DayInput, PersonChoice, plan_people
from actionplan.steward_views import _add_errors, _plan
from actionplan.views.access import plan_role_required


class MembersChoice(PersonChoice, forms.ModelMultipleChoiceField):
    pass


class SuccessorForm(forms.Form):
    title = forms.CharField(max_length=300, label="The new plan's title")
    starts = forms.DateField(
        widget=DayInput(), label="Starts", error_messages={"invalid": "Enter a real date"}
    )
    ends = forms.DateField(
        widget=DayInput(), label="Ends", error_messages={"invalid": "Enter a real date"}
    )


class TeamForm(forms.Form):
    name = forms.CharField(max_length=200, label="Team name", required=False)
    members = MembersChoice(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Members"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = plan_people()


@plan_role_required
def plans(request: HttpRequest) -> HttpResponse:
    """Every plan, newest first: the current one, and ended ones read as archives with their
    quarters and frozen board packs."""
    current = presenters.current_plan()
    rows = []
    packs = set(FrozenBoardPack.objects.values_list("review_id", flat=True))
    for plan in Plan.objects.order_by("-starts", "-pk"):
        reviews = QuarterlyReview.objects.filter(plan=plan).order_by("-financial_year", "-quarter")
        rows.append((plan, [(r, r.pk in packs) for r in reviews]))
    can_succeed = (
        current is not None
        and current.has_ended
        and stewardship.scope(request.user, current).whole_plan
    )
    return render(
        request,
        "actionplan/plans.html",
        {"current": current, "rows": rows, "can_succeed": can_succeed},
    )


@plan_role_required
def start_successor(request: HttpRequest) -> HttpResponse:
    """A whole-plan steward starts the successor of the ended plan from a copy of it."""
    plan = _plan()
    if not stewardship.scope(request.user, plan).whole_plan:
        raise PermissionDenied("Only a steward of the whole plan may start its successor.")
    if not plan.has_ended:
        # Nothing to start yet: the page says when it can be (a POST changes nothing).
        return render(request, "actionplan/successor.html", {"plan": plan, "form": None})
    starts = plan.ends + timedelta(days=1)
    initial = {
        "starts": starts,
        "ends": starts.replace(year=starts.year + 3) - timedelta(days=1),
        "title": plan.title,
    }
    form = SuccessorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = successor.start_successor(
                plan, title=data["title"], starts=data["starts"], ends=data["ends"], by=request.user
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                f"{new} started from a copy of {plan}, which stays readable as an archive.",
            )
            return redirect(reverse("actionplan:board"))
    return render(
        request,
        "actionplan/successor.html",
        {"plan": plan, "form": form},
    )


@plan_role_required
def team_list(request: HttpRequest) -> HttpResponse:
    """Stewards create teams, rename them and set their members; others read them."""
    plan = _plan()
    scope = stewardship.scope(request.user, plan)
    new = TeamForm(request.POST if request.POST.get("do") == "create" else None, prefix="new")
    if request.method == "POST":
        if not scope.any:
            raise PermissionDenied("Only a plan steward may change the plan's teams.")
        if request.POST.get("do") == "create":
            if _create(request, plan, new):
                return redirect(reverse("actionplan:teams"))
        else:
            team = get_object_or_404(PlanTeam, pk=request.POST.get("team"), plan=plan)
            if not teams.may_change(scope, team):
                raise PermissionDenied("The team owns actions outside the areas you steward.")
            form = TeamForm(request.POST, prefix=f"team-{team.pk}")
            if form.is_valid():
                try:
                    parts = teams.change(
                        team,
                        name=form.cleaned_data["name"],
                        members=form.cleaned_data["members"],
                        by=request.user,
                    )
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
                else:
                    said = "; ".join(parts) if parts else "nothing had changed"
                    messages.success(request, f"Team saved: {said}")
            return redirect(reverse("actionplan:teams"))
    rows = []
    for team in PlanTeam.objects.filter(plan=plan).prefetch_related("members", "actions"):
        form = None
        if teams.may_change(scope, team):
            form = TeamForm(
                prefix=f"team-{team.pk}",
                initial={"name": team.name, "members": list(team.members.all())},
            )
        rows.append((team, form))
    return render(
        request,
        "actionplan/teams.html",
        {"plan": plan, "rows": rows, "new": new if scope.any else None},
    )


def _create(request, plan, form) -> bool:
    if not form.is_valid():
        return False
    try:
        team = teams.create(
            plan,
            name=form.cleaned_data["name"],
            members=form.cleaned_data["members"],
            by=request.user,
        )
    except ValidationError as exc:
        _add_errors(form, exc)
        return False
    messages.success(request, f"Team {team.name} created")
    return True
