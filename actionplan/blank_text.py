"""Whether a text says anything: empty once spaces and invisible characters are taken away.

Pure: no Django. Python's `str.strip()` keeps zero-width characters (U+200B, U+200C, U+200D,
U+2060, U+FEFF), so a rationale of one zero-width space would pass as written text.
"""

from __future__ import annotations

import unicodedata

# Format characters (zero-width spaces and joiners, the byte-order mark, bidirectional marks),
# every kind of space and separator, and control characters (tabs, new lines).
INVISIBLE_CATEGORIES = frozenset({"Cf", "Zs", "Zl", "Zp", "Cc"})

# Letters and symbols that are drawn as nothing: the Hangul fillers and the blank braille cell.
BLANK_LOOKING = frozenset({"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"})


def is_invisible(character: str) -> bool:
    return (
        character in BLANK_LOOKING
        or character.isspace()
        or unicodedata.category(character) in INVISIBLE_CATEGORIES
    )


def is_blank(text: str | None) -> bool:
    """True for None, "", whitespace only, or only invisible characters such as U+200B."""
    return not text or all(is_invisible(character) for character in text)
