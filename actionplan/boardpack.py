"""The board pack: one quarterly review as an A4 PDF for the board, built with ReportLab.

`collect` reads the review through `actionplan.presenters` (the same proposals, arrows and
exceptions the pages show) into plain values; `render` lays those values out and touches no
database, so the same values always give the same bytes. A frozen quarter's pack is made once,
when it is frozen, and stored (`actionplan.frozen_pack`): the download serves those bytes.

No text can make the pack fail: table rows taller than `ROW_LIMIT` are cut into rows that flow
across pages, and text is cleaned of what ReportLab cannot draw or parse.

Action RAGs and exceptions are the rule's reading as at the quarter's last day, or today while
the quarter is still running, so a quarter's pack does not drift as days pass after it.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.graphics.shapes import Drawing, Polygon
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from actionplan import presenters, review_changes
from actionplan.models import QuarterlyReview, QuarterlyUpdate, Rating
from actionplan.rag import Rag
from indicators.configuration import areas_config
from indicators.models import ImportRun, Observation, Origin
from indicators.vocabulary import Change, Comparison

# ------------------------------------------------------------------------------------------
# Plain values
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AreaSummary:
    number: int
    title: str
    rag: Rag
    is_final: bool
    movement: str  # "up", "down", "same", "new" or "none"
    movement_words: str
    action_counts: tuple[tuple[Rag, int], ...]


@dataclass(frozen=True, slots=True)
class ExceptionLine:
    area_number: int
    action_number: str
    action_text: str
    reasons: tuple[str, ...]
    due: date | None
    was_due: date | None
    rag: Rag
    reason: str


@dataclass(frozen=True, slots=True)
class MeasureLine:
    measure: str
    value: str  # formatted with its unit, or "No data"
    period: str
    england: str
    region: str
    target: str
    trend: str
    rag: Rag
    reason: str
    estimated: str  # why the figure is an estimate, or ""


@dataclass(frozen=True, slots=True)
class UpdateLine:
    action_number: str
    action_text: str
    rag: Rag
    progress_note: str
    author: str
    entered: date


@dataclass(frozen=True, slots=True)
class AreaSection:
    number: int
    title: str
    rag: Rag
    is_final: bool
    proposed: Rag
    proposed_reason: str
    rationale: str
    decided: str  # who set the final RAG and when, or ""
    actions: int
    measures: tuple[MeasureLine, ...]
    updates: tuple[UpdateLine, ...]


@dataclass(frozen=True, slots=True)
class SourceLine:
    indicator: str
    fingertips_id: int
    period: str
    loaded_by: str  # the import run: its kind and date
    data_current_at: str
    note: str  # estimated figures and engine-made limits say so here


@dataclass(frozen=True, slots=True)
class ChangeList:
    summary: str
    groups: tuple[tuple[str, tuple[str, ...]], ...]  # heading and its lines


@dataclass(frozen=True, slots=True)
class BoardPack:
    plan_title: str
    county: str
    region: str
    quarter: str  # "2021/22 Q2"
    quarter_months: str  # "July to September 2021"
    meeting_date: date | None
    frozen: bool
    generated_at: datetime
    read_at: date
    read_at_words: str
    previous_quarter: str  # the last frozen quarter before this one, or ""
    areas: tuple[AreaSummary, ...]
    exceptions: tuple[ExceptionLine, ...]
    plan_measures: tuple[MeasureLine, ...]
    sections: tuple[AreaSection, ...]
    changes: ChangeList
    sources: tuple[SourceLine, ...]
    plan_source: str
    rules_intro: str
    rules: tuple[tuple[str, str, tuple[str, ...]], ...] = field(default=())
    record: str = ""  # a frozen quarter's stored pack: when it was made and stored


# ------------------------------------------------------------------------------------------
# Reading the review
# ------------------------------------------------------------------------------------------


def quarter_end(review: QuarterlyReview) -> date:
    start = presenters.quarter_start(review)
    following = date(start.year + (start.month == 10), (start.month + 3 - 1) % 12 + 1, 1)
    return following - timedelta(days=1)


def reading_date(review: QuarterlyReview, today: date) -> date:
    """The day the rule reads actions at: the quarter's last day, or today while it runs."""
    return min(today, quarter_end(review))


def what_changed(review: QuarterlyReview, *, status=None) -> ChangeList:
    """The "What changed since the last review" section: the same list the review page shows."""
    found = review_changes.changes_for(review, status=status)
    groups = [
        (
            "Priority areas whose RAG moved",
            [
                f"{m.number}. {m.title}: {m.before.label} to {m.after.label} "
                f"({m.after_kind}), {m.direction}"
                for m in found.area_moves
            ],
        ),
        (
            "Actions whose owner changed the RAG",
            [
                f"{m.number} {_shorten(m.title)}: {m.before.label} to {m.after.label}, "
                f"{m.direction}"
                for m in found.action_moves
            ],
        ),
        (
            "New or revised figures",
            [
                f"{d.measure}: {_number(d.value, d.unit)} for {d.period_label} ({d.kind}, "
                f"imported {_day(_local_date(d.imported_at))})"
                for d in found.new_data
            ],
        ),
        (
            "Due dates that slipped",
            [
                f"{a.number} {_shorten(a.text)}: due {_day(a.now_due)}, was {_day(a.was_due)} "
                f"({a.days_later} days later)"
                for a in found.slipped
            ],
        ),
        (
            "Actions completed",
            [f"{a.number} {_shorten(a.text)}" for a in found.completed],
        ),
    ]
    return ChangeList(
        summary=found.summary,
        groups=tuple((heading, tuple(lines)) for heading, lines in groups if lines),
    )


def filename(pack: BoardPack) -> str:
    quarter = pack.quarter.replace("/", "-").replace(" ", "-")
    return f"board-pack-{quarter}.pdf"


def collect(review: QuarterlyReview, *, today: date, generated_at: datetime) -> BoardPack:
    """Everything the pack shows for one review, as plain values."""
    config = areas_config()
    plan = review.plan
    read_at = reading_date(review, today)
    status = presenters.plan_status(plan, today=read_at, as_of_review=review)
    previous, rows = status.previous_review, status.areas
    deciders = {
        r.priority_area_id: _person(r.decided_by)
        for r in Rating.objects.filter(review=review).select_related("decided_by")
    }
    updates = defaultdict(list)
    for update in (
        QuarterlyUpdate.objects.filter(review=review)
        .select_related("action__objective", "author")
        .order_by("action__objective__priority_area__number", "action__objective_id", "action_id")
    ):
        updates[update.action.objective.priority_area_id].append(
            UpdateLine(
                update.action.number,
                update.action.text,
                Rag(update.rag),
                update.progress_note,
                _person(update.author),
                _local_date(update.created_at),
            )
        )
    region = config.region.name
    sections = []
    for row in rows:
        rating = row.rating
        sections.append(
            AreaSection(
                number=row.area.number,
                title=row.area.title,
                rag=row.rag,
                is_final=row.is_final,
                proposed=Rag(rating.proposed) if rating else row.proposal.rag,
                proposed_reason=rating.proposed_reason if rating else row.proposal.reason,
                rationale=rating.rationale if rating else "",
                decided=(
                    f"Set by {deciders[row.area.pk]} on {_day(_local_date(rating.decided_at))}"
                    if rating
                    else ""
                ),
                actions=len(row.actions),
                measures=tuple(_measure_line(m, region) for m in row.measures),
                updates=tuple(updates[row.area.pk]),
            )
        )
    measure_rows = [m for row in rows for m in row.measures] + list(status.plan_measures)
    intro, rule_sections = presenters.rules_sections()
    return BoardPack(
        plan_title=plan.title,
        county=config.home.name,
        region=region,
        quarter=str(review),
        quarter_months=_months(review),
        meeting_date=review.meeting_date,
        frozen=review.is_frozen,
        generated_at=generated_at,
        read_at=read_at,
        read_at_words=(
            f"as at {_day(read_at)}, the quarter's last day"
            if read_at == quarter_end(review)
            else f"as at {_day(read_at)}, while the quarter is still running"
        ),
        previous_quarter=str(previous) if previous else "",
        areas=tuple(
            AreaSummary(
                row.area.number,
                row.area.title,
                row.rag,
                row.is_final,
                row.movement.change.value,
                _movement_words(row.movement, previous),
                tuple(row.action_counts),
            )
            for row in rows
        ),
        exceptions=tuple(
            ExceptionLine(
                area.area.number,
                line.action.number,
                line.action.text,
                tuple(line.exceptions),
                line.action.due_date,
                line.action.original_due_date if line.action.rescheduled else None,
                line.proposal.rag,
                line.proposal.reason,
            )
            for area, line in ((a, r) for a in rows for r in a.actions if r.exceptions)
        ),
        plan_measures=tuple(_measure_line(m, region) for m in status.plan_measures),
        sections=tuple(sections),
        changes=what_changed(review, status=status),
        sources=_sources(measure_rows, config.home.code),
        plan_source=plan.source,
        rules_intro=intro,
        rules=tuple((s.heading, s.preamble, tuple(s.rules)) for s in rule_sections),
    )


def _movement_words(movement: presenters.Movement, previous: QuarterlyReview | None) -> str:
    if previous is None:
        return "New: no earlier frozen quarter"
    if movement.change is Change.NEW:
        return f"New: no final RAG in {previous}"
    words = movement.words_for(f"in {previous}")
    return words[:1].upper() + words[1:]


def _measure_line(row: presenters.MeasureRow, region: str) -> MeasureLine:
    figure, measure = row.figure, row.measure
    unit = measure.indicator.unit if measure.indicator else ""
    if figure is None or figure.value is None:
        value, period, england, regional = "No data", "", "", ""
    else:
        value = f"{figure.value:.1f}" + (f" {unit}" if unit else "")
        period = figure.period
        england = Comparison.of(figure.comparison_england).describe("England")
        regional = Comparison.of(figure.comparison_region).describe(region)
    if measure.target_value is not None:
        target = f"{measure.target_value:g}"
        if measure.target_date:
            target += f" by {_day(measure.target_date)}"
    else:
        target = "No target set"
    return MeasureLine(
        measure=measure.measure,
        value=value,
        period=period,
        england=england,
        region=regional,
        target=target,
        trend=row.trend,
        rag=row.proposal.rag,
        reason=row.proposal.reason,
        estimated=_estimated(figure),
    )


def _estimated(figure) -> str:
    if figure is None or figure.value is None:
        return ""
    if figure.origin == Origin.AGGREGATED:
        return "Estimated: pooled here from the districts' published counts, not published"
    return ""


def _sources(rows: list[presenters.MeasureRow], home: str) -> tuple[SourceLine, ...]:
    """Each measured indicator's latest figure and the import run that loaded it."""
    seen: dict[int, presenters.MeasureRow] = {}
    for row in rows:
        if row.measure.indicator_id and row.measure.indicator_id not in seen:
            seen[row.measure.indicator_id] = row
    wanted = {
        (row.figure.indicator_id, row.figure.period_sortable)
        for row in seen.values()
        if row.figure is not None
    }
    runs = {}
    for observation in (
        Observation.objects.headline()
        .filter(
            area__code=home,
            indicator__in=list(seen),
            period_sortable__in={sortable for _, sortable in wanted},
        )
        .select_related("indicator", "import_run")
        .order_by("pk")
    ):
        key = (observation.indicator.fingertips_id, observation.period_sortable)
        if key in wanted:
            runs.setdefault((*key, observation.value), observation.import_run)
    lines = []
    for row in seen.values():
        indicator, figure = row.measure.indicator, row.figure
        if figure is None or figure.value is None:
            lines.append(SourceLine(indicator.name, indicator.fingertips_id, "No data", "", "", ""))
            continue
        run = runs.get((figure.indicator_id, figure.period_sortable, figure.value))
        notes = []
        if estimated := _estimated(figure):
            notes.append(estimated)
        if figure.limits_source == "engine":
            notes.append("95% limits calculated here, not published")
        lines.append(
            SourceLine(
                indicator=indicator.name,
                fingertips_id=indicator.fingertips_id,
                period=figure.period,
                loaded_by=_run_words(run),
                data_current_at=(
                    _day(_local_date(run.data_current_at)) if run and run.data_current_at else ""
                ),
                note="; ".join(notes),
            )
        )
    return tuple(lines)


def _run_words(run: ImportRun | None) -> str:
    if run is None:
        return "Made here from other figures"
    return f"{run.get_source_display()}, {_day(_local_date(run.finished_at or run.started_at))}"


def _shorten(text: str, words: int = 14) -> str:
    split = text.split()
    return " ".join(split[:words]) + ("…" if len(split) > words else "")


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "no value"
    return f"{value:.1f}" + (f" {unit}" if unit else "")


def _person(user) -> str:
    if user is None:
        return "Unknown"
    return user.get_full_name() or user.get_username()


def _local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _months(review: QuarterlyReview) -> str:
    start, end = presenters.quarter_start(review), quarter_end(review)
    return f"{start:%B} to {end:%B %Y}"


# ------------------------------------------------------------------------------------------
# Drawing the PDF
# ------------------------------------------------------------------------------------------

# DejaVu Sans, bundled in actionplan/fonts/ (2.37.3, from the npm package dejavu-fonts-ttf; see
# static/vendor/README.md): Bitstream Vera's letters and metrics (so the layout and page count
# are Vera's) plus Latin Extended, Greek, Cyrillic, Hebrew, Arabic, Armenian, Georgian and many
# symbols, so a note written in those scripts prints instead of empty boxes. No system fonts are
# used. Not handled: Arabic and Hebrew are printed letter by letter, left to right, in their
# isolated forms (ReportLab does no shaping or bidirectional reordering), and DejaVu has no CJK
# or emoji glyphs (those still print as boxes: they need fonts of their own).
FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT, BOLD, ITALIC = (
    "BoardPackDejaVuSans",
    "BoardPackDejaVuSans-Bold",
    "BoardPackDejaVuSans-Oblique",
)
BOLD_ITALIC = "BoardPackDejaVuSans-BoldOblique"


def _register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for name, file in (
        (FONT, "DejaVuSans.ttf"),
        (BOLD, "DejaVuSans-Bold.ttf"),
        (ITALIC, "DejaVuSans-Oblique.ttf"),
        (BOLD_ITALIC, "DejaVuSans-BoldOblique.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(FONTS_DIR / file)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC
    )


# GOV.UK's red, orange, green, blue and mid-grey, strong enough to tell apart on paper, each with
# text at 4.5:1 or more; the word is always printed too, so colour is never the only signal.
# The colours are the vocabulary's (indicators.vocabulary.Rag), the same as the web's.
RAG_FILL = {rag: (rag.colour, rag.ink) for rag in Rag}
INK = colors.HexColor("#0b0c0c")
GREY = colors.HexColor("#505a5f")
RULE = colors.HexColor("#b1b4b6")
DRAFT = colors.HexColor("#d4351c")
PAGE_MARGIN = 18 * mm
WIDTH = A4[0] - 2 * PAGE_MARGIN


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, textColor=INK)
    heading = {"fontName": BOLD, "keepWithNext": 1}
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "bullet": ParagraphStyle(
            "bullet",
            parent=base,
            fontSize=8,
            leading=10,
            leftIndent=16,
            bulletIndent=2,
            bulletFontName=FONT,
            bulletFontSize=8,
        ),
        "hint": ParagraphStyle("hint", parent=base, fontSize=7.5, leading=9.5, textColor=GREY),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10),
        "note": ParagraphStyle("note", parent=base, fontSize=8.5, leading=11, leftIndent=8),
        "head": ParagraphStyle("head", parent=base, fontName=BOLD, fontSize=8, leading=10),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=24, leading=30),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=14, leading=19),
        "h1": ParagraphStyle(
            "h1", parent=base, fontSize=15, leading=19, spaceBefore=10, spaceAfter=6, **heading
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=4, **heading
        ),
        "h3": ParagraphStyle(
            "h3", parent=base, fontSize=9.5, leading=12, spaceBefore=6, spaceAfter=3, **heading
        ),
    }


# Line breaks of every kind become one; other control characters, lone surrogates and
# unassigned code points cannot be drawn (and some make ReportLab's parser fail), so they go.
_LINE_BREAKS = re.compile(r"\r\n|[\r\v\f\x1c-\x1e\x85\u2028\u2029]")
_BLANK_LINES = re.compile(r"\n\s*\n")


def _printable(text: str) -> str:
    text = _LINE_BREAKS.sub("\n", text).replace("\t", " ")
    text = "".join(
        c for c in text if c == "\n" or unicodedata.category(c) not in ("Cc", "Cs", "Cn")
    )
    # A blank line parts paragraphs; more than one would only print empty pages.
    return _BLANK_LINES.sub("\n\n", text).strip()


def _text(value: object) -> str:
    """User-entered text made safe for ReportLab's paragraph markup, line breaks kept."""
    return escape(_printable(str(value))).replace("\n", "<br/>")


def _clip(text: str, length: int) -> str:
    """At most `length` characters: for headers and footers, which cannot flow on."""
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _tag(rag: Rag, note: str = "") -> str:
    fill, ink = RAG_FILL[rag]
    tag = f'<font backColor="{fill}" color="{ink}"><b>&nbsp;{rag.label}&nbsp;</b></font>'
    return tag + (f' <font color="#505a5f" size="7.5">{note}</font>' if note else "")


def _arrow(direction: str) -> Drawing:
    """A small drawn arrow, the same size in every font; the words beside it say the same."""
    drawing = Drawing(8, 9)
    shapes = {
        "up": [5, 10, 10, 4, 7, 4, 7, 0, 3, 0, 3, 4, 0, 4],
        "down": [5, 0, 10, 6, 7, 6, 7, 10, 3, 10, 3, 6, 0, 6],
        "same": [10, 5, 4, 10, 4, 7, 0, 7, 0, 3, 4, 3, 4, 0],
    }
    if direction in shapes:
        # Drawn 10 units square, shown 8 points square: the height of the words beside it.
        points = [value * 0.8 for value in shapes[direction]]
        drawing.add(Polygon(points, fillColor=INK, strokeColor=None))
    return drawing


@dataclass(frozen=True, slots=True)
class _Wide:
    """A table row of one cell across every column; it belongs to the row above it.

    The first of a run of them starts on the same page as that row; the run itself may turn
    pages anywhere.
    """

    cell: Paragraph


# No table row is taller than this: longer cells are cut into rows of this height or less, so
# a table flows across pages however long its text (one taller than a page cannot be drawn).
ROW_LIMIT = 120
CELL_PADDING = 3
ARROW_COLUMN = 16


def _table(rows: list, widths: list[float], *, header: bool = True, extra=()) -> Table:
    """A table whose rows split across pages; a `_Wide` row is drawn as part of the one above."""
    cells: list[list] = []
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ]
    for index, row in enumerate(rows):
        wide = isinstance(row, _Wide)
        if index < int(header):
            pieces = [row]  # the header row is repeated on each page and never split
        elif wide:
            pieces = [[part] for part in _cut(row.cell, sum(widths))]
        else:
            pieces = _cut_row(row, widths)
        first = len(cells)
        for part in pieces:
            cells.append(part + [""] * (len(widths) - len(part)))
        last = len(cells) - 1
        if wide:
            style += [("SPAN", (0, r), (-1, r)) for r in range(first, last + 1)]
            if isinstance(rows[index - 1], _Wide):
                style.append(("TOPPADDING", (0, first), (-1, first), 6))  # a new paragraph
            else:
                # The note starts on the same page as its row.
                style += [
                    ("NOSPLIT", (0, first - 1), (-1, first)),
                    ("TOPPADDING", (0, first), (-1, first), 0),
                ]
        if last > first:
            # The pieces of one row read as one: no gap, no line between them.
            style += [
                ("BOTTOMPADDING", (0, first), (-1, last - 1), 0),
                ("TOPPADDING", (0, first + 1), (-1, last), 0),
            ]
        follows_wide = index + 1 < len(rows) and isinstance(rows[index + 1], _Wide)
        if not follows_wide:
            style.append(("LINEBELOW", (0, last), (-1, last), 0.4, RULE))
        else:
            style.append(("BOTTOMPADDING", (0, last), (-1, last), 1))
    if header:
        style += [("LINEBELOW", (0, 0), (-1, 0), 1, INK)]
    table = Table(cells, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    table.setStyle(TableStyle(style + list(extra)))
    return table


def _cut(cell, width: float) -> list:
    """A cell's paragraph in pieces no taller than `ROW_LIMIT`; anything else stays whole."""
    if not isinstance(cell, Paragraph):
        return [cell]
    inner = width - 2 * CELL_PADDING
    _, height = cell.wrap(inner, ROW_LIMIT)
    if height <= ROW_LIMIT:
        return [cell]
    # Cut in halves, not a piece at a time: each cut lays the rest of the text out again.
    parts = cell.split(inner, math.ceil(height / ROW_LIMIT) // 2 * ROW_LIMIT)
    if len(parts) < 2:
        return [cell]
    return _cut(parts[0], width) + _cut(parts[1], width)


def _cut_row(row: list, widths: list[float]) -> list[list]:
    """A row whose tallest cell is cut into pieces, each piece a row of its own."""
    columns = [_cut(cell, width) for cell, width in zip(row, widths, strict=True)]
    return [
        [column[n] if n < len(column) else "" for column in columns]
        for n in range(max(len(column) for column in columns))
    ]


def _heads(labels: list[str], s) -> list[Paragraph]:
    return [Paragraph(_text(_clip(label, 80)), s["head"]) for label in labels]


def _cover(pack: BoardPack, s) -> list:
    state = (
        "<b>Frozen.</b> The group's final RAGs and the owners' updates for this quarter are the "
        "record and cannot be changed."
        if pack.frozen
        else "<b>DRAFT — quarter still open.</b> Owners' updates and the group's RAGs may still "
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
    facts = [
        ("County", pack.county),
        ("Quarter", f"{pack.quarter} ({pack.quarter_months})"),
        ("Meeting", _day(pack.meeting_date) if pack.meeting_date else "No meeting date set"),
        ("State", "Frozen" if pack.frozen else "Draft — quarter still open"),
        ("Generated", f"{_day(pack.generated_at.date())} at {pack.generated_at:%H:%M %Z}".strip()),
        (
            "Compared with",
            f"{pack.previous_quarter}, the last frozen quarter before this one"
            if pack.previous_quarter
            else "No earlier frozen quarter",
        ),
        ("Action RAGs", f"the rule's reading {pack.read_at_words}"),
    ]
    contents = [
        "RAG summary",
        "Exceptions",
        "Key measures for the whole plan",
        "What changed since the last review",
        "The priority areas: measures, updates and ratings",
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


def _summary(pack: BoardPack, s) -> list:
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
                Paragraph(_text(area.movement_words), s["cell"]),
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
    final = sum(a.is_final for a in pack.areas)
    return [
        Paragraph("1. RAG summary", s["h1"]),
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


def _exceptions(pack: BoardPack, s) -> list:
    story = [
        CondPageBreak(40 * mm),
        Paragraph("2. Exceptions", s["h1"]),
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
                Paragraph(f"{_tag(m.rag)}<br/>{_text(m.reason)}", s["cell"]),
            ]
        )
    return _table(rows, [38 * mm, 26 * mm, 24 * mm, 24 * mm, 18 * mm, WIDTH - 130 * mm])


def _plan_measures(pack: BoardPack, s) -> list:
    story = [
        CondPageBreak(60 * mm),
        Paragraph("3. Key measures for the whole plan", s["h1"]),
        Paragraph(
            "The outcomes framework's measures that belong to no single priority area: "
            f"{_text(pack.county)}'s latest figure, compared with England and "
            f"{_text(pack.region)}. "
            "Figures are the latest held when this pack was generated.",
            s["body"],
        ),
        Spacer(1, 2 * mm),
    ]
    if not pack.plan_measures:
        return [*story, Paragraph("None.", s["body"])]
    return [*story, _measures_table(pack.plan_measures, pack.region, s)]


def _changes(pack: BoardPack, s) -> list:
    story = [
        CondPageBreak(30 * mm),
        Paragraph("4. What changed since the last review", s["h1"]),
        Paragraph(_text(pack.changes.summary), s["body"]),
    ]
    for heading, lines in pack.changes.groups:
        story.append(Paragraph(_text(heading), s["h3"]))
        story.extend(Paragraph(_text(line), s["bullet"], bulletText="•") for line in lines)
    return story


def _area_sections(pack: BoardPack, s) -> list:
    story = [PageBreak(), Paragraph("5. The priority areas", s["h1"])]
    for section in pack.sections:
        rating = [
            Paragraph(
                f"{section.number}. {_text(section.title)}",
                s["h2"],
            ),
            Paragraph(
                f"<b>RAG for {pack.quarter}:</b> "
                + _tag(section.rag, "final" if section.is_final else "proposed — no final RAG yet"),
                s["body"],
            ),
        ]
        if section.is_final:
            rating.append(
                Paragraph(
                    f"Proposed by the rule: {_tag(section.proposed)} "
                    + _text(section.proposed_reason),
                    s["small"],
                )
            )
            rating.append(
                Paragraph(
                    "<b>Rationale:</b> "
                    + (
                        _text(section.rationale)
                        if section.rationale
                        else "None given (the final RAG is the proposed one)."
                    ),
                    s["small"],
                )
            )
            rating.append(Paragraph(_text(section.decided), s["hint"]))
        else:
            rating.append(Paragraph(f"Rule's reason: {_text(section.proposed_reason)}", s["small"]))
        story.append(KeepTogether(rating))
        story.append(Paragraph("Measures", s["h3"]))
        if section.measures:
            story.append(_measures_table(section.measures, pack.region, s))
        else:
            story.append(
                Paragraph(
                    "No measure is linked to this area alone; see Key measures for the whole plan.",
                    s["small"],
                )
            )
        story.append(
            Paragraph(
                f"Updates for {pack.quarter} ({len(section.updates)} of {section.actions} actions)",
                s["h3"],
            )
        )
        if section.updates:
            # Each note runs the full width under its action's row, and on across pages.
            rows: list = [_heads(["Action", "Owner's RAG", "Author", "Entered"], s)]
            for u in section.updates:
                rows.append(
                    [
                        Paragraph(
                            f"<b>{_text(u.action_number)}</b> {_text(u.action_text)}", s["cell"]
                        ),
                        Paragraph(_tag(u.rag), s["cell"]),
                        Paragraph(_text(u.author), s["cell"]),
                        Paragraph(_day(u.entered), s["cell"]),
                    ]
                )
                # One row a paragraph, so a page turns between paragraphs where it can.
                first, *more = _printable(u.progress_note).split("\n\n")
                rows.append(_Wide(Paragraph(f"<b>Progress note:</b> {_text(first)}", s["note"])))
                rows.extend(_Wide(Paragraph(_text(part), s["note"])) for part in more)
            story.append(_table(rows, [WIDTH - 95 * mm, 25 * mm, 40 * mm, 30 * mm]))
        else:
            story.append(Paragraph("No updates were entered for this quarter.", s["small"]))
        story.append(Spacer(1, 4 * mm))
    return story


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
        CondPageBreak(90 * mm),
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
        Paragraph("The plan", s["h3"]),
        Paragraph(_text(pack.plan_source or "No source recorded."), s["small"]),
        Spacer(1, 2 * mm),
        Paragraph(
            "Contains public sector information licensed under the Open Government Licence v3.0.",
            s["hint"],
        ),
    ]


def _rules(pack: BoardPack, s) -> list:
    story = [
        PageBreak(),
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


class _NumberedCanvas(pdf_canvas.Canvas):
    """Holds each page until the end so the footer can say "Page N of M"."""

    footer = ""
    draft = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):  # ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for page in self._pages:
            self.__dict__.update(page)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(PAGE_MARGIN, 14 * mm, A4[0] - PAGE_MARGIN, 14 * mm)
        self.setFont(FONT, 8)
        self.setFillColor(INK)
        self.drawString(PAGE_MARGIN, 10 * mm, self.footer)
        self.drawRightString(A4[0] - PAGE_MARGIN, 10 * mm, f"Page {self._pageNumber} of {total}")
        if self.draft:
            self.setFont(BOLD, 8)
            self.setFillColor(DRAFT)
            self.drawString(PAGE_MARGIN, A4[1] - 11 * mm, "DRAFT — quarter still open")
        self.restoreState()


def render(pack: BoardPack) -> bytes:
    """The board pack as PDF bytes; the same values always give the same bytes."""
    _register_fonts()
    s = _styles()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=PAGE_MARGIN,
        rightMargin=PAGE_MARGIN,
        topMargin=PAGE_MARGIN,
        bottomMargin=22 * mm,
        title=f"{_clip(_printable(pack.plan_title), 200)}: board pack {pack.quarter}",
        author=_clip(_printable(pack.county), 200),
        subject=f"Quarterly review {pack.quarter}",
        invariant=1,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    story = [
        *_cover(pack, s),
        *_summary(pack, s),
        *_exceptions(pack, s),
        *_plan_measures(pack, s),
        *_changes(pack, s),
        *_area_sections(pack, s),
        *_data_sources(pack, s),
        *_rules(pack, s),
    ]

    footer = f"{_clip(_printable(pack.plan_title), 70)} · Board pack · Quarter {pack.quarter}" + (
        "" if pack.frozen else " · Draft"
    )

    class Canvas(_NumberedCanvas):
        pass

    Canvas.footer, Canvas.draft = footer, not pack.frozen
    doc.build(story, canvasmaker=Canvas)
    return buffer.getvalue()
