"""A local mock of NCBI E-utilities (ESearch, EFetch) for tests, benchmarks and demos.

The real service cannot be used at test time (no network, and NCBI asks tools not to hammer it), so
this server reproduces the behaviour the client must cope with, as documented by NCBI (FORMATS.md):
the history server (``usehistory=y``, ``WebEnv``/``query_key``), ``mindate``/``maxdate`` filters for
``pdat``/``edat``/``mdat``, the 9,999-record paging cap of PubMed ESearch, per-client rate limits
(3 requests/s without an API key, 10 with one) answered by HTTP 429 with a JSON body, and injected
faults: 429 with and without ``Retry-After``, 500/502/503, slow responses, connections closed
mid-body, truncated XML and ``<ERROR>`` elements inside HTTP 200 responses.

The corpus is synthetic and deterministic: every article's XML is generated from its PMID, so two
servers with the same corpus answer byte-identically, which is what the archive tests compare.

Run it by hand with ``python -m tests.support.mock_eutils --records 1000``.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import random
import socket
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

__all__ = [
    "FAULTS",
    "MockArticle",
    "MockEutils",
    "article_xml",
    "generate_corpus",
    "main",
]

# Fault names accepted by MockEutils.inject(); "error" may carry a message as "error:<message>".
# "ok" answers normally (to space faults out over several requests).
FAULTS: tuple[str, ...] = (
    "ok",
    "400",
    "429",
    "429-retry-after",
    "500",
    "502",
    "503",
    "slow",
    "drop",
    "truncated",
    "error",
)

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_FAMILY = (
    "Müller",
    "Ødegaard",
    "García-López",
    "O'Brien",
    "Smith",
    "Nakamura",
    "Kowalski",
    "Rossi",
    "Dupont",
    "Chen",
    "Bielack",
    "van der Berg",
)
_GIVEN = ("Anna", "José", "Li", "Søren", "Marie-Claire", "Ahmed", "Yuki", "Peter", "Zoë", "Ravi")
_JOURNALS = (
    ("Journal of Thoracic Oncology", "J Thorac Oncol", "1556-0864"),
    ("Pediatric Blood & Cancer", "Pediatr Blood Cancer", "1545-5009"),
    ("Annals of Surgical Oncology", "Ann Surg Oncol", "1068-9265"),
    ("Sarcoma", "Sarcoma", "1357-714X"),
)
_WORDS = (
    "osteosarcoma",
    "pulmonary",
    "metastasectomy",
    "survival",
    "resection",
    "thoracotomy",
    "relapse",
    "cohort",
    "children",
    "adolescents",
    "chemotherapy",
    "nodules",
    "outcome",
    "hazard",
    "retrospective",
    "analysis",
    "patients",
    "complete",
    "bilateral",
    "thoracoscopic",
)
_PUB_TYPES = ("Journal Article", "Review", "Comparative Study", "Multicenter Study")


@dataclass(frozen=True, slots=True)
class MockArticle:
    """One synthetic PubMed record: its PMID and the three dates ESearch can filter on."""

    pmid: int
    pdat: date
    edat: date
    mdat: date

    def date_of(self, datetype: str) -> date:
        return {"pdat": self.pdat, "edat": self.edat, "mdat": self.mdat}[datetype]


def generate_corpus(
    n: int,
    *,
    start: date = date(1990, 1, 1),
    end: date = date(2025, 12, 31),
    first_pmid: int = 10_000_001,
    seed: int = 0,
    dates: Sequence[date] | None = None,
) -> list[MockArticle]:
    """``n`` articles with PMIDs ``first_pmid, first_pmid + 1, ...`` and seeded random dates.

    ``dates`` gives the publication dates explicitly (cycled), e.g. to pile records on one day.
    Entry and modification dates follow the publication date by a few days, as in PubMed.
    """
    rng = random.Random(seed)
    span = (end - start).days
    corpus = []
    for i in range(n):
        pdat = dates[i % len(dates)] if dates else start + timedelta(days=rng.randint(0, span))
        edat = pdat + timedelta(days=rng.randint(0, 30))
        mdat = edat + timedelta(days=rng.randint(0, 400))
        corpus.append(MockArticle(first_pmid + i, pdat, edat, mdat))
    return corpus


def _authors_xml(rng: random.Random, n: int, type_attr: str = "") -> str:
    parts = [f'<AuthorList CompleteYN="Y"{type_attr}>']
    for _ in range(n):
        family = rng.choice(_FAMILY)
        given = rng.choice(_GIVEN)
        initials = "".join(p[0] for p in given.replace("-", " ").split())
        parts.append(
            f'<Author ValidYN="Y"><LastName>{escape(family)}</LastName>'
            f"<ForeName>{escape(given)}</ForeName><Initials>{initials}</Initials></Author>"
        )
    parts.append("</AuthorList>")
    return "".join(parts)


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(_WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


@functools.cache
def _fragments(k: int, abstract_sentences: int) -> dict[str, str]:
    """The k-th of 64 pre-built text fragments; articles combine them cheaply by PMID."""
    rng = random.Random(k)
    return {
        "title": escape(f"{_sentence(rng, 8)[:-1]} & <outcomes>"),
        "abstract": escape(" ".join(_sentence(rng, 14) for _ in range(abstract_sentences))),
        "results": _sentence(rng, 12),
        "authors": _authors_xml(rng, rng.randint(1, 6)),
        "editors": _authors_xml(rng, 2, ' Type="authors"'),
        "keywords": "".join(
            f'<Keyword MajorTopicYN="N">{rng.choice(_WORDS)}</Keyword>' for _ in range(3)
        ),
        "pub_type": rng.choice(_PUB_TYPES),
    }


def _pick(pmid: int, salt: int) -> int:
    return ((pmid * 2654435761 + salt * 40503) >> 5) % 64


def article_xml(article: MockArticle, *, abstract_sentences: int = 8) -> str:
    """The ``PubmedArticle`` (or, for every 97th PMID, ``PubmedBookArticle``) of one record."""
    pmid = article.pmid
    d = article.pdat
    frag = [_fragments(_pick(pmid, salt), abstract_sentences) for salt in range(4)]
    title = f"{frag[0]['title']} in cohort {pmid}."
    abstract = frag[1]["abstract"]
    history = (
        "<History>"
        f'<PubMedPubDate PubStatus="entrez"><Year>{article.edat.year}</Year>'
        f"<Month>{article.edat.month}</Month><Day>{article.edat.day}</Day></PubMedPubDate>"
        "</History>"
    )
    if pmid % 97 == 0:
        return (
            "<PubmedBookArticle><BookDocument>"
            f'<PMID Version="1">{pmid}</PMID>'
            f'<ArticleIdList><ArticleId IdType="bookaccession">NBK{pmid % 100000}</ArticleId>'
            "</ArticleIdList>"
            "<Book><Publisher><PublisherName>Mock Press</PublisherName>"
            "<PublisherLocation>Bethesda (MD)</PublisherLocation></Publisher>"
            f'<BookTitle book="mock{pmid}">Handbook of bone sarcoma</BookTitle>'
            f"<PubDate><Year>{d.year}</Year><Month>{_MONTHS[d.month - 1]}</Month></PubDate>"
            "<Medium>Internet</Medium></Book>"
            f'<ArticleTitle book="mock{pmid}" part="ch1">{title}</ArticleTitle>'
            "<Language>eng</Language>"
            + frag[2]["editors"]
            + '<PublicationType UI="D016454">Review</PublicationType>'
            f"<Abstract><AbstractText>{abstract}</AbstractText></Abstract>"
            "</BookDocument><PubmedBookData>"
            f"{history}<PublicationStatus>ppublish</PublicationStatus>"
            f'<ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId></ArticleIdList>'
            "</PubmedBookData></PubmedBookArticle>"
        )
    journal, abbrev, issn = _JOURNALS[pmid % len(_JOURNALS)]
    first_page = 1 + pmid % 900
    doi = f"10.5555/mock.{pmid}"
    keywords = frag[3]["keywords"]
    return (
        "<PubmedArticle>"
        '<MedlineCitation Status="MEDLINE" Owner="NLM">'
        f'<PMID Version="1">{pmid}</PMID>'
        '<Article PubModel="Print">'
        f'<Journal><ISSN IssnType="Print">{issn}</ISSN>'
        f'<JournalIssue CitedMedium="Print"><Volume>{1 + pmid % 80}</Volume>'
        f"<Issue>{1 + pmid % 12}</Issue>"
        f"<PubDate><Year>{d.year}</Year><Month>{_MONTHS[d.month - 1]}</Month>"
        f"<Day>{d.day:02d}</Day></PubDate></JournalIssue>"
        f"<Title>{escape(journal)}</Title><ISOAbbreviation>{abbrev}</ISOAbbreviation></Journal>"
        f"<ArticleTitle>{title}</ArticleTitle>"
        f"<Pagination><MedlinePgn>{first_page}-{first_page + 2 + pmid % 11}</MedlinePgn>"
        "</Pagination>"
        f'<ELocationID EIdType="doi" ValidYN="Y">{doi}</ELocationID>'
        "<Abstract>"
        '<AbstractText Label="BACKGROUND" NlmCategory="BACKGROUND">'
        f"{abstract}</AbstractText>"
        f'<AbstractText Label="RESULTS" NlmCategory="RESULTS">{frag[2]["results"]}</AbstractText>'
        "</Abstract>"
        f"{frag[3]['authors']}"
        "<Language>eng</Language>"
        "<PublicationTypeList>"
        f'<PublicationType UI="D016428">{frag[0]["pub_type"]}</PublicationType>'
        "</PublicationTypeList>"
        "</Article>"
        f"<MedlineJournalInfo><MedlineTA>{abbrev}</MedlineTA></MedlineJournalInfo>"
        f'<KeywordList Owner="NOTNLM">{keywords}</KeywordList>'
        "</MedlineCitation>"
        f"<PubmedData>{history}<PublicationStatus>ppublish</PublicationStatus>"
        f'<ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId>'
        f'<ArticleId IdType="doi">{doi}</ArticleId></ArticleIdList></PubmedData>'
        "</PubmedArticle>"
    )


_ESEARCH_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n'
    '<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
)
_EFETCH_HEAD = (
    '<?xml version="1.0" ?>\n'
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)


def _parse_ncbi_date(text: str, *, end: bool) -> date:
    """``YYYY``, ``YYYY/MM`` or ``YYYY/MM/DD`` (E-utilities' mindate/maxdate forms)."""
    parts = [int(p) for p in text.replace("-", "/").split("/") if p]
    if len(parts) == 1:
        return date(parts[0], 12, 31) if end else date(parts[0], 1, 1)
    if len(parts) == 2:
        first = date(parts[0], parts[1], 1)
        if not end:
            return first
        nxt = date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
        return nxt - timedelta(days=1)
    return date(parts[0], parts[1], parts[2])


class _BadRequest(Exception):
    pass


class MockEutils:
    """A threaded E-utilities mock on 127.0.0.1 (port 0: the OS picks a free port).

    Use as a context manager; ``url`` is the base URL to give the client. ``requests`` counts
    requests received per endpoint (including rate-limited and faulted ones), ``served`` counts
    successful answers, ``rate_limited`` the 429s sent by the rate limiter, and ``request_log``
    keeps every request's parameters for assertions (politeness, API key).
    """

    def __init__(
        self,
        corpus: Iterable[MockArticle],
        *,
        rate_limit: tuple[float, float] | None = None,
        page_cap: int = 9999,
        slow_seconds: float = 2.0,
        retry_after_seconds: int = 1,
        abstract_sentences: int = 8,
        queries: dict[str, Sequence[int]] | None = None,
    ) -> None:
        self.articles = {a.pmid: a for a in corpus}
        self.rate_limit = rate_limit
        self.page_cap = page_cap
        self.slow_seconds = slow_seconds
        self.retry_after_seconds = retry_after_seconds
        self.abstract_sentences = abstract_sentences
        self.queries = {k: list(v) for k, v in (queries or {}).items()}
        self.withheld: set[int] = set()
        self.extra: list[int] = []
        self.requests: dict[str, int] = defaultdict(int)
        self.served: dict[str, int] = defaultdict(int)
        self.rate_limited = 0
        self.request_log: list[dict[str, str]] = []
        self._faults: dict[str, deque[str]] = defaultdict(deque)
        self._history: dict[str, list[int]] = {}
        self._recent: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._pause_at: dict[str, int] = {}
        self.paused = threading.Event()
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- control ---------------------------------------------------------------------------------
    def inject(self, endpoint: str, *faults: str) -> None:
        """Queue faults; the next requests to ``endpoint`` (esearch, efetch) get them in order."""
        for fault in faults:
            if fault.split(":", 1)[0] not in FAULTS:
                raise ValueError(f"unknown fault {fault!r}; valid: {', '.join(FAULTS)}")
            self._faults[endpoint].append(fault)

    def pause_at(self, endpoint: str, n: int) -> None:
        """Hold the ``n``-th request to ``endpoint`` until :meth:`release`; sets ``paused``."""
        self._pause_at[endpoint] = n

    def release(self) -> None:
        self._release.set()

    def forget_history(self) -> None:
        """Expire every WebEnv, as NCBI does after some hours."""
        with self._lock:
            self._history.clear()

    def reset_counters(self) -> None:
        with self._lock:
            self.requests.clear()
            self.served.clear()
            self.rate_limited = 0
            self.request_log.clear()

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/entrez/eutils/"

    def start(self) -> MockEutils:
        handler = type("Handler", (_Handler,), {"mock": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> MockEutils:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- behaviour -------------------------------------------------------------------------------
    def _admit(self, endpoint: str, params: dict[str, str], client: str) -> tuple[str | None, bool]:
        """Count the request; return (fault to apply or None, rate-limited?)."""
        with self._lock:
            self.requests[endpoint] += 1
            self.request_log.append({"endpoint": endpoint, **params})
            fault = self._faults[endpoint].popleft() if self._faults[endpoint] else None
            pause = self._pause_at.get(endpoint) == self.requests[endpoint]
            limited = False
            if fault is None and self.rate_limit is not None:
                limit = self.rate_limit[1] if params.get("api_key") else self.rate_limit[0]
                key = params.get("api_key") or client
                now = time.monotonic()
                window = self._recent[key]
                while window and now - window[0] >= 1.0:
                    window.popleft()
                if len(window) >= limit:
                    limited = True
                    self.rate_limited += 1
                else:
                    window.append(now)
        if pause:
            self.paused.set()
            self._release.wait()
        return fault, limited

    def _search_ids(self, params: dict[str, str]) -> list[int]:
        term = params.get("term", "")
        if term in self.queries:
            pool = [self.articles[p] for p in self.queries[term] if p in self.articles]
        else:
            pool = list(self.articles.values())
        datetype = params.get("datetype", "pdat")
        if datetype not in ("pdat", "edat", "mdat"):
            raise _BadRequest(f"Invalid datetype {datetype}")
        if params.get("mindate") or params.get("maxdate"):
            if not (params.get("mindate") and params.get("maxdate")):
                raise _BadRequest("mindate and maxdate must be given together")
            lo = _parse_ncbi_date(params["mindate"], end=False)
            hi = _parse_ncbi_date(params["maxdate"], end=True)
            pool = [a for a in pool if lo <= a.date_of(datetype) <= hi]
        # PubMed's default order is most recent first; the PMID stands in for recency here.
        return sorted((a.pmid for a in pool), reverse=True)

    def esearch(self, params: dict[str, str]) -> bytes:
        ids = self._search_ids(params)
        retstart = int(params.get("retstart", 0))
        retmax = int(params.get("retmax", 20))
        term = params.get("term", "")
        if retstart > self.page_cap - 1:
            return _error_xml(
                "eSearchResult",
                f"Search Backend failed: Exception: 'retstart' cannot be larger than "
                f"{self.page_cap - 1}. For PubMed, ESearch can only retrieve the first "
                f"{self.page_cap} records matching the query.",
            )
        page = ids[retstart : min(retstart + min(retmax, 10000), self.page_cap)]
        parts = [_ESEARCH_HEAD, "<eSearchResult>", f"<Count>{len(ids)}</Count>"]
        parts.append(f"<RetMax>{len(page)}</RetMax><RetStart>{retstart}</RetStart>")
        if params.get("usehistory") == "y":
            key = "|".join(params.get(k, "") for k in ("term", "mindate", "maxdate", "datetype"))
            webenv = "MCID_" + hashlib.sha1(key.encode()).hexdigest()[:24]
            with self._lock:
                self._history[webenv] = ids
            parts.append(f"<QueryKey>1</QueryKey><WebEnv>{webenv}</WebEnv>")
        parts.append("<IdList>")
        parts.extend(f"<Id>{p}</Id>" for p in page)
        parts.append("</IdList>")
        translation = escape(f'"{term}"[All Fields]')
        parts.append(
            f"<TranslationSet/><QueryTranslation>{translation}</QueryTranslation></eSearchResult>\n"
        )
        return "".join(parts).encode("utf-8")

    def efetch(self, params: dict[str, str]) -> bytes:
        if params.get("db", "pubmed") != "pubmed" or params.get("retmode", "xml") != "xml":
            raise _BadRequest("only db=pubmed and retmode=xml are mocked")
        if params.get("id"):
            ids = [int(p) for p in params["id"].replace(" ", "").split(",") if p]
        else:
            webenv = params.get("WebEnv", "")
            with self._lock:
                hist = self._history.get(webenv)
            if hist is None or params.get("query_key") != "1":
                return _error_xml(
                    "eFetchResult", f"Unable to obtain query #{params.get('query_key')}"
                )
            retstart = int(params.get("retstart", 0))
            if retstart > self.page_cap - 1:
                return _error_xml(
                    "eFetchResult", f"'retstart' cannot be larger than {self.page_cap - 1}"
                )
            retmax = min(int(params.get("retmax", 20)), 10000)
            ids = hist[retstart : min(retstart + retmax, self.page_cap)]
        ids = [p for p in ids if p in self.articles and p not in self.withheld] + self.extra
        body = [_EFETCH_HEAD, "<PubmedArticleSet>\n"]
        for pmid in ids:
            body.append(
                article_xml(self.articles[pmid], abstract_sentences=self.abstract_sentences)
            )
            body.append("\n")
        body.append("</PubmedArticleSet>\n")
        return "".join(body).encode("utf-8")


def _error_xml(root: str, message: str) -> bytes:
    head = '<?xml version="1.0" encoding="UTF-8" ?>\n'
    return f"{head}<{root}><ERROR>{escape(message)}</ERROR></{root}>\n".encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    mock: MockEutils

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._handle(urlsplit(self.path).query)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        query = urlsplit(self.path).query
        self._handle("&".join(q for q in (query, body) if q))

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _handle(self, query: str) -> None:
        mock = self.mock
        params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        name = urlsplit(self.path).path.rsplit("/", 1)[-1]
        endpoint = {"esearch.fcgi": "esearch", "efetch.fcgi": "efetch"}.get(name)
        if endpoint is None:
            self._send(404, b"not found", "text/plain")
            return
        fault, limited = mock._admit(endpoint, params, self.client_address[0])
        try:
            if limited:
                body = json.dumps(
                    {
                        "error": "API rate limit exceeded",
                        "api-key": self.client_address[0],
                        "count": str(int(mock.rate_limit[1 if params.get("api_key") else 0]) + 1),
                        "limit": str(int(mock.rate_limit[1 if params.get("api_key") else 0])),
                    }
                ).encode()
                self._send(429, body, "application/json", {"X-RateLimit-Remaining": "0"})
                return
            kind, _, message = (fault or "").partition(":")
            if kind in ("429", "429-retry-after"):
                headers = {"Retry-After": str(mock.retry_after_seconds)} if "retry" in kind else {}
                body = b'{"error":"API rate limit exceeded","count":"4","limit":"3"}'
                self._send(429, body, "application/json", headers)
                return
            if kind == "400":
                # Some servers echo the request in an error page; the client must redact it.
                body = f"<html>Bad Request: {query}</html>".encode()
                self._send(400, body, "text/html")
                return
            if kind in ("500", "502", "503"):
                self._send(int(kind), b"<html>Server error</html>", "text/html")
                return
            if kind == "error":
                root = "eSearchResult" if endpoint == "esearch" else "eFetchResult"
                self._send(200, _error_xml(root, message or "Search Backend failed"), "text/xml")
                return
            if kind == "slow":
                time.sleep(mock.slow_seconds)
            try:
                body = mock.esearch(params) if endpoint == "esearch" else mock.efetch(params)
            except (_BadRequest, ValueError) as exc:
                self._send(400, json.dumps({"error": str(exc)}).encode(), "application/json")
                return
            if kind == "truncated":
                self._send(200, body[: len(body) * 2 // 3], "text/xml; charset=UTF-8")
                return
            if kind == "drop":
                self.send_response(200)
                self.send_header("Content-Type", "text/xml; charset=UTF-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            with mock._lock:
                mock.served[endpoint] += 1
            self._send(200, body, "text/xml; charset=UTF-8")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def main(argv: Sequence[str] | None = None) -> int:
    """Serve a synthetic corpus until interrupted; prints the base URL on the first line."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.mock_eutils",
        description="Serve a mock NCBI E-utilities on 127.0.0.1 for tests and benchmarks.",
        epilog="Example: python -m tests.support.mock_eutils --records 25000 --rate-limit 3 10",
    )
    parser.add_argument("--records", type=int, default=1000, help="corpus size")
    parser.add_argument("--seed", type=int, default=0, help="seed of the corpus dates")
    parser.add_argument(
        "--rate-limit",
        type=float,
        nargs=2,
        metavar=("WITHOUT_KEY", "WITH_KEY"),
        help="requests/s allowed without and with an api_key (default: unlimited)",
    )
    args = parser.parse_args(argv)
    rate = tuple(args.rate_limit) if args.rate_limit else None
    with MockEutils(generate_corpus(args.records, seed=args.seed), rate_limit=rate) as server:
        print(server.url, flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
