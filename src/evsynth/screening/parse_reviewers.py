"""Parsers of the files where several reviewers, or a list, decide: Rayyan (decisions of every
reviewer in the notes), Covidence (one file per list) and Abstrackr (one label column per reviewer
and a consensus).
"""

from __future__ import annotations

import re

from evsynth.errors import InputError
from evsynth.screening import vocab
from evsynth.screening.raw import (
    QUEUE_ID,
    DecisionFile,
    FileSummary,
    RawDecision,
    copy_bib,
    decide_rows,
    list_help,
    ris_notes,
    ris_template,
    row_template,
    split_list,
    tag_line,
)
from evsynth.screening.readers import RisFile, RisRecord, Table, TableRow

__all__ = [
    "parse_abstrackr",
    "parse_covidence",
    "parse_covidence_ris",
    "parse_rayyan",
    "parse_rayyan_ris",
]


_RAYYAN_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"\s*=>\s*"((?:[^"\\]|\\.)*)"')
_RAYYAN_NOTE_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"\s*=>\s*\[(.*?)\]')
_RAYYAN_FIELD = re.compile(r"\s*(RAYYAN-[A-Z-]+|USER-NOTES):\s*(.*)$", flags=re.DOTALL)


def _rayyan_fields(notes: str) -> dict[str, str]:
    """The ``RAYYAN-...: value`` and ``USER-NOTES`` parts of Rayyan's notes (joined by `` | ``
    after the record's original notes, which are left alone)."""
    fields: dict[str, str] = {}
    for part in notes.split(" | "):
        match = _RAYYAN_FIELD.match(part)
        if match:
            fields[match.group(1)] = match.group(2).strip()
    return fields


def _rayyan_decisions(
    notes: str, *, path: str, line: int, template: RawDecision
) -> list[RawDecision]:
    """One decision per reviewer named in RAYYAN-INCLUSION; none when nobody decided the record."""
    fields = _rayyan_fields(notes)
    inclusion = fields.get(vocab.RAYYAN_INCLUSION, "")
    pairs = _RAYYAN_PAIR.findall(inclusion)
    if inclusion and not pairs and inclusion.strip() not in ("{}", ""):
        raise InputError(
            f'cannot read {vocab.RAYYAN_INCLUSION} {inclusion!r}; expected {{"Name"=>"Included"}}',
            path=path,
            line=line,
            field="notes",
        )
    reasons = split_list(fields.get(vocab.RAYYAN_REASONS, ""))
    # evsynth's queue writes the study record id into the notes, which Rayyan keeps (it replaces
    # the record's key with its own): the exact way back
    queue_ids = QUEUE_ID.findall(notes)
    labels = []
    for label in split_list(fields.get(vocab.RAYYAN_LABELS, "")):
        if label.startswith(vocab.RAYYAN_REASON_LABEL_PREFIX):  # older exports: reasons as labels
            reason = label[len(vocab.RAYYAN_REASON_LABEL_PREFIX) :].strip()
            if reason and reason not in reasons:
                reasons.append(reason)
        else:
            labels.append(label)
    notes_by_user = {
        name: "; ".join(v.strip().strip('"') for v in body.split('", "'))
        for name, body in _RAYYAN_NOTE_PAIR.findall(fields.get(vocab.RAYYAN_USER_NOTES, ""))
    }
    out = []
    for name, label in pairs:
        decision = vocab.RAYYAN_DECISIONS.get(label.strip().lower())
        if decision is None:
            raise InputError(
                f"Rayyan label {label!r} for {name!r}; Rayyan writes Included, Excluded or Maybe",
                path=path,
                line=line,
                field="notes",
            )
        item = copy_bib(template)
        item.path = path
        item.line = line
        item.reviewer = name.strip()
        item.decision = decision
        item.reasons = list(reasons) if decision == "exclude" else []
        item.note = notes_by_user.get(name, "")
        item.labels = list(labels)
        item.ids = [*queue_ids, *template.ids]
        out.append(item)
    return out


def parse_rayyan(
    table: Table, spec: DecisionFile, summary: FileSummary, stage: str
) -> list[RawDecision]:
    def decide(row: TableRow) -> list[RawDecision]:
        template = row_template(table.path, row, "rayyan")
        notes = row.cells.get("notes", "")
        return _rayyan_decisions(notes, path=table.path, line=row.line, template=template)

    return decide_rows(table.rows, summary, decide)


def parse_rayyan_ris(
    ris: RisFile, spec: DecisionFile, summary: FileSummary, stage: str
) -> list[RawDecision]:
    def decide(record: RisRecord) -> list[RawDecision]:
        template = ris_template(ris.path, record, "rayyan_ris")
        template.tool_keys = [
            v for v in record.tags.get("AN", []) if v.lower().startswith(vocab.RAYYAN_KEY_PREFIX)
        ]
        notes = " | ".join(record.tags.get("N1", []))
        # the notes' own line, so an error points at N1, not the TY
        line = tag_line(record, "N1")
        return _rayyan_decisions(notes, path=ris.path, line=line, template=template)

    return decide_rows(ris.records, summary, decide)


_COVIDENCE_REASON = re.compile(r"Exclusion reason:\s*([^;]+?)\s*(?:;|$)", re.IGNORECASE)


def _covidence_list(spec: DecisionFile, reason_line: int | None, path: str) -> str:
    """The list a Covidence export holds: "Exclusion reason:" in its notes (first at
    ``reason_line``) means the excluded list (Covidence asks for a reason only there); any other
    list must be declared."""
    declared = (spec.list or "").strip().lower()
    choices = list(vocab.COVIDENCE_LISTS)
    if declared and declared not in vocab.COVIDENCE_LISTS:
        raise InputError(
            f"Covidence list {spec.list!r} is not one of {', '.join(choices)}", path=path
        )
    if reason_line is not None:
        if declared and declared != "excluded":
            raise InputError(
                f"declared as Covidence's {declared!r} list, but its notes give exclusion reasons, "
                "which only the excluded list has; declare it as excluded (or declare no list)",
                path=path,
                line=reason_line,
                field="notes",
            )
        return "excluded"
    if declared:
        return declared
    raise InputError(
        "a Covidence export, but which list it holds cannot be told from its content (no "
        "'Exclusion reason:' in its notes, so not the excluded list); " + list_help(path, choices),
        path=path,
    )


def _covidence_items(
    rows: list[tuple[str, RawDecision]],
    spec: DecisionFile,
    summary: FileSummary,
    stage: str,
    path: str,
) -> list[RawDecision]:
    """Covidence rows (notes, bibliographic template) -> consensus decisions at ``stage``."""
    reasons_by_line = {t.line: _COVIDENCE_REASON.findall(notes) for notes, t in rows}
    reason_line = next((line for line, found in reasons_by_line.items() if found), None)
    list_name = _covidence_list(spec, reason_line, path) if rows else ""

    def decide(row: tuple[str, RawDecision]) -> list[RawDecision]:
        _notes, template = row
        ta, ft = vocab.COVIDENCE_LISTS[list_name]
        decision = ft if stage == "full_text" else ta
        if not decision:
            return []
        reasons = [r.strip() for r in reasons_by_line[template.line]]
        template.reviewer = spec.reviewer or "covidence"
        template.decision = decision
        template.reasons = reasons if decision == "exclude" else []
        template.consensus = True
        template.note = f"Covidence list: {list_name}"
        return [template]

    return decide_rows(rows, summary, decide)


def parse_covidence(
    table: Table, spec: DecisionFile, summary: FileSummary, stage: str
) -> list[RawDecision]:
    rows = []
    for row in table.rows:
        template = row_template(table.path, row, "covidence")
        # "#12" as written, and 12 (how an importer may keep it as the record's source id)
        template.tool_keys += [
            k.lstrip("#").strip() for k in template.tool_keys if k.startswith("#")
        ]
        template.labels = split_list(row.cells.get("tags", "").replace(";", ","))
        rows.append((row.cells.get("notes", ""), template))
    return _covidence_items(rows, spec, summary, stage, table.path)


def parse_covidence_ris(
    ris: RisFile, spec: DecisionFile, summary: FileSummary, stage: str
) -> list[RawDecision]:
    rows = [(ris_notes(r), ris_template(ris.path, r, "covidence_ris")) for r in ris.records]
    return _covidence_items(rows, spec, summary, stage, ris.path)


def _abstrackr_reviewers(header: list[str]) -> list[str]:
    """Abstrackr writes, after ``consensus``, each reviewer's label column followed by its
    ``labeled_at``, then per reviewer the note columns ``general notes (NAME)`` and so on."""
    start = header.index("consensus") + 1
    out = []
    for name in header[start:]:
        base = name.split("#", 1)[0]
        if not name or base == "labeled_at" or re.search(r"notes \(.*\)$", name):
            continue
        out.append(name)
    return out


def _abstrackr_label(value: str, *, path: str, line: int, column: str) -> str:
    value = value.strip()
    if value in vocab.ABSTRACKR_LABELS:
        return vocab.ABSTRACKR_LABELS[value]
    raise InputError(
        f"Abstrackr label {value!r} in column {column!r}; Abstrackr writes 1 (include), -1 "
        "(exclude), 0 (borderline)"
        + (" or o (no consensus label)" if column == "consensus" else ""),
        path=path,
        line=line,
        field=column,
    )


def parse_abstrackr(
    table: Table, spec: DecisionFile, summary: FileSummary, stage: str
) -> list[RawDecision]:
    reviewers = _abstrackr_reviewers(table.header)

    def is_record(row: TableRow) -> bool:
        """Not the separator row Abstrackr writes before the unlabelled citations."""
        first = row.cells.get("(internal) id", "").strip()
        return first.lower() != vocab.ABSTRACKR_UNLABELLED_MARKER or any(
            v for k, v in row.cells.items() if k != "(internal) id"
        )

    def decide(row: TableRow) -> list[RawDecision]:
        template = row_template(table.path, row, "abstrackr")
        if template.pmid.strip() in ("0", ""):
            template.pmid = ""
        template.ids = []
        internal = row.cells.get("(internal) id", "").strip()
        template.tool_keys = [internal] if internal else []
        template.authors = " ".join(template.authors.split())
        out = []
        for column in reviewers:
            value = row.cells.get(column, "").strip()
            if not value:
                continue
            decision = _abstrackr_label(value, path=table.path, line=row.line, column=column)
            item = copy_bib(template)
            item.reviewer = table.original.get(column, column)
            item.decision = decision
            item.note = "; ".join(
                f"{kind}: {row.cells[c]}"
                for c in row.cells
                if (kind := _abstrackr_note_kind(c, column)) and row.cells[c]
            )
            out.append(item)
        consensus = row.cells.get("consensus", "").strip()
        if consensus and consensus.lower() != vocab.ABSTRACKR_NO_CONSENSUS:
            item = copy_bib(template)
            item.reviewer = "abstrackr consensus"
            item.decision = _abstrackr_label(
                consensus, path=table.path, line=row.line, column="consensus"
            )
            item.consensus = True
            item.resolves = True
            out.append(item)
        return out

    return decide_rows(filter(is_record, table.rows), summary, decide)


def _abstrackr_note_kind(column: str, reviewer: str) -> str:
    match = re.match(r"(.+) notes \((.+)\)$", column)
    return match.group(1) if match and match.group(2) == reviewer else ""
