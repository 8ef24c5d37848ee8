"""Who may do what with local data (LOCAL_DATA.md section 4, roles)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from actionplan import roles
from imr_dashboard.two_factor import two_factor_required
from localdata.disclosure import Tier

UPLOADERS = (roles.ANALYST, roles.ADMINISTRATOR)


def _in_roles(user, names) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or not roles.role_names(user).isdisjoint(names)


def can_upload(user) -> bool:
    """Analysts and administrators: upload, restore, and see unsuppressed figures on screen."""
    return _in_roles(user, UPLOADERS)


def can_purge(user) -> bool:
    """Administrators (the information-governance lead) purge an upload."""
    return _in_roles(user, (roles.ADMINISTRATOR,))


def tier_for(request: HttpRequest) -> Tier:
    """Members of a plan role see tier 1; everyone else, and every download, tier 2."""
    return Tier.MEMBERS if roles.has_plan_role(request.user) else Tier.PUBLIC


def analyst_required(view):
    """Sign-in, then the analyst role (403 otherwise), then a second factor."""
    guarded = two_factor_required(view)

    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_upload(request.user):
            raise PermissionDenied("Local data uploads are for analysts.")
        return guarded(request, *args, **kwargs)

    return checked
