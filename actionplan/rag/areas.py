"""The proposed RAG of a priority area, from its actions' and measures' proposed RAGs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from indicators.vocabulary import Rag

from . import rules as r
from .rules import AMBER_SHARE, RED_SHARE, Proposal, percent, propose
from .words import count, parse_rag


def propose_priority_area_rag(
    *,
    action_rags: Iterable[Rag | str],
    measure_rags: Iterable[Rag | str],
    red_share: float = RED_SHARE,
    amber_share: float = AMBER_SHARE,
) -> Proposal:
    """Return the proposed RAG for a priority area from its actions' and measures' RAGs."""
    # A measure not rated because its data are out of date counts as not rated.
    actions = Counter(parse_rag(x).stored for x in action_rags)
    measures = Counter(parse_rag(x).stored for x in measure_rags)
    rated_actions = actions.total() - actions[Rag.NOT_RATED]
    rated_measures = measures.total() - measures[Rag.NOT_RATED]
    counts = _area_counts(actions, measures)

    def share_at_least(rag: Rag, share: float) -> bool:
        return rated_actions > 0 and actions[rag] >= share * rated_actions

    if rated_actions == 0 and rated_measures == 0:
        return propose(r.AREA_NOT_RATED, f"Nothing rated yet. {counts}")
    if measures[Rag.RED]:
        return propose(r.AREA_RED_MEASURE, f"{count(measures[Rag.RED], 'measure')} Red. {counts}")
    if share_at_least(Rag.RED, red_share):
        return propose(
            r.AREA_RED_ACTIONS_SHARE,
            f"{actions[Rag.RED]} of {rated_actions} rated actions Red "
            f"(threshold {percent(red_share)}). {counts}",
        )
    if actions[Rag.RED]:
        return propose(
            r.AREA_SOME_RED_ACTIONS,
            f"{actions[Rag.RED]} of {rated_actions} rated actions Red. {counts}",
        )
    if measures[Rag.AMBER]:
        return propose(
            r.AREA_AMBER_MEASURE, f"{count(measures[Rag.AMBER], 'measure')} Amber. {counts}"
        )
    if share_at_least(Rag.AMBER, amber_share):
        return propose(
            r.AREA_AMBER_ACTIONS_SHARE,
            f"{actions[Rag.AMBER]} of {rated_actions} rated actions Amber "
            f"(threshold {percent(amber_share)}). {counts}",
        )
    return propose(r.AREA_ON_TRACK, f"No Red and little Amber. {counts}")


def _area_counts(actions: Counter[Rag], measures: Counter[Rag]) -> str:
    def listed(counter: Counter[Rag], rags: tuple[Rag, ...]) -> str:
        return ", ".join(f"{counter[rag]} {rag.label}" for rag in rags)

    action_rags = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE, Rag.NOT_RATED)
    measure_rags = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.NOT_RATED)
    return f"Actions: {listed(actions, action_rags)}. Measures: {listed(measures, measure_rags)}."
