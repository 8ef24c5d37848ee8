"""The RAG summary, the exceptions and the measures of the whole plan."""

from __future__ import annotations

from collections import Counter

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer, Table

from actionplan import presenters
from actionplan.boardpack.drawing import (
    ARROW_COLUMN,
    INK,
    WIDTH,
    _arrow,
    _heads,
    _mdc_icon,
    _table,
    _tag,
    _text,
    _Wide,
)
from actionplan.boardpack.drawing import day as _day
from actionplan.boardpack.values import BoardPack, LocalLine, MeasureLine


def _summary(pack: BoardPack, s) -> list:
    rows = _summary_rows(pack, s)
    final = sum(a.is_final for a in pack.areas)
    return [
        CondPageBreak(80 * mm),
        Paragraph("2. RAG summary", s["h1"]),
        Paragraph(
            f"{final} of {len(pack.areas)} priority areas have the group's final RAG for "
            f"{pack.quarter}; the others show the rule's proposal, labelled <i>proposed</i>. "
            f"Actions are counted by their proposed RAG, {_text(pack.read_at_words)}. "
            "Every colour is also written as a word.",
            s["body"],
        ),
        Spacer(1, 3 * mm),
        _table(
            rows,
            [55 * mm, 30 * mm, ARROW_COLUMN, 54 * mm - ARROW_COLUMN, WIDTH - 139 * mm],
            extra=[
                ("SPAN", (2, 0), (3, 0)),
                ("RIGHTPADDING", (2, 1), (2, -1), 0),
                ("LEFTPADDING", (3, 1), (3, -1), 0),
                ("LINEABOVE", (0, -1), (-1, -1), 1, INK),
            ],
        ),
    ]


def _summary_rows(pack: BoardPack, s) -> list:
    """The RAG summary's table: a row a priority area, then the actions counted for them all."""
    against = (
        f"against {pack.previous_quarter}, the last frozen quarter"
        if pack.previous_quarter
        else "no earlier frozen quarter to compare with"
    )
    # The change's arrow has a narrow column of its own, so the words beside it can flow on.
    rows = [
        _heads(["Priority area", "RAG", f"Change ({against})", "", "Actions by proposed RAG"], s)
    ]
    totals: Counter = Counter()
    for area in pack.areas:
        totals.update(dict(area.action_counts))
        counts = "<br/>".join(f"{_tag(r)} {n}" for r, n in area.action_counts) or "No actions"
        rows.append(
            [
                Paragraph(f"<b>{area.number}.</b> {_text(area.title)}", s["cell"]),
                Paragraph(_tag(area.rag, "final" if area.is_final else "proposed"), s["cell"]),
                _arrow(area.movement) if area.movement in ("up", "down", "same") else "",
                Paragraph(
                    "<br/>".join(_text(w) for w in (area.movement_words, *area.overrides)),
                    s["cell"],
                ),
                Paragraph(counts, s["cell"]),
            ]
        )
    rows.append(
        [
            Paragraph("<b>All priority areas</b>", s["cell"]),
            "",
            "",
            "",
            Paragraph(
                "<br/>".join(
                    f"{_tag(r)} {totals[r]}" for r in presenters.ACTION_COUNT_ORDER if totals[r]
                )
                or "No actions",
                s["cell"],
            ),
        ]
    )
    return rows


def _exceptions(pack: BoardPack, s) -> list:
    story = [
        CondPageBreak(40 * mm),
        Paragraph("3. Exceptions", s["h1"]),
        Paragraph(
            f"Actions that are Red, overdue or rescheduled, {_text(pack.read_at_words)}.",
            s["body"],
        ),
        Spacer(1, 2 * mm),
    ]
    if not pack.exceptions:
        return [*story, Paragraph("No actions are Red, overdue or rescheduled.", s["body"])]
    rows = [_heads(["Action", "Why", "Due", "Proposed RAG and reason"], s)]
    for line in pack.exceptions:
        due = _day(line.due) if line.due else "No due date"
        if line.was_due:
            due += f'<br/><font color="#505a5f">was {_day(line.was_due)}</font>'
        rows.append(
            [
                Paragraph(
                    f"<b>{_text(line.action_number)}</b> {_text(line.action_text)}", s["cell"]
                ),
                Paragraph(_text(", ".join(line.reasons)), s["cell"]),
                Paragraph(due, s["cell"]),
                Paragraph(f"{_tag(line.rag)}<br/>{_text(line.reason)}", s["cell"]),
            ]
        )
    return [*story, _table(rows, [70 * mm, 22 * mm, 26 * mm, WIDTH - 118 * mm])]


def _measures_table(lines: tuple[MeasureLine, ...], region: str, s) -> Table:
    rows = [
        _heads(
            [
                "Measure",
                "Latest value",
                "Compared with England",
                f"Compared with {region}",
                "Target",
                "Proposed RAG",
            ],
            s,
        )
    ]
    for m in lines:
        value = f"<b>{_text(m.value)}</b>"
        if m.period:
            value += f"<br/>{_text(m.period)}"
        if m.trend:
            value += f'<br/><font color="#505a5f">Trend: {_text(m.trend)}</font>'
        if m.estimated:
            value += f"<br/><i>{_text(m.estimated)}</i>"
        rows.append(
            [
                Paragraph(_text(m.measure), s["cell"]),
                Paragraph(value, s["cell"]),
                Paragraph(_text(m.england or "–"), s["cell"]),
                Paragraph(_text(m.region or "–"), s["cell"]),
                Paragraph(_text(m.target), s["cell"]),
                Paragraph(f"{_tag(m.rag)}<br/>{_text(m.headline or m.reason)}", s["cell"]),
            ]
        )
        if m.local is not None:
            rows.append(_Wide(_local_block(m.local, s)))
    return _table(rows, [40 * mm, 28 * mm, 24 * mm, 24 * mm, 18 * mm, WIDTH - 134 * mm])


def _measures(lines: tuple[MeasureLine, ...], region: str, s) -> list:
    """The measures' table, each RAG with its reason's first words, then the reasons in full.

    The reasons in full restate the table's period, comparisons, trend and target; in a
    narrow column they made each row a dozen lines long."""
    story: list = [_measures_table(lines, region, s)]
    full = [m for m in lines if m.headline and m.reason != m.headline]
    if full:
        story.append(Paragraph("The rule's reasons in full", s["h4"]))
        story += [
            Paragraph(
                f"<b>{_text(m.measure)}:</b> {_text(m.reason)}"
                + (f" <i>Rule {_text(m.rule)}, section 7.</i>" if m.rule else ""),
                s["bullet"],
                bulletText="•",
            )
            for m in full
        ]
    return story


def _local_block(local: LocalLine, s) -> Table:
    """The linked local measure's latest quarter under the measure's row: the value, then each
    Making Data Count icon with its words (never the icon alone)."""
    heading = f"<b>{_text(local.heading)}</b>"
    if local.synthetic:
        heading += " <i>Synthetic example: made-up figures, not real data.</i>"
    cells: list = [Paragraph(heading, s["cell"])]
    widths = [WIDTH - 2 * 3]
    if local.variation or local.assurance:
        cells = [Paragraph(heading, s["cell"])]
        widths = [70 * mm]
        for letter, colour, words in (
            (local.variation_letter, local.variation_colour, local.variation),
            (local.assurance_letter, local.assurance_colour, local.assurance),
        ):
            cells += [_mdc_icon(letter, colour), Paragraph(_text(words), s["cell"])]
            widths += [6 * mm, (WIDTH - 6 - 70 * mm - 12 * mm) / 2]
    table = Table([cells], colWidths=widths, hAlign="LEFT")
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]
    )
    return table


def _plan_measures(pack: BoardPack, s) -> list:
    story = [
        CondPageBreak(60 * mm),
        Paragraph("4. Key measures for the whole plan", s["h1"]),
        Paragraph(
            "The outcomes framework's measures that belong to no single priority area: "
            f"{_text(pack.county)}'s latest figure, compared with England and "
            f"{_text(pack.region)}. "
            "Figures are the latest held when this pack was generated. Better, Similar or "
            "Worse is the statistics engine's comparison of the figure's confidence interval "
            "with the comparator's value, at the level the indicator's Fingertips method names "
            "(95% or 99.8%); Not compared where no interval or method is held. Each figure's "
            "indicator, period and the import that loaded it are in section 6.",
            s["body"],
        ),
        Spacer(1, 2 * mm),
    ]
    if not pack.plan_measures:
        return [*story, Paragraph("None.", s["body"])]
    # One block: the heading is never left at a page's foot and the table not cut in two while
    # it fits a page.
    return [story[0], KeepTogether([*story[1:], *_measures(pack.plan_measures, pack.region, s)])]
