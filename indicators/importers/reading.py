"""Reading a Fingertips export: the bytes decoded, checked to be a whole CSV export, and its
header named as the importer names columns (whatever layout wrote it). Nothing is validated or
stored here."""

from __future__ import annotations

import csv
import hashlib
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from indicators.fingertips_columns import PARENT_COMPARISON, PARENT_COMPARISON_NAME, RENAMED

MAX_ERRORS_REPORTED = 20
#: The largest real export here is 2.4 MB (7,208 rows); 100 MB is some 300,000 rows, more than
#: any call the refresh makes returns. A larger file is refused before it is read into memory.
MAX_EXPORT_BYTES = 100 * 2**20
# Formats people save or download by mistake, told by their first bytes.
_NOT_CSV = {
    b"PK\x03\x04": "a zip archive (an Excel .xlsx workbook?)",
    b"\x1f\x8b": "gzip-compressed",
    b"\xd0\xcf\x11\xe0": "an old Excel .xls workbook",
    b"%PDF": "a PDF",
    b"\xff\xfe": "UTF-16 text (save it as CSV UTF-8)",
    b"\xfe\xff": "UTF-16 text (save it as CSV UTF-8)",
}


class ImportRejected(Exception):
    """A file that cannot be imported; the message names the file, row and column."""

    def __init__(self, errors: Sequence[str], *, rows: int = 0):
        self.errors = list(errors)
        self.rows = rows  # data rows read before the file was rejected
        more = len(self.errors) - MAX_ERRORS_REPORTED
        shown = self.errors[:MAX_ERRORS_REPORTED]
        super().__init__("; ".join(shown) + (f"; and {more} more" if more > 0 else ""))


@dataclass(frozen=True, slots=True)
class RawExport:
    """A CSV export as read: normalised header names, and its rows yielded on demand."""

    name: str
    checksum: str
    header: list[str]
    text: str

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Each data row with its number as a spreadsheet shows it (the header is row 1).

        Rows are read one at a time to save memory. A row is a record, not a line: a quoted cell
        may hold a line break (the 2020 export's indicator names do), so lines run ahead of rows.
        """
        reader = csv.reader(_lines(self.text), strict=True)
        next(reader)
        row_number = 1
        try:
            for row in reader:
                row_number += 1  # a blank line is a row in a spreadsheet too
                if row:
                    yield row_number, row
        except csv.Error as exc:
            raise ImportRejected(
                [f"{self.name}, row {row_number + 1} (line {reader.line_num}): {exc}"]
            ) from None


# A line and its ending, as a StringIO opened with newline="" yields them (\r\n, \r or \n).
_LEADING_SPACE = re.compile(r"\s*")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _lines(text: str) -> Iterator[str]:
    # One line at a time from the text itself: a StringIO would hold a second copy of the whole
    # file at four bytes a character.
    return (match.group() for match in _LINE.finditer(text))


def read_export(data: bytes, *, name: str) -> RawExport:
    """Read the bytes of one export: decode, check it is whole, and read its header."""
    checksum = hashlib.sha256(data).hexdigest()
    if len(data) > MAX_EXPORT_BYTES:
        raise ImportRejected([f"{name}: {_too_large(len(data))}"])
    kind = next((kind for magic, kind in _NOT_CSV.items() if data.startswith(magic)), None)
    if kind:
        raise ImportRejected([f"{name}: the file is {kind}, not a CSV export"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            [f"{name}: not UTF-8 text (byte {exc.start}), so not a Fingertips CSV export"]
        ) from None
    # No copy of the whole text is made here (strip() and StringIO would each make one; a
    # StringIO holds it at four bytes a character): 20 MB of export once cost 115 MB at peak.
    if not text or text.isspace():
        raise ImportRejected([f"{name}: the file is empty"])
    first = _LEADING_SPACE.match(text).end()
    if text[first : first + 1] in {"<", "{", "["}:
        start = text[first : first + 40]
        raise ImportRejected([f"{name}: the file is not a CSV export (it starts {start!r})"])
    if "\x00" in text:
        raise ImportRejected([f"{name}: the file holds NUL bytes; it is not a CSV export"])
    if not text.endswith(("\n", "\r")):
        # Fingertips ends every record with a line break; a body without one was cut short.
        lines = text.count("\n") + 1
        raise ImportRejected([f"{name}, line {lines}: the file ends mid-row (it looks truncated)"])
    try:
        names = next(csv.reader(_lines(text), strict=True))
    except csv.Error as exc:
        raise ImportRejected([f"{name}, line 1: {exc}"]) from None
    header = [RENAMED.get(h.strip(), h.strip()) for h in names]
    return RawExport(name=name, checksum=checksum, header=_name_parent_column(header), text=text)


def _too_large(size: int) -> str:
    limit = MAX_EXPORT_BYTES // 2**20
    return f"the file is {size / 2**20:,.0f} MB; an export is at most {limit} MB"


def _name_parent_column(header: list[str]) -> list[str]:
    # Column 23 is called after the parent's area type ("Compared to Regions (statistical) ...",
    # "Compared to percentiles", "Compared to Region ..."): give it one name whatever it says.
    return [PARENT_COMPARISON if PARENT_COMPARISON_NAME.match(h) else h for h in header]


def read_file(path: Path) -> bytes:
    # Checked before opening: a directory is not a file, a pipe would wait for ever, and a
    # runaway file must not be read into memory whole.
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise OSError("not a regular file")
    if info.st_size > MAX_EXPORT_BYTES:
        raise OSError(_too_large(info.st_size))
    with path.open("rb") as f:
        return f.read(MAX_EXPORT_BYTES + 1)  # a file still growing is refused by read_export
