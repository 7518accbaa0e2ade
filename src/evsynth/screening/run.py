"""Read one screening stage's inputs from files and screen it (the file layer over stage.py)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from evsynth.errors import InputError
from evsynth.screening.ingest import DecisionFile, FileSummary, RawDecision, read_decisions
from evsynth.screening.matching import StudyIndex
from evsynth.screening.stage import StageResult, StageSettings, screen_stage
from evsynth.tables import read_tsv

__all__ = ["expand_decision_specs", "read_previous_stage", "screen_files"]

_IGNORED = ("readme", ".")


def expand_decision_specs(specs: Sequence[DecisionFile]) -> list[DecisionFile]:
    """Replace a directory by the decision files in it (sorted; README and hidden files skipped).

    An empty directory is fine: it is how a review starts (everything lands in the queue).
    """
    out = []
    for spec in specs:
        path = Path(spec.path)
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.is_file() and not child.name.lower().startswith(_IGNORED):
                    out.append(DecisionFile(str(child), spec.reviewer, spec.list))
        else:
            out.append(spec)
    return out


def read_previous_stage(path: str | Path) -> dict[str, str]:
    """study_record_id -> final title/abstract decision ("" when still queued)."""
    rows = read_tsv(path, required=("study_record_id", "decision"))
    queued = ("awaiting_reviewers", "conflict", "maybe")
    return {
        r["study_record_id"]: ("" if r.get("status", "") in queued else r["decision"]) for r in rows
    }


def screen_files(
    records: str | Path,
    decisions: Sequence[DecisionFile],
    *,
    settings: StageSettings,
    adjudication: Sequence[DecisionFile] = (),
    previous_stage: str | Path | None = None,
) -> tuple[StageResult, dict[str, dict[str, str]]]:
    """Screen one stage from the unique records TSV and the decision files."""
    rows = read_tsv(records, required=("study_record_id", "title"))
    seen = set()
    for lineno, row in enumerate(rows, start=2):
        if not row["study_record_id"]:
            raise InputError("empty study_record_id", path=str(records), line=lineno)
        if row["study_record_id"] in seen:
            raise InputError(
                f"study_record_id {row['study_record_id']} appears twice",
                path=str(records),
                line=lineno,
            )
        seen.add(row["study_record_id"])
    index = StudyIndex.build(rows)
    all_decisions: list[RawDecision] = []
    summaries: list[FileSummary] = []
    for spec in expand_decision_specs(decisions):
        items, summary = read_decisions(spec, stage=settings.stage)
        all_decisions.extend(items)
        summaries.append(summary)
    adjudicated: list[RawDecision] = []
    for spec in expand_decision_specs(adjudication):
        items, summary = read_decisions(spec, plain_only=True, stage=settings.stage)
        summary.format = "adjudication"
        adjudicated.extend(items)
        summaries.append(summary)
    previous = read_previous_stage(previous_stage) if previous_stage else None
    result = screen_stage(
        index,
        all_decisions,
        settings=settings,
        inputs=summaries,
        adjudication=adjudicated,
        previous=previous,
    )
    return result, index.records
