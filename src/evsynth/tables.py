"""Byte-stable TSV and JSON writers shared by every stage.

The contracts between steps are sorted, tab-separated UTF-8 files that must be byte-identical across
reruns (so Snakemake and git see no change when nothing changed). Tabs and line breaks inside values
are folded to spaces so that one row is one line, which keeps the files greppable and diffable.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import math
import operator
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from evsynth.errors import InputError

__all__ = [
    "atomic_path",
    "clean_cell",
    "iter_tsv",
    "read_tsv",
    "require_columns",
    "sha256_file",
    "write_json",
    "write_rows",
    "write_text",
    "write_tsv",
]


def clean_cell(value: Any) -> str:
    """Render one value as a TSV cell: None/NaN -> "", exact floats, no tabs or newlines."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return repr(value)
    text = str(value)
    if "\t" in text or "\n" in text or "\r" in text:
        text = " ".join(text.split())
    return text


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it when the block ends without error.

    Readers (and Snakemake) never see a half-written result, and an interrupted write leaves the
    old file. The file gets the usual permissions (mkstemp alone would make it 0600).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text(path: str | Path, text: str | Iterable[str]) -> None:
    """Write a text file (a string, or chunks written as they come) atomically, UTF-8, as is."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as handle:
        if isinstance(text, str):
            handle.write(text)
        else:
            handle.writelines(text)


def write_tsv(
    path: str | Path,
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    sort_by: Sequence[str] | None = None,
) -> int:
    """Write rows as a TSV with a header; returns the number of rows written.

    Rows are sorted by ``sort_by`` (string comparison of the rendered cells) when given, so output
    order never depends on input order or on dictionary/set iteration.
    """
    getter = operator.itemgetter(*columns) if len(columns) > 1 else None
    if not sort_by:
        # Unsorted rows are rendered as they are written: a million rows never exist at once.
        header = "\t".join(columns) + "\n"
        written = [0]

        def lines() -> Iterator[str]:
            yield header
            for row in rows:
                written[0] += 1
                yield "\t".join(_render_row(row, columns, getter)) + "\n"

        write_text(Path(path), lines())
        return written[0]
    rendered = [_render_row(row, columns, getter) for row in rows]
    return _write_rendered(path, rendered, columns, sort_by)


def write_rows(
    path: str | Path,
    rows: Iterable[Sequence[Any]],
    columns: Sequence[str],
    *,
    sort_by: Sequence[str] | None = None,
) -> int:
    """:func:`write_tsv` for rows given as sequences of cells in ``columns`` order.

    The same bytes as :func:`write_tsv` of the equivalent mappings; for callers that hold
    objects, not dicts (100,000 records), so no mapping is built per row.
    """
    width = len(columns)
    rendered = []
    for values in rows:
        if len(values) != width:
            raise ValueError(f"row of {len(values)} cells for {width} columns")
        rendered.append(_render_values(values))
    return _write_rendered(path, rendered, columns, sort_by)


def _write_rendered(
    path: str | Path,
    rendered: list[Sequence[str]],
    columns: Sequence[str],
    sort_by: Sequence[str] | None,
) -> int:
    if sort_by:
        idx = [columns.index(c) for c in sort_by]
        if len(idx) == 1:
            # One key: the cell itself orders the rows as the one-item list below would.
            rendered.sort(key=operator.itemgetter(idx[0]))
        else:
            rendered.sort(key=lambda r: [r[i] for i in idx])
    header = "\t".join(columns) + "\n"
    write_text(Path(path), itertools.chain((header,), ("\t".join(r) + "\n" for r in rendered)))
    return len(rendered)


_STR_ONLY = {str}


def _render_row(
    row: Mapping[str, Any], columns: Sequence[str], getter: Callable[[Any], Any] | None
) -> Sequence[str]:
    """The cells of one row, as :func:`clean_cell` renders them (checked per row, not per cell)."""
    values: Sequence[Any]
    try:
        # itemgetter only on plain dicts: a defaultdict or Counter would invent missing cells.
        if getter is not None and row.__class__ is dict:
            values = getter(row)
        else:
            values = [row.get(col) for col in columns]
    except KeyError:
        values = [row.get(col) for col in columns]
    return _render_values(values)


def _render_values(values: Sequence[Any]) -> Sequence[str]:
    """The cells of one row as :func:`clean_cell` renders them (checked per row, not per cell)."""
    try:
        # Fails on any non-string cell (None, numbers), which then go through clean_cell.
        line = "\t".join(values)
    except TypeError:
        return [clean_cell(value) for value in values]
    if line.count("\t") != len(values) - 1 or "\n" in line or "\r" in line:
        return [clean_cell(value) for value in values]
    if {*map(type, values)} != _STR_ONLY:
        return [clean_cell(value) for value in values]  # str subclasses: clean_cell's str()
    return values


def read_tsv(path: str | Path, *, required: Sequence[str] = ()) -> list[dict[str, str]]:
    """Read a TSV written by :func:`write_tsv`; missing required columns are an error."""
    return list(iter_tsv(path, required=required))


def require_columns(
    header: Sequence[str], required: Iterable[str], path: str | Path, *, hint: str = ""
) -> None:
    """An error naming the file, its header line and every missing column, so the user fixes
    them all at once; ``hint`` says which layouts the reader takes."""
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; the header has {', '.join(header)}"
            + (f" ({hint})" if hint else ""),
            path=str(path),
            line=1,
        )


def iter_tsv(path: str | Path, *, required: Sequence[str] = ()) -> Iterator[dict[str, str]]:
    """The rows of :func:`read_tsv` one at a time, so a caller keeping only part of each row
    (a million-record table) never holds every row's dict at once."""
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = reader.fieldnames or []
        require_columns(header, required, path)
        for lineno, row in enumerate(reader, start=2):
            if None in row:
                raise InputError(
                    f"{len(header) + len(row[None])} cells but the header has {len(header)}",
                    path=str(path),
                    line=lineno,
                )
            yield {k: (v if v is not None else "") for k, v in row.items()}


def write_json(path: str | Path, data: Any) -> None:
    """Write JSON with sorted keys and a trailing newline, so reruns are byte-identical."""
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    write_text(Path(path), text + "\n")


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes: the provenance stamp of exports, archives and inputs."""
    with Path(path).open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
