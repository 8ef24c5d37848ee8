"""Laying the pages out as one A4 PDF, numbered "Page N of M"; no database is read."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from actionplan.boardpack.areas import _area_sections
from actionplan.boardpack.changed import _changes
from actionplan.boardpack.cover import _cover
from actionplan.boardpack.drawing import (
    BOLD,
    DRAFT,
    FONT,
    INK,
    PAGE_MARGIN,
    RULE,
    _clip,
    _draw_running_title,
    _printable,
    _register_fonts,
    _styles,
)
from actionplan.boardpack.sources import _data_sources, _rules
from actionplan.boardpack.summary import _exceptions, _plan_measures, _summary
from actionplan.boardpack.values import BoardPack


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
            self.drawString(PAGE_MARGIN, A4[1] - 11 * mm, "DRAFT — review not yet frozen")
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
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_draw_running_title)])
    story = [
        *_cover(pack, s),
        *_changes(pack, s),
        *_summary(pack, s),
        *_exceptions(pack, s),
        *_plan_measures(pack, s),
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
