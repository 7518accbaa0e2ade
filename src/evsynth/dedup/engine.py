"""Deduplicate the records of every search run: normalise, block, score, cluster, merge.

:func:`load_inputs` reads the records TSVs and assigns each to its search run, :func:`deduplicate`
computes a :class:`DedupResult` (nothing is written), and :mod:`evsynth.dedup.write` writes the
contract files. Records are processed in record-id order and every tie is broken by record id, so
the result is the same whatever the order of the inputs or the number of processes.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from evsynth.contracts.records import Record
from evsynth.dedup.block import BlockingSettings
from evsynth.dedup.cluster import ForcedDecision, cluster_records
from evsynth.dedup.decisions import PairDecision, read_decisions
from evsynth.dedup.global_rules import (
    _ambiguous_matches,
    _mark_container,
    _multiple_letters,
    _replace,
)
from evsynth.dedup.inputs import InputTable, load_inputs, run_of
from evsynth.dedup.memory import _restore
from evsynth.dedup.merge import merge_records, priority_key
from evsynth.dedup.normalise import NormRecord, clear_caches
from evsynth.dedup.prepare import Prepared, prepare
from evsynth.dedup.progress import Progress
from evsynth.dedup.score import PairScore, Thresholds, score_pair
from evsynth.errors import InputError

__all__ = [
    "DedupResult",
    "InputTable",
    "Prepared",
    "StudyRecord",
    "deduplicate",
    "finish",
    "load_inputs",
    "partition_bounds",
    "paused_gc",
    "prepare",
    "run_of",
    "score_partition",
]


@dataclass(slots=True)
class StudyRecord:
    """One cluster: its study record id, members (priority order) and merged row.

    The merged row is computed when asked for (:meth:`merged`), not kept: holding a row for
    every study of a million records doubled the peak memory of writing unique.tsv.
    """

    study_record_id: str
    member_ids: list[str]
    sources: list[str]
    members: list[Record]

    def merged(self) -> tuple[dict[str, str], dict[str, str]]:
        """The merged row and, per field, the record id it came from."""
        return merge_records(self.members, self.study_record_id)

    @property
    def row(self) -> dict[str, str]:
        """The merged row (see :meth:`merged`)."""
        return self.merged()[0]

    @property
    def field_sources(self) -> dict[str, str]:
        """Field -> record id of the merged value (see :meth:`merged`)."""
        return self.merged()[1]


@dataclass(slots=True)
class DedupResult:
    """Everything deduplication decided, ready to be written."""

    records: list[Record]
    pairs: list[PairScore]
    study_of: dict[str, str]
    studies: list[StudyRecord]
    possible: list[PairScore]
    summary: dict
    blocked: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)


# Reasons a blocked merge needs no person: a person's decision, or two different identifiers.
DECISIVE_BLOCKERS = frozenset({"decision_file", "pmid_conflict", "doi_conflict"})


# Pairs per work unit when scoring; several processes are used only above two units.
CHUNK = 20000


# Set in the parent before forking workers, so workers share the normalised records for free.
_SHARED: dict[str, object] = {}


def _score_chunk(chunk: list[tuple[int, int]]) -> list[PairScore]:
    norms: list[NormRecord] = _SHARED["norms"]  # type: ignore[assignment]
    thresholds: Thresholds = _SHARED["thresholds"]  # type: ignore[assignment]
    return [score_pair(norms[i], norms[j], thresholds) for i, j in chunk]


def _score_all(
    norms: list[NormRecord],
    pairs: list[tuple[int, int]],
    thresholds: Thresholds,
    *,
    threads: int,
    progress: bool,
) -> list[PairScore]:
    bar = Progress("scoring", len(pairs), enabled=progress)
    step = CHUNK
    chunks = [pairs[k : k + step] for k in range(0, len(pairs), step)]
    out: list[PairScore] = []
    _SHARED["norms"] = norms
    _SHARED["thresholds"] = thresholds
    try:
        can_fork = "fork" in multiprocessing.get_all_start_methods()
        if threads > 1 and len(pairs) > 2 * step and can_fork:
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(threads) as pool:
                for scored in pool.imap(_score_chunk, chunks):
                    out.extend(scored)
                    bar.update(len(scored))
        else:
            for chunk in chunks:
                out.extend(_score_chunk(chunk))
                bar.update(len(chunk))
    finally:
        _SHARED.clear()
        bar.close()
    return out


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while deduplicating.

    Dedup builds millions of acyclic objects; the collector's repeated full scans of them cost
    about a quarter of the run time and free nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def deduplicate(
    tables: Sequence[InputTable],
    *,
    decisions: str | Path | None = None,
    thresholds: Thresholds | None = None,
    blocking: BlockingSettings | None = None,
    threads: int = 1,
    progress: bool = True,
) -> DedupResult:
    """Deduplicate the records of all runs; a person's decisions (decisions.csv) always win."""
    with paused_gc():
        return _deduplicate(
            tables,
            decisions=decisions,
            thresholds=thresholds,
            blocking=blocking,
            threads=threads,
            progress=progress,
        )


def _deduplicate(
    tables: Sequence[InputTable],
    *,
    decisions: str | Path | None,
    thresholds: Thresholds | None,
    blocking: BlockingSettings | None,
    threads: int,
    progress: bool,
) -> DedupResult:
    # One job: the same three steps the partitioned run makes separate jobs of (prepare, score
    # every partition, finish), so both give the same result by construction.
    state = prepare(tables, thresholds=thresholds, blocking=blocking, progress=progress)
    scored = _score_all(
        state.norms, state.candidates, state.thresholds, threads=threads, progress=progress
    )
    return finish(state, scored, decisions=decisions, progress=progress)


def partition_bounds(n_pairs: int, k: int, n: int) -> tuple[int, int]:
    """The slice ``[start, end)`` of the sorted candidate list that partition ``k`` of ``n`` scores.

    Contiguous, consecutive slices of near-equal size: every candidate pair is in exactly one
    partition, and partitions 1..n in order are the whole list in order.
    """
    if not 1 <= k <= n:
        raise InputError(f"partition {k}/{n}: K must be between 1 and N")
    return n_pairs * (k - 1) // n, n_pairs * k // n


def score_partition(
    state: Prepared, k: int, n: int, *, threads: int = 1, progress: bool = True
) -> list[PairScore]:
    """Score the candidate pairs of partition ``k`` of ``n`` (see :func:`partition_bounds`)."""
    start, end = partition_bounds(len(state.candidates), k, n)
    with paused_gc():
        return _score_all(
            state.norms,
            state.candidates[start:end],
            state.thresholds,
            threads=threads,
            progress=progress,
        )


def finish(
    state: Prepared,
    scored: list[PairScore],
    *,
    decisions: str | Path | None = None,
    progress: bool = True,
) -> DedupResult:
    """Everything after scoring: a person's decisions, the global rules (container DOIs,
    ambiguous matches, no chaining), clustering and merging. ``scored`` are the candidate pairs'
    scores in candidate order (one job's, or every partition's in partition order)."""
    with paused_gc():
        return _finish(state, scored, decisions=decisions, progress=progress)


def _finish(
    state: Prepared,
    scored: list[PairScore],
    *,
    decisions: str | Path | None,
    progress: bool,
) -> DedupResult:
    records, norms, containers, t = state.records, state.norms, state.containers, state.thresholds
    rank_of = state.rank_of
    index = {r.record_id: i for i, r in enumerate(records)}
    n = len(records)

    forced_rows: list[PairDecision] = read_decisions(decisions, index) if decisions else []
    forced = [
        ForcedDecision(
            index[d.record_id_a], index[d.record_id_b], d.decision, d.note, d.path, d.line
        )
        for d in forced_rows
    ]
    forced_map = {(min(d.a, d.b), max(d.a, d.b)): d for d in forced}

    bar = Progress("merging", n, enabled=progress)
    n_candidates = len(state.candidates)
    state.candidates = []  # the scored pairs carry their indices (peak memory)
    if containers:
        scored = [_mark_container(p, norms, containers) for p in scored]
    by_pair: dict[tuple[int, int], PairScore] = {(p.a, p.b): p for p in scored}

    def scored_pair(i: int, j: int) -> PairScore:
        pair = by_pair.get((i, j))
        if pair is None:
            pair = _mark_container(score_pair(norms[i], norms[j], t), norms, containers)
            by_pair[(i, j)] = pair
        return pair

    letters = _multiple_letters(scored, norms, forced_map, scored_pair)
    if letters:
        for key, hub in letters.items():
            base = scored_pair(*key)
            by_pair[key] = _replace(
                base, rule=f"{base.rule}+multiple_letters:{records[hub].record_id}", decision="same"
            )
        candidates = {(p.a, p.b) for p in scored}
        scored = [by_pair[(p.a, p.b)] for p in scored]
        scored += [by_pair[key] for key in sorted(letters) if key not in candidates]

    def decide(i: int, j: int) -> str:
        return scored_pair(i, j).decision

    def compatible(i: int, j: int) -> str:
        # No chaining: two records whose titles disagree share a study record only when they
        # are linked directly, by the same PMID or DOI or by a full citation (journal, volume,
        # page range, year, authors: the locator of one article, as for a title given in
        # another language) -- never through a third record.
        pair = scored_pair(i, j)
        if pair.decision == "different":
            return "different"
        if pair.title_sim < t.title_conflict and pair.decision != "same":
            return "different"
        return pair.decision

    ambiguous = _ambiguous_matches(scored, forced_map, decide)
    same = [
        (p.score, records[p.a].record_id, records[p.b].record_id, p.a, p.b)
        for p in scored
        if p.decision == "same" and (p.a, p.b) not in forced_map and (p.a, p.b) not in ambiguous
    ]
    bar.stage("clustering")
    clustering = cluster_records(n, same, forced, compatible)
    labels = clustering.labels

    # Final pair table: candidates plus decided pairs, with a person's decision applied.
    final: dict[tuple[int, int], PairScore] = {(p.a, p.b): p for p in scored}
    for key, d in forced_map.items():
        base = final.get(key) or by_pair.get(key) or score_pair(norms[key[0]], norms[key[1]], t)
        final[key] = _replace(base, rule=f"decision_file:{base.rule}", decision=d.decision)
    for key, (x, y) in ambiguous.items():
        base = final[key]
        final[key] = _replace(
            base,
            rule=f"{base.rule}+ambiguous:{records[x].record_id}|{records[y].record_id}",
            decision="possible",
        )
    for key, (x, y) in clustering.blocked.items():
        base = final[key]
        blocker = by_pair.get((x, y))
        why = "decision_file" if (x, y) in forced_map else (blocker.rule if blocker else "")
        # Blocked by a person or by an identifier conflict: settled; otherwise a person decides.
        settled = why in DECISIVE_BLOCKERS
        final[key] = _replace(
            base,
            rule=f"{base.rule}+blocked_by:{records[x].record_id}|{records[y].record_id}:{why}",
            decision="different" if settled else "possible",
        )
    # Indices follow record-id order, so index order is (a, b) record-id order.
    pairs = [final[k] for k in sorted(final)]
    possible = [p for p in pairs if p.decision == "possible" and labels[p.a] != labels[p.b]]
    # Free what merging no longer needs before it builds the merged rows (peak memory).
    del scored, same
    final.clear()
    by_pair.clear()
    norms.clear()
    clear_caches()

    if state.stamps is not None:
        _restore(records, index, state.paths, state.stamps)

    clusters: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        clusters.setdefault(label, []).append(i)
    studies: list[StudyRecord] = []
    study_of: dict[str, str] = {}
    bar.stage("merging")
    for members in clusters.values():
        ordered = sorted(
            (records[i] for i in members), key=lambda r: priority_key(rank_of[r.record_id], r)
        )
        study_id = ordered[0].record_id
        ids = sorted(r.record_id for r in ordered)
        for rid in ids:
            study_of[rid] = study_id
        studies.append(StudyRecord(study_id, ids, sorted({r.source for r in ordered}), ordered))
    studies.sort(key=lambda s: s.study_record_id)

    merged_away = n - len(studies)
    total, repeated = state.total, state.repeated
    summary = {
        "records_per_source": dict(sorted(state.per_source.items())),
        "records_per_run": dict(sorted(state.per_run.items())),
        "records_total": total,
        "duplicates_removed": repeated + merged_away,
        "removed_by_reason": {
            "same_record_id_in_earlier_run": repeated,
            "duplicate_of_study_record": merged_away,
        },
        "unique_records": len(studies),
        "possible_pairs": len(possible),
        "candidate_pairs": n_candidates,
        "decisions_applied": len(forced),
        "container_dois": len(containers),
    }
    if summary["unique_records"] + summary["duplicates_removed"] != total:  # pragma: no cover
        raise AssertionError("dedup accounting does not add up")
    return DedupResult(records, pairs, study_of, studies, possible, summary, clustering.blocked)
