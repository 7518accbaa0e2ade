"""Deduplicate the records of every search run: normalise, block, score, cluster, merge.

:func:`load_inputs` reads the records TSVs and assigns each to its search run, :func:`deduplicate`
computes a :class:`DedupResult` (nothing is written), and :mod:`evsynth.dedup.write` writes the
contract files. Records are processed in record-id order and every tie is broken by record id, so
the result is the same whatever the order of the inputs or the number of processes.
"""

from __future__ import annotations

import gc
import multiprocessing
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from evsynth.dedup.block import BlockingSettings, candidate_pairs
from evsynth.dedup.cluster import ForcedDecision, cluster_records
from evsynth.dedup.decisions import PairDecision, read_decisions
from evsynth.dedup.merge import merge_records, priority_key
from evsynth.dedup.normalise import NormRecord, clear_caches, normalise_record
from evsynth.dedup.progress import Progress
from evsynth.dedup.score import PairScore, Thresholds, score_pair
from evsynth.errors import InputError
from evsynth.records import COLUMNS, Record, iter_records, read_records

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


def _page_span(norm: NormRecord) -> tuple[int, int] | None:
    first, last = norm.first_page, norm.last_page or norm.first_page
    if not (first.isdigit() and last.isdigit()) or int(last) < int(first):
        return None
    return int(first), int(last)


def _multiple_letters(
    scored: Sequence[PairScore],
    norms: Sequence[NormRecord],
    forced: dict[tuple[int, int], ForcedDecision],
    scored_pair: Callable[[int, int], PairScore],
) -> dict[tuple[int, int], int]:
    """Letter-and-reply pairs that one Embase "(multiple letters)" record stands for.

    Embase indexes a letter printed with its replies as one record: the title of the letter
    marked "(multiple letters)", the authors of all, the pages of all. When such a record matches
    two records ("same") that the rules keep apart only because their authors or pages differ
    (a letter and its reply under one title), and the pages of both lie within the combined
    record's pages, the three are one item of the search: {(x, y): the combined record}. A
    person's decision on (x, y) wins; any other conflict (identifiers, titles, years) keeps the
    combined record ambiguous, as before.
    """
    hubs = {i for i, norm in enumerate(norms) if norm.multiple_letters}
    if not hubs:
        return {}
    partners: dict[int, list[int]] = {}
    for p in scored:
        if p.decision != "same" or (p.a, p.b) in forced:
            continue
        for hub, other in ((p.a, p.b), (p.b, p.a)):
            if hub in hubs and other not in hubs:
                partners.setdefault(hub, []).append(other)
    out: dict[tuple[int, int], int] = {}
    for hub in sorted(partners):
        span = _page_span(norms[hub])
        if span is None:
            continue
        inside = [
            x
            for x in sorted(partners[hub])
            if (s := _page_span(norms[x])) is not None and span[0] <= s[0] and s[1] <= span[1]
        ]
        for k, x in enumerate(inside):
            for y in inside[k + 1 :]:
                if (x, y) in forced:
                    continue
                pair = scored_pair(x, y)
                rule = pair.rule.split("+", 1)[0]
                conflicts = set(rule.removeprefix("title_but_").split("_"))
                if pair.decision == "different" and rule.startswith("title_but_") and (
                    conflicts <= {"authors", "pages"}
                ):
                    out.setdefault((x, y), hub)
    return out


def _ambiguous_matches(
    scored: Sequence[PairScore],
    forced: dict[tuple[int, int], ForcedDecision],
    decide: Callable[[int, int], str],
) -> dict[tuple[int, int], tuple[int, int]]:
    """Matches of a record to two records that are different from each other.

    A sparse record (no identifiers, no pages: often a CENTRAL entry) can match both an article
    and its erratum; whichever merge came first would be arbitrary, so both of its matches go to a
    person instead. Returns {pair: the two different records that made it ambiguous}.
    """
    partners: dict[int, list[int]] = {}
    for p in scored:
        if p.decision == "same" and (p.a, p.b) not in forced:
            partners.setdefault(p.a, []).append(p.b)
            partners.setdefault(p.b, []).append(p.a)
    out: dict[tuple[int, int], tuple[int, int]] = {}
    for r in sorted(partners):
        others = sorted(partners[r])
        for k, x in enumerate(others):
            for y in others[k + 1 :]:
                forced_xy = forced.get((x, y))
                apart = (
                    forced_xy.decision == "different" if forced_xy else decide(x, y) == "different"
                )
                if apart:
                    for z in (x, y):
                        key = (r, z) if r < z else (z, r)
                        out.setdefault(key, (x, y))
    return out


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


def _container_dois(norms: Sequence[NormRecord], t: Thresholds) -> set[str]:
    """DOIs carried by records with distinct titles: a supplement's or proceedings' DOI.

    A conference supplement's DOI is often exported on every abstract of the issue; such a DOI
    names the container, not an article, so it must never decide "same". A DOI counts as a
    container when its records have at least two titles that disagree (similarity below
    title_possible) and are both in the record's language (a translated title is not another
    article), or three or more such titles in any language. Those records are compared
    without it.
    """
    by_doi: dict[str, list[NormRecord]] = {}
    for r in norms:
        if r.doi:
            by_doi.setdefault(r.doi, []).append(r)
    out: set[str] = set()
    for doi, group in by_doi.items():
        if len(group) < 2:
            continue
        distinct: list[NormRecord] = []
        for r in group:
            if r.title and all(
                fuzz.ratio(r.title, d.title) / 100.0 < t.title_possible for d in distinct
            ):
                distinct.append(r)
        english = [r for r in distinct if not r.foreign]
        if len(distinct) >= 3 or len(english) >= 2:
            out.add(doi)
    for r in norms:
        if r.doi in out:
            r.container_doi = r.doi
            r.doi = ""
    return out


def _mark_container(
    pair: PairScore, norms: Sequence[NormRecord], containers: set[str]
) -> PairScore:
    """Name the shared container DOI in the rule, so pairs.tsv says why the DOI did not decide."""
    a, b = norms[pair.a], norms[pair.b]
    if containers and a.container_doi and a.container_doi == b.container_doi:
        return _replace(pair, rule=f"{pair.rule}+container_doi", decision=pair.decision)
    return pair


def _replace(pair: PairScore, *, rule: str, decision: str) -> PairScore:
    return PairScore(
        pair.a,
        pair.b,
        pair.score,
        pair.title_sim,
        pair.author_sim,
        pair.journal_sim,
        pair.year_match,
        pair.doi_match,
        pair.pmid_match,
        rule,
        decision,
    )
