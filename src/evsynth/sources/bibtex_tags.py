"""BibTeX/BibLaTeX fields -> canonical fields (data only).

Sources: the BibTeX entry types and fields (Patashnik, "BibTeXing", 1988), the BibLaTeX manual
(``journaltitle``, ``date``, ``eprint``/``eprinttype``, ``langid``), and the vendors' BibTeX
export layouts (not in FORMATS.md; docs/formats.md marks them unconfirmed): Scopus adds
``author_keywords``, ``abbrev_source_title``, ``art_number``, ``pmid``, ``type``,
``source = {Scopus}`` and ``note = {Cited by: n; ...}``; Web of Science adds
``Unique-ID = {WOS:...}``, ``Journal-ISO``, ``Keywords-Plus``, ``Article-Number``, ``Type``;
Zotero and Google Scholar write plain BibTeX. Field names are compared lower-cased (BibTeX ignores
case).
"""

from __future__ import annotations

from evsynth.sources.fields import FieldMap, IdRule
from evsynth.sources.wos_tags import FAMILY_PREFIXES

__all__ = [
    "ENTRY_TYPES",
    "FIELD_MAP",
    "IGNORED_FIELDS",
    "KEYWORD_FIELDS",
    "NAME_FIELDS",
    "TYPE_FIELD",
    "VERBATIM_FIELDS",
]

#: The pseudo-field holding the entry type (``article``), for the publication type fallback.
TYPE_FIELD = "entrytype"

#: Entry types (upper-cased) -> a readable publication type, used when no ``type`` field says more.
ENTRY_TYPES = {
    "ARTICLE": "Journal Article",
    "BOOK": "Book",
    "BOOKLET": "Booklet",
    "INBOOK": "Book Chapter",
    "INCOLLECTION": "Book Chapter",
    "INPROCEEDINGS": "Conference Paper",
    "CONFERENCE": "Conference Paper",
    "PROCEEDINGS": "Conference Proceeding",
    "MANUAL": "Manual",
    "MASTERSTHESIS": "Thesis",
    "PHDTHESIS": "Thesis",
    "THESIS": "Thesis",
    "TECHREPORT": "Report",
    "REPORT": "Report",
    "UNPUBLISHED": "Unpublished Work",
    "MISC": "Generic",
    "ONLINE": "Web Page",
    "ELECTRONIC": "Web Page",
    "WWW": "Web Page",
    "DATASET": "Dataset",
    "SOFTWARE": "Software",
    "PATENT": "Patent",
    "PERIODICAL": "Journal",
}

#: Person-name fields: ``and``-separated names, read with BibTeX's name rules.
NAME_FIELDS = ("author", "editor")

#: Fields holding several keywords in one value (``;``- or ``,``-separated).
KEYWORD_FIELDS = ("keywords", "author_keywords", "keywords-plus", "mesh")

#: Fields whose value is not LaTeX (links, identifiers): braces are removed, nothing decoded.
VERBATIM_FIELDS = frozenset({
    "url", "doi", "eprint", "unique-id", "pmid", "pubmed_id", "pubmed-id", "issn", "eissn",
    "isbn", "link", "file",
})  # fmt: skip

_LINKS = ("url", "link")

FIELD_MAP = FieldMap(
    single={
        "title": ("title",),
        "journal": ("journal", "journaltitle", "booktitle", "series"),
        "journal_abbrev": ("journal-iso", "abbrev_source_title", "shortjournal", "iso-abbrev"),
        "year": ("year", "date"),
        "volume": ("volume",),
        "issue": ("number", "issue"),
        # A range in ``pages``; Scopus's ``art_number`` / WoS's ``Article-Number`` / BibLaTeX's
        # ``eid`` when there are no pages (electronic articles).
        "start_page": ("pages", "art_number", "article-number", "eid"),
        "abstract": ("abstract",),
        "issn": ("issn", "eissn"),
        "url": _LINKS,
    },
    multi={
        "authors": ("author",),
        "keywords": KEYWORD_FIELDS,
        "language": ("language", "langid"),
        "pub_type": ("type", "document_type"),
    },
    ids=(
        # Web of Science: "Unique-ID = {WOS:000282053100002}" (prefix removed, as in WoS text);
        # other platform databases keep theirs ("ZOOREC:ZOOR...").
        IdRule("source_id", ("unique-id",), r"^\s*(?:WOS|ISI):\s*([0-9A-Z]{15})\s*$"),
        IdRule("source_id", ("unique-id",), rf"^\s*({FAMILY_PREFIXES})\s*$"),
        # Scopus EID in the record link; Embase and Cochrane links kept by reference managers.
        IdRule("source_id", _LINKS, r"\b(2-s2\.0-\d{6,})\b", needles=("2-s2.0-",)),
        IdRule("source_id", _LINKS, r"[?&]id=(L\d{6,})\b", needles=("id=L",)),
        IdRule("source_id", _LINKS, r"\b(CN-\d{6,})\b", needles=("CN-",)),
        IdRule("pmid", ("pmid", "pubmed_id", "pubmed-id", "pubmedid"), r"^\s*(\d{1,9})\s*$"),
        IdRule(
            "pmid",
            ("note", "annote", "extra"),
            r"(?:^|[;|]\s*)PMID:?\s*(\d{1,9})\b",
            needles=("PMID", "pmid"),
        ),
        IdRule(
            "pmid",
            _LINKS,
            r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|/pubmed/)(\d{1,9})\b",
            needles=("pubmed",),
        ),
        IdRule("doi", ("doi",), r"(10\.\d{4,9}/\S+)", needles=("10.",)),
        IdRule("doi", (*_LINKS, "note"), r"doi\.org/(10\.\d{4,9}/\S+)", needles=("doi.org",)),
    ),
    type_names=ENTRY_TYPES,
    type_tag=TYPE_FIELD,
)

#: Fields read but not kept (not reported as unknown).
IGNORED_FIELDS = frozenset({
    "editor", "publisher", "address", "location", "month", "day", "organization", "institution",
    "school", "howpublished", "edition", "chapter", "note", "annote", "annotation", "extra",
    "file", "urldate", "copyright", "isbn", "affiliations", "affiliation", "correspondence_address",
    "correspondence_address1", "publication_stage", "source", "author-email", "times-cited",
    "usage-count-last-180-days", "usage-count-since-2013", "number-of-cited-references",
    "doc-delivery-number", "research-areas", "web-of-science-categories", "orcid-numbers",
    "researcherid-numbers", "funding-acknowledgement", "funding-text", "cited-references",
    "da", "earlyaccessdate", "book-group-author", "eprint", "eprinttype", "archiveprefix",
    "primaryclass", "subtitle", "shorttitle", "titleaddon", "pagetotal", "page_count",
    "coden", "sponsors", "conference_name", "conference_date", "conference_location",
    "conference_code", "chemicals_cas", "tradenames", "manufacturers", "molecular_seqnumbers",
    "funding_details", "funding_text", "references", "open_access", "publisher-place",
    "ids", "keyword", "series", "entrytype", "web-of-science-index", "oa",
})  # fmt: skip
