"""Who may see the plan's pages: the plan-role rule, once for function and class views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator

from actionplan.roles import has_plan_role


def plan_role_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The plan-role access rule, once for every plan page: anonymous users go to the login
    page; signed-in users without a plan role get 403 (`PlanRoleRequiredMixin` applies it)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not has_plan_role(request.user):
            raise PermissionDenied("You need a role in the plan to see it.")
        return view(request, *args, **kwargs)

    return wrapped


class PlanRoleRequiredMixin:
    """`plan_role_required` for class-based views (the rule is written once, there); a view
    sets itself up in `admitted`, which runs only once the rule has let the user in."""

    @method_decorator(plan_role_required)
    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = self.admitted(request, *args, **kwargs)
        return response or super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def admitted(self, request: HttpRequest, *args, **kwargs) -> HttpResponse | None:
        """Set the view up for an admitted user; a response returned here is sent instead."""
        return None
