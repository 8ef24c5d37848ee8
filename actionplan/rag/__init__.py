"""Proposed RAG ratings for actions, performance measures and priority areas, by a stated rule.

Pure: plain values in, plain values out; nothing here imports Django. Each rule is an ordered
list of branches and the first branch that fits gives the proposal, so the rule written out
for the page (`rules_text`, `rule_sections`) and the code are built from the same `Rule`
objects (`rules`) and cannot drift apart. The Best Start Strategic Group sets the final RAG;
the proposal is its starting point, and a final RAG that differs needs a rationale.

Completed actions are shown as "Complete" (blue), not Green, as council performance tools do:
Green means "live and on track", and counting finished work as Green would hide how much live
work is on track. A priority area's rating never becomes Complete: its measures keep running.
A measure whose latest figure is older than the configured limit is never Red or Green.

The words (Rag, ActionStatus, Direction, TargetProgress) are the vocabulary's
(`indicators.vocabulary`); they are re-exported here for the rule's callers.
"""

from indicators.vocabulary import ActionStatus, Direction, Rag, TargetProgress

from .actions import financial_quarter_start, propose_action_rag
from .areas import propose_priority_area_rag
from .measures import OutOfDate, TargetAssessment, assess_target, propose_measure_rag
from .rules import (
    ACTION_RULES,
    AMBER_SHARE,
    DUE_SOON_DAYS,
    MEASURE_RULES,
    OUT_OF_DATE_LIMIT,
    PRIORITY_AREA_RULES,
    RED_SHARE,
    REGION,
    RULE_SECTIONS,
    RULES_TEXT,
    Proposal,
    Rule,
    RuleSection,
    rule_sections,
    rules_text,
)
from .words import parse_action_status, parse_direction, parse_rag

__all__ = [
    "ACTION_RULES",
    "AMBER_SHARE",
    "DUE_SOON_DAYS",
    "MEASURE_RULES",
    "OUT_OF_DATE_LIMIT",
    "PRIORITY_AREA_RULES",
    "RED_SHARE",
    "REGION",
    "RULES_TEXT",
    "RULE_SECTIONS",
    "ActionStatus",
    "Direction",
    "OutOfDate",
    "Proposal",
    "Rag",
    "Rule",
    "RuleSection",
    "TargetAssessment",
    "TargetProgress",
    "assess_target",
    "financial_quarter_start",
    "parse_action_status",
    "parse_direction",
    "parse_rag",
    "propose_action_rag",
    "propose_measure_rag",
    "propose_priority_area_rag",
    "rule_sections",
    "rules_text",
]
