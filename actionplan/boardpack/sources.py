"""Where the figures come from, and how the proposed RAG is worked out."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, PageBreak, Paragraph, Spacer

from actionplan.boardpack.drawing import (
    WIDTH,
    _heads,
    _table,
    _text,
)
from actionplan.boardpack.values import BoardPack


def _data_sources(pack: BoardPack, s) -> list:
    rows = [
        _heads(
            [
                "Indicator",
                "Indicator id",
                "Period",
                "Import run that loaded it",
                "Data taken from Fingertips",
                "Notes",
            ],
            s,
        )
    ]
    for line in pack.sources:
        rows.append(
            [
                Paragraph(_text(line.indicator), s["cell"]),
                Paragraph(str(line.fingertips_id), s["cell"]),
                Paragraph(_text(line.period), s["cell"]),
                Paragraph(_text(line.loaded_by or "–"), s["cell"]),
                Paragraph(_text(line.data_current_at or "Not recorded"), s["cell"]),
                Paragraph(f"<i>{_text(line.note)}</i>" if line.note else "", s["cell"]),
            ]
        )
    return [
        # After the last priority area, which has its page to itself like the others.
        PageBreak(),
        Paragraph("6. Data sources and dates", s["h1"]),
        Paragraph(
            "Every figure is from OHID Fingertips (Public Health Profiles), read for "
            f"{_text(pack.county)} and compared by this dashboard's statistics engine. Each "
            "indicator's latest figure, the import run that loaded it and when the data was taken "
            "from Fingertips. Figures not published by Fingertips are marked estimated.",
            s["body"],
        ),
        Spacer(1, 2 * mm),
        _table(rows, [48 * mm, 17 * mm, 20 * mm, 30 * mm, 26 * mm, WIDTH - 141 * mm])
        if pack.sources
        else Paragraph("No measure is linked to an indicator.", s["body"]),
        *_whatif_sources(pack, s),
        Paragraph("The plan", s["h3"]),
        Paragraph(_text(pack.plan_source or "No source recorded."), s["small"]),
        Spacer(1, 2 * mm),
        Paragraph(
            "Contains public sector information licensed under the Open Government Licence v3.0.",
            s["hint"],
        ),
    ]


def _whatif_sources(pack: BoardPack, s) -> list:
    """The relative risks the what-if statements use, each once; nothing without statements."""
    found = dict.fromkeys(line.source for area in pack.sections for line in area.whatif)
    if not found:
        return []
    return [
        Paragraph("What-if relative risks", s["h3"]),
        *(Paragraph(_text(source), s["small"]) for source in found if source),
    ]


def _rules(pack: BoardPack, s) -> list:
    story = [
        # On from the sources where there is room: a page of its own left a few lines alone on
        # the last page.
        CondPageBreak(60 * mm),
        Paragraph("7. How the proposed RAG is worked out", s["h1"]),
        Paragraph(_text(pack.rules_intro), s["small"]),
    ]
    for heading, preamble, rules in pack.rules:
        story.append(Paragraph(_text(heading), s["h3"]))
        story.append(Paragraph(_text(preamble), s["small"]))
        story.extend(
            Paragraph(_text(rule), s["bullet"], bulletText=f"{n}.")
            for n, rule in enumerate(rules, 1)
        )
    return story
