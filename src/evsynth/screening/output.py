"""Write a stage's results: the stage TSV, the queue (CSV and RIS) and agreement_{stage}.json.

The queue files are what a reviewer fills next: the CSV is itself a plain decision file (fill
``reviewer``, ``decision``, ``reason``), the RIS imports into Rayyan, ASReview LAB or Zotero and
carries the study record id in ``ID`` and ``AN`` so that the tools' exports match back exactly.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from pathlib import Path

from evsynth.screening.stage import StageResult, StageRow
from evsynth.sources.ris import ris_text
from evsynth.tables import clean_cell, write_json, write_tsv

__all__ = [
    "QUEUE_COLUMNS",
    "STAGE_COLUMNS",
    "agreement_document",
    "neutralise_cell",
    "queue_csv_text",
    "queue_ris_text",
    "write_stage",
]

STAGE_COLUMNS: tuple[str, ...] = (
    "study_record_id",
    "decision",
    "reason",
    "reviewers",
    "conflict",
    "status",
    "note",
)

QUEUE_COLUMNS: tuple[str, ...] = (
    "study_record_id",
    "reviewer",
    "decision",
    "reason",
    "note",
    "status",
    "decided_by",
    "conflict_details",
    "title",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "abstract",
    "url",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _write_text(path: Path, text: str) -> None:
    """Write atomically (temp file + rename) so a crash never leaves half a queue behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.replace(tmp, path)


def neutralise_cell(value: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe.

    Cells beginning with = + - @ (or tab / carriage return) are formulas to Excel, LibreOffice and
    Google Sheets (OWASP, "CSV Injection"); a leading ' makes them literal text and is stripped
    again when evsynth reads a filled queue back.
    """
    if value and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _stage_row_dict(row: StageRow, reviewers: list[str]) -> dict[str, str]:
    out = {
        "study_record_id": row.study_record_id,
        "decision": row.decision,
        "reason": row.reason,
        "reviewers": "; ".join(row.reviewers),
        "conflict": row.conflict,
        "status": row.status,
        "note": row.note,
    }
    for r in reviewers:
        out[f"reviewer:{r}"] = row.per_reviewer.get(r, "")
    return out


def _queue_row(row: StageRow, record: Mapping[str, str]) -> dict[str, str]:
    status = {
        "awaiting_reviewers": "needs a decision",
        "conflict": "conflict: needs adjudication",
        "maybe": "maybe: needs a final decision",
    }[row.status]
    return {
        "study_record_id": row.study_record_id,
        "reviewer": "",
        "decision": "",
        "reason": "",
        "note": "",
        "status": status,
        "decided_by": "; ".join(row.reviewers),
        "conflict_details": row.conflict_details,
        **{c: record.get(c, "") for c in QUEUE_COLUMNS[8:]},
    }


def queue_csv_text(result: StageResult, records: Mapping[str, Mapping[str, str]]) -> str:
    """The queue as CSV (UTF-8 with BOM so Excel shows accents), formula cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(QUEUE_COLUMNS)
    for row in result.queue:
        values = _queue_row(row, records[row.study_record_id])
        writer.writerow([neutralise_cell(clean_cell(values[c])) for c in QUEUE_COLUMNS])
    return "\ufeff" + buffer.getvalue()


def queue_ris_text(result: StageResult, records: Mapping[str, Mapping[str, str]]) -> str:
    """The queue as RIS; the study record id goes in ID and AN so tool exports match back."""
    references: list[dict[str, object]] = []
    for row in result.queue:
        rec = records[row.study_record_id]
        pages = rec.get("pages", "")
        start, _, end = pages.partition("-")
        pmid = rec.get("pmid", "")
        fields: list[tuple[str, str | list[str]]] = [
            ("id", row.study_record_id),
            ("accession_number", row.study_record_id),
            ("title", rec.get("title", "")),
            ("authors", rec.get("authors", "").split(";")),
            ("year", rec.get("year", "")),
            ("journal_name", rec.get("journal", "")),
            ("volume", rec.get("volume", "")),
            ("number", rec.get("issue", "")),
            ("start_page", start),
            ("end_page", end),
            ("doi", rec.get("doi", "")),
            ("abstract", rec.get("abstract", "")),
            ("keywords", rec.get("keywords", "").split(";")),
            ("urls", [rec.get("url", "")]),
            ("custom1", f"PMID: {pmid}" if pmid else ""),
            ("notes", [f"evsynth {result.settings.stage} queue: {row.study_record_id}"]),
        ]
        reference: dict[str, object] = {"type_of_reference": "JOUR"}
        for name, value in fields:
            if isinstance(value, list):
                values = [v for v in (_ris_value(v) for v in value) if v]
                if values:
                    reference[name] = values
            elif _ris_value(value):
                reference[name] = _ris_value(value)
        references.append(reference)
    return ris_text(references)


def _ris_value(value: str) -> str:
    """One line's value: cell clean-up (no line breaks or control characters), then trimmed."""
    return clean_cell(value).strip()


def agreement_document(
    result: StageResult, *, queue_csv: str = "", queue_ris: str = ""
) -> dict[str, object]:
    """What agreement_{stage}.json says about a stage: kappa, counts, inputs, completeness."""
    return {
        "stage": result.settings.stage,
        "complete": result.complete,
        "require_complete": result.settings.require_complete,
        "required_reviewers": result.settings.required_reviewers,
        "reviewers": list(result.reviewers),
        "exclusion_reasons_allowed": list(result.settings.exclusion_reasons),
        "counts": result.counts(),
        "agreement": result.agreement.to_dict(),
        "inputs": [s.to_dict() for s in result.inputs],
        "queue": {"csv": queue_csv, "ris": queue_ris, "records": len(result.queue)},
    }


def write_stage(
    result: StageResult,
    records: Mapping[str, Mapping[str, str]],
    out_dir: str | Path,
    *,
    table: str | Path | None = None,
) -> dict[str, Path]:
    """Write {stage}.tsv, queue_{stage}.csv/.ris and agreement_{stage}.json into ``out_dir``.

    ``table`` puts the stage table elsewhere (the workflow writes it unchecked and lets
    ``screen-agreement`` publish it once the require_complete check passed).
    """
    out = Path(out_dir)
    stage = result.settings.stage
    paths = {
        "tsv": Path(table) if table else out / f"{stage}.tsv",
        "queue_csv": out / f"queue_{stage}.csv",
        "queue_ris": out / f"queue_{stage}.ris",
        "agreement": out / f"agreement_{stage}.json",
    }
    columns = list(STAGE_COLUMNS) + [f"reviewer:{r}" for r in result.reviewers]
    write_tsv(
        paths["tsv"],
        (_stage_row_dict(r, result.reviewers) for r in result.rows),
        columns,
        sort_by=("study_record_id",),
    )
    _write_text(paths["queue_csv"], queue_csv_text(result, records))
    _write_text(paths["queue_ris"], queue_ris_text(result, records))
    write_json(
        paths["agreement"],
        agreement_document(
            result, queue_csv=str(paths["queue_csv"]), queue_ris=str(paths["queue_ris"])
        ),
    )
    return paths
