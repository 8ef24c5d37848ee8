"""What every page of the pack draws with: fonts, styles, colours, clean text, tables."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, Drawing, Polygon, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from actionplan.rag import Rag

# DejaVu Sans, bundled in actionplan/fonts/ (2.37.3, from the npm package dejavu-fonts-ttf; see
# static/vendor/README.md): Bitstream Vera's letters and metrics (so the layout and page count
# are Vera's) plus Latin Extended, Greek, Cyrillic, Hebrew, Arabic, Armenian, Georgian and many
# symbols, so a note written in those scripts prints instead of empty boxes. No system fonts are
# used. Not handled: Arabic and Hebrew are printed letter by letter, left to right, in their
# isolated forms (ReportLab does no shaping or bidirectional reordering), and DejaVu has no CJK
# or emoji glyphs (those still print as boxes: they need fonts of their own).
FONTS_DIR = Path(__file__).resolve().parent.parent / "fonts"
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
        "h4": ParagraphStyle(
            "h4", parent=base, fontName=BOLD, fontSize=8, leading=10, spaceBefore=4, spaceAfter=2
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


def _mdc_icon(letter: str, colour: str) -> Drawing:
    """A Making Data Count icon as the web draws it (a ring and its letter); words go beside."""
    drawing = Drawing(14, 14)
    if letter and colour:
        ring = colors.HexColor(colour)
        drawing.add(Circle(7, 7, 6, strokeColor=ring, strokeWidth=1.6, fillColor=colors.white))
        drawing.add(
            String(7, 4.2, letter, fontName=BOLD, fontSize=7.5, fillColor=ring, textAnchor="middle")
        )
    return drawing


@dataclass(frozen=True, slots=True)
class _Wide:
    """A table row of one cell across every column; it belongs to the row above it.

    The first of a run of them starts on the same page as that row; the run itself may turn
    pages anywhere.
    """

    cell: Paragraph


class _Running(Flowable):
    """Takes no room: names the part that the next pages continue, or none with "".

    A priority area longer than its page says "(continued)" at the top of the next one, so a
    page of measures or notes is never left without its area's name."""

    def __init__(self, title: str):
        super().__init__()
        self.title = title
        self.width = self.height = 0

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        self.canv.running_title = self.title


def _draw_running_title(canvas, doc) -> None:
    """At the top of a page: the part it continues, if a `_Running` named one."""
    title = getattr(canvas, "running_title", "")
    if not title:
        return
    canvas.saveState()
    canvas.setFont(BOLD, 8)
    canvas.setFillColor(GREY)
    canvas.drawRightString(A4[0] - PAGE_MARGIN, A4[1] - 11 * mm, _clip(f"{title} (continued)", 90))
    canvas.restoreState()


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


def day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"
