"""RIS tags -> canonical fields, and where each vendor puts its identifiers (data only).

Sources: the RIS specification (Research Information Systems, 2011 revision) for the standard
tags; vendors' documented export layouts (FORMATS.md) for the flavours. Rules for identifiers are
tried in order and the first match wins, so the specific patterns (``CN-``, ``WOS:``, ``2-s2.0-``,
``L`` + digits) come before the bare-number rules that depend on the record's database.
"""

from __future__ import annotations

from evsynth.sources.fields import FieldMap, IdRule
from evsynth.sources.wos_tags import FAMILY_PREFIXES

__all__ = [
    "ACCESSION_TAGS",
    "FALLBACK_AUTHOR_TAGS",
    "FIELD_MAP",
    "IDS",
    "IGNORED_TAGS",
    "PMID_TAGS",
    "PUBMED_DATABASE",
    "TYPE_NAMES",
    "URL_TAGS",
]

#: Tags in which vendors have been seen (or could plausibly) put an accession number.
ACCESSION_TAGS = (
    "AN", "ID", "UT", "U1", "U2", "U3", "U4", "U5", "M1", "M2", "C1", "C2", "C3", "C4", "C5",
    "C6", "C7", "C8", "N1",
)  # fmt: skip
#: Tags holding links (Embase record links carry ``id=L...``, Scopus links ``eid=2-s2.0-...``).
URL_TAGS = ("UR", "L1", "L2", "L3", "L4", "LK")
#: Tags that may hold a PMID written with a label ("PMID: 123") or in a PubMed link.
PMID_TAGS = (*ACCESSION_TAGS, *URL_TAGS)

_ANY = (*ACCESSION_TAGS, *URL_TAGS)

#: A record whose database tags match this came from PubMed/MEDLINE, whose own accession is the
#: PMID; any other database's record never takes its PMID as source_id (DESIGN.md, "Identities").
PUBMED_DATABASE = (
    r"^(?!.*(?:embase|excerpta|scopus|web of science|cochrane|central))"
    r".*(?:pub\s*med|medline|nlm)"
)

IDS = (
    # Cochrane CENTRAL accession, in AN (Cochrane RIS), ID or a Cochrane Library link.
    IdRule(
        "source_id",
        ("AN", "ID", *URL_TAGS, *ACCESSION_TAGS),
        r"\b(CN-\d{6,})\b",
        needles=("CN-", "cn-"),
    ),
    # Embase accession: "L2005812345" in U2/AN/ID, or "id=L2005812345" in the record link.
    IdRule("source_id", ("U2", "AN", "ID", "U1", "M1", "C1"), r"^\s*(L\d{6,})\s*$"),
    IdRule("source_id", URL_TAGS, r"[?&]id=(L\d{6,})\b", needles=("id=L",)),
    # Web of Science UT (also the older "ISI:" form), in UT, AN or elsewhere; the accession is the
    # 15 characters after the prefix (DESIGN.md: wos:000082252000006).
    IdRule(
        "source_id",
        ("UT", "AN", *ACCESSION_TAGS),
        r"\b(?:WOS|ISI):([0-9A-Z]{15})\b",
        needles=("WOS:", "ISI:", "wos:", "isi:"),
    ),
    # Another database of the Web of Science platform (Zoological Record, BIOSIS, MEDLINE, ...):
    # its prefix is part of the accession and names the database (as in Web of Science text).
    IdRule("source_id", ("UT", "AN"), rf"^\s*({FAMILY_PREFIXES})\s*$", needles=(":",)),
    # Scopus EID, in U2/AN/UR ("eid=2-s2.0-...").
    IdRule(
        "source_id", (*ACCESSION_TAGS, *URL_TAGS), r"\b(2-s2\.0-\d{6,})\b", needles=("2-s2.0-",)
    ),
    # Ovid (and reference managers) put the database's own accession in AN/ID/UI; the bare number
    # is used when the record's database is known: MEDLINE/PubMed (a PMID) or Embase.
    IdRule("source_id", ("AN", "ID", "UI"), r"^\s*(\d{6,12})\s*$", database=r"embase|excerpta"),
    # ERIC accessions (EJ/ED + digits) and APA PsycInfo ones (year-number-number), as Ovid and
    # EBSCO write them in AN/ID/UI; EBSCOhost names its accession in a note.
    IdRule("source_id", ("AN", "ID", "UI"), r"^\s*(E[DJ]\d{5,7})\s*$", database=r"\beric\b"),
    IdRule("source_id", ("AN", "ID", "UI"), r"^\s*(\d{4}-\d{5}-\d{3})\s*$", database=r"psyc"),
    IdRule(
        "source_id",
        ("AN", "N1"),
        r"^\s*(?:Accession Number:\s*)?(\d{5,12})\b",
        database=r"ebsco",
    ),
    # The Lens: its Lens ID (five groups of digits) in ID/AN, or a lens.org record link.
    IdRule("source_id", ("ID", "AN"), r"^\s*(\d{3}-\d{3}-\d{3}-\d{3}-\d{2}[\dX])\s*$"),
    IdRule(
        "source_id",
        URL_TAGS,
        r"lens\.org/(\d{3}-\d{3}-\d{3}-\d{3}-\d{2}[\dX])\b",
        needles=("lens.org/",),
    ),
    # PMIDs: labelled anywhere, in PubMed links, then bare numbers where the database is PubMed.
    # Only where the label starts a value or a "; "-separated part of one: inside a longer text
    # (Ovid PsycInfo's cited references in M1) "PMID: n" is another article's.
    IdRule(
        "pmid",
        PMID_TAGS,
        r"(?:^|[;|]\s*)PMID:?\s*(\d{1,9})\b",
        needles=("PMID", "pmid", "Pmid"),
    ),
    IdRule(
        "pmid",
        URL_TAGS,
        r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|/pubmed/)(\d{1,9})\b",
        needles=("pubmed",),
    ),
    # A bare number is a PMID only in a record from PubMed/MEDLINE itself that has no other
    # database's accession: EndNote writes its own record number in ID and copies Embase's
    # "DB - Medline" (records Embase shares with MEDLINE).
    IdRule(
        "pmid",
        ("AN", "ID", "UI"),
        r"^\s*(\d{1,9})\s*$",
        database=PUBMED_DATABASE,
        without_accession=True,
    ),
    # Cochrane writes "PUBMED 12345678" for records it took from PubMed.
    IdRule(
        "pmid",
        PMID_TAGS,
        r"(?:^|[;|]\s*)PUBMED\s*:?\s*(\d{1,9})\b",
        needles=("PUBMED", "PubMed", "pubmed", "Pubmed"),
    ),
    # Embase RIS gives the MEDLINE PMID of records also in MEDLINE in C5; Scopus RIS puts the
    # PubMed ID in C2 (where EndNote keeps a PMCID, hence the database condition).
    IdRule("pmid", ("C5",), r"^\s*(\d{1,9})\s*$", database=r"embase"),
    IdRule("pmid", ("C2",), r"^\s*(\d{1,9})\s*$", database=r"scopus"),
    # DOI: the DOI tags, then M3 (Ovid, Zotero), then doi.org links.
    IdRule("doi", ("DO", "DI"), r"(10\.\d{4,9}/\S+)", needles=("10.",)),
    # EBSCOhost writes the DOI in L3.
    IdRule("doi", ("M3", "N1", "ID", "L3"), r"^\s*(?:doi:?\s*)?(10\.\d{4,9}/\S+)"),
    IdRule("doi", (*URL_TAGS, "M3", "N1"), r"doi\.org/(10\.\d{4,9}/\S+)", needles=("doi.org",)),
)

#: RIS reference types (TY) -> a readable publication type, used when no type tag says more.
TYPE_NAMES = {
    "ABST": "Abstract",
    "BOOK": "Book",
    "CHAP": "Book Chapter",
    "CONF": "Conference Proceeding",
    "CPAPER": "Conference Paper",
    "EBOOK": "Electronic Book",
    "ECHAP": "Electronic Book Section",
    "EJOUR": "Electronic Article",
    "ELEC": "Web Page",
    "GEN": "Generic",
    "JFULL": "Journal",
    "JOUR": "Journal Article",
    "MGZN": "Magazine Article",
    "NEWS": "Newspaper Article",
    "RPRT": "Report",
    "SER": "Serial",
    "THES": "Thesis",
    "UNPB": "Unpublished Work",
}

FIELD_MAP = FieldMap(
    single={
        "title": ("TI", "T1", "CT", "BT"),
        # T2 is the journal in EndNote/Zotero/Scopus RIS; JF/JO in older and Embase/Ovid RIS.
        "journal": ("T2", "JF", "JO", "JA", "J2", "J1", "T3"),
        # JI/J9: Web of Science RIS (ISO and 29-character abbreviations).
        "journal_abbrev": ("JA", "J2", "J1", "JO", "JI", "J9"),
        "year": ("PY", "Y1", "DA", "Y2"),
        "volume": ("VL",),
        "issue": ("IS", "CP"),
        "start_page": ("SP", "PG", "C7"),
        "end_page": ("EP",),
        "abstract": ("AB", "N2"),
        "issn": ("SN",),
        "url": ("UR", "L2", "LK", "L1"),
    },
    multi={
        "authors": ("AU", "A1"),
        "keywords": ("KW",),
        "language": ("LA",),
        "pub_type": ("M3", "PT"),
    },
    ids=IDS,
    database_tags=("DB", "DP"),
    type_names=TYPE_NAMES,
    type_tag="TY",
    pmid_accession_database=PUBMED_DATABASE,
)

#: Used as authors when a record has no AU/A1 (some exports put the only names in A2).
FALLBACK_AUTHOR_TAGS = ("A2", "A3", "A4")

#: Tags read but not kept: reported neither as unknown nor as fields.
IGNORED_TAGS = frozenset({
    "A2", "A3", "A4", "AD", "AV", "CA", "CN", "CY", "DB", "DP", "ED", "ET", "ER", "IN", "L3", "L4",
    "LB", "M1", "M2", "N1", "NV", "OP", "PB", "PP", "RI", "RN", "RP", "SE", "ST", "TA", "TT",
    "U1", "U2", "U3", "U4", "U5", "Y2", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "H1", "H2",
    "TY", "AN", "ID", "UT",
    # Web of Science RIS: edition, publisher and its city/address, funding; Cochrane: review group.
    "WE", "PU", "PI", "PA", "FU", "FX", "CC",
})  # fmt: skip
