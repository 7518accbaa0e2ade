"""Cochrane Library (CENTRAL) plain-text export tags -> canonical fields (data only).

Records are headed "Record #n of N" and hold ``Tag: value`` lines. Only ``ID:`` (the ``CN-``
accession) is documented with certainty (FORMATS.md); the rest follow observed exports, and tags
not listed here are accepted and reported in the search log.
"""

from __future__ import annotations

from evsynth.sources.fields import FieldMap, IdRule

__all__ = ["FIELD_MAP", "IGNORED_TAGS"]

FIELD_MAP = FieldMap(
    single={
        "title": ("TI",),
        "journal": ("SO",),
        "year": ("YR",),
        "volume": ("VL",),
        "issue": ("NO",),
        "pages": ("PG",),
        "abstract": ("AB",),
        "issn": ("IS", "ISSN"),
        "url": ("US",),
    },
    multi={
        "authors": ("AU",),
        "keywords": ("KY", "MH"),
        "language": ("LA",),
        "pub_type": ("PT",),
    },
    ids=(
        IdRule("source_id", ("ID", "AN", "US"), r"\b(CN-\d{6,})\b", needles=("CN-", "cn-")),
        IdRule("pmid", ("PM", "XR"), r"PUBMED\s*:?\s*(\d{1,9})"),
        IdRule("pmid", ("PM",), r"^\s*(\d{1,9})\s*$"),
        IdRule("doi", ("DOI", "DO"), r"(10\.\d{4,9}/\S+)", needles=("10.",)),
        IdRule("doi", ("US",), r"doi\.org/(10\.\d{4,9}/\S+)", needles=("doi.org",)),
    ),
    split={"AU": r";\s*", "KY": r";\s*", "PT": r";\s*", "MH": r";\s*"},
)

#: Tags seen in CENTRAL exports that carry nothing we keep.
IGNORED_TAGS = frozenset({"XR", "CC", "SR", "DE", "ED", "CO", "PB"})
