"""Web of Science field tags -> canonical fields (data only).

From Clarivate's field-tag list for the plain-text and tab-delimited exports (FORMATS.md): the
same two-letter tags head the tagged lines and the tab-delimited columns.
"""

from __future__ import annotations

import re

from evsynth.sources.fields import FieldMap, IdRule

__all__ = [
    "COLUMN_ALIASES",
    "CORE_COLLECTION",
    "FAMILY_DATABASES",
    "FAMILY_PREFIXES",
    "FIELD_MAP",
    "IGNORED_TAGS",
    "ONE_VALUE_PER_LINE",
    "TAB_SPLIT",
    "database_of",
]

#: The database named by a bare ``WOS:`` (or older ``ISI:``) accession prefix.
CORE_COLLECTION = "Web of Science Core Collection"

#: Accession (UT) prefixes of the other databases on the Web of Science platform -> the database's
#: name (Clarivate's product names). A record's UT names its database; an export from the platform
#: can mix them ("All Databases" searches), so each record is labelled by its own.
FAMILY_DATABASES = {
    "ZOOREC": "Zoological Record",
    "MEDLINE": "MEDLINE (Web of Science)",
    "BCI": "BIOSIS Citation Index",
    "BIOSIS": "BIOSIS Previews",
    "CCC": "Current Contents Connect",
    "KJD": "KCI-Korean Journal Database",
    "RSCI": "Russian Science Citation Index",
    "SCIELO": "SciELO Citation Index",
    "DIIDW": "Derwent Innovations Index",
    "INSPEC": "Inspec",
    "CABI": "CAB Abstracts",
    "FSTA": "FSTA",
    "GRANTS": "Grants Index",
    "PQDT": "ProQuest Dissertations & Theses Citation Index",
    "DRCI": "Data Citation Index",
}
_FAMILY = "|".join(FAMILY_DATABASES)
#: ``ZOOREC:ZOOR14700012345``: a family database's accession, its prefix kept (part of the id).
FAMILY_PREFIXES = rf"(?:{_FAMILY}):\s*[0-9A-Z]+"
_PREFIX = re.compile(rf"^\s*({_FAMILY}|WOS|ISI):", re.IGNORECASE)


def database_of(accession: str) -> str:
    """The Web of Science platform database a UT belongs to, from its prefix ("" for none)."""
    match = _PREFIX.match(accession)
    if match is None:
        return ""
    prefix = match.group(1).upper()
    return CORE_COLLECTION if prefix in ("WOS", "ISI") else FAMILY_DATABASES[prefix]


FIELD_MAP = FieldMap(
    single={
        "title": ("TI",),
        "journal": ("SO", "SE", "BS"),
        "journal_abbrev": ("JI", "J9"),
        "year": ("PY", "EY", "PD"),
        "volume": ("VL",),
        "issue": ("IS",),
        "start_page": ("BP", "AR"),
        "end_page": ("EP",),
        "abstract": ("AB",),
        "issn": ("SN", "EI", "BN"),
    },
    multi={
        # AF holds full names ("Smith, John A."), AU short ones ("Smith, JA"); AU is kept because
        # it is always present and matches other databases' initials form.
        "authors": ("AU",),
        "keywords": ("DE", "ID"),
        "language": ("LA",),
        "pub_type": ("DT",),
    },
    ids=(
        IdRule(
            "source_id",
            ("UT",),
            # "WOS:000082252000006" -> "000082252000006" (the accession number, DESIGN.md);
            # other collections keep their prefix ("MEDLINE:25705707", "BCI:BCI200500123456").
            rf"^\s*(?:(?:WOS|ISI):\s*)?((?:(?:{_FAMILY}):?\s*)?[0-9A-Z]+)\s*$",
        ),
        IdRule("pmid", ("PM",), r"(\d{1,9})"),
        IdRule("doi", ("DI", "D2"), r"(10\.\d{4,9}/\S+)", needles=("10.",)),
    ),
    split={"DE": r";\s*", "ID": r";\s*", "DT": r";\s*", "LA": r";\s*"},
)

#: Tags whose 3-space continuation lines are separate values (one per line).
ONE_VALUE_PER_LINE = frozenset(
    {"AU", "AF", "BA", "BF", "CA", "GP", "CR", "C1", "C3", "RP", "EM", "BE", "ED", "FU"}
)

#: Tags read but not kept.
IGNORED_TAGS = frozenset({
    "PT", "AF", "BA", "BE", "BF", "CA", "GP", "CT", "CY", "CL", "SP", "HO", "C1", "C3", "RP", "EM",
    "RI", "OI", "FU", "FP", "FX", "CR", "NR", "TC", "Z9", "U1", "U2", "PU", "PI", "PA", "EA", "PG",
    "WC", "WE", "SC", "GA", "OA", "HC", "HP", "DA", "PN", "SU", "SI", "MA", "BN", "D2", "ER", "EF",
    "FN", "VR", "ED", "SE", "BS", "EY", "PD", "AR",
})  # fmt: skip

#: Tab-delimited headers that differ from the tag ("UT (Unique WOS ID)" in newer exports).
COLUMN_ALIASES = {"UT (Unique WOS ID)": "UT", "UT (Unique ID)": "UT", "Pubmed Id": "PM"}

#: Multi-valued tab-delimited columns hold several values separated by "; ".
TAB_SPLIT = frozenset({"AU", "AF", "CR", "BA", "BF", "CA", "GP", "BE"})
