"""The charts of an indicator page, by the name its URL and CSV use, each cached."""

from __future__ import annotations

from indicators.caching import cached
from indicators.cards.card import ChartCard, View
from indicators.cards.compare import compare_card
from indicators.cards.deciles import deciles_card
from indicators.cards.map import map_card
from indicators.cards.trend import trend_card

CARD_BUILDERS = {
    "compare": compare_card,
    "trend": trend_card,
    "map": map_card,
    "inequalities": deciles_card,
}


def cached_card(name: str, view: View) -> ChartCard:
    """One of an indicator's charts, built once per version of that indicator's figures."""
    return cached(
        ("card", name, view.indicator.pk, view.period, view.benchmark.key, view.area_code),
        lambda: CARD_BUILDERS[name](view),
        indicator=view.indicator.fingertips_id,
    )
