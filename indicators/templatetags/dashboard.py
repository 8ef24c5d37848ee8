from django import template

from indicators.vocabulary import Comparison

register = template.Library()


@register.filter
def compared_with(label: str, benchmark: str) -> str:
    """A comparison in words: "Worse than England", "Similar to England", "Not compared with…"
    (the vocabulary's phrase; an empty comparison is Not compared)."""
    try:
        return Comparison.of(label).describe(benchmark)
    except ValueError:
        return f"{label} than {benchmark}"


@register.filter
def comparison_label(value: str) -> str:
    """A stored comparison as a page shows it ("Better", "Not compared" for none stored)."""
    try:
        return Comparison.of(value).label
    except ValueError:
        return value
