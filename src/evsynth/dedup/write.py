"""Write a :class:`~evsynth.dedup.engine.DedupResult` as the contract files in results/dedup/."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from evsynth.contracts.records import COLUMNS
from evsynth.dedup.decisions import DECISION_COLUMNS
from evsynth.dedup.engine import DedupResult, StudyRecord
from evsynth.dedup.score import PairScore
from evsynth.tables import write_json, write_text, write_tsv

__all__ = [
    "CLUSTER_COLUMNS",
    "PAIR_COLUMNS",
    "POSSIBLE_CONTEXT",
    "UNIQUE_COLUMNS",
    "write_outputs",
]

PAIR_COLUMNS = (
    "a", "b", "score", "title_sim", "author_sim", "journal_sim", "year_match", "doi_match",
    "pmid_match", "rule", "decision",
)  # fmt: skip
CLUSTER_COLUMNS = ("record_id", "study_record_id")
UNIQUE_COLUMNS = ("study_record_id", *COLUMNS, "sources", "member_ids", "field_sources")
# Fields shown side by side in possible.csv so a person can decide without opening the exports.
POSSIBLE_CONTEXT = (
    "title", "authors", "journal", "year", "volume", "issue", "pages", "doi", "pmid", "pub_type",
    "language", "source",
)  # fmt: skip


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _flag(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def _unique_row(study: StudyRecord) -> dict[str, str]:
    # Merged one study at a time, so the rows of all studies never exist at once.
    row, origin = study.merged()
    row["study_record_id"] = study.study_record_id
    row["sources"] = "; ".join(study.sources)
    row["member_ids"] = "; ".join(study.member_ids)
    row["field_sources"] = "; ".join(f"{k}={v}" for k, v in origin.items())
    return row


def _pair_row(result: DedupResult, p: PairScore) -> dict[str, str]:
    return {
        "a": result.records[p.a].record_id,
        "b": result.records[p.b].record_id,
        "score": _num(p.score),
        "title_sim": _num(p.title_sim),
        "author_sim": _num(p.author_sim),
        "journal_sim": _num(p.journal_sim),
        "year_match": _flag(p.year_match),
        "doi_match": _flag(p.doi_match),
        "pmid_match": _flag(p.pmid_match),
        "rule": p.rule,
        "decision": p.decision,
    }


def write_outputs(result: DedupResult, out_dir: str | Path) -> dict[str, Path]:
    """Write pairs.tsv, clusters.tsv, unique.tsv, possible.csv and summary.json; return paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        name: out / name
        for name in ("pairs.tsv", "clusters.tsv", "unique.tsv", "possible.csv", "summary.json")
    }
    # Pairs are already in (a, b) record-id order.
    write_tsv(paths["pairs.tsv"], (_pair_row(result, p) for p in result.pairs), PAIR_COLUMNS)
    write_tsv(
        paths["clusters.tsv"],
        ({"record_id": k, "study_record_id": v} for k, v in sorted(result.study_of.items())),
        CLUSTER_COLUMNS,
    )
    write_tsv(paths["unique.tsv"], (_unique_row(s) for s in result.studies), UNIQUE_COLUMNS)

    buffer = io.StringIO()
    context = [f"{name}_{side}" for name in POSSIBLE_CONTEXT for side in ("a", "b")]
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*DECISION_COLUMNS, "score", "rule", *context])
    for p in result.possible:
        ra, rb = result.records[p.a], result.records[p.b]
        cells = []
        for name in POSSIBLE_CONTEXT:
            cells.extend([getattr(ra, name), getattr(rb, name)])
        writer.writerow([ra.record_id, rb.record_id, "", "", _num(p.score), p.rule, *cells])
    write_text(paths["possible.csv"], buffer.getvalue())
    write_json(paths["summary.json"], result.summary)
    return paths
