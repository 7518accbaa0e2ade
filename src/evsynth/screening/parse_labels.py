"""Parsers of the files that hold one label per record: evsynth's plain sheet (checked against
``workflow/schemas/screening_decisions.schema.yaml``), ASReview LAB (CSV, RIS, project file) and
EPPI-Reviewer (Excel, RIS of a declared list).
"""

from __future__ import annotations

from evsynth.contracts.schemas import check_sheet_row
from evsynth.errors import InputError
from evsynth.screening import vocab
from evsynth.screening.asreview_project import AsreviewLabel, AsreviewProject
from evsynth.screening.raw import (
    DecisionFile,
    FileSummary,
    RawDecision,
    bib,
    decide_rows,
    default_reviewer,
    list_help,
    parse_decision_word,
    ris_bib,
    ris_notes,
    ris_template,
    row_template,
)
from evsynth.screening.readers import RisFile, RisRecord, Table, TableRow

__all__ = [
    "parse_asreview",
    "parse_asreview_project",
    "parse_asreview_ris",
    "parse_eppi",
    "parse_eppi_ris",
    "parse_plain",
]


def parse_plain(
    table: Table, spec: DecisionFile, summary: FileSummary, stage: str = ""
) -> list[RawDecision]:
    fallback = default_reviewer(spec)

    def decide(row: TableRow) -> list[RawDecision]:
        decision, implied = parse_decision_word(
            row.cells.get("decision", ""), path=table.path, line=row.line
        )
        if not decision:
            return []
        record_id = row.get("study_record_id", "record_id")
        if not record_id:
            raise InputError(
                "a decision without a record id", path=table.path, line=row.line, field="record_id"
            )
        folded = " ".join(row.cells.get("decision", "").lower().split())
        check_sheet_row(
            "screening_decisions",
            {**row.cells, "decision": folded},
            path=table.path,
            line=row.line,
        )
        reason = row.cells.get("reason", "")
        item = row_template(
            table.path,
            row,
            "plain",
            row.cells.get("reviewer", "") or fallback,
            decision,
            reasons=[implied] if implied else [r for r in reason.split(";") if r.strip()],
            note=row.cells.get("note", ""),
        )
        item.ids = [record_id]
        item.id_is_strict = True
        return [item]

    return decide_rows(table.rows, summary, decide)


def parse_asreview(
    table: Table, spec: DecisionFile, summary: FileSummary, stage: str = ""
) -> list[RawDecision]:
    fallback = default_reviewer(spec)

    def decide(row: TableRow) -> list[RawDecision]:
        label = row.cells.get("asreview_label", "").strip()
        if label in ("", "-1", "nan", "NaN", "None"):
            return []
        if label in ("1", "1.0"):
            decision = "include"
        elif label in ("0", "0.0"):
            decision = "exclude"
        else:
            raise InputError(
                f"asreview_label is {label!r}; ASReview LAB writes 1 (relevant), 0 (irrelevant) or "
                "nothing (not seen)",
                path=table.path,
                line=row.line,
                field="asreview_label",
            )
        reviewer = row.get("asreview_user_name", "asreview_user") or fallback
        note = row.cells.get("asreview_note", "")
        return [row_template(table.path, row, "asreview", reviewer, decision, note=note)]

    return decide_rows(table.rows, summary, decide)


def parse_asreview_ris(
    ris: RisFile, spec: DecisionFile, summary: FileSummary, stage: str = ""
) -> list[RawDecision]:
    def decide(record: RisRecord) -> list[RawDecision]:
        notes = ris_notes(record)
        relevant = vocab.ASREVIEW_RIS_RELEVANT in notes
        irrelevant = vocab.ASREVIEW_RIS_IRRELEVANT in notes
        if relevant and irrelevant:
            raise InputError(
                "notes say both ASReview_relevant and ASReview_irrelevant; a record carries one "
                "of ASReview_relevant, ASReview_irrelevant or ASReview_not_seen",
                path=ris.path,
                line=record.line,
            )
        if not (relevant or irrelevant):
            return []
        decision = "include" if relevant else "exclude"
        return [ris_template(ris.path, record, "asreview_ris", default_reviewer(spec), decision)]

    return decide_rows(ris.records, summary, decide)


def parse_eppi(
    table: Table, spec: DecisionFile, summary: FileSummary, stage: str
) -> list[RawDecision]:
    def decide(row: TableRow) -> list[RawDecision]:
        flag = row.cells.get("included", "").strip()
        if not flag:
            return []
        decision = vocab.EPPI_FLAGS.get(flag.lower())
        if decision is None:
            raise InputError(
                f"Included is {flag!r}; EPPI-Reviewer writes I (included) or E (excluded)",
                path=table.path,
                line=row.line,
                field="Included",
            )
        reviewer = spec.reviewer or "eppi-reviewer"
        item = row_template(table.path, row, "eppi", reviewer, decision, consensus=True)
        item.ids = []
        key = row.get(*vocab.EPPI_ID_COLUMNS)
        item.tool_keys = [key] if key else []
        if not item.authors:  # ShortTitle is "Family (year)"
            item.authors = row.cells.get("shorttitle", "").split("(")[0].strip()
        return [item]

    return decide_rows(table.rows, summary, decide)


def parse_eppi_ris(
    ris: RisFile, spec: DecisionFile, summary: FileSummary, stage: str
) -> list[RawDecision]:
    declared = (spec.list or "").strip().lower()
    if declared not in vocab.EPPI_LISTS:
        raise InputError(
            "an EPPI-Reviewer RIS export carries no include/exclude flag; "
            + (f"list {spec.list!r} is not one of included, excluded; " if declared else "")
            + "export the list as Excel (its Included column says I or E), or "
            + list_help(ris.path, list(vocab.EPPI_LISTS)),
            path=ris.path,
        )

    def decide(record: RisRecord) -> list[RawDecision]:
        item = ris_template(
            ris.path,
            record,
            "eppi_ris",
            spec.reviewer or "eppi-reviewer",
            vocab.EPPI_LISTS[declared],  # every record of the list is decided
            consensus=True,
            note=f"EPPI-Reviewer list: {declared}",
        )
        item.ids = []
        item.tool_keys = [v for v in record.tags.get("U1", []) if v]
        return [item]

    return decide_rows(ris.records, summary, decide)


def parse_asreview_project(
    project: AsreviewProject, spec: DecisionFile, summary: FileSummary, stage: str
) -> list[RawDecision]:
    """Labels from the project's results table, joined to its own data file by ``record_id``."""
    positions = project.record_ids()
    where = f"{project.path}!{project.results_member}"
    users = sorted({lab.user for lab in project.labels if lab.user})
    base = default_reviewer(spec)

    def decide(lab: AsreviewLabel) -> list[RawDecision]:
        if lab.label == "":
            return []
        if lab.label not in ("1", "0"):
            raise InputError(
                f"label is {lab.label!r}; ASReview LAB writes 1 (relevant), 0 (irrelevant) or "
                "NULL (not labelled)",
                path=where,
                line=lab.line,
                field="label",
            )
        if lab.record_id not in positions:
            raise InputError(
                f"record_id {lab.record_id!r} is not a record of the project's data file "
                f"{project.data_member} ({len(positions)} records); a label must name one of its "
                "records by record_id (the data's record_id column, else its 0-based order)",
                path=where,
                line=lab.line,
                field="record_id",
            )
        item = RawDecision(
            where,
            lab.line,
            "asreview_project",
            f"{base}:{lab.user}" if len(users) > 1 else base,
            "include" if lab.label == "1" else "exclude",
            note=lab.note,
        )
        position = positions[lab.record_id]
        if isinstance(project.data, RisFile):
            ris_bib(project.data.records[position], item)
        else:
            bib(project.data.rows[position], item)
            item.tool_keys = []
        return [item]

    return decide_rows(project.labels, summary, decide)
