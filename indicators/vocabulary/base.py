"""The vocabulary's machinery: a Term carries its value, label, phrase, symbol and colour."""

from __future__ import annotations

import re
from enum import EnumType, StrEnum
from typing import Any


class UnknownWording(ValueError):
    """Text that names no member of a vocabulary (a new Fingertips wording, a typing slip)."""


class _Words(EnumType):
    """Gives every vocabulary the class attributes a Django model field reads."""

    @property
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs for a model field's `choices`: the words that may be stored."""
        return [(m.value, m.label) for m in cls if m.storable]

    @property
    def labels(cls) -> list[str]:
        return [label for _, label in cls.choices]

    @property
    def values(cls) -> list[str]:
        return [value for value, _ in cls.choices]

    @property
    def do_not_call_in_templates(cls) -> bool:
        return True


class Term(StrEnum, metaclass=_Words):
    """A word of the vocabulary: the stored value plus label, phrase, symbol and colour."""

    label: str
    phrase: str
    symbol: str
    colour: str

    def __new__(
        cls, value: str, label: str = "", phrase: str = "", symbol: str = "", colour: str = ""
    ) -> Term:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value
        member.phrase = phrase or member.label.lower()
        member.symbol = symbol
        member.colour = colour
        return member

    @property
    def storable(self) -> bool:
        """Whether the word may be stored (a proposal-only word may not)."""
        return True

    @classmethod
    def from_label(cls, text: str) -> Any:
        """The member whose label (or value) is `text`, ignoring case and spacing."""
        key = _letters(text)
        for member in cls:
            if key in (_letters(member.label), _letters(member.value)):
                return member
        raise UnknownWording(f"{text!r} is not a {cls.__name__} ({_listed(cls)})")


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


def _listed(cls: type[Term]) -> str:
    return ", ".join(member.label for member in cls)
