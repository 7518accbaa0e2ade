"""Scopus CSV columns -> canonical fields (data only), from Scopus's export column list."""

from __future__ import annotations

from evsynth.sources.fields import FieldMap, IdRule

__all__ = ["FIELD_MAP", "IGNORED_COLUMNS", "SIGNATURE"]

FIELD_MAP = FieldMap(
    single={
        "title": ("Title",),
        "journal": ("Source title",),
        "journal_abbrev": ("Abbreviated Source Title",),
        "year": ("Year",),
        "volume": ("Volume",),
        "issue": ("Issue",),
        "start_page": ("Page start", "Art. No."),
        "end_page": ("Page end",),
        "abstract": ("Abstract",),
        "issn": ("ISSN",),
        "url": ("Link",),
    },
    multi={
        # "Smith J., Doe A.B." (older) or "Smith J.; Doe A.B." (newer exports).
        "authors": ("Authors",),
        "keywords": ("Author Keywords", "Index Keywords"),
        "language": ("Language of Original Document",),
        "pub_type": ("Document Type",),
    },
    ids=(
        IdRule("source_id", ("EID",), r"(2-s2\.0-\d+)"),
        IdRule("source_id", ("Link",), r"eid=(2-s2\.0-\d+)"),
        IdRule("pmid", ("PubMed ID",), r"(\d{1,9})"),
        IdRule("doi", ("DOI",), r"(10\.\d{4,9}/\S+)", needles=("10.",)),
    ),
    split={
        "Authors": r";\s*|(?<=\.),\s+",
        "Author Keywords": r";\s*",
        "Index Keywords": r";\s*",
        "Language of Original Document": r";\s*",
    },
)

IGNORED_COLUMNS = frozenset({
    "Author(s) ID", "Author full names", "Page count", "Cited by", "Affiliations",
    "Authors with affiliations", "Molecular Sequence Numbers", "Chemicals/CAS", "Tradenames",
    "Manufacturers", "Funding Details", "Funding Texts", "Funding Text 1", "Funding Text 2",
    "References", "Correspondence Address", "Editors", "Publisher", "Sponsors", "Conference name",
    "Conference date", "Conference location", "Conference code", "ISBN", "CODEN",
    "Publication Stage", "Open Access", "Source", "Art. No.", "Page start", "Page end",
})  # fmt: skip

SIGNATURE = ("Authors", "Title", "Source title")
