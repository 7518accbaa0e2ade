"""The effect table: one estimate and its sampling variance per study, validated once.

Like metafor's ``escalc()`` output, the table is kept apart from the models fitted to it, so that
every model, bias test and sensitivity analysis sees the same checked inputs and can carry a
checksum of them. Validation happens here (and only here) so that every error names the study row.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from evsynth.errors import InputError

__all__ = ["EffectTable", "effects", "read_effects_csv", "select_effects_rows", "unique_labels"]


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


def unique_labels(labels: Sequence[str]) -> tuple[list[str], list[str]]:
    """Repeated study labels kept apart: ``Shechter``, ``Shechter (2)``; returns the labels and a
    warning per repeated label.

    Real datasets repeat labels (two cohorts of one paper, two papers of one first author and
    year); metafor accepts them (``rma(..., slab=)`` makes them unique) rather than refusing the
    data, so we do too, and say which rows were renamed.
    """
    out: list[str] = []
    used = {str(label).strip() for label in labels}
    counts: dict[str, int] = {}
    renamed: dict[str, list[str]] = {}
    for label in labels:
        base = str(label).strip()
        counts[base] = counts.get(base, 0) + 1
        if counts[base] == 1 or not base:
            out.append(base)
            continue
        n = counts[base]
        candidate = f"{base} ({n})"
        while candidate in used:
            n += 1
            candidate = f"{base} ({n})"
        used.add(candidate)
        out.append(candidate)
        renamed.setdefault(base, [base]).append(candidate)
    warnings = [
        f"study label {base!r} is repeated; kept apart as " + ", ".join(repr(n) for n in names)
        for base, names in renamed.items()
    ]
    return out, warnings


# The readers of effect files live in effects_read (split by job); imported here so that
# ``from evsynth.pooling.effects import read_effects_csv`` keeps working.
from evsynth.pooling.effects_read import (  # noqa: E402
    _read_delimited,
    read_effects_csv,
    select_effects_rows,
)

__all__ = [
    "EffectTable",
    "_read_delimited",
    "effects",
    "read_effects_csv",
    "select_effects_rows",
    "unique_labels",
]
