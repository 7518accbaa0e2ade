"""The checks of E-utilities answers before they enter the archive: ESearch's count and PMID list,
EFetch's complete, well-formed ``PubmedArticleSet``."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from evsynth.search.eutils import HistoryExpired, RetryableResponse

__all__ = ["EsearchResult", "parse_esearch", "scan_efetch"]

_HISTORY_GONE = re.compile(r"Unable to obtain query|WebEnv|query_key", re.IGNORECASE)


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
