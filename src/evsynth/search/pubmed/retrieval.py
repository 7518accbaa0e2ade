"""A PubMed retrieval: plan date slices ESearch can page through, fetch their records in verified
batches, resume an interrupted run, and write the archive's log."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from evsynth import __version__
from evsynth.errors import EvsynthError, InputError
from evsynth.search.eutils import (
    EutilsClient,
    EutilsError,
    HistoryExpired,
    RetryableResponse,
    is_off_peak,
    now_utc,
)
from evsynth.search.pubmed.answers import EsearchResult, parse_esearch, scan_efetch
from evsynth.search.pubmed.archive import (
    ARCHIVE_FORMAT,
    batch_name,
    esearch_name,
    read_archive_log,
    some_ids,
)
from evsynth.search.pubmed.progress import Progress
from evsynth.search.pubmed.request import PAGE_CAP, SearchRequest
from evsynth.tables import sha256_file, write_json

__all__ = ["LARGE_JOB_REQUESTS", "retrieve_pubmed"]

log = logging.getLogger("evsynth.search")

# NCBI asks for large jobs on weekends or 21:00-05:00 US Eastern; "large" is our threshold.
LARGE_JOB_REQUESTS = 100


def _ncbi_date(d: date) -> str:
    return d.strftime("%Y/%m/%d")


@dataclass(slots=True)
class _Slice:
    date_from: date
    date_to: date
    result: EsearchResult
    file: str


class _Retriever:
    def __init__(
        self,
        request: SearchRequest,
        archive: Path,
        client: EutilsClient,
        *,
        batch_size: int,
        page_cap: int,
        progress: bool,
        clock: Callable[[], datetime],
    ) -> None:
        self.request = request
        self.archive = archive
        self.raw = archive / "raw"
        self.client = client
        self.batch_size = batch_size
        self.page_cap = page_cap
        self.progress = progress
        self.clock = clock

    # -- ESearch ---------------------------------------------------------------------------------
    def _esearch(self, lo: date, hi: date, what: str) -> tuple[Path, EsearchResult]:
        req = self.request
        params = {
            "db": "pubmed",
            "term": req.query,
            "datetype": req.datetype,
            "mindate": _ncbi_date(lo),
            "maxdate": _ncbi_date(hi),
            "usehistory": "y",
            "retstart": "0",
            "retmax": str(self.page_cap),
        }
        cap = self.page_cap

        def validate(path: Path) -> EsearchResult:
            result = parse_esearch(path)
            if result.count <= cap and len(result.ids) != result.count:
                raise RetryableResponse(
                    "incomplete_idlist",
                    f"ESearch reported {result.count} records but listed {len(result.ids)} PMIDs",
                )
            return result

        return self.client.call("esearch", params, validate=validate, dest_dir=self.raw, what=what)

    def _plan(self, lo: date, hi: date, slices: list[_Slice], top: list[EsearchResult]) -> None:
        what = f"ESearch {lo}..{hi}"
        tmp, result = self._esearch(lo, hi, what)
        if not top:
            top.append(result)
        if result.count <= self.page_cap:
            name = esearch_name(len(slices) + 1)
            tmp.replace(self.archive / name)
            slices.append(_Slice(lo, hi, result, name))
            return
        tmp.unlink()
        if lo == hi:
            raise EutilsError(
                f"PubMed has {result.count:,} records for the single day {lo} (date type "
                f"{self.request.datetype}), more than the {self.page_cap:,} ESearch can page "
                "through; narrow the query, or choose another date type, for that day"
            )
        mid = lo + timedelta(days=(hi - lo).days // 2)
        log.info("%s: %s records > %s; splitting the window", what, result.count, self.page_cap)
        self._plan(lo, mid, slices, top)
        self._plan(mid + timedelta(days=1), hi, slices, top)

    # -- EFetch ----------------------------------------------------------------------------------
    def _fetch_batch(
        self, n: int, ids: list[str], history: dict[str, Any] | None
    ) -> tuple[Path, list[str]]:
        what = f"EFetch batch {n}"
        expected = Counter(ids)

        def validate(path: Path) -> list[str]:
            got = scan_efetch(path)
            if Counter(got) != expected:
                missing = sorted(set(expected) - set(got), key=int)
                extra = sorted(set(got) - set(expected), key=lambda s: int(s) if s.isdigit() else 0)
                dup = sorted(p for p, c in Counter(got).items() if c > 1)
                raise RetryableResponse(
                    "incomplete_batch",
                    f"{what} returned {len(got)} records for {len(ids)} PMIDs; "
                    f"missing PMIDs: {some_ids(missing)}; unexpected PMIDs: {some_ids(extra)}; "
                    f"repeated PMIDs: {some_ids(dup)} (if PubMed no longer has a record, start the "
                    "search again in a new archive directory)",
                )
            return got

        base = {"db": "pubmed", "retmode": "xml"}
        if history is not None:
            params = {
                **base,
                "WebEnv": history["webenv"],
                "query_key": history["query_key"],
                "retstart": str(history["retstart"]),
                "retmax": str(len(ids)),
            }
        else:
            params = {**base, "id": ",".join(ids)}
        return self.client.call("efetch", params, validate=validate, dest_dir=self.raw, what=what)

    # -- the run ---------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        req = self.request
        self.raw.mkdir(parents=True, exist_ok=True)
        for leftover in self.raw.glob(".*.part"):  # answers cut off when a run was killed
            leftover.unlink()
        state = read_archive_log(self.archive)
        if state is not None:
            diffs = req.same_search(state)
            if diffs:
                raise InputError(
                    "this archive holds a different search (" + "; ".join(diffs) + "); "
                    "use a new --out directory for a new search",
                    path=str(self.archive / "log.json"),
                )
            if state.get("complete"):
                log.info("%s: archived search is complete; nothing downloaded", self.archive)
                return state
        started = self.clock()
        if state is not None and state.get("slices"):
            log.info("%s: resuming an interrupted retrieval", self.archive)
            slices = []
            for s in state["slices"]:
                result = parse_esearch(self.archive / s["file"])
                slices.append(
                    _Slice(
                        date.fromisoformat(s["from"]),
                        date.fromisoformat(s["to"]),
                        result,
                        s["file"],
                    )
                )
            count_reported = state["count_reported"]
            translation = state["query_translation"]
            warnings = state["warnings"]
            batch_size = state["batch_size"]
            if batch_size != self.batch_size:
                log.warning(
                    "resuming with the archive's batch size %d (not %d)",
                    batch_size,
                    self.batch_size,
                )
            started_iso = state["started"]
        else:
            slices, top = [], []
            self._plan(req.date_from, req.date_to, slices, top)
            count_reported = top[0].count
            translation = top[0].query_translation
            warnings = sorted(set(top[0].warnings))
            batch_size = self.batch_size
            started_iso = started.isoformat().replace("+00:00", "Z")

        union: dict[str, int] = {}
        for k, s in enumerate(slices):
            for pmid in s.result.ids:
                union.setdefault(pmid, k)
        if len(union) != count_reported:
            raise EutilsError(
                f"the {len(slices)} date slices of {req.date_from}..{req.date_to} together hold "
                f"{len(union):,} PMIDs but ESearch reported {count_reported:,} for the whole "
                "window (records with no date of this type, or PubMed changed while searching); "
                "rerun in a new archive directory, or try another date type"
            )

        # Batches: each slice's own PMIDs (those not already in an earlier slice), in order.
        batches: list[tuple[int, list[str], dict[str, Any] | None]] = []
        for k, s in enumerate(slices):
            own = [p for p in s.result.ids if union[p] == k]
            clean = len(own) == len(s.result.ids) and s.result.webenv and s.result.query_key
            for start in range(0, len(own), batch_size):
                history = (
                    {"webenv": s.result.webenv, "query_key": s.result.query_key, "retstart": start}
                    if clean
                    else None
                )
                batches.append((k, own[start : start + batch_size], history))

        base_log = {
            "format": ARCHIVE_FORMAT,
            "complete": False,
            "database": "PubMed",
            "query": req.query,
            "query_translation": translation,
            "date_from": req.date_from.isoformat(),
            "date_to": req.date_to.isoformat(),
            "date_type": req.datetype,
            "count_reported": count_reported,
            "eutils_url": self.client.base_url,
            "tool": self.client.settings.tool,
            "tool_version": __version__,
            "api_key_used": bool(self.client.settings.api_key),
            "batch_size": batch_size,
            "page_cap": self.page_cap,
            "started": started_iso,
            "warnings": warnings,
            "slices": [
                {
                    "from": s.date_from.isoformat(),
                    "to": s.date_to.isoformat(),
                    "count": s.result.count,
                    "file": s.file,
                }
                for s in slices
            ],
        }
        write_json(self.archive / "log.json", base_log)

        if len(batches) + len(slices) > LARGE_JOB_REQUESTS and not is_off_peak(self.clock()):
            log.warning(
                "this retrieval needs about %d requests; NCBI asks that large jobs run on "
                "weekends or between 21:00 and 05:00 US Eastern time on weekdays",
                len(batches) + len(slices),
            )

        bar = Progress(len(union), enabled=self.progress)
        batch_files = []
        retrieved: set[str] = set()
        reused = 0
        expired = set()
        for n, (k, ids, history) in enumerate(batches, start=1):
            name = batch_name(n)
            path = self.archive / name
            got = None
            if path.exists():
                try:
                    got = scan_efetch(path)
                except (RetryableResponse, EvsynthError):
                    got = None
                if got is not None and Counter(got) == Counter(ids):
                    reused += 1
                    bar.update(len(ids), fetched=False)
                else:
                    log.warning("%s does not hold the expected PMIDs; fetching it again", name)
                    got = None
            if got is None:
                use = history if k not in expired else None
                try:
                    tmp, got = self._fetch_batch(n, ids, use)
                except HistoryExpired:
                    log.info("history of slice %d expired; fetching by PMID lists", k + 1)
                    expired.add(k)
                    tmp, got = self._fetch_batch(n, ids, None)
                tmp.replace(path)
                bar.update(len(ids))
            retrieved.update(got)
            batch_files.append({"file": name, "records": len(got), "sha256": sha256_file(path)})

        missing = sorted(set(union) - retrieved, key=int)
        if missing:
            raise EutilsError(
                f"EFetch did not return {len(missing)} PMIDs that ESearch reported: "
                f"{some_ids(missing)}"
            )
        stale = sorted(
            p.name
            for p in self.raw.glob("batch-*.xml")
            if f"raw/{p.name}" not in {b["file"] for b in batch_files}
        )
        if stale:
            raise EutilsError(f"{self.raw} holds batch files outside the plan: {', '.join(stale)}")

        final = {
            **base_log,
            "complete": True,
            "count_retrieved": len(retrieved),
            "finished": self.clock().isoformat().replace("+00:00", "Z"),
            "batches": batch_files,
            "batches_reused": reused,
            "requests": self.client.stats.to_dict(),
        }
        write_json(self.archive / "log.json", final)
        return final


def retrieve_pubmed(
    request: SearchRequest,
    archive: str | Path,
    *,
    client: EutilsClient,
    batch_size: int = 500,
    page_cap: int = PAGE_CAP,
    progress: bool = True,
    clock: Callable[[], datetime] = now_utc,
) -> dict[str, Any]:
    """Run (or resume, or skip if complete) a PubMed retrieval into ``archive``; return its log.

    Parameters
    ----------
    request
        The query, the inclusive date window and the date type.
    archive
        The archive directory; created if needed.
    client
        The E-utilities client (rate limit, retries, base URL, tool/email/key).
    batch_size
        PMIDs per EFetch request (1..10,000; NCBI suggests a few hundred for PubMed XML).
    page_cap
        How many results ESearch pages through (PubMed: 9,999); smaller values only for tests.
    """
    if not 1 <= batch_size <= 10000:
        raise InputError(f"batch size must be 1..10000, got {batch_size}", field="batch_size")
    if not 1 <= page_cap <= PAGE_CAP:
        raise InputError(f"page cap must be 1..{PAGE_CAP}, got {page_cap}", field="page_cap")
    return _Retriever(
        request,
        Path(archive),
        client,
        batch_size=batch_size,
        page_cap=page_cap,
        progress=progress,
        clock=clock,
    ).run()
