"""The board pack: one quarterly review as an A4 PDF for the board, built with ReportLab.

`collect` (reading.py) reads the review through `actionplan.presenters` into plain values
(values.py); `render` (render.py) lays those values out, a module a page (cover, changed,
summary, areas, sources; drawing.py holds what they share) and touches no database, so the same
values always give the same bytes. A frozen quarter's pack is made once, when it is frozen, and
stored (`actionplan.frozen_pack`): the download serves those bytes.

No text can make the pack fail: table rows taller than `ROW_LIMIT` are cut into rows that flow
across pages, and text is cleaned of what ReportLab cannot draw or parse.
"""

from actionplan.boardpack.reading import (
    collect,
    filename,
    quarter_end,
    reading_date,
    what_changed,
)
from actionplan.boardpack.render import render
from actionplan.boardpack.values import (
    ActionLine,
    AreaSection,
    AreaSummary,
    BoardPack,
    ChangeList,
    ExceptionLine,
    LocalLine,
    MeasureLine,
    SourceLine,
    UpdateLine,
)

__all__ = [
    "ActionLine",
    "AreaSection",
    "AreaSummary",
    "BoardPack",
    "ChangeList",
    "ExceptionLine",
    "LocalLine",
    "MeasureLine",
    "SourceLine",
    "UpdateLine",
    "collect",
    "filename",
    "quarter_end",
    "reading_date",
    "render",
    "what_changed",
]
