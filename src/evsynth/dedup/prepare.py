"""Everything before scoring that looks at all records at once (:func:`prepare`).

Split from ``engine.py`` (issue 15); ``engine`` re-exports the public names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from evsynth.contracts.records import Record
from evsynth.dedup.block import BlockingSettings, candidate_pairs
from evsynth.dedup.global_rules import _container_dois
from evsynth.dedup.inputs import InputTable
from evsynth.dedup.memory import _share_norm, _share_strings, _stamps, _strip
from evsynth.dedup.normalise import NormRecord, normalise_record
from evsynth.dedup.progress import Progress
from evsynth.dedup.score import Thresholds


@dataclass(slots=True)
class Prepared:
    """What every partition's scoring and the final merge share: the global state of a dedup.

    Made once by :func:`prepare` (reading, normalising, container DOIs, blocking); scoring needs
    only ``norms``, ``thresholds`` and ``candidates``; :func:`finish` needs all of it. Written to
    disk by :mod:`evsynth.dedup.partition` so that the steps can be separate cluster jobs.
    """

    records: list[Record]
    norms: list[NormRecord]
    rank_of: dict[str, int]
    per_source: Counter[str]
    per_run: Counter[str]
    repeated: int
    total: int
    containers: set[str]
    candidates: Sequence[tuple[int, int]]
    thresholds: Thresholds
    # Paths of the records TSVs in run order and their (size, mtime) when read, when the records
    # were slimmed and must be read again before merging; else None.
    paths: list[str]
    stamps: dict[str, tuple[int, int]] | None


def prepare(
    tables: Sequence[InputTable],
    *,
    thresholds: Thresholds | None = None,
    blocking: BlockingSettings | None = None,
    progress: bool = True,
) -> Prepared:
    """Everything before scoring that looks at all records at once: one record per id, record-id
    order, normalised forms, container DOIs and the candidate pairs (sorted, unique)."""
    t = thresholds or Thresholds()
    # The same record id in several runs is one record: keep the earliest run's row.
    first: dict[str, Record] = {}
    slim = bool(tables) and all(t.norms is not None for t in tables)
    first_norm: dict[str, NormRecord] = {}
    rank_of: dict[str, int] = {}
    per_source: Counter[str] = Counter()
    per_run: Counter[str] = Counter()
    repeated = 0
    total = 0
    for table in tables:
        for k, record in enumerate(table.records):
            total += 1
            per_source[record.source] += 1
            per_run[table.run] += 1
            if record.record_id in first:
                repeated += 1
                continue
            _share_strings(record)
            first[record.record_id] = record
            if slim:
                first_norm[record.record_id] = table.norms[k]  # type: ignore[index]
            rank_of[record.record_id] = table.rank
    records = [first[k] for k in sorted(first)]
    n = len(records)

    # Records read from a TSV keep only their id and source while pairs are scored and
    # clustered (the normalised forms are what is compared); the other fields are read again
    # from the files before merging. This keeps a million records' text out of the peak.
    stamps: dict[str, tuple[int, int]] | None = None
    bar = Progress("normalising", n, enabled=progress)
    if slim:
        norms = [first_norm[r.record_id] for r in records]
        for i, norm in enumerate(norms):
            norm.index = i
        first_norm.clear()
        stamps = {tb.path: tb.stamp for tb in tables}  # type: ignore[misc]
        for tb in tables:
            tb.norms = None  # so that clearing ours frees them
        bar.update(n)
        bar.close()
    else:
        norms = []
        stamps = _stamps(tables) if tables and all(tb.on_disk for tb in tables) else None
        pool: dict = {}
        for i, record in enumerate(records):
            norms.append(_share_norm(normalise_record(i, record), pool))
            if stamps is not None:
                _strip(record)
            if i % 5000 == 4999:
                bar.update(5000)
        bar.update(n % 5000)
        bar.close()
        del pool

    containers = _container_dois(norms, t)
    bar.stage("blocking")
    candidates = candidate_pairs(norms, settings=blocking)
    return Prepared(
        records,
        norms,
        rank_of,
        per_source,
        per_run,
        repeated,
        total,
        containers,
        candidates,
        t,
        [tb.path for tb in tables],
        stamps,
    )
