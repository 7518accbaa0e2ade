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
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import os
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, BinaryIO, ClassVar

from evsynth.errors import InputError
from evsynth.records import Record
from evsynth.sources.base import Failure, Importer, identified, raise_failures
from evsynth.sources.fields import FieldMap, IdRule, TableLayout, build_record
from evsynth.sources.inputs import open_source, read_text
from evsynth.sources.tabular_layouts import LAYOUTS, MAPPABLE_FIELDS

__all__ = [
    "READERS",
    "TabularReader",
    "column_key",
    "detect_layout",
    "detect_workbook",
    "header_hint",
    "is_workbook",
    "parse_columns",
]

csv.field_size_limit(1 << 24)

_SAMPLE_ROWS = 60
_DELIMITERS = (",", "\t", ";", "|")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.DOTALL)  # ="0123": Excel's keep-as-text guard
_QUERY_LABELS = frozenset({"searchquery", "query", "searchstrategy", "search"})
_PARTICLES = frozenset(
    "van von der den de del della dei di da das dos du la le lo ten ter zu af al el bin ibn".split()
)
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def column_key(name: str) -> str:
    """A column name ignoring case, spaces and punctuation (``Author(s)`` = ``AUTHORS``)."""
    return re.sub(r"[\W_]+", "", name.casefold())


# ---------------------------------------------------------------------------------------------
# Layout matching


@dataclass(frozen=True)
class _Compiled:
    """A layout prepared for matching: canonical names by key, split and strip patterns."""

    layout: TableLayout
    names: dict[str, str]
    prefixes: tuple[str, ...]
    markers: frozenset[str]
    signature: frozenset[str]
    excluded: frozenset[str]
    split: dict[str, re.Pattern[str]]
    strip: dict[str, re.Pattern[str]]
    field_map: FieldMap
    authors: frozenset[str]
    urls: frozenset[str]

    def knows(self, key: str) -> bool:
        return key in self.names or any(key.startswith(p) for p in self.prefixes)


_COMPILED: dict[int, tuple[TableLayout, _Compiled]] = {}


def _compile(layout: TableLayout) -> _Compiled:
    """The prepared form of a layout, cached by identity (layouts hold dicts: not hashable)."""
    entry = _COMPILED.get(id(layout))
    if entry is not None and entry[0] is layout:
        return entry[1]
    if len(_COMPILED) > 256:
        _COMPILED.clear()
    compiled = _compile_layout(layout)
    _COMPILED[id(layout)] = (layout, compiled)
    return compiled


def _compile_layout(layout: TableLayout) -> _Compiled:
    fmap = layout.field_map
    names: dict[str, str] = {}
    for name in sorted(fmap.known_tags | layout.ignored):
        names.setdefault(column_key(name), name)
    return _Compiled(
        layout=layout,
        names=names,
        prefixes=tuple(column_key(p) for p in layout.ignored_prefixes),
        markers=frozenset(map(column_key, layout.markers)),
        signature=frozenset(map(column_key, layout.signature)),
        excluded=frozenset(map(column_key, layout.excluded)),
        split={name: re.compile(sep) for name, sep in fmap.split.items()},
        strip={name: re.compile(pattern) for name, pattern in layout.strip.items()},
        # Cells are split here (before author clean-up), so build_record must not split again.
        field_map=replace(fmap, split={}),
        authors=frozenset(fmap.multi.get("authors", ())),
        urls=frozenset(fmap.single.get("url", ())),
    )


def _match(compiled: _Compiled, keys: frozenset[str], *, forced: bool) -> tuple[int, int] | None:
    """(marker hit, known columns) when a header with ``keys`` is this layout, else None."""
    if not forced and compiled.excluded & keys:
        return None
    marker = bool(compiled.markers & keys)
    if not (marker or (compiled.signature and compiled.signature <= keys)):
        return None
    return int(marker), sum(1 for key in keys if compiled.knows(key))


def _best_layout(
    cells: Sequence[str], layouts: Sequence[TableLayout], *, forced: bool = False
) -> TableLayout | None:
    keys = frozenset(column_key(c) for c in cells if c.strip())
    if len(keys) < (1 if forced else 2):  # one filled cell is a caption, unless asked for
        return None
    best: tuple[tuple[int, int, int], TableLayout] | None = None
    for order, layout in enumerate(layouts):
        score = _match(_compile(layout), keys, forced=forced)
        if score is not None:
            ranked = (*score, -order)
            if best is None or ranked > best[0]:
                best = (ranked, layout)
    return best[1] if best else None


def _columns_layout(columns: Mapping[str, str]) -> TableLayout:
    """A layout from ``--columns`` (field -> column name)."""
    single: dict[str, tuple[str, ...]] = {}
    multi: dict[str, tuple[str, ...]] = {}
    split: dict[str, str] = {}
    ids: list[IdRule] = []
    for name, column in columns.items():
        if name == "source_id":
            ids.append(IdRule("source_id", (column,), r"^\s*(\S(?:.*\S)?)\s*$"))
        elif name == "pmid":
            ids.append(IdRule("pmid", (column,), r"(?:^|\D)([1-9]\d{0,8})\s*$"))
        elif name == "doi":
            ids.append(IdRule("doi", (column,), r"(10\.\d{4,9}/\S+)", needles=("10.",)))
        elif name in ("authors", "keywords", "language", "pub_type"):
            multi[name] = (column,)
            # One value per line, or ";"- or "|"-separated; commas are kept ("Family, Given").
            split[column] = r"\s*[;|\n]\s*"
        else:
            single[name] = (column,)
    return TableLayout(
        name="table",
        title="table with --columns",
        field_map=FieldMap(single=single, multi=multi, ids=tuple(ids), split=split),
        signature=tuple(columns.values()),
    )


def parse_columns(text: str) -> dict[str, str]:
    """``title=Article Title,authors=Authors`` -> ``{"title": "Article Title", ...}``.

    A comma separates two mappings only when a field name and ``=`` follow it, so column names
    may themselves hold commas (``authors=Authors, Primary``).
    """
    fields = "|".join(sorted({*MAPPABLE_FIELDS, "accession"}, key=len, reverse=True))
    parts = re.split(rf",\s*(?=(?:{fields})\s*=)", text.strip())
    mapping: dict[str, str] = {}
    for part in parts:
        name, sep, column = part.partition("=")
        name, column = name.strip().lower(), column.strip()
        if name == "accession":
            name = "source_id"
        if not sep or not column or name not in MAPPABLE_FIELDS:
            raise InputError(
                f"--columns: cannot read {part!r}; give FIELD=Column pairs separated by commas, "
                f"FIELD one of {', '.join(MAPPABLE_FIELDS)} (accession = source_id)"
            )
        if name in mapping:
            raise InputError(f"--columns: {name} is mapped twice; map each field to one column")
        mapping[name] = column
    if "title" not in mapping and not {"source_id", "doi", "pmid"} & mapping.keys():
        raise InputError("--columns: map at least title (or an identifier: source_id, doi, pmid)")
    return mapping


# ---------------------------------------------------------------------------------------------
# Rows from text or workbooks


@dataclass(frozen=True)
class _Dialect:
    delimiter: str
    quoting: int

    def reader(self, lines: Any) -> Any:
        return csv.reader(lines, delimiter=self.delimiter, quoting=self.quoting)

    @property
    def label(self) -> str:
        return {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}[self.delimiter]


def _parse_sample(head: str, dialect: _Dialect) -> list[list[str]]:
    rows: list[list[str]] = []
    reader = dialect.reader(io.StringIO(head))
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= _SAMPLE_ROWS:
                break
    except csv.Error:
        pass
    return rows


def _generic_header(rows: Sequence[Sequence[str]]) -> int | None:
    """Index of the first row that looks like a header: at least half as full as the fullest."""
    counts = [sum(1 for c in row if c.strip()) for row in rows]
    if not counts or max(counts) < 2:
        return None
    need = max(2, (max(counts) + 1) // 2)
    for index, count in enumerate(counts):
        if count >= need:
            return index
    return None


def _find_header(
    rows: Sequence[Sequence[str]],
    layouts: Sequence[TableLayout],
    *,
    forced: bool,
) -> tuple[int, TableLayout] | None:
    for index, row in enumerate(rows):
        layout = _best_layout(row, layouts, forced=forced)
        if layout is not None:
            return index, layout
    return None


def _consistency(rows: Sequence[Sequence[str]], header: int) -> int:
    width = len(rows[header])
    return sum(1 for row in rows[header + 1 : -1] if len(row) == width)


def _sniff_dialect(
    head: str, layouts: Sequence[TableLayout], *, forced: bool
) -> tuple[_Dialect, list[list[str]], tuple[int, TableLayout] | None]:
    """The dialect under which a known header appears and rows have its width."""
    candidates = [_Dialect(d, csv.QUOTE_MINIMAL) for d in _DELIMITERS]
    candidates.append(_Dialect("\t", csv.QUOTE_NONE))
    best: tuple[tuple[int, int, int, int], _Dialect, list[list[str]], Any] | None = None
    for order, dialect in enumerate(candidates):
        rows = _parse_sample(head, dialect)
        found = _find_header(rows, layouts, forced=forced)
        index = found[0] if found else _generic_header(rows)
        if index is None:
            continue
        score = (int(found is not None), _consistency(rows, index), len(rows[index]), -order)
        if best is None or score > best[0]:
            best = (score, dialect, rows, found)
    if best is None:
        return candidates[0], _parse_sample(head, candidates[0]), None
    return best[1], best[2], best[3]


def _magic(src: str | os.PathLike[str] | bytes | BinaryIO) -> bytes:
    if isinstance(src, bytes | bytearray):
        return bytes(src[:8])
    if isinstance(src, str | os.PathLike):
        try:
            with open(src, "rb") as handle:
                return handle.read(8)
        except OSError:
            return b""
    return b""


def is_workbook(src: str | os.PathLike[str] | bytes | BinaryIO) -> bool:
    """True for a zip (XLSX) or OLE2 (old .xls) file: read as a workbook, never as text."""
    return _magic(src).startswith((_ZIP_MAGIC, _OLE2_MAGIC))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, _dt.date | _dt.time):
        return value.isoformat()
    return str(value)


def _open_workbook(src: str | os.PathLike[str] | bytes | BinaryIO, label: str) -> Any:
    import openpyxl  # imported here: only XLSX inputs need it

    if _magic(src).startswith(_OLE2_MAGIC):
        raise InputError(
            "an old Excel .xls workbook (OLE2), which is not read; save it as .xlsx or CSV "
            "and import that",
            path=label,
        )
    source = src if isinstance(src, str | os.PathLike) else io.BytesIO(bytes(src))  # type: ignore[arg-type]
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            f"cannot read the XLSX workbook: {exc}; expected an .xlsx file as Excel or "
            "LibreOffice saves it (or export the table as CSV and import that)",
            path=label,
        ) from None
    if "xl/workbook.xml" not in members:
        shown = ", ".join(members[:10]) + (
            f" and {len(members) - 10} more" if len(members) > 10 else ""
        )
        raise InputError(
            f"a zip archive, not an XLSX workbook; it holds {shown or 'nothing'}. Unzip it "
            "and import the export inside (Rayyan, for one, downloads its CSV in a zip)",
            path=label,
        )
    if not isinstance(source, str | os.PathLike):
        source.seek(0)
    try:
        return openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # zipfile/openpyxl raise many types for a damaged file
        raise InputError(
            f"cannot read the XLSX workbook: {exc}; expected an .xlsx file as Excel or "
            "LibreOffice saves it (or export the table as CSV and import that)",
            path=label,
        ) from None


def _sheet_rows(sheet: Any) -> Iterator[tuple[int, list[str]]]:
    """(row number, cell texts) for every row of a sheet, blank rows included."""
    sheet.reset_dimensions()  # some writers record a wrong sheet size; read every row
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_cell_text(v) for v in row]
        while cells and not cells[-1]:
            cells.pop()
        yield number, cells


def _workbook_sample(book: Any) -> list[tuple[Any, list[list[str]]]]:
    samples = []
    for sheet in book.worksheets:
        rows = []
        for _number, cells in _sheet_rows(sheet):
            rows.append(cells)
            if len(rows) >= _SAMPLE_ROWS:
                break
        samples.append((sheet, rows))
    return samples


# ---------------------------------------------------------------------------------------------
# Detection


@lru_cache(maxsize=8)
def detect_layout(head: str) -> str | None:
    """The layout name of a text table whose first 64 KiB are ``head``, or None."""
    _dialect, _rows, found = _sniff_dialect(head, LAYOUTS, forced=False)
    return found[1].name if found else None


def _no_header_found() -> str:
    """What a file without a recognisable header row lacks, and what would be valid."""
    return (
        f"no header row found in the first {_SAMPLE_ROWS} rows; expected a row naming the "
        "columns (for example Title, Authors, Year, DOI), then one row per record"
    )


def _hint(rows: Sequence[Sequence[str]], line: int | None = None) -> str:
    index = _generic_header(rows)
    if index is None:
        return ""
    columns = [c.strip() for c in rows[index] if c.strip()]
    where = f"line {line}" if line else f"row {index + 1}"
    shown = ", ".join(repr(c) for c in columns[:40])
    if len(columns) > 40:
        shown += f", ... ({len(columns)} columns)"
    return (
        f"its header ({where}) has the columns {shown}, which match no known layout; map them "
        "by hand with evsynth import --columns 'title=Article Title,authors=Authors,year=Year,"
        "doi=DOI,...' (fields: " + ", ".join(MAPPABLE_FIELDS) + ")"
    )


def header_hint(head: str) -> str:
    """For an unrecognised text file that looks like a table: its columns and ``--columns``."""
    _dialect, rows, _found = _sniff_dialect(head, LAYOUTS, forced=False)
    index = _generic_header(rows)
    if index is None:
        return ""
    columns = [c for c in rows[index] if c.strip()]
    # A header has at least three short names, and a table has rows of its width below it.
    if len(columns) < 3 or max(len(c) for c in columns) > 100:
        return ""
    if len(rows) > index + 2 and _consistency(rows, index) == 0:
        return ""
    return _hint(rows)


def detect_workbook(src: str | os.PathLike[str] | bytes, *, label: str) -> str:
    """The layout name of an XLSX workbook, or InputError listing its columns."""
    book = _open_workbook(src, label)
    try:
        samples = _workbook_sample(book)
    finally:
        book.close()
    for _sheet, rows in samples:
        found = _find_header(rows, LAYOUTS, forced=False)
        if found:
            return found[1].name
    for sheet, rows in samples:
        hint = _hint(rows)
        if hint:
            raise InputError(
                f"unrecognised XLSX export: {hint} (sheet {sheet.title!r})", path=label
            )
    raise InputError(
        f"unrecognised XLSX export: no sheet has a header row ({len(samples)} sheet(s) "
        f"read); {_no_header_found()}",
        path=label,
    )


# ---------------------------------------------------------------------------------------------
# Cleaning


def _clean_cell(cell: str, nulls: frozenset[str]) -> str:
    cell = cell.strip()
    if cell.startswith('="'):
        match = _EXCEL_TEXT.match(cell)
        if match:
            cell = match.group(1).strip()
    return "" if cell in nulls else cell


def clean_author(name: str, *, given_first: bool = False) -> str:
    """One author as "Family, Given": placeholders dropped, "Given Family" inverted if asked."""
    name = " ".join(name.split()).strip(" ;,")
    # RefWorks writes "Family,null" for a missing given name and omits the space after commas.
    name = re.sub(r"\s*,\s*null$", "", name, flags=re.IGNORECASE)
    name = re.sub(r"^null\s*,\s*|^null\s+(?=\S)", "", name, flags=re.IGNORECASE)
    name = re.sub(r"\s*,(?=\S)", ", ", name)
    if not given_first or "," in name:
        return name
    words = name.split()
    suffix = ""
    if len(words) > 2 and words[-1].lower() in _SUFFIXES:
        suffix = words.pop()
    if len(words) < 2:
        return name
    start = len(words) - 1
    while start > 0 and words[start - 1] in _PARTICLES:
        start -= 1
    if start == 0:  # only a family name ("van den Hoven")
        return name
    family, given = " ".join(words[start:]), " ".join(words[:start])
    return f"{family}, {given}" + (f" {suffix}" if suffix else "")


# ---------------------------------------------------------------------------------------------
# The reader


class TabularReader(Importer):
    """Reads CSV, TSV and XLSX exports of every layout it is given (default: all of them).

    ``columns`` (``--columns``) replaces layout detection by a hand-made map. After reading,
    :attr:`search_queries` holds query text found above the header and :attr:`skipped_rows` the
    rows that are not records, as ``(line, reason)``; :attr:`layout` names what was read.
    """

    format: ClassVar[str] = "table"
    title: ClassVar[str] = "CSV/TSV/XLSX table with --columns"
    layouts: ClassVar[tuple[TableLayout, ...]] = LAYOUTS

    def __init__(self, columns: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.columns = dict(columns) if columns else None
        self.search_queries: list[str] = []
        self.skipped_rows: list[tuple[int, str]] = []
        self.layout: str = ""
        self.container: str = ""

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
            return (_columns_layout(self.columns),), True
        return self.layouts, len(self.layouts) == 1

    def _no_header(self, rows: Sequence[Sequence[str]], label: str) -> InputError:
        if self.columns:
            return InputError(
                "no header row holds every --columns column ("
                + ", ".join(repr(c) for c in self.columns.values())
                + "); "
                + (_hint(rows).split(", which match", 1)[0] or _no_header_found()),
                path=label,
            )
        if len(self.layouts) == 1:
            layout = self.layouts[0]
            need = ", ".join(layout.signature)
            markers = f" (or one of {', '.join(layout.markers)})" if layout.markers else ""
            return InputError(
                f"no {layout.title} header row in the first {_SAMPLE_ROWS} rows: it needs "
                f"{need}{markers}; " + (_hint(rows) or "the file has no header row"),
                path=label,
            )
        return InputError("unrecognised table: " + (_hint(rows) or _no_header_found()), path=label)

    # -- text ---------------------------------------------------------------------------------

    def _read_text(self, src: str | os.PathLike[str] | bytes, label: str) -> Iterator[Record]:
        text = read_text(src, label=label)
        head = _text_head(text)
        if not head.strip():
            raise InputError("empty file; expected a header row", path=label)
        layouts, forced = self._candidates()
        dialect, rows, found = _sniff_dialect(head, layouts, forced=forced)
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
                    raise _CsvBroken(line, str(exc)) from None
                if len(consumed) > 1 and _open_quote(consumed, dialect):
                    # The csv module reads an unclosed quote to the end of the file without a
                    # word; the rows it swallowed would vanish into one cell.
                    raise _CsvBroken(
                        line,
                        f"a quoted cell opened here is never closed: lines {line}-"
                        f"{reader.line_num} (the rest of the file) were read into one cell",
                    )
                yield line, row

        yield from self._records(numbered(), header_index, layout, text.source.name, label)

    # -- workbooks ----------------------------------------------------------------------------

    def _read_workbook(self, src: str | os.PathLike[str] | bytes, label: str) -> Iterator[Record]:
        book = _open_workbook(src, label)
        try:
            layouts, forced = self._candidates()
            samples = _workbook_sample(book)
            chosen = None
            for sheet, rows in samples:
                found = _find_header(rows, layouts, forced=forced)
                if found:
                    chosen = (sheet, found)
                    break
            if chosen is None:
                raise self._no_header(samples[0][1] if samples else [], label)
            sheet, (header_index, layout) = chosen
            self.container = f"XLSX sheet {sheet.title!r}"
            name = os.path.basename(label)
            yield from self._records(_sheet_rows(sheet), header_index, layout, name, label)
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
        compiled = _compile(layout)
        self.layout = layout.name
        nulls = layout.null_values
        failures: list[Failure] = []
        produced = 0
        header: list[str] = []
        canonical: list[str] = []
        header_keys: list[str] = []
        unknown_columns: dict[int, str] = {}
        try:
            for index, (line, raw) in enumerate(rows):
                cells = [_clean_cell(c, nulls) for c in raw]
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
                    failures.append(
                        Failure(
                            line,
                            f"{len(cells)} cells but the header has {len(header)} columns "
                            "(an unbalanced quote?)",
                        )
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
                tags = self._split(compiled, tags)
                record = build_record(compiled.field_map, tags, source_file=name, line=line)
                if not identified(record):
                    if len(filled) == 1 and cells[0] and len(header) >= 3:
                        self.record_starts -= 1
                        self.skipped_rows.append(
                            (line, f"a caption row, not a record: {_short(filled[0])!r}")
                        )
                        continue
                    failures.append(
                        Failure(
                            line,
                            "row has no title and no identifier; expected a title or a DOI, "
                            "PMID or accession cell",
                        )
                    )
                    continue
                produced += 1
                yield record
        except _CsvBroken as exc:
            self.record_starts += 1
            failures.append(
                Failure(
                    exc.line,
                    f"malformed row: {exc.message}; expected every quoted cell closed, "
                    'with a quote inside a cell doubled ("")',
                )
            )
        raise_failures(label, failures, starts=self.record_starts, produced=produced)

    def _preamble(self, line: int, cells: Sequence[str], where: str) -> None:
        filled = [c for c in cells if c]
        first = column_key(filled[0])
        if first in _QUERY_LABELS and len(filled) > 1:
            query = " ".join(filled[1:])
            self.search_queries.append(query)
            self.skipped_rows.append((line, f"{where}: search query {_short(query)!r}"))
        else:
            self.skipped_rows.append((line, f"{where}: {_short(' '.join(filled))!r}"))

    @staticmethod
    def _split(compiled: _Compiled, tags: dict[str, list[str]]) -> dict[str, list[str]]:
        given_first = compiled.layout.given_first
        for column, values in tags.items():
            strip = compiled.strip.get(column)
            if strip is not None:
                values = [strip.sub("", v) for v in values]
            separator = compiled.split.get(column)
            if separator is not None:
                values = [p.strip() for v in values for p in separator.split(v) if p.strip()]
            if column in compiled.urls:
                # One link per record: RefWorks lists several, Rayyan appends RIS leftovers
                # ("...&from=export     U2  - L2029880245").
                values = [v.split()[0] for v in values if v.split()]
            if column in compiled.authors:
                values = [clean_author(v, given_first=given_first) for v in values]
                values = [v for v in values if v]
            tags[column] = values
        return tags


class _CsvBroken(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _open_quote(consumed: Sequence[str], dialect: _Dialect) -> bool:
    """True when the physical lines of one row end inside a quoted cell (end of file reached)."""
    if dialect.quoting == csv.QUOTE_NONE:
        return False
    try:
        for _row in csv.reader(consumed, delimiter=dialect.delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _text_head(text: Any) -> str:
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
