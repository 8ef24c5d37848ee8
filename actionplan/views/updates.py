"""An action's quarterly update, entered by its owner (or an administrator for them)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.generic import UpdateView

from actionplan import (
    workflow,
)
from actionplan.forms import (
    UpdateForm,
    saved_by,
)
from actionplan.models import (
    Action,
    QuarterlyUpdate,
)
from actionplan.views.access import PlanRoleRequiredMixin
from actionplan.views.saving import Saved, save_once, sent_twice


class ActionUpdateView(PlanRoleRequiredMixin, UpdateView):
    """An action's owner (or an administrator for them) enters its update for the open review."""

    template_name = "actionplan/update_form.html"
    form_class = UpdateForm

    def admitted(self, request: HttpRequest, *args, **kwargs) -> HttpResponse | None:
        self.action = get_object_or_404(
            Action.objects.select_related("objective__priority_area__plan", "owner"),
            pk=kwargs["pk"],
        )
        if not workflow.can_update_action(request.user, self.action):
            raise PermissionDenied("Only the action's owner enters its update.")
        self.review = workflow.open_review(self.action.objective.priority_area.plan)
        if self.review is None:
            if request.method == "POST":
                raise PermissionDenied("No quarter is open: updates cannot be changed.")
            return render(request, self.template_name, {"action": self.action, "review": None})
        return None

    def get_object(self, queryset=None) -> QuarterlyUpdate:
        return QuarterlyUpdate.objects.filter(
            review=self.review, action=self.action
        ).first() or QuarterlyUpdate(review=self.review, action=self.action)

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            action=self.action,
            review=self.review,
            on_behalf=self.action.owner_id != self.request.user.pk,
            **kwargs,
        )

    def form_valid(self, form: UpdateForm) -> HttpResponse:
        def signed(update: QuarterlyUpdate) -> None:
            update.author = self.request.user

        outcome, self.object = save_once(
            form,
            self.review,
            lambda: QuarterlyUpdate.objects.filter(review=self.review, action=self.action).first(),
            signed,
        )
        if outcome is Saved.MEANWHILE:
            form.saved_meanwhile(self.object, "An update for this action in this quarter")
            return self.form_invalid(form)
        if sent_twice(form, outcome, self.object):
            text = (
                f"Update for action {self.action.number} for {self.review} was already saved by "
                f"{saved_by(self.object)}: not saved twice"
            )
        else:
            text = f"Update for action {self.action.number} saved for {self.review}"
        messages.success(self.request, text)
        return redirect(self.get_success_url())

    def get_success_url(self) -> str:
        area = self.action.objective.priority_area
        url = reverse("actionplan:area", args=[area.number])
        return f"{url}#action-{self.action.number}"
