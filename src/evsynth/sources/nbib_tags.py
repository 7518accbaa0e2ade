"""MEDLINE (PubMed "Format: PubMed" text, ``.nbib``) tags -> canonical fields (data only).

From NLM's "MEDLINE/PubMed Data Element (Field) Descriptions": four-character tag field, "- ",
value; ``LID``/``AID`` carry identifiers with a bracketed type such as ``[doi]`` or ``[pii]``.
"""

from __future__ import annotations

from evsynth.sources.fields import FieldMap, IdRule

__all__ = ["FIELD_MAP", "IGNORED_TAGS"]

FIELD_MAP = FieldMap(
    single={
        "title": ("TI", "BTI", "TT"),
        "journal": ("JT", "BTI"),
        "journal_abbrev": ("TA",),
        "year": ("DP", "DEP", "EDAT"),
        "volume": ("VI",),
        "issue": ("IP",),
        "pages": ("PG",),
        "abstract": ("AB",),
        "issn": ("IS",),
    },
    multi={
        # FAU ("Smith, John A") is complete; AU ("Smith JA") is the fallback, see NbibReader.
        "authors": ("FAU",),
        "keywords": ("OT", "MH"),
        "language": ("LA",),
        "pub_type": ("PT",),
    },
    ids=(
        IdRule("source_id", ("PMID",), r"(\d{1,9})"),
        IdRule("pmid", ("PMID",), r"(\d{1,9})"),
        IdRule("doi", ("LID", "AID"), r"(10\.\d{4,9}/\S+)\s*\[doi\]"),
    ),
)

IGNORED_TAGS = frozenset({
    "AU", "AD", "AUID", "CI", "CN", "COIS", "CRDT", "DA", "DCOM", "DEP", "EDAT", "FIR", "GN", "GR",
    "IR", "IRAD", "IS", "JID", "LR", "MHDA", "OAB", "OABL", "OID", "OTO", "OWN", "PHST", "PL",
    "PMC", "PMCR", "PST", "RN", "SB", "SI", "SO", "STAT", "VTI", "CON", "CIN", "EIN", "EFR", "ECI",
    "RIN", "ROF", "RPI", "RPF", "UIN", "UOF", "SPIN", "ORI", "CP", "ED", "FED", "EN", "ISBN", "MID",
    "NM", "PS", "FPS", "PUBM", "RF", "TT", "BTI", "CTI", "DRDT", "LID", "AID", "PMID", "GS",
})  # fmt: skip
