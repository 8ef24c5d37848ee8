"""One page for each priority area: its RAG, actions and owners, measures and updates."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph

from actionplan.boardpack import whatif_chart
from actionplan.boardpack.drawing import (
    WIDTH,
    _heads,
    _printable,
    _Running,
    _table,
    _tag,
    _text,
    _Wide,
)
from actionplan.boardpack.drawing import day as _day
from actionplan.boardpack.summary import _measures as _measure_block
from actionplan.boardpack.values import AreaSection, BoardPack


def _area_sections(pack: BoardPack, s) -> list:
    """Each area starts a page of its own; the part's heading shares the first area's page."""
    story: list = []
    for n, section in enumerate(pack.sections):
        story += [_Running(""), PageBreak()]
        if n == 0:
            story.append(Paragraph("5. The priority areas", s["h1"]))
        story.append(KeepTogether(_rating(pack, section, s)))
        story.append(_Running(f"{section.number}. {_printable(section.title)}"))
        story += _actions(section, s)
        story += _measures(pack, section, s)
        story += _whatif(section, s)
        story += _updates(pack, section, s)
    return [*story, _Running("")]


def _rating(pack: BoardPack, section: AreaSection, s) -> list:
    rating = [
        Paragraph(f"{section.number}. {_text(section.title)}", s["h2"]),
        Paragraph(
            f"<b>RAG for {pack.quarter}:</b> "
            + _tag(section.rag, "final" if section.is_final else "proposed — no final RAG yet"),
            s["body"],
        ),
    ]
    if not section.is_final:
        rating.append(Paragraph(f"Rule's reason: {_text(section.proposed_reason)}", s["small"]))
        return rating
    rating.append(
        Paragraph(
            f"Proposed by the rule: {_tag(section.proposed)} " + _text(section.proposed_reason),
            s["small"],
        )
    )
    rationale = (
        _text(section.rationale)
        if section.rationale
        else "None given (the final RAG is the proposed one)."
    )
    rating.append(Paragraph("<b>Rationale:</b> " + rationale, s["small"]))
    rating.append(Paragraph(_text(section.decided), s["hint"]))
    return rating


def _actions(section: AreaSection, s) -> list:
    story = [Paragraph(f"Actions ({len(section.action_lines)})", s["h3"])]
    if not section.action_lines:
        return [*story, Paragraph("No actions.", s["small"])]
    rows = [_heads(["Action", "Owner", "Due", "Status", "Proposed RAG"], s)]
    for line in section.action_lines:
        rows.append(
            [
                Paragraph(f"<b>{_text(line.number)}</b> {_text(line.text)}", s["cell"]),
                Paragraph(_text(line.owner), s["cell"]),
                Paragraph(_day(line.due) if line.due else "Not set", s["cell"]),
                Paragraph(_text(line.status), s["cell"]),
                Paragraph(_tag(line.rag), s["cell"]),
            ]
        )
    return [*story, _table(rows, [WIDTH - 100 * mm, 30 * mm, 22 * mm, 28 * mm, 20 * mm])]


def _measures(pack: BoardPack, section: AreaSection, s) -> list:
    story = [Paragraph("Measures", s["h3"])]
    if section.measures:
        return [*story, *_measure_block(section.measures, pack.region, s)]
    return [
        *story,
        Paragraph(
            "No measure is linked to this area alone; see Key measures for the whole plan.",
            s["small"],
        ),
    ]


def _whatif(section: AreaSection, s) -> list:
    """The what-if statements for the indicators the area's measures read; nothing without."""
    if not section.whatif:
        return []
    story: list = [Paragraph("What if", s["h3"])]
    for line in section.whatif:
        story.append(Paragraph(f"<b>{_text(line.title)}</b>", s["small"]))
        story.append(Paragraph(_text(line.headline), s["small"]))
        if line.scenario:
            story.append(Paragraph(_text(line.scenario), s["small"]))
        story.append(Paragraph(f"Periods: {_text(line.period)}", s["hint"]))
        story.extend(Paragraph(f"<i>{_text(c)}</i>", s["hint"]) for c in line.caveats)
        story.append(Paragraph(f"Source: {_text(line.source)}", s["hint"]))
        if line.chart is not None:
            story += whatif_chart.flowables(line.chart, line.headline, s)
    return story


def _updates(pack: BoardPack, section: AreaSection, s) -> list:
    story = [
        Paragraph(
            f"Updates for {pack.quarter} ({len(section.updates)} of {section.actions} actions)",
            s["h3"],
        )
    ]
    if not section.updates:
        return [*story, Paragraph("No updates were entered for this quarter.", s["small"])]
    # Each note runs the full width under its action's row, and on across pages.
    rows: list = [_heads(["Action", "Owner's RAG", "Author", "Entered"], s)]
    for u in section.updates:
        rows.append(
            [
                Paragraph(f"<b>{_text(u.action_number)}</b> {_text(u.action_text)}", s["cell"]),
                Paragraph(_tag(u.rag), s["cell"]),
                Paragraph(_text(u.author), s["cell"]),
                Paragraph(_day(u.entered), s["cell"]),
            ]
        )
        # One row a paragraph, so a page turns between paragraphs where it can.
        first, *more = _printable(u.progress_note).split("\n\n")
        rows.append(_Wide(Paragraph(f"<b>Progress note:</b> {_text(first)}", s["note"])))
        rows.extend(_Wide(Paragraph(_text(part), s["note"])) for part in more)
    return [*story, _table(rows, [WIDTH - 95 * mm, 25 * mm, 40 * mm, 30 * mm])]
