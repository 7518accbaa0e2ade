"""PubMed retrieval through NCBI E-utilities: polite, resilient, resumable and archived.

`evsynth search pubmed` (see :mod:`evsynth.search.cli`) drives :func:`retrieve_pubmed` (online,
into an archive) and :func:`parse_archive` (offline). The local E-utilities mock of the tests
and benchmarks is ``tests/support/mock_eutils.py`` (not installed with the package).
"""

from __future__ import annotations

from evsynth.search.eutils import ClientSettings, EutilsClient, EutilsError
from evsynth.search.pubmed import SearchRequest, parse_archive, retrieve_pubmed

__all__ = [
    "ClientSettings",
    "EutilsClient",
    "EutilsError",
    "SearchRequest",
    "parse_archive",
    "retrieve_pubmed",
]
