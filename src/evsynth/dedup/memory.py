"""Memory sharing while deduplicating: interned strings, pooled normalised fields, slimmed records.

Records read from a TSV keep only their id and source while pairs are scored and clustered;
:func:`_restore` reads the other fields again before merging. Split from ``engine.py`` (issue 15).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from evsynth.contracts.records import COLUMNS, Record, iter_records
from evsynth.dedup.normalise import NormRecord
from evsynth.errors import InputError

if TYPE_CHECKING:  # inputs imports this module
    from evsynth.dedup.inputs import InputTable

# Fields with few distinct values (a few hundred journals in a million records): one shared
# string per value instead of one per record, which is about a third of the records' memory.
_SHARED_FIELDS = (
    "source", "journal", "journal_abbrev", "year", "volume", "issue", "pub_type", "language",
    "source_file", "issn",
)  # fmt: skip


def _share_strings(record: Record) -> None:
    for name in _SHARED_FIELDS:
        value = getattr(record, name)
        if value:
            setattr(record, name, sys.intern(value))


# Normalised fields that the records of one article share across databases (and common names,
# pages, volumes across articles): one object per distinct value saved a third of their memory.
_POOLED_NORM = (
    "title", "authors_text", "author_words", "first_author", "volume", "first_page", "last_page",
    "doi",
)  # fmt: skip


def _share_norm(norm: NormRecord, pool: dict) -> NormRecord:
    for name in _POOLED_NORM:
        value = getattr(norm, name)
        if value:
            setattr(norm, name, pool.setdefault(value, value))
    if norm.authors:
        authors = pool.get(norm.authors)
        if authors is None:
            authors = tuple(pool.setdefault(a, a) for a in norm.authors)
            pool[authors] = authors
        norm.authors = authors
    return norm


# Fields dropped while scoring (see _deduplicate); record_id and source stay.
_STRIPPED = tuple(c for c in COLUMNS if c not in ("record_id", "source"))


def _strip(record: Record) -> None:
    for name in _STRIPPED:
        setattr(record, name, "")


def _stamps(tables: Sequence[InputTable] | Sequence[str]) -> dict[str, tuple[int, int]]:
    out = {}
    for table in tables:
        path = table if isinstance(table, str) else table.path
        st = Path(path).stat()
        out[path] = (st.st_size, st.st_mtime_ns)
    return out


def _restore(
    records: list[Record],
    index: dict[str, int],
    paths: Sequence[str],
    stamps: dict[str, tuple[int, int]],
) -> None:
    """Read the stripped fields again from the TSVs, the first occurrence of each id winning
    (as when they were first read)."""
    missing = next((p for p in paths if not Path(p).is_file()), None)
    if missing is not None:
        raise InputError("records TSV vanished while deduplicating; run again", path=missing)
    now = _stamps(list(paths))
    if now != stamps:
        changed = next(p for p, s in now.items() if stamps.get(p) != s)
        raise InputError("records TSV changed while deduplicating; run again", path=changed)
    done = bytearray(len(records))
    for path in paths:
        for lineno, fresh in enumerate(iter_records(path), start=2):
            i = index.get(fresh.record_id)
            if i is not None and done[i]:
                continue  # a later run's copy of an id: the first one was kept
            if i is None or (kept := records[i]).source != fresh.source:
                raise InputError(
                    f"record {fresh.record_id} changed while deduplicating; run again",
                    path=path,
                    line=lineno,
                )
            done[i] = 1
            for name in _STRIPPED:
                setattr(kept, name, getattr(fresh, name))
            _share_strings(kept)
    if not all(done):
        lost = records[done.index(0)].record_id
        raise InputError(f"record {lost} vanished from the records TSVs while deduplicating")
