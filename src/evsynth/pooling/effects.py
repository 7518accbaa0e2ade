"""The effect table: one estimate and its sampling variance per study, validated once.

Like metafor's ``escalc()`` output, the table is kept apart from the models fitted to it, so that
every model, bias test and sensitivity analysis sees the same checked inputs and can carry a
checksum of them. Validation happens here (and only here) so that every error names the study row.
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from evsynth.errors import InputError

__all__ = ["EffectTable", "effects", "read_effects_csv", "select_effects_rows"]


@dataclass(frozen=True)
class EffectTable:
    """Study estimates ``yi`` (log scale for ratio measures) with sampling variances ``vi``.

    ``ratio`` says whether ``yi`` is a log ratio (HR, OR, RR), in which case results also carry
    exp() of the estimate, CI and prediction interval.
    """

    study: tuple[str, ...]
    yi: tuple[float, ...]
    vi: tuple[float, ...]
    year: tuple[int | None, ...] = ()
    subgroup: tuple[str | None, ...] = ()
    ratio: bool = True
    source: str | None = None
    rows: tuple[int, ...] = field(default=())

    @property
    def k(self) -> int:
        return len(self.yi)

    @property
    def sei(self) -> tuple[float, ...]:
        return tuple(math.sqrt(v) for v in self.vi)

    @property
    def checksum(self) -> str:
        """SHA-256 of the studies, estimates and variances in input order (exact float reprs)."""
        digest = hashlib.sha256()
        for s, y, v in zip(self.study, self.yi, self.vi, strict=True):
            digest.update(f"{s}\t{y!r}\t{v!r}\n".encode())
        return "sha256:" + digest.hexdigest()

    def row_of(self, index: int) -> str:
        """How an error names study ``index``: its label and, when known, its input line."""
        where = f"study {self.study[index]!r}"
        if self.rows:
            where += f" (row {self.rows[index]})"
        return where

    def subset(self, indices: Sequence[int]) -> EffectTable:
        """The table restricted to ``indices``, in that order."""
        pick = list(indices)
        return EffectTable(
            study=tuple(self.study[i] for i in pick),
            yi=tuple(self.yi[i] for i in pick),
            vi=tuple(self.vi[i] for i in pick),
            year=tuple(self.year[i] for i in pick) if self.year else (),
            subgroup=tuple(self.subgroup[i] for i in pick) if self.subgroup else (),
            ratio=self.ratio,
            source=self.source,
            rows=tuple(self.rows[i] for i in pick) if self.rows else (),
        )

    def extend(self, study: Sequence[str], yi: Sequence[float], vi: Sequence[float]) -> EffectTable:
        """The table with extra (e.g. imputed trim-and-fill) studies appended."""
        return EffectTable(
            study=self.study + tuple(study),
            yi=self.yi + tuple(float(y) for y in yi),
            vi=self.vi + tuple(float(v) for v in vi),
            ratio=self.ratio,
            source=self.source,
        )


def _number(value: object, name: str, label: str, row: int | None, source: str | None) -> float:
    where = dict(path=source, line=row, record=label, field=name)
    if value is None or (isinstance(value, str) and value.strip() == ""):
        raise InputError(f"{name} is missing; give a finite number", **where)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"{name} is {value!r}, not a number", **where) from None
    if not math.isfinite(number):
        raise InputError(f"{name} is {value!r}; it must be finite", **where)
    return number


def effects(
    yi: Sequence[object],
    *,
    se: Sequence[object] | None = None,
    vi: Sequence[object] | None = None,
    study: Sequence[str] | None = None,
    year: Sequence[object] | None = None,
    subgroup: Sequence[object] | None = None,
    ratio: bool = True,
    source: str | None = None,
    rows: Sequence[int] | None = None,
) -> EffectTable:
    """Build and validate an :class:`EffectTable` from estimates and either ``se`` or ``vi``.

    Raises
    ------
    InputError
        For a missing, zero, negative or non-finite SE/variance, a non-finite estimate, an empty
        or duplicate study label, or columns of unequal length; the message names the study row.
    """
    if (se is None) == (vi is None):
        raise InputError("give exactly one of se= or vi=", path=source)
    spread = se if se is not None else vi
    assert spread is not None
    k = len(yi)
    labels = list(study) if study is not None else [f"Study {i + 1}" for i in range(k)]
    row_numbers = list(rows) if rows is not None else []
    for name, column in (
        ("study", labels),
        ("se" if se is not None else "vi", spread),
        ("year", year),
        ("subgroup", subgroup),
        ("rows", rows),
    ):
        if column is not None and len(column) != k:
            raise InputError(f"{name} has {len(column)} values but yi has {k}", path=source)
    seen: dict[str, int] = {}
    ys: list[float] = []
    vs: list[float] = []
    for i in range(k):
        label = str(labels[i]).strip()
        row = row_numbers[i] if row_numbers else None
        where = dict(path=source, line=row, record=label or f"#{i + 1}")
        if not label:
            raise InputError("study label is empty; every study needs a unique label", **where)
        if label in seen:
            raise InputError(
                f"duplicate study label {label!r} (also study #{seen[label] + 1}); labels must be "
                "unique",
                field="study",
                **where,
            )
        seen[label] = i
        ys.append(_number(yi[i], "yi", label, row, source))
        name = "se" if se is not None else "vi"
        value = _number(spread[i], name, label, row, source)
        if value <= 0:
            raise InputError(
                f"{name} is {spread[i]!r}; it must be > 0 (a study without a positive standard "
                "error cannot be weighted)",
                path=source,
                line=row,
                record=label,
                field=name,
            )
        variance = value * value if se is not None else value
        if variance == 0 or not math.isfinite(1.0 / variance):
            raise InputError(
                f"{name} is {spread[i]!r}, too small to invert; check the units",
                path=source,
                line=row,
                record=label,
                field=name,
            )
        vs.append(variance)
    years: list[int | None] = []
    if year is not None:
        for i, value in enumerate(year):
            if value is None or str(value).strip() == "":
                years.append(None)
                continue
            try:
                years.append(int(str(value).strip()))
            except ValueError:
                raise InputError(
                    f"year is {value!r}, not a whole number",
                    path=source,
                    line=row_numbers[i] if row_numbers else None,
                    record=str(labels[i]),
                    field="year",
                ) from None
    groups: list[str | None] = []
    if subgroup is not None:
        groups = [None if g is None or str(g).strip() == "" else str(g).strip() for g in subgroup]
    return EffectTable(
        study=tuple(str(s).strip() for s in labels),
        yi=tuple(ys),
        vi=tuple(vs),
        year=tuple(years),
        subgroup=tuple(groups),
        ratio=ratio,
        source=source,
        rows=tuple(row_numbers),
    )


def _read_delimited(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    text = path.read_text(encoding="utf-8-sig")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if path.suffix.lower() in {".tsv", ".tab"} or "\t" in first else ","
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    header = list(reader.fieldnames or [])
    rows = []
    for lineno, row in enumerate(reader, start=2):
        if None in row:
            raise InputError(
                f"more cells than the {len(header)} header columns", path=str(path), line=lineno
            )
        if not any((v or "").strip() for v in row.values()):
            continue
        rows.append((lineno, {k: (v or "") for k, v in row.items()}))
    return header, rows


def read_effects_csv(
    path: str | Path,
    *,
    study_column: str = "study",
    yi_column: str = "yi",
    se_column: str = "se",
    ratio: bool = True,
) -> EffectTable:
    """Read an effect table from CSV or TSV (columns ``study,yi,se`` or ``study,yi,vi`` as
    ``escalc()`` writes; optional ``year,subgroup``).

    The delimiter is a tab for ``.tsv`` files or when the header contains a tab, else a comma.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=str(path))
    header, rows = _read_delimited(path)
    spread = "vi" if se_column not in header and "vi" in header else se_column
    missing = [c for c in (study_column, yi_column, spread) if c not in header]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; the header has {', '.join(header)}",
            path=str(path),
            line=1,
        )
    values = [r[spread] for _, r in rows]
    return effects(
        [r[yi_column] for _, r in rows],
        se=values if spread == se_column else None,
        vi=values if spread == "vi" else None,
        study=[r[study_column] for _, r in rows],
        year=[r.get("year", "") for _, r in rows] if "year" in header else None,
        subgroup=[r.get("subgroup", "") for _, r in rows] if "subgroup" in header else None,
        ratio=ratio,
        source=str(path),
        rows=[n for n, _ in rows],
    )


_TRUE = {"true", "yes", "1", "y"}


def select_effects_rows(path: str | Path, analysis: str) -> EffectTable:
    """Rows of extraction's ``effects.tsv`` that enter ``analysis`` and are selected.

    A row enters when its ``;``-joined ``analyses`` column contains the id and ``selected`` is
    true; the study label is ``study_id`` and the estimate ``log_hr`` with SE ``se``.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=str(path))
    header, rows = _read_delimited(path)
    required = ("study_id", "log_hr", "se", "analyses", "selected")
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; the header has {', '.join(header)}",
            path=str(path),
            line=1,
        )
    chosen = [
        (n, r)
        for n, r in rows
        if analysis in [a.strip() for a in r["analyses"].split(";")]
        and r["selected"].strip().lower() in _TRUE
    ]
    return effects(
        [r["log_hr"] for _, r in chosen],
        se=[r["se"] for _, r in chosen],
        study=[r["study_id"] for _, r in chosen],
        year=[r.get("year", "") for _, r in chosen] if "year" in header else None,
        ratio=True,
        source=str(path),
        rows=[n for n, _ in chosen],
    )
