"""Tabular exports, text: the CSV dialect, sniffed so that a known header appears.

The dialect (``,`` ``;`` tab or ``|``, quoted or not) is the one under which a known header row
appears in the first 64 KiB and the rows below it have its width, so a ``;`` file full of commas
in author lists, or with decimal commas, is still read as ``;``. Also here: what the csv module
does not say (a quoted cell never closed swallows the rest of the file).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from evsynth.sources.fields import TableLayout
from evsynth.sources.tabular_layouts import LAYOUTS
from evsynth.sources.tabular_match import SAMPLE_ROWS, columns_hint, find_header, generic_header

__all__ = [
    "CsvBroken",
    "Dialect",
    "consistency",
    "detect_layout",
    "header_hint",
    "open_quote",
    "sniff_dialect",
    "text_head",
]

csv.field_size_limit(1 << 24)

_DELIMITERS = (",", "\t", ";", "|")


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    quoting: int

    def reader(self, lines: Any) -> Any:
        return csv.reader(lines, delimiter=self.delimiter, quoting=self.quoting)

    @property
    def label(self) -> str:
        return {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}[self.delimiter]


def _parse_sample(head: str, dialect: Dialect) -> list[list[str]]:
    rows: list[list[str]] = []
    reader = dialect.reader(io.StringIO(head))
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= SAMPLE_ROWS:
                break
    except csv.Error:
        pass
    return rows


def consistency(rows: Sequence[Sequence[str]], header: int) -> int:
    width = len(rows[header])
    return sum(1 for row in rows[header + 1 : -1] if len(row) == width)


def sniff_dialect(
    head: str, layouts: Sequence[TableLayout], *, forced: bool
) -> tuple[Dialect, list[list[str]], tuple[int, TableLayout] | None]:
    """The dialect under which a known header appears and rows have its width."""
    candidates = [Dialect(d, csv.QUOTE_MINIMAL) for d in _DELIMITERS]
    candidates.append(Dialect("\t", csv.QUOTE_NONE))
    best: tuple[tuple[int, int, int, int], Dialect, list[list[str]], Any] | None = None
    for order, dialect in enumerate(candidates):
        rows = _parse_sample(head, dialect)
        found = find_header(rows, layouts, forced=forced)
        index = found[0] if found else generic_header(rows)
        if index is None:
            continue
        score = (int(found is not None), consistency(rows, index), len(rows[index]), -order)
        if best is None or score > best[0]:
            best = (score, dialect, rows, found)
    if best is None:
        return candidates[0], _parse_sample(head, candidates[0]), None
    return best[1], best[2], best[3]


@lru_cache(maxsize=8)
def detect_layout(head: str) -> str | None:
    """The layout name of a text table whose first 64 KiB are ``head``, or None."""
    _dialect, _rows, found = sniff_dialect(head, LAYOUTS, forced=False)
    return found[1].name if found else None


def header_hint(head: str) -> str:
    """For an unrecognised text file that looks like a table: its columns and ``--columns``."""
    _dialect, rows, _found = sniff_dialect(head, LAYOUTS, forced=False)
    index = generic_header(rows)
    if index is None:
        return ""
    columns = [c for c in rows[index] if c.strip()]
    # A header has at least three short names, and a table has rows of its width below it.
    if len(columns) < 3 or max(len(c) for c in columns) > 100:
        return ""
    if len(rows) > index + 2 and consistency(rows, index) == 0:
        return ""
    return columns_hint(rows)


class CsvBroken(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def open_quote(consumed: Sequence[str], dialect: Dialect) -> bool:
    """True when the physical lines of one row end inside a quoted cell (end of file reached)."""
    if dialect.quoting == csv.QUOTE_NONE:
        return False
    try:
        for _row in csv.reader(consumed, delimiter=dialect.delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def text_head(text: Any) -> str:
    """The first 64 KiB of a decoded text (for sniffing), cut at a line end."""
    size = 0
    parts: list[str] = []
    for block in text.text_blocks():
        parts.append(block)
        size += len(block)
        if size >= 1 << 16:
            break
    head = "".join(parts)
    if len(head) > 1 << 16:
        cut = head.rfind("\n", 0, 1 << 16)
        head = head[: cut + 1] if cut > 0 else head
    return head
