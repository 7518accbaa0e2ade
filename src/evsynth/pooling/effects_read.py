"""Readers of effect files (CSV/TSV of study estimates, extraction's effects.tsv) into an
``EffectTable``; split from ``effects`` so that the table's validation and the file formats are
each one job."""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

from scipy.stats import norm

from evsynth.errors import InputError
from evsynth.pooling.effects import EffectTable, _number, effects, unique_labels
from evsynth.tables import require_columns


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
