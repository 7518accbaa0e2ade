"""The merged record of a cluster and its study record id.

Each field keeps the most complete value any member has (the longest abstract, the full author
list, the journal's full name, the page range written in full), and says which record it came
from, so a reviewer can trace every value back to an export.
"""

from __future__ import annotations

from collections.abc import Sequence

from evsynth.contracts.records import COLUMNS, Record

__all__ = ["MERGE_RULES", "merge_records", "priority_key"]

# Fields whose "most complete" value is the longest; the rest come from the highest-priority
# member that has a value (identifiers, year, volume: the member the study record id names first).
MERGE_RULES: dict[str, str] = {
    "title": "title",
    "authors": "authors",
    "journal": "longest",
    "abstract": "longest",
    "keywords": "longest",
    "pages": "longest",
    "issn": "longest",
    "url": "priority",
}
_IDENTITY = ("record_id", "source", "source_id", "source_file", "source_line")


def priority_key(run_rank: int, record: Record) -> tuple[int, int, int, int, str]:
    """Order of members for the study record id: earliest run, then PMID, then DOI, then id.

    The run comes first so that records added by a later search run never rename a study
    (DESIGN.md, "Identities"); within a run a member with a PMID (PubMed's own record first, as
    the PMID's authority), then with a DOI, is preferred.
    """
    return (
        run_rank,
        0 if record.pmid else 1,
        0 if record.pmid and record.source == "pubmed" else 1,
        0 if record.doi else 1,
        record.record_id,
    )


def _title_rank(value: str) -> tuple[int, int, int]:
    return (0 if value.isupper() else 1, 0 if value.startswith("[") else 1, len(value))


def _authors_rank(value: str) -> tuple[int, int]:
    return (len([a for a in value.split(";") if a.strip()]), len(value))


def merge_records(
    members: Sequence[Record], study_record_id: str
) -> tuple[dict[str, str], dict[str, str]]:
    """Merge members (in priority order) into one row; returns (row, field -> source record id)."""
    first = members[0]
    row: dict[str, str] = {}
    origin: dict[str, str] = {}
    for name in COLUMNS:
        if name in _IDENTITY:
            row[name] = getattr(first, name)
            continue
        rule = MERGE_RULES.get(name, "priority")
        best: Record | None = None
        best_rank: tuple = ()
        for member in members:
            value = getattr(member, name)
            if not value:
                continue
            if rule == "priority":
                best = member
                break
            if rule == "title":
                rank: tuple = _title_rank(value)
            elif rule == "authors":
                rank = _authors_rank(value)
            else:
                rank = (len(value),)
            if best is None or rank > best_rank:
                best, best_rank = member, rank
        row[name] = getattr(best, name) if best is not None else ""
        if best is not None:
            origin[name] = best.record_id
    row["record_id"] = study_record_id
    return row, origin
