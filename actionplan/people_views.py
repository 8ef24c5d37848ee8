"""The People page: whole-plan stewards invite users, give and take roles, deactivate leavers.

Thin: the forms gather values, `actionplan.people` decides, saves and logs.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from actionplan import people, stewardship
from actionplan.models import PlanTeam
from actionplan.roles import ROLES
from actionplan.steward_forms import PersonChoice
from actionplan.steward_views import _add_errors, _plan
from actionplan.views.access import plan_role_required

ROLE_CHOICES = [(role, role) for role in ROLES]


class InviteForm(forms.Form):
    username = forms.CharField(max_length=150)
    email = forms.EmailField()
    roles = forms.MultipleChoiceField(
        choices=ROLE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)


class LeaverForm(forms.Form):
    to_user = PersonChoice(queryset=None, required=False, label="Hand their open actions to")
    to_team = forms.ModelChoiceField(queryset=None, required=False, label="Or to the team")

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = get_user_model().objects.filter(is_active=True)
        self.fields["to_team"].queryset = PlanTeam.objects.filter(plan=plan)


def _do(request, form_class, action, **form_kwargs):
    form = form_class(request.POST, **form_kwargs)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return
    try:
        said = action(form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, said)


def _invite(request, plan, form) -> bool:
    """Invite from the form; True when the user was made."""
    if not form.is_valid():
        return False
    try:
        user = people.invite(
            plan,
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            role_names=form.cleaned_data["roles"],
            by=request.user,
        )
    except ValidationError as exc:
        _add_errors(form, exc)
        return False
    link = request.build_absolute_uri(people.set_password_path(user))
    messages.success(
        request, f"{user.username} invited: send them this link to set a password: {link}"
    )
    return True


def _change(request, plan, do: str) -> None:
    """Give or take a role, or deactivate a leaver handing their open actions over."""
    user = get_object_or_404(get_user_model(), pk=request.POST.get("user"))
    by = request.user
    if do in ("give", "take"):
        step = people.give_role if do == "give" else people.take_role

        def act(data):
            step(plan, user, data["role"], by=by)
            return f"{stewardship.who(user)}: done"

        _do(request, RoleForm, act)
    elif do == "deactivate":

        def act(data):
            moved = people.deactivate(
                plan, user, by=by, to_user=data["to_user"], to_team=data["to_team"]
            )
            return f"{stewardship.who(user)} deactivated; {moved} open actions handed over"

        _do(request, LeaverForm, act, plan=plan)


@plan_role_required
def people_page(request: HttpRequest) -> HttpResponse:
    """Whole-plan stewards (and administrators) only: a lead or any other role gets 403."""
    plan = _plan()
    if not stewardship.scope(request.user, plan).whole_plan:
        raise PermissionDenied("Only a steward of the whole plan may manage people.")
    do = request.POST.get("do")
    invite = InviteForm(request.POST if do == "invite" else None)
    if request.method == "POST":
        if do != "invite":
            _change(request, plan, do)
            return redirect(reverse("actionplan:people"))
        if _invite(request, plan, invite):
            return redirect(reverse("actionplan:people"))
    users = get_user_model().objects.prefetch_related("groups").order_by("-is_active", "username")
    rows = [(u, sorted(g.name for g in u.groups.all())) for u in users]
    return render(
        request,
        "actionplan/people.html",
        {
            "plan": plan,
            "rows": rows,
            "invite": invite,
            "roles": ROLES,
            "leaver": LeaverForm(plan=plan),
        },
    )
