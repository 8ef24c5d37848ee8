"""Plain values in: the rule's parsers, and the small words its reasons are written with."""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal

from indicators.vocabulary import ActionStatus, Direction, Rag, parse_direction

__all__ = ["parse_action_status", "parse_direction", "parse_rag"]


def _key(text: str) -> str:
    return re.sub(r"[^a-z]", "", str(text).lower())


def parse_rag(value: Rag | str) -> Rag:
    """Return the Rag for a value or label ("red", "Red", "Not rated", ...)."""
    if isinstance(value, Rag):
        return value
    key = _key(value)
    for rag in Rag:
        if key in (_key(rag.value), _key(rag.label)):
            return rag
    if key == "blue":
        return Rag.COMPLETE
    raise ValueError(f"unknown RAG {value!r}")


def parse_action_status(value: ActionStatus | str) -> ActionStatus:
    """Return the ActionStatus for a value or label ("in_progress", "In progress", ...)."""
    if isinstance(value, ActionStatus):
        return value
    key = _key(value)
    for status in ActionStatus:
        if key == _key(status.value):
            return status
    raise ValueError(f"unknown action status {value!r}")


def number(value: float | Decimal | None) -> float | None:
    if value is None:
        return None
    figure = float(value)
    return None if math.isnan(figure) else figure


def at_least_as_good(value: float, reference: float, way: Direction) -> bool:
    if math.isclose(value, reference, rel_tol=1e-9, abs_tol=1e-12):
        return True
    return value > reference if way is Direction.HIGHER else value < reference


def day(when: date) -> str:
    return f"{when.day} {when:%B %Y}"


def on(when: date | None) -> str:
    return f" of {day(when)}" if when else ""


def count(amount: int, noun: str) -> str:
    return f"{amount} {noun}{'' if amount == 1 else 's'}"


def in_days(days: int) -> str:
    return "today" if days == 0 else f"in {count(days, 'day')}"


def figure(value: float) -> str:
    return f"{value:.4g}"
