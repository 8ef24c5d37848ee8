"""Cells of the CSV files the dashboard hands to people, safe to open in a spreadsheet.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return
before one) as a formula, so an area or indicator name such as `=HYPERLINK(...)` in a download
would run on the reader's machine. Such text is written with a leading apostrophe, as OWASP
advises ("CSV Injection"): spreadsheets show the text as it is and run nothing. Numbers,
negative ones included, are left as they are, so they stay numbers.

Text that already starts with an apostrophe gets one more, so that `restore` gives back exactly
the text written: a file the dashboard exports and imports again (the Fingertips export) reads
back to the same values.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, TextIO

QUOTE = "'"
FORMULA_STARTS = frozenset("=+-@\t\r")
_ESCAPED_STARTS = FORMULA_STARTS | {QUOTE}
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def neutralise(cell: Any) -> Any:
    """The cell as written: text that a spreadsheet would run gets a leading apostrophe.

    Anything that is not text, and text that is a number (`-4.2`, `+1e-05`), is returned as it is.
    """
    if not isinstance(cell, str) or not cell or cell[0] not in _ESCAPED_STARTS:
        return cell
    if cell[0] != QUOTE and _NUMBER.fullmatch(cell):
        return cell
    return QUOTE + cell


def restore(cell: str) -> str:
    """The text `neutralise` was given, from the cell it wrote."""
    if len(cell) > 1 and cell[0] == QUOTE and cell[1] in _ESCAPED_STARTS:
        return cell[1:]
    return cell


class SafeWriter:
    """A `csv.writer` whose every cell is neutralised."""

    def __init__(self, stream: TextIO, **options: Any):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
