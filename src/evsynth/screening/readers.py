"""Read decision files as reviewers produce them: any common encoding, delimiter or container.

Excel writes CSV in the machine's code page with ``;`` as delimiter where the decimal mark is a
comma, and "Unicode text" as UTF-16 with tabs; Rayyan ships a zip; ASReview LAB writes XLSX and RIS.
This module turns all of them into one of two shapes, each row or record carrying the line it came
from so that every later error can point back into the file:

- :class:`Table`: a header (lower-cased names mapped to the original) and rows;
- :class:`RisFile`: RIS records, each a tag -> list of values mapping.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from evsynth.errors import InputError
from evsynth.screening import vocab
from evsynth.sources.inputs import Text
from evsynth.sources.ris import CompleteRisReader

__all__ = [
    "AsreviewLabel",
    "AsreviewProject",
    "RisFile",
    "RisRecord",
    "Table",
    "TableRow",
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


@dataclass(slots=True)
class AsreviewLabel:
    """One row of an ASReview LAB ``results`` table; ``line`` is its SQLite rowid."""

    record_id: str
    label: str  # "1" relevant, "0" irrelevant, "" not labelled yet (NULL)
    note: str
    user: str
    line: int


@dataclass(slots=True)
class AsreviewProject:
    """An ASReview LAB project file: its own data file and the labels of each review."""

    path: str
    name: str
    data: Table | RisFile
    data_member: str
    results_member: str
    labels: list[AsreviewLabel]
    encoding: str = "asreview project"
    delimiter: str = ""

    def record_ids(self) -> dict[str, int]:
        """ASReview record_id -> position in the data file: the data's own ``record_id`` column
        when it has one, else the 0-based row (or RIS record) order, which is how ASReview LAB
        numbers the records of a dataset it imports."""
        if isinstance(self.data, Table) and "record_id" in self.data.header:
            out = {}
            for i, row in enumerate(self.data.rows):
                out[row.cells.get("record_id", "").strip()] = i
            return out
        n = len(self.data.records) if isinstance(self.data, RisFile) else len(self.data.rows)
        return {str(i): i for i in range(n)}


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
            value = cells[i] if i < len(cells) else None
            if value is None:
                text = ""
            elif isinstance(value, float) and value.is_integer():
                text = str(int(value))
            else:
                text = str(value).strip()
            values[h] = text
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
                return _read_asreview_project(path, archive)
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


def _data_from_bytes(data: bytes, *, name: str, where: str) -> Table | RisFile:
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(Path(name), data, where=where)
    text, encoding = decode(data, path=where)
    if _looks_like_ris(text):
        return _ris_from_text(text, path=where, encoding=encoding)
    return _table_from_text(text, path=where, encoding=encoding)


def _read_asreview_project(path: Path, archive: zipfile.ZipFile) -> AsreviewProject:
    """Read an ASReview LAB project file (``.asreview``, a zip).

    Layout (ASReview LAB documentation, "Project file"): ``project.json`` (name, ``dataset_path``,
    ``reviews``), the imported dataset under ``data/``, and per review
    ``reviews/<id>/results.db`` (``results.sql`` in LAB 1.x), an SQLite database whose
    ``results`` table holds ``record_id`` and ``label`` (1 relevant, 0 irrelevant, NULL not yet
    labelled). Read with the standard library only.
    """
    where = str(path)
    names = [n for n in archive.namelist() if not n.endswith("/")]
    try:
        project = json.loads(archive.read("project.json").decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"project.json is not valid JSON: {exc}", path=where) from exc
    if not isinstance(project, dict):
        raise InputError("project.json is not a JSON object", path=where)
    dataset = str(project.get("dataset_path") or "").strip()
    data_files = [
        n for n in names if n.startswith("data/") and not n.lower().endswith((".db", ".sql"))
    ]
    stores = [n for n in names if n.rsplit("/", 1)[-1] == vocab.ASREVIEW_DATA_STORE]
    if dataset and f"data/{dataset}" in names:
        data_member = f"data/{dataset}"
    elif len(data_files) == 1:
        data_member = data_files[0]
    elif len(stores) == 1:
        data_member = stores[0]
    else:
        raise InputError(
            f"cannot tell the project's data file: project.json dataset_path is {dataset!r} and "
            f"data/ holds {', '.join(data_files) or 'nothing'}; expected data/<dataset_path>, one "
            f"data file under data/ or one {vocab.ASREVIEW_DATA_STORE}",
            path=where,
            record="project.json",
        )
    if data_member in stores:
        data: Table | RisFile = _data_store_table(
            archive.read(data_member), where=f"{where}!{data_member}"
        )
    else:
        data = _data_from_bytes(
            archive.read(data_member), name=data_member, where=f"{where}!{data_member}"
        )
    review_ids = [
        str(r.get("id"))
        for r in project.get("reviews") or []
        if isinstance(r, dict) and r.get("id")
    ]
    results = [
        n
        for n in names
        if n.startswith("reviews/") and n.rsplit("/", 1)[-1] in vocab.ASREVIEW_RESULTS_FILES
    ]
    if review_ids:
        results = [n for n in results if n.split("/")[1] in review_ids]
    if len(results) != 1:
        raise InputError(
            f"expected one review with a results database (reviews/<id>/results.db); found "
            f"{', '.join(results) or 'none'}",
            path=where,
        )
    member = results[0]
    labels = _asreview_labels(archive.read(member), where=f"{where}!{member}")
    return AsreviewProject(
        path=where,
        name=str(project.get("name") or ""),
        data=data,
        data_member=data_member,
        results_member=member,
        labels=labels,
    )


@contextmanager
def _in_memory_sqlite(db: bytes, *, where: str) -> Iterator[sqlite3.Connection]:
    """An SQLite database read from a zip member without writing it to disk, closed after use."""
    connection = sqlite3.connect(":memory:")
    try:
        try:
            connection.deserialize(db)
        except sqlite3.DatabaseError as exc:
            raise _not_sqlite(exc, where) from exc
        yield connection
    finally:
        connection.close()


def _not_sqlite(exc: sqlite3.DatabaseError, where: str) -> InputError:
    return InputError(f"is not an SQLite database: {exc}", path=where)


def _fetch(connection: sqlite3.Connection, sql: str, *, where: str) -> list[tuple]:
    """All rows of ``sql``; SQLite's complaint about a file that is not a database (it tells only
    on the first query) becomes an InputError naming the file."""
    try:
        return connection.execute(sql).fetchall()
    except sqlite3.DatabaseError as exc:
        raise _not_sqlite(exc, where) from exc


def _data_store_table(db: bytes, *, where: str) -> Table:
    """The records of an ASReview LAB 2 ``data_store.db``: the table that has ``record_id`` and
    ``title`` columns, as a :class:`Table` (``line`` = the SQLite rowid)."""
    with _in_memory_sqlite(db, where=where) as connection:
        master = "SELECT name FROM sqlite_master WHERE type = 'table'"
        tables = [r[0] for r in _fetch(connection, master, where=where)]
        found = None
        for table in tables:
            info = f'PRAGMA table_info("{table}")'
            columns = [r[1] for r in _fetch(connection, info, where=where)]
            if "record_id" in columns and "title" in columns:
                found = (table, columns)
                break
        if found is None:
            raise InputError(
                "has no table with record_id and title columns (ASReview LAB's records); "
                f"tables: {', '.join(tables) or 'none'}",
                path=where,
            )
        table, columns = found
        select = f'SELECT rowid, * FROM "{table}" ORDER BY rowid'
        rows = _fetch(connection, select, where=where)
    header = [c.lower() for c in columns]
    out = []
    for rowid, *values in rows:
        cells = {}
        for name, value in zip(header, values, strict=True):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            cells[name] = "" if value is None else str(value).strip()
        out.append(TableRow(int(rowid), cells))
    return Table(
        where, header, out, encoding="sqlite", original=dict(zip(header, columns, strict=True))
    )


def _asreview_labels(db: bytes, *, where: str) -> list[AsreviewLabel]:
    """Rows of the ``results`` table (SQLite, read in memory)."""
    with _in_memory_sqlite(db, where=where) as connection:
        info = f"PRAGMA table_info({vocab.ASREVIEW_RESULTS_TABLE})"
        columns = [r[1] for r in _fetch(connection, info, where=where)]
        if not columns:
            raise InputError(
                f"has no table {vocab.ASREVIEW_RESULTS_TABLE!r} (ASReview LAB's labels)", path=where
            )
        missing = [c for c in ("record_id", "label") if c not in columns]
        if missing:
            raise InputError(
                f"table results has no column {', '.join(missing)}; columns: {', '.join(columns)}",
                path=where,
            )
        note = next((c for c in vocab.ASREVIEW_NOTE_COLUMNS if c in columns), None)
        user = next((c for c in vocab.ASREVIEW_USER_COLUMNS if c in columns), None)
        select = ", ".join(["rowid", "record_id", "label", note or "NULL", user or "NULL"])
        rows = connection.execute(
            f"SELECT {select} FROM {vocab.ASREVIEW_RESULTS_TABLE} ORDER BY rowid"
        ).fetchall()
    out = []
    for rowid, record_id, label, note_value, user_value in rows:
        if label is None:
            text = ""
        elif isinstance(label, float) and label.is_integer():
            text = str(int(label))
        else:
            text = str(label).strip()
        out.append(
            AsreviewLabel(
                record_id="" if record_id is None else str(record_id).strip(),
                label=text,
                note="" if note_value is None else str(note_value).strip(),
                user="" if user_value is None else str(user_value).strip(),
                line=int(rowid),
            )
        )
    return out
