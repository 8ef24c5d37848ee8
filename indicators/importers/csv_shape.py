"""Whether COPY reads an export's bytes into the cells the row-by-row validator would read.

Byte and string scans over the whole file, cheap enough to run before every staged import: a
file that passes them is split by COPY exactly as a strict `csv.reader` splits it, has no cell the
validator would clean first (space at an edge, website markup, a neutralised formula), and no
record COPY would refuse half way. A file that fails any of them goes row by row.
"""

from __future__ import annotations

import re

import numpy as np

from indicators.csv_safety import QUOTE

# Cells the validator would change before reading them: website markup anywhere; outside
# quotes, space at a cell's edge or text our own export neutralised at a cell's start.
_MARKUP = re.compile(r"</?(span|div)")
_ESCAPED_START = re.compile(rf"{QUOTE}[-=+@\t\r{QUOTE}]")
# Every character str.strip removes, other than the line breaks that end rows.
_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c not in "\r\n")


def plain_csv(text: str, body: bytes) -> bool:
    """Whether COPY splits the file into the cells a strict `csv.reader` gives, and the
    validator would read each cell as it is (no space at its edges, no markup, nothing to restore).

    Outside quotes, a quote may only open a cell (after a comma or a line break) and only close
    one (before a comma, a line break or the end); a doubled quote inside a quoted cell leaves an
    empty stretch between its two quotes. Stricter than needed is fine: such a file goes row by row.
    """
    if _MARKUP.search(text):
        return False
    parts = text.split('"')
    if len(parts) % 2 == 0:
        return False  # a quote left open
    outside, inside = parts[::2], parts[1::2]
    if not all(p == "" or p[-1] in ",\r\n" for p in outside[:-1]):
        return False
    if not all(p == "" or p[0] in ",\r\n" for p in outside[1:]):
        return False
    if any(p[:1].isspace() or p[-1:].isspace() or _ESCAPED_START.match(p) for p in inside):
        return False
    # A space beyond ASCII anywhere: rare, so not looked at closer.
    return body.isascii() or not any(c.encode() in body for c in _SPACES if not c.isascii())


_CHUNK = 2**20
_ASCII_SPACES = b" \t\x0b\x0c\x1c\x1d\x1e\x1f"  # str.strip's, other than line breaks
_ESCAPED_STARTS = list(b"-=+@\t\r" + QUOTE.encode())


def copies_whole(text: str, body: bytes, width: int) -> bool:
    """Whether COPY will take every record as it is, so it cannot fail half way (one kind of line
    ending, no end-of-data marker, every record `width` cells wide, a blank line too), and no
    unquoted cell starts or ends with space or starts with a neutralised formula."""
    if b"\r" in body and not body.count(b"\r") == body.count(b"\r\n") == body.count(b"\n"):
        return False
    if b"\n\\." in body:
        return False
    return _widths_match(text, width) and _edges_clean(body)


def _widths_match(text: str, width: int) -> bool:
    # Line by line with str methods (a record runs on while a quoted cell is open).
    expected, pending = width - 1, ""
    for line in text.split("\n")[:-1]:
        if pending:
            line, pending = pending + "\n" + line, ""
        if '"' not in line:
            if line.count(",") != expected:
                return False
            continue
        parts = line.split('"')
        if len(parts) % 2 == 0:
            pending = line
        elif sum(part.count(",") for part in parts[::2]) != expected:
            return False
    return not pending


def _edges_clean(body: bytes) -> bool:
    """Outside quotes, no space beside a comma or line break and no formula escape after one.

    With numpy over the bytes, a megabyte at a time (a regular expression or substring search
    over the text takes seconds): a byte is inside quotes when an odd number of quote marks come
    before it, which is asked only of the few bytes found.
    """
    whole = np.frombuffer(body, np.uint8)
    spaces = [c for c in _ASCII_SPACES if bytes([c]) in body]
    quotes, found = [], []
    for start in range(0, len(body), _CHUNK):
        chunk = whole[start : start + _CHUNK + 2]  # two bytes on, so pairs across edges count
        quotes.append(np.flatnonzero(chunk[:_CHUNK] == ord('"')) + start)
        brk = (chunk == ord(",")) | (chunk == ord("\n")) | (chunk == ord("\r"))
        if spaces:
            space = np.isin(chunk, spaces) if len(spaces) > 1 else chunk == spaces[0]
            found.append(np.flatnonzero((space[1:] & brk[:-1]) | (space[:-1] & brk[1:])) + start)
        mark = brk[:-2] & (chunk[1:-1] == ord(QUOTE))
        if mark.any():
            escaped = mark & np.isin(chunk[2:], _ESCAPED_STARTS)
            found.append(np.flatnonzero(escaped) + start + 1)
    if not found:
        return True
    # Both bytes of each pair are outside quotes when an even number of quotes come before.
    before = np.searchsorted(np.concatenate(quotes), np.concatenate(found))
    return not np.any(before % 2 == 0)
