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

Modules by job: :mod:`.request` (what is searched), :mod:`.answers` (checking ESearch and EFetch
answers), :mod:`.retrieval` (slice planning and the resumable fetch loop), :mod:`.archive` (the
archive's log, its verified re-parse and the results log), :mod:`.progress` (the progress line).
"""

from __future__ import annotations

from evsynth.search.pubmed.answers import EsearchResult, parse_esearch, scan_efetch
from evsynth.search.pubmed.archive import (
    ARCHIVE_FORMAT,
    parse_archive,
    read_archive_log,
    results_log,
)
from evsynth.search.pubmed.progress import Progress
from evsynth.search.pubmed.request import DATETYPES, PAGE_CAP, SearchRequest, parse_date
from evsynth.search.pubmed.retrieval import retrieve_pubmed

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
