"""The archive of a PubMed search: its ``log.json``, the names and digests of its raw answers,
its verified re-parse into records, and the results log written from it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evsynth import __version__
from evsynth.contracts.records import Record
from evsynth.errors import InputError
from evsynth.search.eutils import RetryableResponse
from evsynth.search.pubmed.answers import parse_esearch
from evsynth.sources.pubmed_xml import iter_pubmed_xml
from evsynth.tables import sha256_file

__all__ = [
    "ARCHIVE_FORMAT",
    "batch_name",
    "esearch_name",
    "parse_archive",
    "read_archive_log",
    "results_log",
    "some_ids",
]

ARCHIVE_FORMAT = "evsynth-pubmed-archive/1"


def esearch_name(n: int) -> str:
    return f"raw/esearch-{n:05d}.xml"


def batch_name(n: int) -> str:
    return f"raw/batch-{n:05d}.xml"


def read_archive_log(archive: Path) -> dict[str, Any] | None:
    """The archive's ``log.json``, or None when there is none yet.

    Logs written by evsynth carry ``format``; a log without it (an archive assembled by another
    tool, such as the review's reconstructed run) is accepted for offline re-parsing.
    """
    path = archive / "log.json"
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"unreadable search log ({exc})", path=str(path)) from None
    if not isinstance(data, dict):
        raise InputError("the search log is not a JSON object", path=str(path))
    if data.get("format", ARCHIVE_FORMAT) != ARCHIVE_FORMAT:
        raise InputError(
            f"unknown archive format {data.get('format')!r}; this evsynth reads {ARCHIVE_FORMAT!r}",
            path=str(path),
            field="format",
        )
    return data


def some_ids(items: list[str], n: int = 20) -> str:
    if not items:
        return "none"
    shown = ", ".join(items[:n])
    return shown + (f" and {len(items) - n} more" if len(items) > n else "")


def _archive_files(archive: Path, state: dict[str, Any]) -> tuple[list[str], list[dict]]:
    """ESearch files and batches (``{"file", "records"?, "sha256"?}``) of an archive, in order."""
    slices = state.get("slices")
    if isinstance(slices, list) and slices and all("file" in s for s in slices):
        esearch = [s["file"] for s in slices]
    else:
        esearch = [f"raw/{p.name}" for p in sorted((archive / "raw").glob("esearch-*.xml"))]
    batches = state.get("batches")
    if not isinstance(batches, list):
        batches = [{"file": f"raw/{p.name}"} for p in sorted((archive / "raw").glob("batch-*.xml"))]
    return esearch, batches


def parse_archive(archive: str | Path) -> tuple[list[Record], dict[str, Any]]:
    """Re-parse a complete archive: (records in batch order, the archive's log with file facts).

    Batches must match the SHA-256 in the log (when the log lists them) and the parsed PMIDs must
    equal the union of the archived ESearch id lists, which must equal the count reported, so a
    damaged or edited archive is an error, not a smaller search.
    """
    archive = Path(archive)
    state = read_archive_log(archive)
    if state is None:
        raise InputError(
            "no log.json: not an archived PubMed search (run `evsynth search pubmed` online "
            "with --out pointing here first)",
            path=str(archive),
        )
    if not state.get("complete"):
        raise InputError(
            "the archived retrieval is incomplete; finish it by rerunning the online command "
            "with the same --out",
            path=str(archive / "log.json"),
        )
    esearch, batches = _archive_files(archive, state)
    if not esearch or (not batches and state.get("count_reported") != 0):
        raise InputError(
            "the archive has no raw/esearch-*.xml or raw/batch-*.xml files",
            path=str(archive / "raw"),
        )
    expected: set[str] = set()
    for name in esearch:
        path = archive / name
        if not path.exists():
            raise InputError("ESearch file listed in log.json is missing", path=str(path))
        try:
            expected.update(parse_esearch(path).ids)
        except RetryableResponse as exc:
            raise InputError(f"damaged ESearch file ({exc})", path=str(path)) from None
    reported = state.get("count_reported")
    if reported is not None and len(expected) != reported:
        raise InputError(
            f"the ESearch files list {len(expected)} PMIDs but log.json reports {reported}",
            path=str(archive),
        )
    records: list[Record] = []
    files = []
    for batch in batches:
        path = archive / batch["file"]
        if not path.exists():
            raise InputError("batch file listed in log.json is missing", path=str(path))
        digest = sha256_file(path)
        if batch.get("sha256", digest) != digest:
            raise InputError(
                "batch file differs from the one retrieved (SHA-256 mismatch with log.json)",
                path=str(path),
            )
        n_before = len(records)
        records.extend(_iter_batch(path))
        n = len(records) - n_before
        if batch.get("records", n) != n:
            raise InputError(
                f"parsed {n} records, log.json says {batch['records']}", path=str(path)
            )
        files.append({"file": batch["file"], "records": n, "sha256": digest})
    got = {r.source_id for r in records}
    missing = sorted(expected - got, key=int)
    extra = sorted(got - expected)
    if missing or extra:
        raise InputError(
            f"the archived batches do not match the ESearch PMID lists: missing PMIDs "
            f"{some_ids(missing)}; PMIDs not in ESearch {some_ids(extra)}",
            path=str(archive),
        )
    return records, {**state, "batches": files}


def _iter_batch(path: Path) -> Iterator[Record]:
    yield from iter_pubmed_xml(path, label=str(path))


def results_log(
    state: dict[str, Any],
    *,
    archive: str,
    run: str | None,
    source: str,
    count_parsed: int,
    database: str,
    platform: str,
) -> dict[str, Any]:
    """The results log (``{source}.log.json``) from the archive's log (as returned by
    :func:`parse_archive`): nothing from the clock, so an offline rerun is byte-identical to the
    online run; the contract's fields (architecture.md) plus the PubMed request log."""
    archive = archive.rstrip("/")
    started = state.get("started")
    out = {
        "source": source,
        "run": run,
        "database": database,
        "platform": platform,
        "archive": archive,
        "query": state.get("query"),
        "query_translation": state.get("query_translation"),
        "date_from": state.get("date_from"),
        "date_to": state.get("date_to"),
        "date_type": state.get("date_type"),
        "run_date": started[:10] if started else None,
        "started": started,
        "finished": state.get("finished"),
        "count_reported": state.get("count_reported"),
        "count_retrieved": state.get("count_retrieved", count_parsed),
        "count_parsed": count_parsed,
        "eutils_url": state.get("eutils_url"),
        "tool": state.get("tool"),
        "tool_version": state.get("tool_version"),
        "parser_version": __version__,
        "api_key_used": state.get("api_key_used"),
        "batch_size": state.get("batch_size"),
        "slices": state.get("slices"),
        "requests": state.get("requests"),
        "batches_reused": state.get("batches_reused"),
        "warnings": state.get("warnings", []),
        "files": [
            {"path": f"{archive}/{b['file']}", "sha256": b["sha256"], "records": b["records"]}
            for b in state["batches"]
        ],
    }
    for key in ("note", "reconstructed"):  # provenance remarks of archives built by other tools
        if key in state:
            out[key] = state[key]
    return out
