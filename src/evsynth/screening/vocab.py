"""Lookup tables for screening (data only): decision words, tool column names, reserved reasons.

Kept apart from the logic so that supporting a new spelling or a new tool column is a one-line
change here, reviewed on its own.
"""

from __future__ import annotations

__all__ = [
    "ABSTRACKR_LABELS",
    "ABSTRACKR_NO_CONSENSUS",
    "ABSTRACKR_UNLABELLED_MARKER",
    "ASREVIEW_DATA_STORE",
    "ASREVIEW_NOTE_COLUMNS",
    "ASREVIEW_RESULTS_FILES",
    "ASREVIEW_RESULTS_TABLE",
    "ASREVIEW_RIS_IRRELEVANT",
    "ASREVIEW_RIS_NOT_SEEN",
    "ASREVIEW_RIS_RELEVANT",
    "ASREVIEW_USER_COLUMNS",
    "AUTHOR_COLUMNS",
    "COVIDENCE_LISTS",
    "DECISIONS",
    "DECISION_WORDS",
    "DOI_COLUMNS",
    "EPPI_FLAGS",
    "EPPI_ID_COLUMNS",
    "EPPI_LISTS",
    "EPPI_RIS_KEYWORD",
    "ID_COLUMNS",
    "NOT_RETRIEVED",
    "PMID_COLUMNS",
    "RAYYAN_DECISIONS",
    "RAYYAN_INCLUSION",
    "RAYYAN_KEY_PREFIX",
    "RAYYAN_LABELS",
    "RAYYAN_REASONS",
    "RAYYAN_REASON_LABEL_PREFIX",
    "RAYYAN_USER_NOTES",
    "STAGES",
    "TITLE_COLUMNS",
    "TOOL_KEY_COLUMNS",
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

#: Covidence exports one file per list; the list gives the consensus decision at each stage
#: (title/abstract, full text); "" = the list says nothing about that stage (the record is still
#: awaiting it, or never reached it). "irrelevant": excluded at title/abstract; "select": moved on
#: to full-text review; "excluded": excluded at full text (with "Exclusion reason:" in Notes);
#: "included": included at full text.
COVIDENCE_LISTS: dict[str, tuple[str, str]] = {
    "irrelevant": ("exclude", ""),
    "select": ("include", ""),
    "excluded": ("include", "exclude"),
    "included": ("include", "include"),
}

#: EPPI-Reviewer marks each item included ("I") or excluded ("E") in its "Included" column; a list
#: exported as RIS carries no flag, so the list is declared: included or excluded.
EPPI_FLAGS: dict[str, str] = {
    "i": "include",
    "e": "exclude",
    "included": "include",
    "excluded": "exclude",
}
#: Column names of EPPI-Reviewer's item id in its Excel export.
EPPI_ID_COLUMNS: tuple[str, ...] = ("id", "itemid", "item id", "item_id")
EPPI_LISTS: dict[str, str] = {"included": "include", "excluded": "exclude"}
#: The keyword EPPI-Reviewer writes into every record of its RIS export.
EPPI_RIS_KEYWORD = "eppi-reviewer"

#: Abstrackr labels (consensus and per-reviewer columns): 1 include, -1 exclude, 0 maybe
#: ("borderline").
#: In the consensus column "o" means no consensus label was recorded (the reviewers' own labels then
#: count); an empty cell means no label.
ABSTRACKR_LABELS: dict[str, str] = {"1": "include", "-1": "exclude", "0": "maybe"}
ABSTRACKR_NO_CONSENSUS = "o"
#: The separator row Abstrackr writes before the citations nobody has labelled yet.
ABSTRACKR_UNLABELLED_MARKER = "citations that are not yet labeled by anyone"

#: Rayyan writes the record key as "rayyan-<number>" (CSV column "key", RIS tag AN).
RAYYAN_KEY_PREFIX = "rayyan-"

#: Fields inside Rayyan's notes (CSV ``notes`` / RIS ``N1``), separated by " | ".
RAYYAN_INCLUSION = "RAYYAN-INCLUSION"
RAYYAN_REASONS = "RAYYAN-EXCLUSION-REASONS"
RAYYAN_LABELS = "RAYYAN-LABELS"
RAYYAN_USER_NOTES = "USER-NOTES"
#: Rayyan keeps exclusion reasons as labels with this prefix; some exports list them as labels.
RAYYAN_REASON_LABEL_PREFIX = "__EXR__"

#: ASReview LAB project file (.asreview, a zip): the SQLite results database of each review, its
#: table and columns. LAB 1.x names the file results.sql, 2.x results.db.
ASREVIEW_RESULTS_FILES: tuple[str, ...] = ("results.db", "results.sql")
ASREVIEW_RESULTS_TABLE = "results"
#: LAB 2.x also keeps the imported records in an SQLite data store (used when data/ has no file).
ASREVIEW_DATA_STORE = "data_store.db"
ASREVIEW_NOTE_COLUMNS: tuple[str, ...] = ("note", "notes")
ASREVIEW_USER_COLUMNS: tuple[str, ...] = ("user_id", "user")

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
#: Columns holding the tool's own record key, matched against the records' source ids first.
TOOL_KEY_COLUMNS: tuple[str, ...] = ("key", "covidence #")
PMID_COLUMNS: tuple[str, ...] = ("pmid", "pubmed_id", "pubmed id", "medline pmid")
DOI_COLUMNS: tuple[str, ...] = ("doi",)
TITLE_COLUMNS: tuple[str, ...] = ("title", "primary_title", "article title")
YEAR_COLUMNS: tuple[str, ...] = ("year", "published year", "publication_year", "publication year")
AUTHOR_COLUMNS: tuple[str, ...] = ("authors", "author", "first_authors", "author names")
