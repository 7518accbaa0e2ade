"""Ovid (MEDLINE, Embase) "Complete Reference" text tags -> canonical fields (data only).

Ovid field labels per its database field guides (MEDLINE: ``UI`` unique identifier = PMID;
Embase: ``AN`` accession number, ``PM`` MEDLINE PMID). ``SO`` is the full citation
("Journal. 20(5):897-902, 2009 May."), parsed when the separate fields are absent.
"""

from __future__ import annotations

from evsynth.sources.fields import FieldMap, IdRule

__all__ = ["FIELD_MAP", "IGNORED_TAGS"]

FIELD_MAP = FieldMap(
    single={
        "title": ("TI", "OT", "BT"),
        "journal": ("JN", "JT", "JA"),
        "journal_abbrev": ("JA", "JW", "TA"),
        "year": ("YR", "DP", "YP"),
        "volume": ("VO", "VI"),
        "issue": ("IP",),
        "pages": ("PG",),
        "abstract": ("AB",),
        "issn": ("IS", "ISSN", "XS"),
        "url": ("UR", "XL"),
        "citation": ("SO",),
    },
    multi={
        "authors": ("AU", "FA", "AI"),
        "keywords": ("KW", "MH", "HW", "ST", "DE", "EM", "MJ"),
        "language": ("LG", "LA"),
        "pub_type": ("PT", "DT"),
    },
    ids=(
        # Embase via Ovid: AN is the Embase accession; PM the MEDLINE PMID.
        IdRule("source_id", ("AN", "UI"), r"^\s*(\d{6,12})\s*$", database=r"embase|excerpta"),
        IdRule("pmid", ("PM",), r"(\d{1,9})"),
        # MEDLINE via Ovid: UI (and AN) is the PMID, which is also the accession.
        IdRule("source_id", ("UI", "AN"), r"^\s*(\d{1,9})\s*$", database=r"medline|pubmed"),
        IdRule("pmid", ("UI", "AN"), r"^\s*(\d{1,9})\s*$", database=r"medline|pubmed"),
        IdRule("source_id", ("UI", "AN"), r"^\s*(\S+)\s*$"),
        IdRule("doi", ("DO", "DI", "RO"), r"(10\.\d{4,9}/\S+)", needles=("10.",)),
        IdRule("doi", ("UR", "XL"), r"doi\.org/(10\.\d{4,9}/\S+)", needles=("doi.org",)),
    ),
    database_tags=("DB", "VN"),
    split={"KW": r";\s*", "MH": r";\s*"},
)

IGNORED_TAGS = frozenset({
    "VN", "DB", "IN", "AS", "CP", "DC", "EP", "EZ", "GI", "ID", "NS", "PL", "RD", "RN", "SB", "SH",
    "ST", "XM", "CC", "DT", "EC", "FS", "MC", "PS", "SC", "DDU", "DA", "LR", "CR", "ES", "IT",
    "JC", "RF", "NC", "DI", "SI", "FM", "DP",
})  # fmt: skip
