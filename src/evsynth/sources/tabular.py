"""Tabular exports (CSV, TSV, XLSX): one reader for every layout in :mod:`.tabular_layouts`.

Databases, reference managers and screening tools all offer "a spreadsheet" export, and they
differ in the dialect (``,`` or ``;`` or tab, quoting, BOM, encoding), in what sits above the
header (Embase's ``"SEARCH QUERY"`` block, a sheet title) and in the column names. This module
handles the first two once and takes the third from data:

- **Dialect**: sniffed from the first 64 KiB by parsing it with each candidate delimiter and
  keeping the one under which a known header appears and the rows have the header's width (a
  ``;`` file full of commas in author lists, or with decimal commas, is still read as ``;``).
  Cells are never converted to numbers, so decimal commas, leading zeros and long ids survive.
- **Header row**: the first row that matches a layout (or, with ``--columns``, that holds every
  mapped column); rows above it are the preamble, listed in the log with their line, and a
  search query found there is kept for the search log (PRISMA-S item 8).
- **Accounting**: every row below the header is a record, a blank row, or listed: caption rows
  (one cell, no title or id), repeated header rows and preamble rows are skipped with a reason
  (``skipped_rows``); a row that should be a record and cannot be read (more cells than the
  header, no title and no identifier) fails the import with its ``file:line``.

The csv module is used for text rather than pandas because it reports the physical line where
each row starts (quoted cells may span lines), which ``source_line`` and error messages need;
openpyxl (which pandas itself uses for XLSX) reads workbooks row by row with their row numbers.

The jobs are split by module: :mod:`.tabular_dialect` (sniffing the CSV dialect),
:mod:`.tabular_match` (which layout a header row is), :mod:`.tabular_rows` (cells to values),
:mod:`.tabular_xlsx` (workbooks); this module is the reader that puts them together.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import BinaryIO, ClassVar

from evsynth.contracts.records import Record
from evsynth.errors import InputError
from evsynth.sources.base import Failure, Importer, identified
from evsynth.sources.fields import FieldMap, TableLayout, build_record
from evsynth.sources.inputs import open_source, read_text
from evsynth.sources.tabular_dialect import (
    CsvBroken,
    detect_layout,
    header_hint,
    open_quote,
    sniff_dialect,
    text_head,
)
from evsynth.sources.tabular_layouts import LAYOUTS
from evsynth.sources.tabular_match import (
    SAMPLE_ROWS,
    CompiledLayout,
    column_key,
    columns_hint,
    columns_layout,
    compiled_layout,
    find_header,
    no_header_found,
    parse_columns,
)
from evsynth.sources.tabular_rows import clean_author, clean_cell_value, split_values
from evsynth.sources.tabular_xlsx import (
    detect_workbook,
    is_workbook,
    open_workbook,
    sheet_rows,
    workbook_sample,
)

__all__ = [
    "READERS",
    "TabularReader",
    "clean_author",
    "column_key",
    "detect_layout",
    "detect_workbook",
    "header_hint",
    "is_workbook",
    "parse_columns",
]

_QUERY_LABELS = frozenset({"searchquery", "query", "searchstrategy", "search"})


class TabularReader(Importer):
    """Reads CSV, TSV and XLSX exports of every layout it is given (default: all of them).

    ``columns`` (``--columns``) replaces layout detection by a hand-made map. After reading,
    :attr:`search_queries` holds query text found above the header and :attr:`skipped_rows` the
    rows that are not records, as ``(line, reason)``; :attr:`layout` names what was read.
    """

    format: ClassVar[str] = "table"
    title: ClassVar[str] = "CSV/TSV/XLSX table with --columns"
    record_noun: ClassVar[str] = "row"
    layouts: ClassVar[tuple[TableLayout, ...]] = LAYOUTS

    def __init__(self, columns: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.columns = dict(columns) if columns else None
        self.search_queries: list[str] = []
        self.skipped_rows: list[tuple[int, str]] = []
        self.layout: str = ""
        self.container: str = ""
        #: The field map of the layout being read (it names the identifying columns in messages).
        self.field_map: FieldMap | None = None

    # -- entry points -------------------------------------------------------------------------

    def read(
        self, src: str | os.PathLike[str] | bytes | BinaryIO, *, label: str | None = None
    ) -> Iterator[Record]:
        if isinstance(src, str | os.PathLike):
            label = label or str(src)
        elif isinstance(src, bytes | bytearray):
            label = label or "<bytes>"
        else:
            source = open_source(src, label=label)
            label, src = source.label, source.stream.read()
        if is_workbook(src):
            yield from self._read_workbook(src, label)
        else:
            yield from self._read_text(src, label)

    @classmethod
    def sniff(cls, head: str) -> bool:
        return len(cls.layouts) == 1 and detect_layout(head) == cls.layouts[0].name

    # -- layouts ------------------------------------------------------------------------------

    def _candidates(self) -> tuple[tuple[TableLayout, ...], bool]:
        if self.columns:
            return (columns_layout(self.columns),), True
        return self.layouts, len(self.layouts) == 1

    def _no_header(self, rows: Sequence[Sequence[str]], label: str) -> InputError:
        if self.columns:
            return InputError(
                "no header row holds every --columns column ("
                + ", ".join(repr(c) for c in self.columns.values())
                + "); "
                + (columns_hint(rows).split(", which match", 1)[0] or no_header_found()),
                path=label,
            )
        if len(self.layouts) == 1:
            layout = self.layouts[0]
            need = ", ".join(layout.signature)
            markers = f" (or one of {', '.join(layout.markers)})" if layout.markers else ""
            return InputError(
                f"no {layout.title} header row in the first {SAMPLE_ROWS} rows: it needs "
                f"{need}{markers}; " + (columns_hint(rows) or "the file has no header row"),
                path=label,
            )
        return InputError(
            "unrecognised table: " + (columns_hint(rows) or no_header_found()), path=label
        )

    # -- text ---------------------------------------------------------------------------------

    def _read_text(self, src: str | os.PathLike[str] | bytes, label: str) -> Iterator[Record]:
        text = read_text(src, label=label)
        head = text_head(text)
        if not head.strip():
            raise InputError("empty file; expected a header row", path=label)
        layouts, forced = self._candidates()
        dialect, rows, found = sniff_dialect(head, layouts, forced=forced)
        if found is None:
            raise self._no_header(rows, label)
        header_index, layout = found
        self.container = f"text ({dialect.label}-separated, {text.encoding})"
        consumed: list[str] = []

        def lines() -> Iterator[str]:
            for raw in text.raw_lines():
                consumed.append(raw)
                yield raw

        reader = dialect.reader(lines())

        def numbered() -> Iterator[tuple[int, list[str]]]:
            while True:
                line = reader.line_num + 1
                consumed.clear()
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise CsvBroken(line, str(exc)) from None
                if len(consumed) > 1 and open_quote(consumed, dialect):
                    # The csv module reads an unclosed quote to the end of the file without a
                    # word; the rows it swallowed would vanish into one cell.
                    raise CsvBroken(
                        line,
                        f"a quoted cell opened here is never closed: lines {line}-"
                        f"{reader.line_num} (the rest of the file) were read into one cell",
                    )
                yield line, row

        yield from self._records(numbered(), header_index, layout, text.source.name, label)

    # -- workbooks ----------------------------------------------------------------------------

    def _read_workbook(self, src: str | os.PathLike[str] | bytes, label: str) -> Iterator[Record]:
        book = open_workbook(src, label)
        try:
            layouts, forced = self._candidates()
            samples = workbook_sample(book)
            chosen = None
            for sheet, rows in samples:
                found = find_header(rows, layouts, forced=forced)
                if found:
                    chosen = (sheet, found)
                    break
            if chosen is None:
                raise self._no_header(samples[0][1] if samples else [], label)
            sheet, (header_index, layout) = chosen
            self.container = f"XLSX sheet {sheet.title!r}"
            name = os.path.basename(label)
            yield from self._records(sheet_rows(sheet), header_index, layout, name, label)
        finally:
            book.close()

    # -- rows -> records ----------------------------------------------------------------------

    def _records(
        self,
        rows: Iterator[tuple[int, list[str]]],
        header_index: int,
        layout: TableLayout,
        name: str,
        label: str,
    ) -> Iterator[Record]:
        compiled = compiled_layout(layout)
        self.layout = layout.name
        self.field_map = compiled.field_map
        yield from self.accounted(label, self._rows(rows, header_index, compiled, name))

    def _rows(
        self,
        rows: Iterator[tuple[int, list[str]]],
        header_index: int,
        compiled: CompiledLayout,
        name: str,
    ) -> Iterator[Record | Failure]:
        """Each data row below the header as a record or a failure; other rows are listed."""
        nulls = compiled.layout.null_values
        header: list[str] = []
        canonical: list[str] = []
        header_keys: list[str] = []
        unknown_columns: dict[int, str] = {}
        try:
            for index, (line, raw) in enumerate(rows):
                cells = [clean_cell_value(c, nulls) for c in raw]
                filled = [c for c in cells if c]
                if index < header_index:
                    if filled:
                        self._preamble(line, cells, "above the header row")
                    else:
                        self.skipped_lines += 1
                    continue
                if index == header_index:
                    header = [c.strip() for c in raw]
                    header_keys = [column_key(c) for c in header]
                    pairs = list(zip(header_keys, header, strict=True))
                    canonical = [compiled.names.get(k, h) for k, h in pairs]
                    for position, (key, column) in enumerate(pairs):
                        if column and not compiled.knows(key):
                            unknown_columns[position] = column
                    continue
                if not filled:
                    self.skipped_lines += 1
                    continue
                first_key = column_key(filled[0])
                if (
                    len(filled) > 1
                    and cells[0] == filled[0]
                    and first_key == header_keys[0]
                    and [column_key(c) for c in cells] == header_keys[: len(cells)]
                ):
                    self.skipped_rows.append((line, "the header row again (joined exports?)"))
                    continue
                if first_key in _QUERY_LABELS and cells[0] == filled[0]:
                    self._preamble(line, cells, "a search-query row")
                    continue
                extra = [c for c in cells[len(header) :] if c]
                self.record_starts += 1
                if extra:
                    yield Failure(
                        line,
                        f"{len(cells)} cells but the header has {len(header)} columns "
                        "(an unbalanced quote?)",
                    )
                    continue
                tags: dict[str, list[str]] = {}
                for position, cell in enumerate(cells[: len(header)]):
                    if not cell:
                        continue
                    column = canonical[position]
                    if not column:
                        continue
                    if position in unknown_columns:
                        self.unknown_tags[unknown_columns[position]] += 1
                        continue
                    tags.setdefault(column, []).append(cell)
                tags = split_values(compiled, tags)
                record = build_record(compiled.field_map, tags, source_file=name, line=line)
                if len(filled) == 1 and cells[0] and len(header) >= 3 and not identified(record):
                    # One cell in the first column of a wide table, naming nothing: a caption.
                    self.record_starts -= 1
                    self.skipped_rows.append(
                        (line, f"a caption row, not a record: {_short(filled[0])!r}")
                    )
                    continue
                yield record
        except CsvBroken as exc:
            self.record_starts += 1
            yield Failure(
                exc.line,
                f"malformed row: {exc.message}; expected every quoted cell closed, "
                'with a quote inside a cell doubled ("")',
            )

    def _preamble(self, line: int, cells: Sequence[str], where: str) -> None:
        filled = [c for c in cells if c]
        first = column_key(filled[0])
        if first in _QUERY_LABELS and len(filled) > 1:
            query = " ".join(filled[1:])
            self.search_queries.append(query)
            self.skipped_rows.append((line, f"{where}: search query {_short(query)!r}"))
        else:
            self.skipped_rows.append((line, f"{where}: {_short(' '.join(filled))!r}"))


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _reader_class(layout: TableLayout) -> type[TabularReader]:
    name = "".join(part.capitalize() for part in re.split(r"[^a-z0-9]+", layout.name)) + "Reader"
    return type(
        name,
        (TabularReader,),
        {
            "format": layout.name,
            "title": layout.title,
            "layouts": (layout,),
            "__doc__": f"{layout.title}: CSV, TSV or XLSX, columns by name.",
            "__module__": __name__,
        },
    )


#: ``--format`` name -> reader class, one per layout, in detection order.
READERS: dict[str, type[TabularReader]] = {layout.name: _reader_class(layout) for layout in LAYOUTS}
