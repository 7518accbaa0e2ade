"""The files between the steps of a partitioned dedup: prepare -> score K/N (N jobs) -> merge.

One ``evsynth dedup`` is :func:`~evsynth.dedup.engine.prepare`, scoring, then
:func:`~evsynth.dedup.engine.finish`. The partitioned run makes the same calls in separate
processes and hands their state over in a work directory:

- ``records.pkl``: the records (id and source only), their runs, the input counts, the records
  TSVs' paths with their size and modification time (merging reads the other fields again);
- ``norms.pkl``: the normalised records (container DOIs already found), the thresholds and the
  sorted candidate pairs, which is all a scoring job reads;
- ``scored-K-of-N.pkl``: the scores of partition K of N, the K-th of N consecutive slices of
  the sorted candidate list (:func:`~evsynth.dedup.engine.partition_bounds`).

Merging checks that the partitions are exactly 1..N of one N, made from this prepare run (a
fingerprint of its candidate pairs and inputs), and that each holds its slice's pairs in order;
their concatenation is then the list one job scores, and finish() makes the same outputs.

The files are Python pickles: an intermediate of one evsynth version on the review's own file
system, read only by the steps that wrote them (never load a work directory from someone else:
unpickling can run code). A file from another evsynth version or format is refused.
"""

from __future__ import annotations

import hashlib
import pickle
import re
from array import array
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import overload

from evsynth import __version__
from evsynth.dedup.engine import Prepared, partition_bounds
from evsynth.dedup.score import PairScore
from evsynth.errors import InputError

__all__ = [
    "NORMS_FILE",
    "RECORDS_FILE",
    "PairCodes",
    "parse_partition",
    "read_norms",
    "read_prepared",
    "read_scored",
    "scored_files",
    "scored_name",
    "write_prepared",
    "write_scored",
]

RECORDS_FILE = "records.pkl"
NORMS_FILE = "norms.pkl"
_MAGIC = b"evsynth-dedup-work\n"
_FORMAT = 1
_PARTITION = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_SCORED = re.compile(r"^scored-(\d+)-of-(\d+)\.pkl$")


class PairCodes(Sequence[tuple[int, int]]):
    """The sorted candidate pairs as stored (``i * n + j`` in an int64 array), read as pairs.

    A scoring job turns only its own slice into tuples and the merge none: a million records'
    candidate list as tuples would be several hundred MB in every job.
    """

    def __init__(self, codes: array, n: int) -> None:
        self.codes = codes
        self.n = n

    def __len__(self) -> int:
        return len(self.codes)

    @overload
    def __getitem__(self, key: int) -> tuple[int, int]: ...
    @overload
    def __getitem__(self, key: slice) -> list[tuple[int, int]]: ...
    def __getitem__(self, key: int | slice) -> tuple[int, int] | list[tuple[int, int]]:
        n = self.n
        if isinstance(key, slice):
            return [divmod(code, n) for code in self.codes[key]]
        return divmod(self.codes[key], n)

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None  # type: ignore[assignment]


def parse_partition(text: str) -> tuple[int, int]:
    """``"K/N"`` -> ``(K, N)`` with 1 <= K <= N; anything else is an InputError."""
    match = _PARTITION.match(text)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise InputError(f"--partition {text!r}: expected K/N with 1 <= K <= N, e.g. 2/4")
    return int(match.group(1)), int(match.group(2))


def scored_name(k: int, n: int) -> str:
    """File name of partition K of N's scores in the work directory."""
    return f"scored-{k}-of-{n}.pkl"


def _fingerprint(state: Prepared, codes: array) -> str:
    digest = hashlib.sha256()
    digest.update(f"{_FORMAT}|{__version__}|{len(state.norms)}|{state.thresholds!r}|".encode())
    for path in state.paths:
        stamp = state.stamps.get(path) if state.stamps else None
        digest.update(f"{path}|{stamp}|".encode())
    digest.update(codes.tobytes())
    return digest.hexdigest()


def _dump(path: Path, header: dict, payload: object) -> None:
    tmp = path.with_name(path.name + ".part")
    with tmp.open("wb") as handle:
        handle.write(_MAGIC)
        pickle.dump(header, handle, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)  # a job killed while writing leaves no half file under the real name


def _open(path: Path, kind: str):
    if not path.is_file():
        raise InputError(
            f"dedup work file not found (run the step that writes {kind})", path=str(path)
        )
    handle = path.open("rb")
    try:
        if handle.read(len(_MAGIC)) != _MAGIC:
            raise InputError("not a dedup work file written by evsynth", path=str(path))
        try:
            header = pickle.load(handle)
        except Exception as exc:
            raise InputError(f"unreadable dedup work file ({exc})", path=str(path)) from exc
        if not isinstance(header, dict) or header.get("kind") != kind:
            found = header.get("kind") if isinstance(header, dict) else "?"
            raise InputError(f"expected a {kind} work file, found {found!r}", path=str(path))
        if header.get("format") != _FORMAT or header.get("version") != __version__:
            raise InputError(
                f"written by evsynth {header.get('version')} (work format "
                f"{header.get('format')}); this is evsynth {__version__}: run "
                "`evsynth dedup-prepare` again",
                path=str(path),
            )
    except BaseException:
        handle.close()
        raise
    return handle, header


def _load(handle, path: Path) -> object:
    with handle:
        try:
            return pickle.load(handle)
        except Exception as exc:
            raise InputError(
                f"truncated or damaged dedup work file ({exc})", path=str(path)
            ) from exc


def write_prepared(state: Prepared, work: str | Path) -> str:
    """Write records.pkl and norms.pkl into ``work``; returns the run's fingerprint."""
    out = Path(work)
    out.mkdir(parents=True, exist_ok=True)
    n = len(state.norms)
    codes = array("q", (i * n + j for i, j in state.candidates))
    fingerprint = _fingerprint(state, codes)
    header = {
        "format": _FORMAT,
        "version": __version__,
        "fingerprint": fingerprint,
        "records": n,
        "candidates": len(codes),
    }
    _dump(
        out / NORMS_FILE,
        {**header, "kind": "norms"},
        (state.norms, state.thresholds, state.containers, codes),
    )
    _dump(
        out / RECORDS_FILE,
        {**header, "kind": "records"},
        (
            state.records,
            state.rank_of,
            state.per_source,
            state.per_run,
            state.repeated,
            state.total,
            state.paths,
            state.stamps,
        ),
    )
    return fingerprint


def read_norms(work: str | Path) -> tuple[Prepared, str]:
    """What a scoring job needs (records left empty), and the fingerprint of the prepare run."""
    path = Path(work) / NORMS_FILE
    handle, header = _open(path, "norms")
    norms, thresholds, containers, codes = _load(handle, path)  # type: ignore[misc]
    n = len(norms)
    candidates = PairCodes(codes, n)
    state = Prepared([], norms, {}, Counter(), Counter(), 0, 0, containers, candidates,
                     thresholds, [], None)  # fmt: skip
    return state, header["fingerprint"]


def read_prepared(work: str | Path) -> tuple[Prepared, str]:
    """The whole state of a prepare run (for merging), and its fingerprint."""
    state, fingerprint = read_norms(work)
    path = Path(work) / RECORDS_FILE
    handle, header = _open(path, "records")
    if header["fingerprint"] != fingerprint:
        raise InputError(
            f"{RECORDS_FILE} and {NORMS_FILE} come from different prepare runs; run "
            "`evsynth dedup-prepare` again",
            path=str(path),
        )
    loaded = _load(handle, path)
    records, rank_of, per_source, per_run, repeated, total, paths, stamps = loaded  # type: ignore[misc]
    state.records, state.rank_of = records, rank_of
    state.per_source, state.per_run = per_source, per_run
    state.repeated, state.total, state.paths, state.stamps = repeated, total, paths, stamps
    return state, fingerprint


def write_scored(
    scored: Sequence[PairScore], work: str | Path, k: int, n: int, fingerprint: str,
    n_candidates: int, out: str | Path | None = None,
) -> Path:  # fmt: skip
    """Write partition K of N's scores (default: WORK/scored-K-of-N.pkl); returns the path."""
    start, end = partition_bounds(n_candidates, k, n)
    path = Path(out) if out else Path(work) / scored_name(k, n)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {
        "kind": "scored",
        "format": _FORMAT,
        "version": __version__,
        "fingerprint": fingerprint,
        "partition": k,
        "partitions": n,
        "start": start,
        "end": end,
    }
    rows = [
        (p.a, p.b, p.score, p.title_sim, p.author_sim, p.journal_sim, p.year_match, p.doi_match,
         p.pmid_match, p.rule, p.decision)
        for p in scored
    ]  # fmt: skip
    _dump(path, header, rows)
    return path


def read_scored(
    paths: Sequence[str | Path], state: Prepared, fingerprint: str, work: str | Path
) -> list[PairScore]:
    """Every partition's scores, checked and concatenated in partition order.

    The files must be partitions 1..N of one N, each once, from the prepare run with this
    ``fingerprint``, each holding exactly its slice of the candidate pairs in order; otherwise an
    InputError names the file and what is wrong (nothing is merged from a partial set).
    """
    if not paths:
        raise InputError(
            f"no partition scores (scored-K-of-N.pkl) in {work}; run `evsynth dedup-score "
            f"--work {work} --partition K/N` for K = 1..N first"
        )
    headers: dict[int, tuple[Path, dict, object]] = {}
    split: tuple[int, Path] | None = None
    for raw in paths:
        path = Path(raw)
        handle, header = _open(path, "scored")
        k, n = header["partition"], header["partitions"]
        if not 1 <= k <= n:
            handle.close()
            raise InputError(f"partition {k}/{n}: K is not between 1 and N", path=str(path))
        if split is None:
            split = (n, path)
        elif n != split[0]:
            handle.close()
            raise InputError(
                f"partition files from different splits: {k}/{n} here, {split[0]} partitions in "
                f"{split[1]}; give the files of one N",
                path=str(path),
            )
        if header["fingerprint"] != fingerprint:
            handle.close()
            raise InputError(
                f"partition {k}/{n} was scored from another prepare run; run `evsynth "
                f"dedup-score --partition {k}/{n}` again",
                path=str(path),
            )
        if k in headers:
            handle.close()
            raise InputError(
                f"partition {k}/{n} given twice (also {headers[k][0]}); give each once",
                path=str(path),
            )
        headers[k] = (path, header, handle)
    assert split is not None
    n = split[0]
    missing = [k for k in range(1, n + 1) if k not in headers]
    if missing:
        for _path, _header, handle in headers.values():
            handle.close()  # type: ignore[attr-defined]
        names = ", ".join(f"{k}/{n}" for k in missing)
        raise InputError(
            f"partition {names} missing from the merge (found {len(headers)} of {n}); run "
            f"`evsynth dedup-score --work {work} --partition K/{n}` for each",
        )
    candidates = state.candidates
    out: list[PairScore] = []
    for k in range(1, n + 1):
        path, header, handle = headers[k]
        start, end = partition_bounds(len(candidates), k, n)
        rows: list[tuple] = _load(handle, path)  # type: ignore[assignment]
        if (header["start"], header["end"]) != (start, end) or len(rows) != end - start:
            raise InputError(
                f"partition {k}/{n} holds {len(rows)} pairs, its slice of the candidates has "
                f"{end - start}; run `evsynth dedup-score --partition {k}/{n}` again",
                path=str(path),
            )
        for offset, row in enumerate(rows):
            if (row[0], row[1]) != candidates[start + offset]:
                raise InputError(
                    f"partition {k}/{n}, pair {offset + 1}: not the candidate pair of its slice; "
                    f"run `evsynth dedup-score --partition {k}/{n}` again",
                    path=str(path),
                )
            out.append(PairScore(*row))
    return out


def scored_files(work: str | Path) -> list[Path]:
    """The ``scored-K-of-N.pkl`` files in a work directory, in (N, K) order."""
    found = []
    for path in Path(work).glob("scored-*-of-*.pkl"):
        match = _SCORED.match(path.name)
        if match:
            found.append(((int(match.group(2)), int(match.group(1))), path))
    return [p for _key, p in sorted(found)]
