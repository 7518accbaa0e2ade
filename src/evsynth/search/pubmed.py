"""PubMed retrieval through E-utilities into an archive, and the archive's re-parse.

A search is reproducible only if what PubMed answered is kept: the archive
(``resources/searches/{run}/pubmed/`` or any ``--out DIR``) holds ``log.json`` (the search log) and
``raw/esearch-00001.xml``... (the ESearch answer of each date slice, with its PMID list) and
``raw/batch-00001.xml``... (the EFetch ``PubmedArticleSet`` answers). Offline mode re-parses the
archive and needs no network.

Completeness is checked, never assumed. PubMed pages through at most the first 9,999 results of
a query (FORMATS.md), so a larger search is split into date slices by recursive halving of the
date window, down to single days; the union of the slices' PMIDs must equal the count ESearch
reported for the whole window, and the PMIDs EFetch returns must equal that union. A mismatch is
an error naming the PMIDs, because a silently incomplete search invalidates a systematic review
(PRISMA 2020 item 7; PRISMA-S items 8 and 13).

Retrieval is resumable: the slice plan is written to ``log.json`` before any EFetch, each batch is
renamed into ``raw/`` only once it is complete and verified, so an interrupted run continues with
the first missing batch; a run whose ``log.json`` says ``complete`` is never downloaded again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from xml.parsers import expat

from tqdm import tqdm

from evsynth import __version__
from evsynth.errors import EvsynthError, InputError
from evsynth.records import Record
from evsynth.search.eutils import (
    EutilsClient,
    EutilsError,
    HistoryExpired,
    RetryableResponse,
    is_off_peak,
    now_utc,
)
from evsynth.sources.pubmed_xml import iter_pubmed_xml
from evsynth.tables import write_json

__all__ = [
    "ARCHIVE_FORMAT",
    "DATETYPES",
    "PAGE_CAP",
    "EsearchResult",
    "Progress",
    "SearchRequest",
    "parse_archive",
    "parse_date",
    "parse_esearch",
    "read_archive_log",
    "results_log",
    "retrieve_pubmed",
    "scan_efetch",
]

log = logging.getLogger("evsynth.search")

# PubMed ESearch pages through only the first 9,999 results of a query (retstart <= 9,998).
PAGE_CAP = 9999
DATETYPES = ("pdat", "edat", "mdat")
ARCHIVE_FORMAT = "evsynth-pubmed-archive/1"
# NCBI asks for large jobs on weekends or 21:00-05:00 US Eastern; "large" is our threshold.
LARGE_JOB_REQUESTS = 100
_HISTORY_GONE = re.compile(r"Unable to obtain query|WebEnv|query_key", re.IGNORECASE)


def parse_date(text: str, *, field: str) -> date:
    """A ``YYYY-MM-DD`` (or ``YYYY/MM/DD``) date; anything else is an InputError."""
    match = re.fullmatch(r"(\d{4})[-/](\d{2})[-/](\d{2})", str(text).strip())
    try:
        if not match:
            raise ValueError
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise InputError(f"{text!r} is not a date; use YYYY-MM-DD", field=field) from None


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchRequest:
    """What was searched: the query as given, the date window (inclusive) and its date type."""

    query: str
    date_from: date
    date_to: date
    datetype: str = "pdat"

    def __post_init__(self) -> None:
        if not self.query.strip():
            raise InputError("the PubMed query is empty", field="query")
        if self.datetype not in DATETYPES:
            raise InputError(
                f"date type {self.datetype!r} is not one of {', '.join(DATETYPES)} "
                "(publication, Entrez and modification date)",
                field="datetype",
            )
        if self.date_from > self.date_to:
            raise InputError(
                f"the date window starts ({self.date_from}) after it ends ({self.date_to})",
                field="from",
            )

    def same_search(self, logged: dict[str, Any]) -> list[str]:
        """Fields on which an archive's log differs from this request (whitespace-folded query)."""
        diffs = []
        if " ".join(self.query.split()) != " ".join(str(logged.get("query", "")).split()):
            diffs.append(f"query: archive {logged.get('query')!r}, requested {self.query!r}")
        for key, mine in (
            ("date_from", self.date_from.isoformat()),
            ("date_to", self.date_to.isoformat()),
            ("date_type", self.datetype),
        ):
            if logged.get(key) != mine:
                diffs.append(f"{key}: archive {logged.get(key)!r}, requested {mine!r}")
        return diffs


@dataclass(frozen=True, slots=True)
class EsearchResult:
    """One ESearch answer: count, PMIDs in PubMed's order, history keys and PubMed's translation."""

    count: int
    ids: tuple[str, ...]
    webenv: str
    query_key: str
    query_translation: str
    warnings: tuple[str, ...]


def parse_esearch(path: Path) -> EsearchResult:
    """Read an ESearch answer; ``<ERROR>`` or unparsable XML raise RetryableResponse."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise RetryableResponse("unparsable_xml", f"ESearch answer is not XML ({exc})") from None
    error = root.find("ERROR") if root.tag != "ERROR" else root
    if error is not None:
        raise RetryableResponse("error_payload", f"ESearch ERROR: {(error.text or '').strip()}")
    if root.tag != "eSearchResult" or root.find("Count") is None:
        raise RetryableResponse("unexpected_xml", f"ESearch answered <{root.tag}>, no <Count>")
    warnings = []
    for group in ("ErrorList", "WarningList"):
        node = root.find(group)
        if node is not None:
            warnings += [f"{child.tag}: {(child.text or '').strip()}" for child in node]
    return EsearchResult(
        count=int(root.findtext("Count", "0")),
        ids=tuple((e.text or "").strip() for e in root.iterfind("IdList/Id")),
        webenv=root.findtext("WebEnv", "").strip(),
        query_key=root.findtext("QueryKey", "").strip(),
        query_translation=" ".join(root.findtext("QueryTranslation", "").split()),
        warnings=tuple(warnings),
    )


_ARTICLE_START = re.compile(rb"<Pubmed(?:Book)?Article[\s>]")
_PMID = re.compile(
    rb"<(?:MedlineCitation|BookDocument)\b[^>]*>\s*<PMID\b[^>]*>\s*([^<\s]*)\s*</PMID>"
)
_ERROR = re.compile(rb"<ERROR>(.*?)</ERROR>", re.DOTALL)


def scan_efetch(path: Path) -> list[str]:
    """The PMIDs of an EFetch ``PubmedArticleSet`` in file order: the transport check.

    Checks the answer is complete, well-formed XML without ``<ERROR>`` before it enters the
    archive; records are parsed later by :func:`evsynth.sources.pubmed_xml.iter_pubmed_xml`.
    Well-formedness is checked by expat without Python callbacks and PMIDs are read with a
    pattern (PMID is the first child of ``MedlineCitation`` and ``BookDocument`` in NLM's DTD),
    so the check costs a few milliseconds per batch and never slows a rate-limited retrieval.
    Entity declarations are refused (no export needs them) and no DTD is ever fetched.
    """
    data = path.read_bytes()  # one batch: bounded by the batch size, not by the search
    error = _ERROR.search(data)
    if error:
        message = " ".join(error.group(1).decode("utf-8", "replace").split())
        if _HISTORY_GONE.search(message):
            raise HistoryExpired(message)
        raise RetryableResponse("error_payload", f"EFetch ERROR: {message}")
    root: list[str] = []

    def start(name: str, _attrs: object) -> None:
        root.append(name)
        parser.StartElementHandler = None  # only the root matters; the rest runs in C

    def entity(*_args: object) -> None:
        raise RetryableResponse("unexpected_xml", "EFetch answer declares XML entities")

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EntityDeclHandler = entity
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise RetryableResponse(
            "unparsable_xml", f"EFetch answer is truncated or not XML ({exc})"
        ) from None
    if not root or root[0] != "PubmedArticleSet":
        raise RetryableResponse("unexpected_xml", f"EFetch answered <{root[0] if root else ''}>")
    pmids = [m.decode("ascii", "replace") for m in _PMID.findall(data)]
    articles = len(_ARTICLE_START.findall(data))
    if articles != len(pmids):
        raise RetryableResponse(
            "unexpected_xml", f"EFetch answer has {articles} articles but {len(pmids)} PMIDs"
        )
    return pmids


_PROGRESS_FORMAT = (
    "pubmed [{bar:30}] {n:,}/{total:,} records ({percentage:5.1f}%) {rate_noinv_fmt} "
    "ETA {remaining}"
)


class Progress:
    """Records fetched / total, percent, rate and ETA on stderr, drawn by tqdm.

    On a terminal tqdm redraws the bar in place. In a log file (Snakemake) a whole line, laid out
    by tqdm's ``format_meter``, is written at most every ``interval`` seconds and at the end, so
    logs stay short and hold no carriage returns. The rate counts fetched records only: batches
    reused from the archive would make the ETA of the rest look too short.
    """

    def __init__(
        self, total: int, *, stream: TextIO | None = None, enabled: bool = True, interval=5.0
    ):
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval
        self.start = time.monotonic()
        self._last = 0.0
        self._fetched = 0
        self._bar = (
            tqdm(
                total=total,
                file=self.stream,
                unit=" rec",
                ascii=True,
                bar_format=_PROGRESS_FORMAT,
            )
            if enabled and self.tty
            else None
        )

    def update(self, records: int, *, fetched: bool = True) -> None:
        """Count ``records`` more done (``fetched=False``: reused from the archive)."""
        self.done += records
        if fetched:
            self._fetched += records
        if self._bar is not None:
            self._bar.update(records)
            if self.done >= self.total:
                self._bar.close()
            return
        now = time.monotonic()
        final = self.done >= self.total
        if not self.enabled or (not final and now - self._last < self.interval):
            return
        self._last = now
        elapsed = max(now - self.start, 1e-9)
        line = tqdm.format_meter(
            self.done,
            self.total,
            elapsed,
            unit=" rec",
            ascii=True,
            bar_format=_PROGRESS_FORMAT,
            rate=self._fetched / elapsed,
        )
        self.stream.write(line + "\n")
        self.stream.flush()


def _ncbi_date(d: date) -> str:
    return d.strftime("%Y/%m/%d")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _esearch_name(n: int) -> str:
    return f"raw/esearch-{n:05d}.xml"


def _batch_name(n: int) -> str:
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
            name = _esearch_name(len(slices) + 1)
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
                    f"missing PMIDs: {_some(missing)}; unexpected PMIDs: {_some(extra)}; "
                    f"repeated PMIDs: {_some(dup)} (if PubMed no longer has a record, start the "
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
            name = _batch_name(n)
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
            batch_files.append({"file": name, "records": len(got), "sha256": _sha256(path)})

        missing = sorted(set(union) - retrieved, key=int)
        if missing:
            raise EutilsError(
                f"EFetch did not return {len(missing)} PMIDs that ESearch reported: "
                f"{_some(missing)}"
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


def _some(items: list[str], n: int = 20) -> str:
    if not items:
        return "none"
    shown = ", ".join(items[:n])
    return shown + (f" and {len(items) - n} more" if len(items) > n else "")


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
        digest = _sha256(path)
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
            f"{_some(missing)}; PMIDs not in ESearch {_some(extra)}",
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
