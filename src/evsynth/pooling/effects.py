"""The effect table: one estimate and its sampling variance per study, validated once.

Like metafor's ``escalc()`` output, the table is kept apart from the models fitted to it, so that
every model, bias test and sensitivity analysis sees the same checked inputs and can carry a
checksum of them. Validation happens here (and only here) so that every error names the study row.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scipy.stats import norm

from evsynth.errors import InputError
from evsynth.tables import require_columns

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


def _delimiter(path: Path, first: str) -> str:
    """Tab for .tsv or a tabbed header; ``;`` for a semicolon header (the CSV that spreadsheets
    write where the decimal separator is a comma); else a comma."""
    if path.suffix.lower() in {".tsv", ".tab"} or "\t" in first:
        return "\t"
    if ";" in first and first.count(";") >= first.count(","):
        return ";"
    return ","


def _read_delimited(
    path: Path,
) -> tuple[list[str], list[tuple[int, dict[str, str]]], str]:
    text = path.read_text(encoding="utf-8-sig")
    first = text.split("\n", 1)[0]
    delimiter = _delimiter(path, first)
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    header = [(h or "").strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    rows = []
    for lineno, row in enumerate(reader, start=2):
        if None in row:
            raise InputError(
                f"more cells than the {len(header)} header columns", path=str(path), line=lineno
            )
        if not any((v or "").strip() for v in row.values()):
            continue
        rows.append((lineno, {k: (v or "") for k, v in row.items()}))
    return header, rows, delimiter


_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d*,\d+(?:[eE][-+]?\d+)?\s*$")


def _decimal(value: str, delimiter: str) -> str:
    """``0,25`` -> ``0.25`` in a ``;``-separated file (a comma cannot be a decimal point in a
    comma-separated one, where such a value would have been split)."""
    if delimiter == ";" and _DECIMAL_COMMA.match(value):
        return value.replace(",", ".")
    return value


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


def _se_from_ci(
    hr: str, low: str, high: str, level: str, *, label: str, row: int, source: str
) -> tuple[float, float]:
    """log HR and its SE from an HR and its CI: SE = (ln upper - ln lower) / (2 z), z the normal
    quantile of the CI's level (Cochrane Handbook 6.3.2; Tierney et al. 2007, Trials 8:16)."""
    values = {}
    for name, value in (("hr", hr), ("ci_low", low), ("ci_high", high)):
        number = _number(value, name, label, row, source)
        if number <= 0:
            raise InputError(
                f"{name} is {value!r}; a hazard ratio and its limits must be > 0",
                path=source,
                line=row,
                record=label,
                field=name,
            )
        values[name] = number
    if not values["ci_low"] < values["ci_high"]:
        raise InputError(
            f"ci_low {low!r} is not below ci_high {high!r}",
            path=source,
            line=row,
            record=label,
            field="ci_low",
        )
    if not values["ci_low"] <= values["hr"] <= values["ci_high"]:
        raise InputError(
            f"hr {hr!r} is outside its CI [{low}, {high}]",
            path=source,
            line=row,
            record=label,
            field="hr",
        )
    pct = _number(level, "ci_level", label, row, source) if str(level).strip() else 95.0
    pct = pct * 100 if pct < 1 else pct
    if not 50 <= pct < 100:
        raise InputError(
            f"ci_level is {level!r}; give a percentage such as 95 (or 0.95)",
            path=source,
            line=row,
            record=label,
            field="ci_level",
        )
    z = float(norm.ppf(0.5 + pct / 200))
    se = (math.log(values["ci_high"]) - math.log(values["ci_low"])) / (2 * z)
    return math.log(values["hr"]), se


def read_effects_csv(
    path: str | Path,
    *,
    study_column: str = "study",
    yi_column: str = "yi",
    se_column: str = "se",
    ratio: bool = True,
    warnings: list[str] | None = None,
) -> EffectTable:
    """Read an effect table from CSV or TSV: ``study,yi,se`` (log effect and SE), ``study,yi,vi``
    (as ``escalc()`` and ``evsynth effect-size`` write) or
    ``study,hr,ci_low,ci_high[,ci_level]`` (a hazard ratio with its CI; level 95 when not given);
    optional ``year,subgroup``.

    The delimiter is a tab (``.tsv`` or a tabbed header), a semicolon (a ``;`` header; decimal
    commas are then read) or a comma. Repeated study labels are kept apart (``unique_labels``);
    each renaming is appended to ``warnings`` when a list is given.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=str(path))
    header, rows, delimiter = _read_delimited(path)
    lower = {h.lower(): h for h in header}
    hr_columns = ("hr", "ci_low", "ci_high")
    spread = "vi" if se_column not in header and "vi" in header else se_column
    use_hr = (
        yi_column not in header and spread not in header and all(c in lower for c in hr_columns)
    )
    wanted = (study_column, *hr_columns) if use_hr else (study_column, yi_column, spread)
    require_columns(
        header,
        [c for c in wanted if not (use_hr and c in lower)],  # hr, ci_* in any case
        path,
        hint="give study,yi,se, study,yi,vi or study,hr,ci_low,ci_high[,ci_level]",
    )
    labels, renamed = unique_labels([r[study_column] for _, r in rows])
    if warnings is not None:
        warnings.extend(renamed)
    vi = None
    if use_hr:
        yi, se = [], []
        level_column = lower.get("ci_level")
        for (lineno, r), label in zip(rows, labels, strict=True):
            log_hr, log_se = _se_from_ci(
                *(_decimal(r[lower[c]], delimiter) for c in hr_columns),
                _decimal(r.get(level_column, "") if level_column else "", delimiter),
                label=label,
                row=lineno,
                source=str(path),
            )
            yi.append(log_hr)
            se.append(log_se)
    else:
        yi = [_decimal(r[yi_column], delimiter) for _, r in rows]
        values = [_decimal(r[spread], delimiter) for _, r in rows]
        se, vi = (values, None) if spread == se_column else (None, values)
    return effects(
        yi,
        se=se,
        vi=vi,
        study=labels,
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
    header, rows, _ = _read_delimited(path)
    require_columns(header, ("study_id", "log_hr", "se", "analyses", "selected"), path)
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
