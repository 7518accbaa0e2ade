"""Turn decision files from any supported tool into one list of reviewer decisions.

Formats are detected from content, never from the file name alone, because reviewers rename files:

- plain CSV/TSV/XLSX: ``record_id`` or ``study_record_id``, ``decision`` (include/exclude/maybe),
  optional ``reviewer``, ``reason``, ``note`` (a filled ``queue_{stage}.csv`` is such a file);
- ASReview LAB tabular export: ``asreview_label`` 1/0/empty next to the original columns;
- ASReview LAB RIS export: ``ASReview_relevant`` / ``ASReview_irrelevant`` in the notes;
- Rayyan articles CSV (or the export zip): ``RAYYAN-INCLUSION: {"Name"=>"Included"}`` in ``notes``;
- Covidence CSV: ``Covidence #`` column; one file per list, the list giving the decision.

Each decision keeps the file and line it came from and the identifiers it can be matched by.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from evsynth.errors import InputError
from evsynth.screening import vocab
from evsynth.screening.readers import RisFile, Table, TableRow, read_decision_file

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
    without a reviewer column. ``decision`` is the decision of every row of a Covidence list export
    when its file name does not name the list.
    """

    path: str
    reviewer: str | None = None
    decision: str | None = None

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
    ids: list[str] = field(default_factory=list)
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
    """How one file was read, so every row is accounted for (rows = decided + undecided)."""

    path: str
    format: str
    encoding: str
    delimiter: str
    rows: int = 0
    decisions: int = 0
    undecided_rows: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "rows": self.rows,
            "decisions": self.decisions,
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


def _default_reviewer(spec: DecisionFile) -> str:
    return spec.reviewer or Path(spec.path).stem


def detect_format(table: Table | RisFile) -> str:
    """Name the tool that wrote a file, from its header and content."""
    if isinstance(table, RisFile):
        return "asreview_ris"
    header = set(table.header)
    if "asreview_label" in header:
        return "asreview"
    if "covidence #" in header:
        return "covidence"
    if "notes" in header and (
        any("RAYYAN-" in r.cells.get("notes", "") for r in table.rows) or "key" in header
    ):
        return "rayyan"
    if "decision" in header and ({"record_id", "study_record_id"} & header):
        return "plain"
    raise InputError(
        "cannot tell which tool wrote this file: the header has "
        f"{', '.join(h for h in table.header if h) or 'nothing'}; expected a plain decision file "
        "(record_id or study_record_id, decision, reviewer, reason, note), an ASReview LAB export "
        "(asreview_label), a Rayyan articles CSV (notes with RAYYAN-INCLUSION) or a Covidence CSV "
        "(Covidence #)",
        path=table.path,
        line=1,
    )


def _parse_plain(table: Table, spec: DecisionFile, summary: FileSummary) -> list[RawDecision]:
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


def _parse_asreview(table: Table, spec: DecisionFile, summary: FileSummary) -> list[RawDecision]:
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
    ris: RisFile, spec: DecisionFile, summary: FileSummary
) -> list[RawDecision]:
    out = []
    any_label = False
    for record in ris.records:
        summary.rows += 1
        notes = " ".join(record.tags.get("N1", []) + record.tags.get("N2", []))
        relevant = vocab.ASREVIEW_RIS_RELEVANT in notes
        irrelevant = vocab.ASREVIEW_RIS_IRRELEVANT in notes
        any_label = any_label or relevant or irrelevant or vocab.ASREVIEW_RIS_NOT_SEEN in notes
        if relevant and irrelevant:
            raise InputError(
                "notes say both ASReview_relevant and ASReview_irrelevant",
                path=ris.path,
                line=record.line,
            )
        if not (relevant or irrelevant):
            summary.undecided_rows += 1
            continue
        authors = record.tags.get("AU", []) + record.tags.get("A1", [])
        item = RawDecision(
            path=ris.path,
            line=record.line,
            format="asreview_ris",
            reviewer=_default_reviewer(spec),
            decision="include" if relevant else "exclude",
            ids=[v for t in ("ID", "AN") for v in record.tags.get(t, []) if v],
            doi=record.first("DO"),
            title=record.first("TI", "T1"),
            year=record.first("PY", "Y1", "DA")[:4],
            authors="; ".join(authors),
        )
        out.append(item)
    if ris.records and not any_label:
        raise InputError(
            "RIS file without ASReview labels (ASReview_relevant / ASReview_irrelevant / "
            "ASReview_not_seen in the notes); only ASReview LAB's RIS export carries decisions",
            path=ris.path,
        )
    return out


_RAYYAN_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"\s*=>\s*"((?:[^"\\]|\\.)*)"')
_RAYYAN_NOTE_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"\s*=>\s*\[(.*?)\]')


def _rayyan_fields(notes: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in notes.split(" | "):
        match = re.match(r"\s*(RAYYAN-[A-Z-]+|USER-NOTES):\s*(.*)$", part, flags=re.DOTALL)
        if match:
            fields[match.group(1)] = match.group(2).strip()
    return fields


def _parse_rayyan(table: Table, spec: DecisionFile, summary: FileSummary) -> list[RawDecision]:
    out = []
    for row in table.rows:
        summary.rows += 1
        fields = _rayyan_fields(row.cells.get("notes", ""))
        inclusion = fields.get("RAYYAN-INCLUSION", "")
        pairs = _RAYYAN_PAIR.findall(inclusion)
        if inclusion and not pairs:
            raise InputError(
                f'cannot read RAYYAN-INCLUSION {inclusion!r}; expected {{"Name"=>"Included"}}',
                path=table.path,
                line=row.line,
                field="notes",
            )
        reasons = [
            r.strip() for r in fields.get("RAYYAN-EXCLUSION-REASONS", "").split(",") if r.strip()
        ]
        notes_by_user = {
            name: "; ".join(v.strip().strip('"') for v in body.split('", "'))
            for name, body in _RAYYAN_NOTE_PAIR.findall(fields.get("USER-NOTES", ""))
        }
        if not pairs:
            summary.undecided_rows += 1
            continue
        for name, label in pairs:
            decision = vocab.RAYYAN_DECISIONS.get(label.strip().lower())
            if decision is None:
                raise InputError(
                    f"Rayyan label {label!r} for {name!r}; Rayyan writes Included, Excluded "
                    "or Maybe",
                    path=table.path,
                    line=row.line,
                    field="notes",
                )
            item = RawDecision(
                path=table.path,
                line=row.line,
                format="rayyan",
                reviewer=name.strip(),
                decision=decision,
                reasons=list(reasons) if decision == "exclude" else [],
                note=notes_by_user.get(name, ""),
            )
            _bib(row, item)
            out.append(item)
    return out


_COVIDENCE_REASON = re.compile(r"Exclusion reason:\s*([^;]+?)\s*(?:;|$)", re.IGNORECASE)


def _covidence_list_decision(spec: DecisionFile) -> str | None:
    if spec.decision:
        return spec.decision
    stem = Path(spec.path).name.lower()
    for word, decision in vocab.COVIDENCE_FILE_DECISIONS.items():
        if re.search(rf"(^|[^a-z]){word}([^a-z]|$)", stem):
            return decision
    return None


def _parse_covidence(table: Table, spec: DecisionFile, summary: FileSummary) -> list[RawDecision]:
    out = []
    list_decision = _covidence_list_decision(spec)
    for row in table.rows:
        summary.rows += 1
        notes = row.cells.get("notes", "")
        reasons = [m.strip() for m in _COVIDENCE_REASON.findall(notes)]
        decision = "exclude" if reasons else list_decision
        if decision is None:
            raise InputError(
                "a Covidence export row without 'Exclusion reason:' in Notes, and the file name "
                "does not name the list (irrelevant, excluded, included, select); rename the file "
                "or give its decision",
                path=table.path,
                line=row.line,
            )
        item = RawDecision(
            path=table.path,
            line=row.line,
            format="covidence",
            reviewer=spec.reviewer or "covidence",
            decision=decision,
            reasons=reasons if decision == "exclude" else [],
            note=row.cells.get("tags", ""),
            consensus=True,
        )
        _bib(row, item)
        out.append(item)
    return out


_PARSERS = {
    "plain": _parse_plain,
    "asreview": _parse_asreview,
    "rayyan": _parse_rayyan,
    "covidence": _parse_covidence,
}


def read_decisions(
    spec: DecisionFile, *, plain_only: bool = False
) -> tuple[list[RawDecision], FileSummary]:
    """Read one decision file: its decisions and a summary accounting for every row."""
    table = read_decision_file(spec.path)
    fmt = detect_format(table)
    if plain_only and fmt != "plain":
        raise InputError(
            f"an adjudication file must be a plain decision file (study_record_id, decision, "
            f"reason, note); this one looks like a {fmt} export",
            path=table.path,
            line=1,
        )
    summary = FileSummary(
        path=table.path,
        format=fmt,
        encoding=table.encoding,
        delimiter=getattr(table, "delimiter", ""),
    )
    if isinstance(table, RisFile):
        decisions = _parse_asreview_ris(table, spec, summary)
    else:
        decisions = _PARSERS[fmt](table, spec, summary)
    summary.decisions = len(decisions)
    return decisions, summary
