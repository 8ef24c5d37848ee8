from django import template

register = template.Library()

_PREPOSITION = {"Similar": "to"}


@register.filter
def compared_with(label: str, benchmark: str) -> str:
    """A published comparison in words: "Worse than England", "Similar to England"."""
    return f"{label} {_PREPOSITION.get(label, 'than')} {benchmark}"
