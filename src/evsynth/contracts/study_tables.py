"""The extraction contract tables: ``results/extraction/{effects,studies}.tsv`` and
``results/extraction/analyses/{analysis}.tsv``, their columns, writers and typed readers.

Written by `evsynth extract` (:mod:`evsynth.extraction.write`); an analysis table is read by
`evsynth pool-analysis`, the studies and effects tables by the stages that show them. The readers
return one frozen row per line, numbers and flags parsed, every other cell kept as written in
``values``, so a reader never has to know how extraction renders a cell. Columns: see
docs/architecture.md ("Extraction").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evsynth.errors import InputError
from evsynth.tables import iter_tsv, write_tsv

__all__ = [
    "ANALYSIS_COLUMNS",
    "EFFECT_COLUMNS",
    "STUDY_COLUMNS",
    "AnalysisRow",
    "AnalysisTable",
    "EffectRow",
    "StudyGroup",
    "StudyRow",
    "read_analysis",
    "read_effects",
    "read_studies",
    "read_study_groups",
    "split_record_ids",
    "write_analysis",
    "write_effects",
    "write_studies",
]

EFFECT_COLUMNS = (
    "effect_id study_id factor outcome comparison exposure_as_reported reference_as_reported "
    "analysis_type subset hr ci_low ci_high ci_level p log_hr_as_reported log_hr se derivation "
    "inverted direction_assumed hr_harmonised ci_low_harmonised ci_high_harmonised direction "
    "poolable "
    "not_poolable_reason selected selection_reason analyses warnings source note"
).split()
#: The studies table's own columns, first; the studies sheet's other columns follow, sorted.
STUDY_COLUMNS = (
    "study_id study_record_ids label year country design period n_total n_with_factor "
    "first_author title journal pmid doi population follow_up linked_by search_run effects "
    "poolable_effects risk_of_bias"
).split()
ANALYSIS_COLUMNS = "study yi se study_id year label subgroup search_run derivation".split()

_EFFECT_SORT = ("study_id", "factor", "outcome", "effect_id")


@dataclass(frozen=True, slots=True)
class AnalysisRow:
    """One study in one analysis's pooling input: its estimate (log scale for ratios) and SE."""

    line: int
    study: str
    yi: float
    se: float
    study_id: str
    year: str | None
    label: str | None
    subgroup: str | None
    search_run: str | None
    derivation: str | None


@dataclass(frozen=True, slots=True)
class AnalysisTable:
    """An analysis table as read: its header (optional columns may be absent) and its rows."""

    path: Path
    columns: tuple[str, ...]
    rows: list[AnalysisRow]


@dataclass(frozen=True, slots=True)
class StudyRow:
    """One study of the studies table; ``values`` holds every cell as written."""

    line: int
    study_id: str
    study_record_ids: tuple[str, ...]
    label: str
    search_run: str | None
    effects: int
    poolable_effects: int
    values: dict[str, str]


@dataclass(frozen=True, slots=True)
class StudyGroup:
    """The reports (record ids) one study groups: the two columns PRISMA counts studies by."""

    line: int
    study_id: str
    record_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EffectRow:
    """One effects-sheet row as extraction derived and judged it; ``values`` holds every cell."""

    line: int
    effect_id: str
    study_id: str
    factor: str
    outcome: str
    log_hr: float | None
    se: float | None
    poolable: bool
    selected: bool
    analyses: tuple[str, ...]
    values: dict[str, str]


def write_effects(path: str | Path, rows: Iterable[Mapping[str, Any]]) -> int:
    """Write effects.tsv (sorted by study, factor, outcome, effect); returns the row count."""
    return write_tsv(path, rows, EFFECT_COLUMNS, sort_by=_EFFECT_SORT)


def write_studies(path: str | Path, rows: list[Mapping[str, Any]]) -> int:
    """Write studies.tsv: the table's columns, then the sheet's other columns in name order."""
    extra = sorted({k for s in rows for k in s} - set(STUDY_COLUMNS))
    return write_tsv(path, rows, [*STUDY_COLUMNS, *extra], sort_by=("study_id",))


def write_analysis(path: str | Path, rows: Iterable[Mapping[str, Any]]) -> bool:
    """Write an analysis table only when its content changes; returns whether it did.

    The file time then says whether that analysis's rows changed, and the workflow reruns only
    those analyses' pooling and figures.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.new")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_tsv(tmp, rows, ANALYSIS_COLUMNS, sort_by=("year", "study"))
    if path.is_file() and path.read_bytes() == tmp.read_bytes():
        tmp.unlink()
        return False
    tmp.replace(path)
    return True


def read_analysis(path: str | Path) -> AnalysisTable:
    """An analysis table (rows of empty cells skipped); ``study``, ``yi`` and ``se`` are
    required, the other columns optional (a hand-made pooling input may lack them)."""
    path = Path(path)
    rows = []
    for line, cells in _rows(path, ("study", "yi", "se")):
        study = cells["study"]
        rows.append(
            AnalysisRow(
                line=line,
                study=study,
                yi=_finite(cells["yi"], "yi", path, line, study),
                se=_finite(cells["se"], "se", path, line, study),
                study_id=cells.get("study_id") or study,
                year=cells.get("year") or None,
                label=cells.get("label") or None,
                subgroup=cells.get("subgroup") or None,
                search_run=cells.get("search_run") or None,
                derivation=cells.get("derivation") or None,
            )
        )
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = handle.readline().rstrip("\r\n").split("\t")
    return AnalysisTable(path=path, columns=tuple(header), rows=rows)


def split_record_ids(text: str) -> tuple[str, ...]:
    """The ids of a ``study_record_ids`` cell: extraction joins them with "; ", a hand-edited
    table may leave out the space, so split on ";" and strip."""
    return tuple(i for i in (part.strip() for part in text.split(";")) if i)


def read_study_groups(path: str | Path) -> list[StudyGroup]:
    """Only ``study_id`` and ``study_record_ids`` of a studies table: counting studies needs no
    more, so a hand-made two-column table serves as well as results/extraction/studies.tsv."""
    path = Path(path)
    return [
        StudyGroup(line, cells["study_id"], split_record_ids(cells["study_record_ids"]))
        for line, cells in _rows(path, ("study_id", "study_record_ids"))
    ]


def read_studies(path: str | Path) -> list[StudyRow]:
    """The rows of studies.tsv, with the record ids split and the effect counts parsed."""
    path = Path(path)
    need = ("study_id", "study_record_ids", "label", "search_run", "effects", "poolable_effects")
    out = []
    for line, cells in _rows(path, need):
        out.append(
            StudyRow(
                line=line,
                study_id=cells["study_id"],
                study_record_ids=split_record_ids(cells["study_record_ids"]),
                label=cells["label"],
                search_run=cells["search_run"] or None,
                effects=_count(cells["effects"], "effects", path, line),
                poolable_effects=_count(cells["poolable_effects"], "poolable_effects", path, line),
                values=cells,
            )
        )
    return out


def read_effects(path: str | Path) -> list[EffectRow]:
    """The rows of effects.tsv, with the log HR, SE, flags and analysis ids parsed."""
    path = Path(path)
    need = ("effect_id", "study_id", "factor", "outcome", "log_hr", "se", "poolable", "selected")
    out = []
    for line, cells in _rows(path, (*need, "analyses")):
        eid = cells["effect_id"]
        out.append(
            EffectRow(
                line=line,
                effect_id=eid,
                study_id=cells["study_id"],
                factor=cells["factor"],
                outcome=cells["outcome"],
                log_hr=_finite(cells["log_hr"], "log_hr", path, line, eid, optional=True),
                se=_finite(cells["se"], "se", path, line, eid, optional=True),
                poolable=_flag(cells["poolable"], "poolable", path, line),
                selected=_flag(cells["selected"], "selected", path, line),
                analyses=tuple(a for a in cells["analyses"].split("; ") if a),
                values=cells,
            )
        )
    return out


def _rows(path: Path, required: tuple[str, ...]) -> Iterable[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise InputError("file not found", path=str(path))
    for line, cells in enumerate(iter_tsv(path, required=required), start=2):
        if any(cells.values()):
            yield line, cells


def _finite(
    text: str, column: str, path: Path, line: int, record: str, *, optional: bool = False
) -> Any:
    where = dict(path=str(path), line=line, record=record, field=column)
    if text.strip() == "":
        if optional:
            return None
        raise InputError(f"{column} is missing; give a finite number", **where)
    try:
        number = float(text)
    except ValueError:
        raise InputError(f"{column} is {text!r}, not a number", **where) from None
    if not math.isfinite(number):
        raise InputError(f"{column} is {text!r}; it must be finite", **where)
    return number


def _count(text: str, column: str, path: Path, line: int) -> int:
    if not text.isdigit():
        raise InputError(f"{text!r} is not a count", path=str(path), line=line, field=column)
    return int(text)


def _flag(text: str, column: str, path: Path, line: int) -> bool:
    if text not in ("true", "false"):
        raise InputError(f"{text!r} is not true or false", path=str(path), line=line, field=column)
    return text == "true"
