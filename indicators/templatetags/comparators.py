"""Page sections of comparators, what-if statements and findings, added to a page by one tag each.

Each section reads what it needs itself, so the page's view is unchanged; what it builds is kept
until any indicator's figures change (what-if statements read several indicators).
"""

from __future__ import annotations

from django import template

from indicators import whatif_inputs
from indicators.caching import cached
from indicators.statistics import whatif as w

register = template.Library()


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def _plain(statement: whatif_inputs.Statement) -> dict:
    """What the section shows of one statement, formatted once."""
    against = {"region": "the region", "england": "England"}.get(
        statement.comparator_kind, statement.comparator_kind.replace("_", " ")
    )
    title = (
        f"{w.FACTOR_PHRASES[statement.factor][0].capitalize()} and "
        f"{w.OUTCOME_NAMES[statement.outcome_key]}, against {against}"
    )
    plain = {"statement": statement, "missing": statement.missing, "title": title}
    result = statement.result
    if result is None:
        return plain
    sim = result.simulation
    plain.update(
        p_gap=_percent(sim.p_gap),
        p_enough=_percent(sim.p_enough_given_gap),
        prevalence=f"{100 * result.prevalence.p:.1f}%",
        rr=result.risk,
        outcome=result.outcome,
        comparator=result.comparator,
        parameter_set=result.parameter_set,
    )
    return plain


@register.inclusion_tag("indicators/_whatif.html")
def whatif_section(indicator) -> dict:
    """The what-if statements of an outcome's or a risk factor's page (none for the others)."""

    def build():
        return [_plain(s) for s in whatif_inputs.page_statements(indicator.fingertips_id)]

    statements = cached(("whatif", indicator.fingertips_id), build)
    return {"statements": statements, "indicator": indicator}
