"""Pure: the identity provider's groups mapped to the dashboard's roles (OIDC_ROLE_MAP)."""

from __future__ import annotations

import json

from django.core.exceptions import ImproperlyConfigured

# Beside the plan's roles, a map may name these two flags; nothing else grants them.
STAFF = "staff"  # may open the Django admin (with the permissions of their roles)
SUPERUSER = "superuser"  # every permission, and the admin
FLAGS = (STAFF, SUPERUSER)


def parse_role_map(text: str) -> dict[str, tuple[str, ...]]:
    """`group=Role;group2=Role2` or a JSON object {group: role or [roles]}, as group -> roles.

    A group may be named more than once (each time adding a role). Role names are checked
    against the plan's roles by the system check imr.E010, where the roles can be read.
    """
    text = text.strip()
    if not text:
        raise ImproperlyConfigured(
            "OIDC_CLIENT_ID is set but OIDC_ROLE_MAP is empty: map at least one of the "
            "provider's groups to a role, e.g. OIDC_ROLE_MAP='<group id>=Board member'."
        )
    pairs: list[tuple[str, str]] = []
    if text.startswith("{"):
        try:
            loaded = json.loads(text)
        except ValueError as exc:
            raise ImproperlyConfigured(f"OIDC_ROLE_MAP is not valid JSON: {exc}") from None
        for group, roles in loaded.items():
            for role in [roles] if isinstance(roles, str) else roles:
                if not isinstance(role, str):
                    raise ImproperlyConfigured(f"OIDC_ROLE_MAP: {group!r} maps to {role!r}")
                pairs.append((group, role))
    else:
        for item in text.split(";"):
            if not item.strip():
                continue
            group, equals, role = item.partition("=")
            if not equals:
                raise ImproperlyConfigured(
                    f"OIDC_ROLE_MAP: {item.strip()!r} is not group=Role (pairs are split by ;)"
                )
            pairs.append((group, role))
    mapping: dict[str, tuple[str, ...]] = {}
    for group, role in pairs:
        group, role = group.strip(), role.strip()
        if not group or not role:
            raise ImproperlyConfigured(f"OIDC_ROLE_MAP: empty group or role in {group}={role}")
        if role not in mapping.get(group, ()):
            mapping[group] = (*mapping.get(group, ()), role)
    return mapping


def roles_granted(role_map: dict[str, tuple[str, ...]], groups: list[str]) -> set[str]:
    """The roles (and flags) the provider's groups grant under the map."""
    return {role for group in groups for role in role_map.get(group, ())}


def roles_mapped(role_map: dict[str, tuple[str, ...]]) -> set[str]:
    """Every role (and flag) the map can grant: the ones a sign-in sets or takes away."""
    return {role for roles in role_map.values() for role in roles}
