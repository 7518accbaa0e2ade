"""Lookup tables for screening (data only): decision words, tool column names, reserved reasons.

Kept apart from the logic so that supporting a new spelling or a new tool column is a one-line
change here, reviewed on its own.
"""

from __future__ import annotations

__all__ = [
    "ASREVIEW_RIS_IRRELEVANT",
    "ASREVIEW_RIS_NOT_SEEN",
    "ASREVIEW_RIS_RELEVANT",
    "AUTHOR_COLUMNS",
    "COVIDENCE_FILE_DECISIONS",
    "DECISIONS",
    "DECISION_WORDS",
    "DOI_COLUMNS",
    "ID_COLUMNS",
    "NOT_RETRIEVED",
    "PMID_COLUMNS",
    "RAYYAN_DECISIONS",
    "STAGES",
    "TITLE_COLUMNS",
    "YEAR_COLUMNS",
]

#: The two screening stages, in order.
STAGES: tuple[str, ...] = ("title_abstract", "full_text")

#: Final decision values written to the stage TSV ("" = no final decision yet).
DECISIONS: tuple[str, ...] = ("include", "exclude", "maybe")

#: The reason that marks a full-text report as sought but not retrieved (PRISMA
#: ``dbr_notretrieved_reports``). Always allowed at full text, never counted among exclusions.
NOT_RETRIEVED = "report not retrieved"

#: Words a reviewer may write in a plain decision file (case-insensitive) -> (decision, reason).
#: ``not_retrieved`` is shorthand for an exclusion with the reserved reason :data:`NOT_RETRIEVED`.
DECISION_WORDS: dict[str, tuple[str, str]] = {
    "include": ("include", ""),
    "included": ("include", ""),
    "in": ("include", ""),
    "yes": ("include", ""),
    "y": ("include", ""),
    "1": ("include", ""),
    "relevant": ("include", ""),
    "exclude": ("exclude", ""),
    "excluded": ("exclude", ""),
    "out": ("exclude", ""),
    "no": ("exclude", ""),
    "n": ("exclude", ""),
    "0": ("exclude", ""),
    "irrelevant": ("exclude", ""),
    "maybe": ("maybe", ""),
    "unsure": ("maybe", ""),
    "uncertain": ("maybe", ""),
    "?": ("maybe", ""),
    "not_retrieved": ("exclude", NOT_RETRIEVED),
    "not retrieved": ("exclude", NOT_RETRIEVED),
    "not-retrieved": ("exclude", NOT_RETRIEVED),
}

#: Rayyan's per-reviewer labels inside ``RAYYAN-INCLUSION: {...}``.
RAYYAN_DECISIONS: dict[str, str] = {
    "included": "include",
    "excluded": "exclude",
    "maybe": "maybe",
}

#: ASReview LAB's RIS export writes one of these into the notes of each record.
ASREVIEW_RIS_RELEVANT = "ASReview_relevant"
ASREVIEW_RIS_IRRELEVANT = "ASReview_irrelevant"
ASREVIEW_RIS_NOT_SEEN = "ASReview_not_seen"

#: Covidence exports one CSV per list; the list (from the file name) gives the decision.
#: "select" is the list of records moved on to full-text review (included at title/abstract).
COVIDENCE_FILE_DECISIONS: dict[str, str] = {
    "irrelevant": "exclude",
    "excluded": "exclude",
    "included": "include",
    "select": "include",
}

# Column names (lower-case) that tools use for the identifiers and the bibliographic fields used to
# match a row back to a study record, in order of preference.
ID_COLUMNS: tuple[str, ...] = (
    "study_record_id",
    "record_id",
    "accession number",
    "ref",
    "key",
    "id",
)
PMID_COLUMNS: tuple[str, ...] = ("pmid", "pubmed_id", "pubmed id", "medline pmid")
DOI_COLUMNS: tuple[str, ...] = ("doi",)
TITLE_COLUMNS: tuple[str, ...] = ("title", "primary_title", "article title")
YEAR_COLUMNS: tuple[str, ...] = ("year", "published year", "publication_year", "publication year")
AUTHOR_COLUMNS: tuple[str, ...] = ("authors", "author", "first_authors", "author names")
