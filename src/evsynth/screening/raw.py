"""Reviewer decisions as read from any tool's file, before matching: the shared types and helpers.

:class:`RawDecision` is what every tool's parser (``parse_labels``, ``parse_reviewers``) makes of
one row; :class:`FileSummary` accounts for every row a file had.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from evsynth.errors import InputError
from evsynth.screening import vocab
from evsynth.screening.readers import RisRecord, TableRow

__all__ = [
    "QUEUE_ID",
    "DecisionFile",
    "FileSummary",
    "RawDecision",
    "bib",
    "copy_bib",
    "decide_rows",
    "default_reviewer",
    "list_help",
    "parse_decision_word",
    "ris_bib",
    "ris_notes",
    "ris_template",
    "row_template",
    "split_list",
    "tag_line",
]

_Row = TypeVar("_Row")


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


def bib(row: TableRow, target: RawDecision) -> None:
    target.pmid = row.get(*vocab.PMID_COLUMNS)
    target.doi = row.get(*vocab.DOI_COLUMNS)
    target.title = row.get(*vocab.TITLE_COLUMNS)
    target.year = row.get(*vocab.YEAR_COLUMNS)
    target.authors = row.get(*vocab.AUTHOR_COLUMNS)
    target.ids = [row.cells[c] for c in vocab.ID_COLUMNS if row.cells.get(c)]
    target.tool_keys = [row.cells[c] for c in vocab.TOOL_KEY_COLUMNS if row.cells.get(c)]


def row_template(
    path: str, row: TableRow, fmt: str, reviewer: str = "", decision: str = "", **fields: Any
) -> RawDecision:
    """A ``fmt`` decision on a table row, its bibliographic fields read from the row (a tool
    whose row holds several decisions leaves reviewer and decision to each copy)."""
    item = RawDecision(path, row.line, fmt, reviewer, decision, **fields)
    bib(row, item)
    return item


def ris_template(
    path: str, record: RisRecord, fmt: str, reviewer: str = "", decision: str = "", **fields: Any
) -> RawDecision:
    """:func:`row_template` for a RIS record."""
    item = RawDecision(path, record.line, fmt, reviewer, decision, **fields)
    ris_bib(record, item)
    return item


def decide_rows(
    rows: Iterable[_Row],
    summary: FileSummary,
    decide: Callable[[_Row], list[RawDecision]],
) -> list[RawDecision]:
    """Every tool's row loop: each row counted in ``summary``, and counted undecided when the
    tool's ``decide`` finds no decision in it (an empty list), so that no row goes unaccounted."""
    out: list[RawDecision] = []
    for row in rows:
        summary.rows += 1
        decisions = decide(row)
        if not decisions:
            summary.undecided_rows += 1
            continue
        out.extend(decisions)
    return out


def ris_bib(record: RisRecord, target: RawDecision) -> None:
    authors = record.tags.get("AU", []) + record.tags.get("A1", [])
    target.ids = [v for t in ("ID", "AN") for v in record.tags.get(t, []) if v]
    target.ids += QUEUE_ID.findall(ris_notes(record))  # evsynth's queue id, kept in the notes
    target.doi = record.first("DO")
    target.title = record.first("TI", "T1")
    target.year = record.first("PY", "Y1", "DA")[:4]
    target.authors = "; ".join(authors)


#: the study record id evsynth's queue RIS writes into N1 ("evsynth title_abstract queue: ID")
QUEUE_ID = re.compile(r"evsynth [a-z_]+ queue: (\S+)")


def default_reviewer(spec: DecisionFile) -> str:
    return spec.reviewer or Path(spec.path).stem


def ris_notes(record: RisRecord) -> str:
    return " | ".join(record.tags.get("N1", []) + record.tags.get("N2", []))


def tag_line(record: RisRecord, tag: str) -> int:
    """The line of a record's first ``tag`` (so an error points at the notes, not the TY)."""
    return record.lines.get(tag, record.line)


def split_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def list_help(path: str, choices: list[str]) -> str:
    return (
        f"declare it in config: screening.stages.<stage>.decisions: [{{file: {path}, list: "
        f"{choices[0]}}}] ({', '.join(choices)}), or on the command line --list "
        f"{path}={choices[0]}"
    )


def copy_bib(template: RawDecision) -> RawDecision:
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
