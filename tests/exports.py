"""Real Fingertips exports rewritten for a test: a revised value, one indicator, a spoilt cell."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

# change(line_number, cells, header): edits `cells` in place; returns False to leave the row out.
Change = Callable[[int, list[str], list[str]], bool | None]


def rewrite_export(data: bytes, change: Change) -> bytes:
    """The export (UTF-8, with or without a BOM) with `change` applied to each data row, in order.

    The header is kept; rows are written back as the csv module writes them, one per line.
    """
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    header = next(reader)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for cells in reader:
        if change(reader.line_num, cells, header) is not False:
            writer.writerow(cells)
    return out.getvalue().encode()


def headline_row(cells: list[str], header: list[str], **wanted: str) -> bool:
    """Whether a row is a headline figure (no category) with the given cells, named by column:
    `headline_row(cells, header, **{"Area Code": "E06000009"})`."""
    column = {name: i for i, name in enumerate(header)}
    return cells[column["Category Type"]] == "" and all(
        cells[column[name]] == value for name, value in wanted.items()
    )
