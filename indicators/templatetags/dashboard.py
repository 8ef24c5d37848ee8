from django import template

register = template.Library()

_PHRASES = {"Similar": "{label} to {benchmark}", "Not compared": "Not compared with {benchmark}"}


@register.filter
def compared_with(label: str, benchmark: str) -> str:
    """A comparison in words: "Worse than England", "Similar to England", "Not compared with…"."""
    return _PHRASES.get(label, "{label} than {benchmark}").format(label=label, benchmark=benchmark)
