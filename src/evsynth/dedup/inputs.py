"""Read the records TSVs of the search runs, one :class:`InputTable` per run.

Split from ``engine.py`` (issue 15); ``engine`` re-exports the public names.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from evsynth.contracts.records import Record, iter_records, read_records
from evsynth.dedup.memory import _share_norm, _stamps, _strip
from evsynth.dedup.normalise import NormRecord, normalise_record
from evsynth.errors import InputError

_RUN_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(slots=True)
class InputTable:
    """One records TSV and the search run it belongs to."""

    path: str
    run: str
    rank: int
    records: list[Record]
    # True when ``records`` were read from ``path`` (load_inputs): deduplication may then drop
    # the fields it does not compare while it scores, and read them again to merge.
    on_disk: bool = False
    # load_inputs(slim=True): the records already normalised and slimmed while read (see there),
    # with the file's (size, mtime) when it was read.
    norms: list[NormRecord] | None = None
    stamp: tuple[int, int] | None = None


def run_of(path: str | Path, position: int) -> str:
    """The search run of a records TSV: its parent directory when that is a date, else its place.

    ``results/search/2025-12-31/embase.records.tsv`` belongs to run ``2025-12-31``; a file
    elsewhere is named by its 1-based position among the arguments (``input-3``).
    """
    parent = Path(path).parent.name
    return parent if _RUN_DATE.match(parent) else f"input-{position}"


def load_inputs(paths: Sequence[str | Path], *, slim: bool = False) -> list[InputTable]:
    """Read every records TSV and order them by run (dates, oldest first; else argument order).

    ``slim`` (the command line): each record is normalised as it is read and then keeps only its
    id and source; :func:`deduplicate` reads the other fields again before merging. A million
    records' text then never sits in memory next to their normalised forms (peak memory).
    """
    if not paths:
        raise InputError("no records TSV given; pass at least one results/search/{run}/*.tsv")
    tables = []
    pool: dict = {}
    for position, path in enumerate(paths, start=1):
        if not Path(path).is_file():
            raise InputError("records TSV not found", path=str(path))
        if slim:
            stamp = _stamps([str(path)])[str(path)]
            records, norms = [], []
            for record in iter_records(path):
                norms.append(_share_norm(normalise_record(-1, record), pool))
                _strip(record)
                record.source = sys.intern(record.source)
                records.append(record)
            tables.append((str(path), run_of(path, position), position, records, norms, stamp))
        else:
            records = read_records(path)
            tables.append((str(path), run_of(path, position), position, records, None, None))
    all_dated = all(_RUN_DATE.match(t[1]) for t in tables)
    key = (lambda t: (t[1], t[2])) if all_dated else (lambda t: t[2])
    ordered = sorted(tables, key=key)
    runs = []
    for _path, run, *_rest in ordered:
        if run not in runs:
            runs.append(run)
    return [
        InputTable(p, run, runs.index(run), recs, on_disk=True, norms=norms, stamp=stamp)
        for p, run, _pos, recs, norms, stamp in ordered
    ]
