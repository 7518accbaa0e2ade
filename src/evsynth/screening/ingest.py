"""Turn decision files from any supported tool into one list of reviewer decisions.

Formats are detected from content, never from the file name alone, because reviewers rename files:

- plain CSV/TSV/XLSX: ``record_id`` or ``study_record_id``, ``decision`` (include/exclude/maybe),
  optional ``reviewer``, ``reason``, ``note`` (a filled ``queue_{stage}.csv`` is such a file);
- ASReview LAB tabular export: ``asreview_label`` 1/0/empty next to the original columns;
- ASReview LAB RIS export: ``ASReview_relevant`` / ``ASReview_irrelevant`` in the notes;
- ASReview LAB project file (``.asreview``): labels from ``reviews/<id>/results.db`` joined to the
  project's own data file by ``record_id``;
- Rayyan articles CSV (or the export zip) and RIS: ``RAYYAN-INCLUSION: {"Name"=>"Included"}`` in
  ``notes`` / ``N1``, one decision per reviewer;
- Covidence CSV (``Covidence #``) or RIS: one file per list; the list gives the consensus decision
  (from "Exclusion reason:" in the notes, else declared in config);
- Abstrackr CSV: ``consensus`` and one label column per reviewer (1 / -1 / 0);
- EPPI-Reviewer: Excel export with ``Included`` (I / E), RIS export (``KW - eppi-reviewer``) of a
  declared list.

Each decision keeps the file and line it came from and the identifiers it can be matched by.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from evsynth.contracts.schemas import check_sheet_row
from evsynth.errors import InputError
from evsynth.screening import vocab
from evsynth.screening.readers import (
    AsreviewProject,
    RisFile,
    RisRecord,
    Table,
    TableRow,
    read_decision_file,
)

__all__ = [
    "DecisionFile",
    "FileSummary",
    "RawDecision",
    "detect_format",
    "parse_decision_word",
    "read_decisions",
]


@dataclass(slots=True)
class DecisionFile:
    """A decision file and who made its decisions when the file itself does not say.

    ``reviewer`` defaults to the file's stem (``decisions/alice.csv`` -> ``alice``) for formats
    without a reviewer column. ``list`` declares which list a Covidence or EPPI-Reviewer list
    export holds when its content cannot say (config ``{file: PATH, list: included}``).
    """

    path: str
    reviewer: str | None = None
    list: str | None = None

    @classmethod
    def parse(cls, spec: str) -> DecisionFile:
        """``FILE`` or ``REVIEWER=FILE`` (a command-line ``--decisions`` value)."""
        if "=" in spec and not Path(spec).exists():
            reviewer, _, path = spec.partition("=")
            if reviewer.strip() and path.strip():
                return cls(path=path.strip(), reviewer=reviewer.strip())
        return cls(path=spec)


@dataclass(slots=True)
class RawDecision:
    """One reviewer's decision on one row of a decision file, not yet matched to a study record."""

    path: str
    line: int
    format: str
    reviewer: str
    decision: str
    reasons: list[str] = field(default_factory=list)
    note: str = ""
    consensus: bool = False
    resolves: bool = False  # the tool's own resolution of its reviewers' disagreement (Abstrackr)
    labels: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    tool_keys: list[str] = field(default_factory=list)
    id_is_strict: bool = False
    pmid: str = ""
    doi: str = ""
    title: str = ""
    year: str = ""
    authors: str = ""

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(slots=True)
class FileSummary:
    """How one file was read, so every row is accounted for: rows = decided_rows +
    undecided_rows (a row may hold several decisions: one per Rayyan or Abstrackr reviewer)."""

    path: str
    format: str
    encoding: str
    delimiter: str
    rows: int = 0
    decisions: int = 0
    decided_rows: int = 0
    undecided_rows: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "rows": self.rows,
            "decisions": self.decisions,
            "decided_rows": self.decided_rows,
            "undecided_rows": self.undecided_rows,
        }


def parse_decision_word(word: str, *, path: str, line: int) -> tuple[str, str]:
    """Map a reviewer's word to (decision, implied reason); "" -> ("", "") (not decided yet)."""
    key = " ".join(word.strip().lower().split())
    if not key:
        return "", ""
    if key in vocab.DECISION_WORDS:
        return vocab.DECISION_WORDS[key]
    raise InputError(
        f"unknown decision {word!r}; use include, exclude, maybe (or not_retrieved at full text)",
        path=path,
        line=line,
        field="decision",
    )


def _bib(row: TableRow, target: RawDecision) -> None:
    target.pmid = row.get(*vocab.PMID_COLUMNS)
    target.doi = row.get(*vocab.DOI_COLUMNS)
    target.title = row.get(*vocab.TITLE_COLUMNS)
    target.year = row.get(*vocab.YEAR_COLUMNS)
    target.authors = row.get(*vocab.AUTHOR_COLUMNS)
    target.ids = [row.cells[c] for c in vocab.ID_COLUMNS if row.cells.get(c)]
    target.tool_keys = [row.cells[c] for c in vocab.TOOL_KEY_COLUMNS if row.cells.get(c)]


def _ris_bib(record: RisRecord, target: RawDecision) -> None:
    authors = record.tags.get("AU", []) + record.tags.get("A1", [])
    target.ids = [v for t in ("ID", "AN") for v in record.tags.get(t, []) if v]
    target.ids += _QUEUE_ID.findall(_ris_notes(record))  # evsynth's queue id, kept in the notes
    target.doi = record.first("DO")
    target.title = record.first("TI", "T1")
    target.year = record.first("PY", "Y1", "DA")[:4]
    target.authors = "; ".join(authors)


#: the study record id evsynth's queue RIS writes into N1 ("evsynth title_abstract queue: ID")
_QUEUE_ID = re.compile(r"evsynth [a-z_]+ queue: (\S+)")


def _default_reviewer(spec: DecisionFile) -> str:
    return spec.reviewer or Path(spec.path).stem


_FORMAT_HELP = (
    "expected a plain decision file (record_id or study_record_id, decision, reviewer, reason, "
    "note), an ASReview LAB export (asreview_label) or project file (.asreview), a Rayyan "
    "articles CSV (notes with RAYYAN-INCLUSION), a Covidence CSV (Covidence #), an Abstrackr CSV "
    "(consensus, (internal) id) or an EPPI-Reviewer Excel export (Included, ID)"
)


def _ris_notes(record: RisRecord) -> str:
    return " | ".join(record.tags.get("N1", []) + record.tags.get("N2", []))


def detect_format(
    table: Table | RisFile | AsreviewProject, spec: DecisionFile | None = None
) -> str:
    """Name the tool that wrote a file, from its header and content (never its name)."""
    if isinstance(table, AsreviewProject):
        return "asreview_project"
    if isinstance(table, RisFile):
        return _detect_ris(table, spec)
    header = set(table.header)
    if "asreview_label" in header:
        fmt = "asreview"
    elif "covidence #" in header:
        fmt = "covidence"
    elif "consensus" in header and "(internal) id" in header:
        fmt = "abstrackr"
    elif (
        "included" in header
        and set(vocab.EPPI_ID_COLUMNS) & header
        and ({"shorttitle", "title"} & header)
    ):
        fmt = "eppi"
    elif "notes" in header and (
        any(vocab.RAYYAN_INCLUSION in r.cells.get("notes", "") for r in table.rows)
        or "key" in header
    ):
        fmt = "rayyan"
    elif "decision" in header and ({"record_id", "study_record_id"} & header):
        fmt = "plain"
    else:
        raise InputError(
            "cannot tell which tool wrote this file: the header has "
            f"{', '.join(h for h in table.header if h) or 'nothing'}; {_FORMAT_HELP}",
            path=table.path,
            line=1,
        )
    if table.duplicated and fmt != "abstrackr":
        raise InputError(
            f"column {table.duplicated[0]!r} appears twice in the header", path=table.path, line=1
        )
    return fmt


def _detect_ris(ris: RisFile, spec: DecisionFile | None) -> str:
    notes = [_ris_notes(r) for r in ris.records]
    asreview = (
        vocab.ASREVIEW_RIS_RELEVANT,
        vocab.ASREVIEW_RIS_IRRELEVANT,
        vocab.ASREVIEW_RIS_NOT_SEEN,
    )
    if any(label in n for n in notes for label in asreview):
        return "asreview_ris"
    if any(vocab.RAYYAN_INCLUSION in n for n in notes) or any(
        v.lower().startswith(vocab.RAYYAN_KEY_PREFIX)
        for r in ris.records
        for v in r.tags.get("AN", [])
    ):
        return "rayyan_ris"
    if any(
        k.strip().lower() == vocab.EPPI_RIS_KEYWORD
        for r in ris.records
        for k in r.tags.get("KW", [])
    ):
        return "eppi_ris"
    if spec is not None and spec.list:
        return "covidence_ris"
    raise InputError(
        "RIS file without ASReview labels (ASReview_relevant / ASReview_irrelevant / "
        "ASReview_not_seen in the notes), Rayyan decisions (RAYYAN-INCLUSION, AN rayyan-...) or "
        "EPPI-Reviewer's keyword (KW eppi-reviewer), so it carries no decisions. A Covidence RIS "
        "export of one list says nothing about the list: declare it in config, "
        "screening.stages.<stage>.decisions: [{file: PATH, list: included}] (included, excluded, "
        "irrelevant or select), or on the command line --list PATH=included",
        path=ris.path,
    )


def _parse_plain(
    table: Table, spec: DecisionFile, summary: FileSummary, stage: str = ""
) -> list[RawDecision]:
    out = []
    default_reviewer = _default_reviewer(spec)
    for row in table.rows:
        summary.rows += 1
        decision, implied = parse_decision_word(
            row.cells.get("decision", ""), path=table.path, line=row.line
        )
        if not decision:
            summary.undecided_rows += 1
            continue
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
        reasons = [implied] if implied else [r for r in reason.split(";") if r.strip()]
        item = RawDecision(
            path=table.path,
            line=row.line,
            format="plain",
            reviewer=row.cells.get("reviewer", "") or default_reviewer,
            decision=decision,
            reasons=reasons,
            note=row.cells.get("note", ""),
        )
        _bib(row, item)
        item.ids = [record_id]
        item.id_is_strict = True
        out.append(item)
    return out


def _parse_asreview(
    table: Table, spec: DecisionFile, summary: FileSummary, stage: str = ""
) -> list[RawDecision]:
    out = []
    default_reviewer = _default_reviewer(spec)
    for row in table.rows:
        summary.rows += 1
        label = row.cells.get("asreview_label", "").strip()
        if label in ("", "-1", "nan", "NaN", "None"):
            summary.undecided_rows += 1
            continue
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
        reviewer = row.get("asreview_user_name", "asreview_user") or default_reviewer
        item = RawDecision(
            path=table.path,
            line=row.line,
            format="asreview",
            reviewer=reviewer,
            decision=decision,
            note=row.cells.get("asreview_note", ""),
        )
        _bib(row, item)
        out.append(item)
    return out


def _parse_asreview_ris(
    ris: RisFile, spec: DecisionFile, summary: FileSummary, stage: str = ""
) -> list[RawDecision]:
    out = []
    for record in ris.records:
        summary.rows += 1
        notes = _ris_notes(record)
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
            summary.undecided_rows += 1
            continue
        item = RawDecision(
            path=ris.path,
            line=record.line,
            format="asreview_ris",
            reviewer=_default_reviewer(spec),
            decision="include" if relevant else "exclude",
        )
        _ris_bib(record, item)
        out.append(item)
    return out


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


def _split_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _rayyan_decisions(
    notes: str, *, path: str, line: int, template: RawDecision
) -> list[RawDecision] | None:
    """One decision per reviewer named in RAYYAN-INCLUSION; None when nobody decided the record."""
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
    reasons = _split_list(fields.get(vocab.RAYYAN_REASONS, ""))
    # evsynth's queue writes the study record id into the notes, which Rayyan keeps (it replaces
    # the record's key with its own): the exact way back
    queue_ids = _QUEUE_ID.findall(notes)
    labels = []
    for label in _split_list(fields.get(vocab.RAYYAN_LABELS, "")):
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
    if not pairs:
        return None
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
        item = _copy_bib(template)
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


def _parse_rayyan(
    table: Table, spec: DecisionFile, summary: FileSummary, stage: str
) -> list[RawDecision]:
    rows = []
    for row in table.rows:
        template = RawDecision(table.path, row.line, "rayyan", "", "")
        _bib(row, template)
        rows.append((row.cells.get("notes", ""), row.line, template))
    return _rayyan_items(rows, summary, table.path)


def _parse_rayyan_ris(
    ris: RisFile, spec: DecisionFile, summary: FileSummary, stage: str
) -> list[RawDecision]:
    rows = []
    for record in ris.records:
        template = RawDecision(ris.path, record.line, "rayyan_ris", "", "")
        _ris_bib(record, template)
        template.tool_keys = [
            v for v in record.tags.get("AN", []) if v.lower().startswith(vocab.RAYYAN_KEY_PREFIX)
        ]
        # the notes' own line, so an error points at N1, not the TY
        rows.append((" | ".join(record.tags.get("N1", [])), _tag_line(record, "N1"), template))
    return _rayyan_items(rows, summary, ris.path)


def _rayyan_items(
    rows: list[tuple[str, int, RawDecision]], summary: FileSummary, path: str
) -> list[RawDecision]:
    """Rayyan rows (notes, their line, bibliographic template) -> one decision per reviewer,
    counting each row as decided or not (shared by the CSV and the RIS export)."""
    out = []
    for notes, line, template in rows:
        summary.rows += 1
        items = _rayyan_decisions(notes, path=path, line=line, template=template)
        if items is None:
            summary.undecided_rows += 1
            continue
        out.extend(items)
    return out


def _tag_line(record: RisRecord, tag: str) -> int:
    """The line of a record's first ``tag`` (so an error points at the notes, not the TY)."""
    return record.lines.get(tag, record.line)


_COVIDENCE_REASON = re.compile(r"Exclusion reason:\s*([^;]+?)\s*(?:;|$)", re.IGNORECASE)


def _list_help(path: str, choices: list[str]) -> str:
    return (
        f"declare it in config: screening.stages.<stage>.decisions: [{{file: {path}, list: "
        f"{choices[0]}}}] ({', '.join(choices)}), or on the command line --list "
        f"{path}={choices[0]}"
    )


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
        "'Exclusion reason:' in its notes, so not the excluded list); " + _list_help(path, choices),
        path=path,
    )


def _covidence_items(
    rows: list[tuple[int, str, RawDecision]],
    spec: DecisionFile,
    summary: FileSummary,
    stage: str,
    path: str,
    fmt: str,
) -> list[RawDecision]:
    """Covidence rows (line, notes, bibliographic template) -> consensus decisions at ``stage``."""
    reasons_by_line = {line: _COVIDENCE_REASON.findall(notes) for line, notes, _ in rows}
    reason_line = next((line for line, found in reasons_by_line.items() if found), None)
    list_name = _covidence_list(spec, reason_line, path) if rows else ""
    out = []
    for line, _notes, template in rows:
        summary.rows += 1
        ta, ft = vocab.COVIDENCE_LISTS[list_name]
        decision = ft if stage == "full_text" else ta
        if not decision:
            summary.undecided_rows += 1
            continue
        reasons = [r.strip() for r in reasons_by_line[line]]
        template.reviewer = spec.reviewer or "covidence"
        template.decision = decision
        template.reasons = reasons if decision == "exclude" else []
        template.consensus = True
        template.format = fmt
        template.note = f"Covidence list: {list_name}"
        out.append(template)
    return out


def _parse_covidence(
    table: Table, spec: DecisionFile, summary: FileSummary, stage: str
) -> list[RawDecision]:
    rows = []
    for row in table.rows:
        template = RawDecision(table.path, row.line, "covidence", "", "")
        _bib(row, template)
        # "#12" as written, and 12 (how an importer may keep it as the record's source id)
        template.tool_keys += [
            k.lstrip("#").strip() for k in template.tool_keys if k.startswith("#")
        ]
        template.labels = _split_list(row.cells.get("tags", "").replace(";", ","))
        rows.append((row.line, row.cells.get("notes", ""), template))
    return _covidence_items(rows, spec, summary, stage, table.path, "covidence")


def _parse_covidence_ris(
    ris: RisFile, spec: DecisionFile, summary: FileSummary, stage: str
) -> list[RawDecision]:
    rows = []
    for record in ris.records:
        template = RawDecision(ris.path, record.line, "covidence_ris", "", "")
        _ris_bib(record, template)
        rows.append((record.line, _ris_notes(record), template))
    return _covidence_items(rows, spec, summary, stage, ris.path, "covidence_ris")


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


def _parse_abstrackr(
    table: Table, spec: DecisionFile, summary: FileSummary, stage: str
) -> list[RawDecision]:
    reviewers = _abstrackr_reviewers(table.header)
    out = []
    for row in table.rows:
        first = row.cells.get("(internal) id", "").strip()
        if first.lower() == vocab.ABSTRACKR_UNLABELLED_MARKER and not any(
            v for k, v in row.cells.items() if k != "(internal) id"
        ):
            continue  # the separator row before the unlabelled citations, not a record
        summary.rows += 1
        template = RawDecision(table.path, row.line, "abstrackr", "", "")
        _bib(row, template)
        if template.pmid.strip() in ("0", ""):
            template.pmid = ""
        template.ids = []
        internal = row.cells.get("(internal) id", "").strip()
        template.tool_keys = [internal] if internal else []
        template.authors = " ".join(template.authors.split())
        decided = 0
        for column in reviewers:
            value = row.cells.get(column, "").strip()
            if not value:
                continue
            decision = _abstrackr_label(value, path=table.path, line=row.line, column=column)
            item = _copy_bib(template)
            item.reviewer = table.original.get(column, column)
            item.decision = decision
            item.note = "; ".join(
                f"{kind}: {row.cells[c]}"
                for c in row.cells
                if (kind := _abstrackr_note_kind(c, column)) and row.cells[c]
            )
            out.append(item)
            decided += 1
        consensus = row.cells.get("consensus", "").strip()
        if consensus and consensus.lower() != vocab.ABSTRACKR_NO_CONSENSUS:
            item = _copy_bib(template)
            item.reviewer = "abstrackr consensus"
            item.decision = _abstrackr_label(
                consensus, path=table.path, line=row.line, column="consensus"
            )
            item.consensus = True
            item.resolves = True
            out.append(item)
            decided += 1
        if not decided:
            summary.undecided_rows += 1
    return out


def _abstrackr_note_kind(column: str, reviewer: str) -> str:
    match = re.match(r"(.+) notes \((.+)\)$", column)
    return match.group(1) if match and match.group(2) == reviewer else ""


def _copy_bib(template: RawDecision) -> RawDecision:
    return RawDecision(
        path=template.path,
        line=template.line,
        format=template.format,
        reviewer=template.reviewer,
        decision=template.decision,
        ids=list(template.ids),
        tool_keys=list(template.tool_keys),
        pmid=template.pmid,
        doi=template.doi,
        title=template.title,
        year=template.year,
        authors=template.authors,
    )


def _parse_eppi(
    table: Table, spec: DecisionFile, summary: FileSummary, stage: str
) -> list[RawDecision]:
    out = []
    for row in table.rows:
        summary.rows += 1
        flag = row.cells.get("included", "").strip()
        if not flag:
            summary.undecided_rows += 1
            continue
        decision = vocab.EPPI_FLAGS.get(flag.lower())
        if decision is None:
            raise InputError(
                f"Included is {flag!r}; EPPI-Reviewer writes I (included) or E (excluded)",
                path=table.path,
                line=row.line,
                field="Included",
            )
        item = RawDecision(
            table.path,
            row.line,
            "eppi",
            spec.reviewer or "eppi-reviewer",
            decision,
            consensus=True,
        )
        _bib(row, item)
        item.ids = []
        item.tool_keys = (
            [row.get(*vocab.EPPI_ID_COLUMNS)] if row.get(*vocab.EPPI_ID_COLUMNS) else []
        )
        if not item.authors:  # ShortTitle is "Family (year)"
            item.authors = row.cells.get("shorttitle", "").split("(")[0].strip()
        out.append(item)
    return out


def _parse_eppi_ris(
    ris: RisFile, spec: DecisionFile, summary: FileSummary, stage: str
) -> list[RawDecision]:
    declared = (spec.list or "").strip().lower()
    if declared not in vocab.EPPI_LISTS:
        raise InputError(
            "an EPPI-Reviewer RIS export carries no include/exclude flag; "
            + (f"list {spec.list!r} is not one of included, excluded; " if declared else "")
            + "export the list as Excel (its Included column says I or E), or "
            + _list_help(ris.path, list(vocab.EPPI_LISTS)),
            path=ris.path,
        )
    out = []
    for record in ris.records:
        summary.rows += 1
        item = RawDecision(
            ris.path,
            record.line,
            "eppi_ris",
            spec.reviewer or "eppi-reviewer",
            vocab.EPPI_LISTS[declared],
            consensus=True,
            note=f"EPPI-Reviewer list: {declared}",
        )
        _ris_bib(record, item)
        item.ids = []
        item.tool_keys = [v for v in record.tags.get("U1", []) if v]
        out.append(item)
    return out


def _parse_asreview_project(
    project: AsreviewProject, spec: DecisionFile, summary: FileSummary, stage: str
) -> list[RawDecision]:
    """Labels from the project's results table, joined to its own data file by ``record_id``."""
    positions = project.record_ids()
    where = f"{project.path}!{project.results_member}"
    users = sorted({lab.user for lab in project.labels if lab.user})
    base = _default_reviewer(spec)
    out = []
    for lab in project.labels:
        summary.rows += 1
        if lab.label == "":
            summary.undecided_rows += 1
            continue
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
            _ris_bib(project.data.records[position], item)
        else:
            _bib(project.data.rows[position], item)
            item.tool_keys = []
        out.append(item)
    return out


_PARSERS = {
    "plain": _parse_plain,
    "asreview": _parse_asreview,
    "asreview_ris": _parse_asreview_ris,
    "asreview_project": _parse_asreview_project,
    "rayyan": _parse_rayyan,
    "rayyan_ris": _parse_rayyan_ris,
    "covidence": _parse_covidence,
    "covidence_ris": _parse_covidence_ris,
    "abstrackr": _parse_abstrackr,
    "eppi": _parse_eppi,
    "eppi_ris": _parse_eppi_ris,
}


def read_decisions(
    spec: DecisionFile, *, plain_only: bool = False, stage: str = "title_abstract"
) -> tuple[list[RawDecision], FileSummary]:
    """Read one decision file: its decisions at ``stage`` and a summary accounting for every row.

    The stage matters for list exports (a Covidence list says something different at title/abstract
    and at full text); other formats give the same decisions at either stage.
    """
    table = read_decision_file(spec.path)
    fmt = detect_format(table, spec)
    if plain_only and fmt != "plain":
        raise InputError(
            f"an adjudication file must be a plain decision file (study_record_id, decision, "
            f"reason, note); this one looks like a {fmt} export",
            path=table.path,
            line=1,
        )
    if spec.list and fmt not in ("covidence", "covidence_ris", "eppi_ris"):
        raise InputError(
            f"list {spec.list!r} is declared for this file, but it is a {fmt} file, which says "
            "its own decisions; only Covidence and EPPI-Reviewer list exports need a list, so "
            "declare none for this file",
            path=table.path,
        )
    summary = FileSummary(
        path=table.path,
        format=fmt,
        encoding=table.encoding,
        delimiter=getattr(table, "delimiter", ""),
    )
    decisions = _PARSERS[fmt](table, spec, summary, stage)
    summary.decisions = len(decisions)
    summary.decided_rows = len({(d.path, d.line) for d in decisions})
    if summary.rows != summary.decided_rows + summary.undecided_rows:  # pragma: no cover - a bug
        raise RuntimeError(
            f"{table.path}: {summary.rows} rows read but {summary.decided_rows} decided and "
            f"{summary.undecided_rows} undecided; a row went unaccounted"
        )
    return decisions, summary
