"""Embase.com CSV columns -> canonical fields (data only).

Two layouts exist (FORMATS.md): the classic one with identifier columns (``Embase Accession
ID``, ``Medline PMID``, ``PUI``, ``DOI``) and a newer one without them, whose records are then
matched on title, authors and source. ``Source`` is a citation string ("Journal (2020) 11 Article
Number: 562220. Date of Publication: 13 Jan 2021") parsed when separate columns are absent.
"""

from __future__ import annotations

from evsynth.sources.fields import FieldMap, IdRule

__all__ = ["FIELD_MAP", "IGNORED_COLUMNS", "SIGNATURE"]

FIELD_MAP = FieldMap(
    single={
        "title": ("Title", "Article Title"),
        "journal": ("Source title", "Source Title", "Journal"),
        "journal_abbrev": ("Abbreviated Journal Title", "Journal Abbreviation"),
        "year": ("Publication Year", "Date of Publication", "Year"),
        "volume": ("Volume",),
        "issue": ("Issue",),
        "start_page": ("First Page", "Page Start"),
        "end_page": ("Last Page", "Page End"),
        "abstract": ("Abstract",),
        "issn": ("ISSN", "Print ISSN", "Electronic ISSN"),
        "url": ("Embase Link", "Full Text Link"),
        "citation": ("Source",),
    },
    multi={
        "authors": ("Author Names", "Authors"),
        "keywords": (
            "Author Keywords",
            "Emtree Medical Index Terms (Major Focus)",
            "Emtree Medical Index Terms",
            "Emtree Drug Index Terms (Major Focus)",
            "Emtree Drug Index Terms",
        ),
        "language": ("Language of Article", "Article Language", "Language"),
        "pub_type": ("Publication Type",),
    },
    ids=(
        IdRule(
            "source_id",
            ("Embase Accession ID", "Accession Number"),
            r"^\s*L?(\d{6,})\s*$",
            prefix="L",
        ),
        # The PUI is Embase's own record id too (``L`` + digits), filled when the accession
        # column is empty (records added from MEDLINE, articles in press).
        IdRule("source_id", ("PUI",), r"^\s*L?(\d{6,})\s*$", prefix="L"),
        IdRule(
            "source_id", ("Embase Link", "Full Text Link"), r"[?&]id=(L\d{6,})\b", needles=("id=L",)
        ),
        IdRule("pmid", ("Medline PMID", "PMID", "PubMed ID"), r"(\d{1,9})"),
        IdRule("doi", ("DOI",), r"(10\.\d{4,9}/\S+)", needles=("10.",)),
        IdRule("doi", ("Full Text Link",), r"doi\.org/(10\.\d{4,9}/\S+)", needles=("doi.org",)),
    ),
    split={
        "Author Names": r",\s+(?=\S)",
        "Authors": r",\s+(?=\S)",
        "Author Keywords": r",\s*|;\s*",
        "Emtree Medical Index Terms (Major Focus)": r",\s*|;\s*",
        "Emtree Medical Index Terms": r",\s*|;\s*",
        "Emtree Drug Index Terms (Major Focus)": r",\s*|;\s*",
        "Emtree Drug Index Terms": r",\s*|;\s*",
        "Language of Article": r",\s*|;\s*",
        "Article Language": r",\s*|;\s*",
    },
)

#: Columns in Embase exports that carry nothing we keep (not reported as unknown).
IGNORED_COLUMNS = frozenset({
    "Full Record Entry Date", "Embase Classification", "Author Addresses",
    "Correspondence Address", "Editors", "Publisher", "Conference Name", "Conference Location",
    "Conference Date", "Device Trade Names", "Device Manufacturers", "Drug Trade Names",
    "Drug Manufacturers", "CAS Registry Numbers", "Clinical Trial Numbers",
    "Molecular Sequence Numbers", "Original (Non-English) Title", "Language of Summary",
    "Conference Editors", "AiP/IP Entry Date", "ISBN", "Book Publisher", "Original Abstract",
    "Drug Tradenames", "Drug Manufacturer", "Device Tradenames", "Device Manufacturer",
    "Summary Language", "Open URL Link", "Copyright", "Original Title",
})  # fmt: skip

#: A header with these columns is an Embase CSV.
SIGNATURE = ("Title", "Author Names", "Source")
