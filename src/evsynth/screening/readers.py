"""Read decision files as reviewers produce them: any common encoding, delimiter or container.

Excel writes CSV in the machine's code page with ``;`` as delimiter where the decimal mark is a
comma, and "Unicode text" as UTF-16 with tabs; Rayyan ships a zip; ASReview LAB writes XLSX and RIS.
This module turns all of them into one of two shapes, each row or record carrying the line it came
from so that every later error can point back into the file:

- :class:`Table`: a header (lower-cased names mapped to the original) and rows;
- :class:`RisFile`: RIS records, each a tag -> list of values mapping.

ASReview LAB project files (a zip with SQLite inside) are read by
:mod:`evsynth.screening.asreview_project`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from evsynth.errors import InputError
from evsynth.sources.inputs import Text
from evsynth.sources.ris import CompleteRisReader

if TYPE_CHECKING:
    from evsynth.screening.asreview_project import AsreviewProject

__all__ = [
    "RisFile",
    "RisRecord",
    "Table",
    "TableRow",
    "cell_text",
    "data_from_bytes",
    "decode",
    "read_decision_file",
]


@dataclass(slots=True)
class TableRow:
    """One data row: ``line`` is the 1-based line (CSV) or row (XLSX) it came from."""

    line: int
    cells: dict[str, str]

    def get(self, *names: str) -> str:
        """The first non-empty value among the lower-cased column ``names``."""
        for name in names:
            value = self.cells.get(name, "")
            if value:
                return value
        return ""


@dataclass(slots=True)
class Table:
    """A tabular decision file with lower-cased, stripped column names."""

    path: str
    header: list[str]
    rows: list[TableRow]
    encoding: str = ""
    delimiter: str = ""
    member: str = ""  # the file inside a zip, if any
    duplicated: list[str] = field(default_factory=list)  # header names given twice (renamed "x#2")
    original: dict[str, str] = field(default_factory=dict)  # lower-cased name -> as written


@dataclass(slots=True)
class RisRecord:
    """One RIS record: tag -> values in file order; ``line`` is the line of its ``TY`` tag."""

    line: int
    tags: dict[str, list[str]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # tag -> line of its first value

    def first(self, *tags: str) -> str:
        for tag in tags:
            for value in self.tags.get(tag, []):
                if value:
                    return value
        return ""


@dataclass(slots=True)
class RisFile:
    path: str
    records: list[RisRecord]
    encoding: str = ""


_UNDEFINED_CP1252 = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def decode(data: bytes, *, path: str) -> tuple[str, str]:
    """Decode via BOM, UTF-16 NUL pattern, UTF-8 or Windows-1252; returns (text, encoding).

    Windows-1252 is the fallback because it is what Excel writes for "CSV" on Western European and
    American machines; bytes it does not define mean the guess is wrong, and that is an error.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(
                f"starts with a UTF-16 byte-order mark but is not UTF-16: {exc}", path=path
            ) from exc
    head = data[:4000]
    if len(head) >= 4 and head.count(b"\x00") >= len(head) // 4:
        encoding = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise InputError(
                f"looks like UTF-16 without a byte-order mark but is not: {exc}", path=path
            ) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        bad = [b for b in data if b in _UNDEFINED_CP1252]
        if bad:
            line = data[: exc.start].count(b"\n") + 1
            raise InputError(
                f"is neither UTF-8 nor Windows-1252 (byte 0x{exc.object[exc.start]:02x}); save it "
                "as 'CSV UTF-8' or 'Unicode text'",
                path=path,
                line=line,
            ) from exc
        return data.decode("cp1252"), "cp1252"


def _sniff_delimiter(header_line: str) -> str:
    """The delimiter the header uses most: tab, semicolon (European Excel) or comma."""
    counts = {d: header_line.count(d) for d in ("\t", ";", ",")}
    best = max(counts.values())
    if best == 0:
        return ","
    for delim in ("\t", ";", ","):
        if counts[delim] == best:
            return delim
    return ","  # pragma: no cover


def _table_from_text(text: str, *, path: str, encoding: str, member: str = "") -> Table:
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = _sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    where = f"{path}!{member}" if member else path
    try:
        rows_raw = []
        for cells in reader:
            rows_raw.append((reader.line_num, cells))
    except csv.Error as exc:
        raise InputError(f"is not valid CSV: {exc}", path=where, line=reader.line_num) from exc
    if not rows_raw:
        raise InputError("is empty (no header line)", path=where)
    _, header_cells = rows_raw[0]
    header, repeated = _dedupe_header([h.strip().lower() for h in header_cells])
    original = _original_names(header, header_cells)
    rows = []
    start_line = 2
    for end_line, cells in rows_raw[1:]:
        if not any(c.strip() for c in cells):
            start_line = end_line + 1
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            raise InputError(
                f"{len(cells)} cells but the header has {len(header)} (delimiter {delimiter!r}); "
                "is a value with the delimiter missing its quotes?",
                path=where,
                line=start_line,
            )
        values = {
            h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header) if h
        }
        rows.append(TableRow(start_line, values))
        start_line = end_line + 1
    return Table(
        where,
        header,
        rows,
        encoding=encoding,
        delimiter=delimiter,
        member=member,
        duplicated=repeated,
        original=original,
    )


def _original_names(header: list[str], cells: list[str]) -> dict[str, str]:
    return {name: str(cell).strip() for name, cell in zip(header, cells, strict=False) if name}


def _dedupe_header(header: list[str]) -> tuple[list[str], list[str]]:
    """Rename repeated header names ``x`` -> ``x#2``, ``x#3``; returns (header, repeated names).

    Abstrackr repeats ``labeled_at`` after each reviewer's column; other formats treat a repeated
    column as an error (see :func:`evsynth.screening.ingest.detect_format`).
    """
    seen: dict[str, int] = {}
    out, repeated = [], []
    for name in header:
        if name and name in seen:
            seen[name] += 1
            out.append(f"{name}#{seen[name]}")
            if name not in repeated:
                repeated.append(name)
        else:
            seen[name] = 1
            out.append(name)
    return out, repeated


def cell_text(value: object) -> str:
    """A spreadsheet or SQLite cell as text: empty for NULL, ``3`` for a whole float ``3.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(path: Path, data: bytes | None = None, *, where: str = "") -> Table:
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - openpyxl is a pinned dependency
        raise InputError("reading .xlsx needs openpyxl", path=str(path)) from exc
    where = where or str(path)
    try:
        source = io.BytesIO(data) if data is not None else path
        book = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:
        raise InputError(f"is not a readable .xlsx workbook: {exc}", path=where) from exc
    sheet = book.worksheets[0]
    rows_iter = sheet.iter_rows(values_only=True)
    try:
        header_cells = next(rows_iter)
    except StopIteration:
        raise InputError("the first sheet is empty (no header row)", path=where) from None
    header, repeated = _dedupe_header(
        [("" if h is None else str(h)).strip().lower() for h in header_cells]
    )
    original = _original_names(header, ["" if h is None else str(h) for h in header_cells])
    rows = []
    for number, cells in enumerate(rows_iter, start=2):
        values = {}
        for i, h in enumerate(header):
            if not h:
                continue
            values[h] = cell_text(cells[i] if i < len(cells) else None)
        if any(values.values()):
            rows.append(TableRow(number, values))
    book.close()
    return Table(
        where,
        header,
        rows,
        encoding="xlsx",
        delimiter="",
        duplicated=repeated,
        original=original,
    )


def _ris_from_text(text: str, *, path: str, encoding: str) -> RisFile:
    """A decision file's RIS records, through the importers' RIS codec (one reader for both).

    Every tag and value is kept as written, with the line of each tag's first value; a tag
    outside a record or a record without ``ER`` fails the file, listing every such record.
    """
    reader = CompleteRisReader()
    decoded = Text.of_string(text, label=path, encoding=encoding)
    records = [
        RisRecord(start, tags, lines)
        for start, tags, lines in reader.text_tags(decoded, tag_lines=True)
    ]
    return RisFile(path, records, encoding=encoding)


def _looks_like_ris(text: str) -> bool:
    """True when the first non-blank line is a ``TY`` tag line, as the RIS importer reads it."""
    for line in text.lstrip("\ufeff").splitlines():
        if line.strip():
            pair = _RIS_TAGS.split_line(line)
            return pair is not None and pair[0] == "TY"
    return False


_RIS_TAGS = CompleteRisReader()


def read_decision_file(path: str | Path) -> Table | RisFile | AsreviewProject:
    """Read a decision file whatever its container, encoding or delimiter.

    Zip archives (Rayyan) are opened and their articles CSV read; ``.xlsx`` goes through openpyxl;
    text files are RIS when their first non-blank line is a ``TY`` tag, else delimited text.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("decision file does not exist", path=str(path))
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return _read_xlsx(path)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "project.json" in names:
                from evsynth.screening.asreview_project import read_asreview_project

                return read_asreview_project(path, archive)
            nested = [n for n in names if n.endswith("/project.json")]
            if nested or path.suffix.lower() == ".asreview":
                raise InputError(
                    "not an ASReview LAB project file: project.json must be at the top of the "
                    f"zip (found {', '.join(nested) or 'no project.json'}); export the project "
                    "again from ASReview LAB (Projects > Export), without re-zipping a folder",
                    path=str(path),
                )
        return _read_zip(path, data)
    text, encoding = decode(data, path=str(path))
    if _looks_like_ris(text):
        return _ris_from_text(text, path=str(path), encoding=encoding)
    return _table_from_text(text, path=str(path), encoding=encoding)


def _read_zip(path: Path, data: bytes) -> Table:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        if "[Content_Types].xml" in names:
            return _read_xlsx(path)
        csvs = [n for n in names if n.lower().endswith(".csv")]
        articles = [n for n in csvs if Path(n).name.lower().startswith("articles")]
        candidates = articles or [n for n in csvs if "customization" not in n.lower()]
        if len(candidates) != 1:
            raise InputError(
                f"zip holds {', '.join(names) or 'nothing'}; expected one articles CSV "
                "(a Rayyan export)",
                path=str(path),
            )
        member = candidates[0]
        text, encoding = decode(archive.read(member), path=f"{path}!{member}")
    return _table_from_text(text, path=str(path), encoding=encoding, member=member)


def data_from_bytes(data: bytes, *, name: str, where: str) -> Table | RisFile:
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(Path(name), data, where=where)
    text, encoding = decode(data, path=where)
    if _looks_like_ris(text):
        return _ris_from_text(text, path=where, encoding=encoding)
    return _table_from_text(text, path=where, encoding=encoding)
