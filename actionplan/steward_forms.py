"""Forms a plan steward uses to keep the plan: an action, a measure's target, retiring, leads.

The forms only gather values; `actionplan.stewardship` and the models' own rules decide what
may be saved, for these pages, the admin and commands alike.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from actionplan.models import Action, PerformanceMeasure, Plan, PlanTeam, PriorityArea
from actionplan.roles import ROLES
from indicators.vocabulary import ActionStatus

OWNER_ERROR = "Choose an owner from the list: a person with a role in the plan, or a named team"


def plan_people():
    """Active users with a role in the plan: who may own an action or steward an area."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=ROLES) | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        name = user.get_full_name()
        return f"{name} ({user.get_username()})" if name else user.get_username()


class DayInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d", attrs={"class": "govuk-input govuk-input--width-10"})


class ActionForm(forms.ModelForm):
    """An action's owner, due date, status and the measures it is meant to move."""

    version = forms.CharField(required=False, widget=forms.HiddenInput)
    owner = PersonChoice(
        queryset=None,
        required=False,
        label="Owner (a person)",
        error_messages={"invalid_choice": OWNER_ERROR},
    )
    owner_team = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Or owning team",
        help_text="Every member of the team gets its reminders.",
        error_messages={"invalid_choice": OWNER_ERROR},
    )
    due_date = forms.DateField(
        required=False,
        widget=DayInput(),
        error_messages={"invalid": "Enter the due date as a real date"},
    )
    status = forms.ChoiceField(
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the action's status"},
    )
    status_reason = forms.CharField(
        required=False,
        label="Reason (on hold or cancelled)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    measures = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label="Measures it is meant to move",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Action
        fields = ["text", "owner", "owner_team", "due_date", "status", "status_reason"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = plan_people()
        self.fields["owner_team"].queryset = PlanTeam.objects.filter(plan=plan)
        self.fields["measures"].queryset = PerformanceMeasure.objects.filter(plan=plan)
        if self.instance.pk is not None:
            self.initial.setdefault("measures", list(self.instance.measures.all()))


class MeasureForm(forms.ModelForm):
    """A measure's baseline and target; the target must be a figure the indicator can take."""

    version = forms.CharField(required=False, widget=forms.HiddenInput)
    target_date = forms.DateField(
        required=False,
        widget=DayInput(),
        error_messages={"invalid": "Enter the target date as a real date"},
    )

    class Meta:
        model = PerformanceMeasure
        fields = ["baseline_value", "baseline_period", "target_value", "target_date"]
        error_messages = {
            "baseline_value": {"invalid": "Baseline must be a number"},
            "target_value": {"invalid": "Target must be a number"},
        }


class RetireForm(forms.Form):
    reason = forms.CharField(
        label="Why is the action retired?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the action is retired"},
    )
    merged_into = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Merged into (optional)",
        help_text="The action that carries on its work.",
    )

    def __init__(self, *args, action: Action, **kwargs):
        super().__init__(*args, **kwargs)
        plan_id = action.objective.priority_area.plan_id
        self.fields["merged_into"].queryset = (
            Action.objects.filter(objective__priority_area__plan_id=plan_id, retired_on=None)
            .exclude(pk=action.pk)
            .order_by("objective__priority_area__number", "objective_id", "pk")
        )


class StewardForm(forms.Form):
    """Give a person a steward's scope: the whole plan, or one priority area."""

    user = PersonChoice(
        queryset=None,
        label="Person",
        error_messages={
            "required": "Choose a person",
            "invalid_choice": "Choose a person from the list",
        },
    )
    area = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Priority area",
        empty_label="The whole plan",
    )

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = plan_people()
        self.fields["area"].queryset = PriorityArea.objects.filter(plan=plan).order_by("number")
