"""ASReview LAB project files (``.asreview``): the project's own data file and its labels.

A project is a zip holding ``project.json``, the imported dataset and one SQLite results database
per review; read with the standard library (``zipfile``, ``sqlite3``) only.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from evsynth.errors import InputError
from evsynth.screening import vocab
from evsynth.screening.readers import RisFile, Table, TableRow, cell_text, data_from_bytes

__all__ = ["AsreviewLabel", "AsreviewProject", "read_asreview_project"]


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


def read_asreview_project(path: Path, archive: zipfile.ZipFile) -> AsreviewProject:
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
        data = data_from_bytes(
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
        text = cell_text(label)
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
