"""What changed since the last meeting: the first page after the cover."""

from __future__ import annotations

from reportlab.platypus import Paragraph

from actionplan.boardpack.drawing import (
    _text,
)
from actionplan.boardpack.values import BoardPack


def _changes(pack: BoardPack, s) -> list:
    story = [
        Paragraph("1. What changed since the last meeting", s["h1"]),
        Paragraph(_text(pack.changes.summary), s["body"]),
    ]
    for heading, lines in pack.changes.groups:
        story.append(Paragraph(_text(heading), s["h3"]))
        story.extend(Paragraph(_text(line), s["bullet"], bulletText="•") for line in lines)
    return story
