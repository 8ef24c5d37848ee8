"""The pack's cover: the quarter, its state (draft or frozen) and dates, and contents."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer, Table

from actionplan.boardpack.drawing import (
    DRAFT,
    INK,
    WIDTH,
    _table,
    _text,
)
from actionplan.boardpack.drawing import day as _day
from actionplan.boardpack.values import BoardPack


def _cover(pack: BoardPack, s) -> list:
    state = (
        "<b>Frozen.</b> The group's final RAGs and the owners' updates for this quarter are the "
        "record and cannot be changed."
        if pack.frozen
        else "<b>DRAFT — review not yet frozen.</b> Owners' updates and the group's RAGs may still "
        "change; areas without a final RAG show the rule's proposal, labelled proposed."
    )
    if pack.record:
        state += " " + _text(pack.record)
    box = Table(
        [[Paragraph(state, s["body"])]],
        colWidths=[WIDTH],
        style=[
            (
                "BOX",
                (0, 0),
                (-1, -1),
                2 if not pack.frozen else 1,
                DRAFT if not pack.frozen else INK,
            ),
            ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, -1), 6),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
        ],
    )
    facts = _facts(pack)
    contents = [
        "What changed since the last meeting",
        "RAG summary",
        "Exceptions",
        "Key measures for the whole plan",
        "The priority areas, one a page: actions and owners, measures, updates and ratings",
        "Data sources and dates",
        "How the proposed RAG is worked out",
    ]
    return [
        Spacer(1, 30 * mm),
        Paragraph("Board pack", s["subtitle"]),
        Spacer(1, 3 * mm),
        Paragraph(_text(pack.plan_title), s["title"]),
        Paragraph(f"Quarterly review {pack.quarter}", s["subtitle"]),
        Spacer(1, 10 * mm),
        _table(
            [[Paragraph(k, s["head"]), Paragraph(_text(v), s["body"])] for k, v in facts],
            [35 * mm, WIDTH - 35 * mm],
            header=False,
        ),
        Spacer(1, 8 * mm),
        box,
        Spacer(1, 10 * mm),
        Paragraph("Contents", s["h3"]),
        *[Paragraph(f"{n}. {c}", s["body"]) for n, c in enumerate(contents, 1)],
        PageBreak(),
    ]


def _facts(pack: BoardPack) -> list[tuple[str, str]]:
    """The cover's facts: quarter, state and dates, worded so that none contradicts another."""
    return [
        ("County", pack.county),
        ("Quarter", f"{pack.quarter} ({pack.quarter_months})"),
        ("Meeting", _day(pack.meeting_date) if pack.meeting_date else "No meeting date set"),
        ("State", "Frozen" if pack.frozen else "Draft — review not yet frozen"),
        ("Generated", f"{_day(pack.generated_at.date())} at {pack.generated_at:%H:%M %Z}".strip()),
        (
            "Compared with",
            f"{pack.previous_quarter}, the last frozen quarter before this one"
            if pack.previous_quarter
            else "No earlier frozen quarter",
        ),
        ("Action RAGs", f"the rule's reading {pack.read_at_words}"),
    ]
