"""Lookups the local-data templates need."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def index(sequence, position):
    try:
        return sequence[position]
    except (IndexError, TypeError):
        return None


@register.filter
def may_upload_local_data(user) -> bool:
    """Whether the site navigation offers the local-data pages (analysts and administrators)."""
    from localdata.access import can_upload

    return hasattr(user, "is_authenticated") and can_upload(user)
