"""Read an uploaded CSV or XLSX file into a header and numbered rows (pure; the "read" stage).

Rows are numbered as a spreadsheet numbers them: the header is row 1, the first data row 2;
blank rows are skipped but counted. Anything that cannot be read raises `FileProblem` with the
message the person sees ("File: ….").
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

MAX_BYTES = 20 * 1024 * 1024  # F1
XLSX_MAGIC = b"PK\x03\x04"
OLD_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


class FileProblem(ValueError):
    """The file as a whole cannot be used; the message is shown as it is."""


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]  # (spreadsheet row number, cells as text)
    file_type: str


def read_table(data: bytes) -> Table:
    """Read CSV (UTF-8, BOM optional) or the first sheet of an XLSX workbook."""
    if len(data) > MAX_BYTES:
        raise FileProblem(f"File: larger than {MAX_BYTES // (1024 * 1024)} MB.")
    if not data.strip():
        raise FileProblem("File: empty; no header and no data rows.")
    if data.startswith(XLSX_MAGIC):
        table = _read_xlsx(data)
    elif data.startswith(OLD_XLS_MAGIC):
        raise FileProblem("File: an old Excel .xls workbook; save it as .xlsx or CSV UTF-8.")
    else:
        table = _read_csv(data)
    if not table.rows:
        raise FileProblem("File: no data rows below the header.")
    return table


def _read_csv(data: bytes) -> Table:
    if b"\x00" in data[:4096]:
        raise FileProblem("File: not CSV or XLSX (it holds binary data).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        raise FileProblem(f"File: not UTF-8 at row {row}; save as CSV UTF-8.") from None
    records = list(csv.reader(io.StringIO(text, newline="")))
    return _table(records, "CSV")


def _table(records: list[list[str]], file_type: str) -> Table:
    strip = str.strip
    numbered = [(n, tuple(map(strip, r))) for n, r in enumerate(records, start=1)]
    numbered = [(n, cells) for n, cells in numbered if any(cells)]
    if not numbered or numbered[0][0] != 1:
        raise FileProblem("File: row 1 must be the header with the template's column names.")
    header = tuple(c.lower() for c in numbered[0][1])
    return Table(header, tuple(numbered[1:]), file_type)


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileProblem(f"File: not a readable XLSX workbook ({exc}).") from None
    sheet = book.worksheets[0]
    if sheet.merged_cells.ranges:
        first = sorted(str(r) for r in sheet.merged_cells.ranges)[0]
        raise FileProblem(
            f"File: merged cells ({first}) in the first sheet; unmerge them so each cell "
            "holds one value."
        )
    records: list[list[str]] = []
    for row in sheet.iter_rows():
        cells = []
        for cell in row:
            if cell.data_type == "f":
                raise FileProblem(
                    f"Row {cell.row}, column {_header_name(sheet, cell.column)}: a formula "
                    f'(found "{cell.value}"); paste values only.'
                )
            cells.append(_cell_text(cell.value))
        while row and len(records) < row[0].row - 1:
            records.append([])
        records.append(cells)
    return _table(records, "XLSX")


def _header_name(sheet, column: int) -> str:
    value = sheet.cell(row=1, column=column).value
    return str(value).strip() if value is not None else f"{column}"


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
