"""Readers of the figure inputs besides the pooling result, returning value objects.

The pooling JSON is read through its contract, :mod:`evsynth.contracts.pooling_result` (the
names below are kept for callers of the former figure-side reader: ``read_pooling``,
``PoolingResult``, ``ModelSummary`` = ``PooledModel``). Read here: the analysis input
(``results/extraction/analyses/{analysis}.tsv``) and the optional risk-of-bias sheet, both
described in docs/architecture.md. Broken values are an :class:`~evsynth.errors.InputError`
naming file, line and column.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from evsynth.contracts.pooling_result import (
    EggerTest,
    PoolingResult,
    SensitivityRow,
    SubgroupFit,
    SubgroupTest,
    TrimAndFill,
)
from evsynth.contracts.pooling_result import PooledModel as ModelSummary
from evsynth.contracts.pooling_result import read_pooling_result as read_pooling
from evsynth.contracts.study_tables import read_analysis
from evsynth.errors import InputError
from evsynth.figures.style import ROB_JUDGEMENTS
from evsynth.tables import read_tsv

__all__ = [
    "ANALYSIS_COLUMNS",
    "EggerTest",
    "ModelSummary",
    "PoolingResult",
    "RiskOfBiasTable",
    "SensitivityRow",
    "StudyEffect",
    "SubgroupFit",
    "SubgroupTest",
    "TrimAndFill",
    "read_analysis_effects",
    "read_pooling",
    "read_risk_of_bias",
]

ANALYSIS_COLUMNS = ("study", "yi", "se", "study_id", "year", "label", "subgroup")


@dataclass(frozen=True)
class StudyEffect:
    """One row of an analysis input: a study's log hazard ratio and its standard error."""

    study: str
    yi: float
    se: float
    study_id: str = ""
    year: str = ""
    label: str = ""
    subgroup: str = ""
    derivation: str = ""  # how extraction derived yi/se (e.g. km_reconstruction)


@dataclass(frozen=True)
class RiskOfBiasTable:
    """A risk-of-bias table: one row per study, one judgement (or NOS star count) per domain."""

    studies: tuple[str, ...]
    labels: tuple[str, ...]
    domains: tuple[str, ...]
    judgements: tuple[tuple[str, ...], ...]  # [study][domain], lower-cased judgement or star count
    overall: tuple[str, ...] | None
    total: tuple[str, ...] | None
    kind: str  # "judgement" or "stars"
    path: str = ""


def read_analysis_effects(path: str | Path) -> tuple[StudyEffect, ...]:
    """Read ``results/extraction/analyses/{analysis}.tsv`` (header only = no studies) through its
    contract, then what a figure needs beyond it: one row per drawn label, a positive SE."""
    out = []
    seen: set[str] = set()
    table = read_analysis(path)
    for row in table.rows:
        where = {"path": str(table.path), "line": row.line}
        study = row.study.strip()
        if not study:
            raise InputError("empty study label", **where, field="study")
        if study in seen:
            raise InputError(
                f"study label {study!r} appears twice; labels must be unique",
                **where,
                field="study",
            )
        seen.add(study)
        if row.se <= 0:
            raise InputError(f"standard error must be > 0, found {row.se:g}", **where, field="se")
        out.append(
            StudyEffect(
                study=study,
                yi=row.yi,
                se=row.se,
                study_id=row.study_id,
                year=(row.year or "").strip(),
                label=(row.label or "").strip(),
                subgroup=(row.subgroup or "").strip(),
                derivation=(row.derivation or "").strip(),
            )
        )
    return tuple(out)


_ROB_META = {
    "study_id",
    "study",
    "label",
    "tool",
    "notes",
    "note",
    "comment",
    "comments",
    "total",
    "overall",
    "reviewer",
    "reviewers",
}
_ROB_ALIASES = {
    "low risk": "low",
    "l": "low",
    "+": "low",
    "some": "some concerns",
    "some concern": "some concerns",
    "moderate risk": "moderate",
    "high risk": "high",
    "h": "high",
    "-": "high",
    "unclear risk": "unclear",
    "?": "unclear",
    "u": "unclear",
    "serious risk": "serious",
    "critical risk": "critical",
    "ni": "no information",
    "no info": "no information",
}


def _stars(value: str) -> int | None:
    text = value.strip()
    if text and set(text) <= {"*", "\u2605"}:
        return len(text)
    if text.isdigit():
        return int(text)
    return None


def read_risk_of_bias(path: str | Path, *, labels: dict[str, str] | None = None) -> RiskOfBiasTable:
    """Read a risk-of-bias sheet (TSV or CSV): ``study_id``, one column per domain, ``total``.

    Cells hold judgements (low / some concerns / high / unclear, and the ROBINS-I grades) or
    Newcastle-Ottawa stars (``*``, ``**`` or a digit); one table uses one kind throughout.
    """
    where = str(path)
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", path=where)
    if p.suffix.lower() == ".csv":
        with p.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            rows = [{k: (v or "") for k, v in r.items() if k is not None} for r in reader]
        if "study_id" not in header:
            raise InputError(
                f"missing column study_id; the header has {', '.join(header)}", path=where, line=1
            )
    else:
        rows = read_tsv(p, required=("study_id",))
        header = list(rows[0]) if rows else []
        if not rows:
            with p.open(encoding="utf-8-sig") as handle:
                header = handle.readline().rstrip("\n").split("\t")
    domains = tuple(c for c in header if c.strip().lower() not in _ROB_META)
    if not domains:
        raise InputError("no domain columns besides study_id/total/overall", path=where, line=1)
    has_overall = "overall" in header
    has_total = "total" in header
    star_cells = 0
    judgement_cells = 0
    table: list[tuple[str, ...]] = []
    for line, row in enumerate(rows, start=2):
        cells = []
        for domain in (*domains, *(("overall",) if has_overall else ())):
            raw = row.get(domain, "").strip()
            text = raw.lower()
            text = _ROB_ALIASES.get(text, text)
            if not text:
                cells.append("")
                continue
            if _stars(raw) is not None:
                star_cells += 1
                cells.append(str(_stars(raw)))
                continue
            if text not in ROB_JUDGEMENTS:
                raise InputError(
                    f"unknown judgement {raw!r}; valid: {', '.join(ROB_JUDGEMENTS)} or "
                    "Newcastle-Ottawa stars (*, **, or a digit)",
                    path=where,
                    line=line,
                    field=domain,
                )
            judgement_cells += 1
            cells.append(text)
        table.append(tuple(cells))
    if star_cells and judgement_cells:
        raise InputError("mixes judgements and star counts; use one tool per table", path=where)
    ids = tuple(r["study_id"].strip() for r in rows)
    labels = labels or {}
    return RiskOfBiasTable(
        studies=ids,
        labels=tuple(
            labels.get(i)
            or rows[n].get("label", "").strip()
            or rows[n].get("study", "").strip()
            or i
            for n, i in enumerate(ids)
        ),
        domains=domains,
        judgements=tuple(t[: len(domains)] for t in table),
        overall=tuple(t[len(domains)] for t in table) if has_overall else None,
        total=tuple(r.get("total", "").strip() for r in rows) if has_total else None,
        kind="stars" if star_cells else "judgement",
        path=where,
    )
