"""Sheet schemas: type coercion, row validation and the extraction manual rendered from them.

The schemas in ``workflow/schemas/`` (read from the installed package by
:mod:`evsynth.contracts.schemas`) are the single description of each sheet: the same column
descriptions validate a reviewer's CSV here and become docs/extraction.md, so the manual can never
drift from what the code accepts.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from evsynth.contracts import schemas
from evsynth.errors import InputError

__all__ = [
    "SHEETS",
    "SheetRow",
    "load_schema",
    "read_sheet",
    "render_manual",
]

# Sheet name -> schema file, in the order the manual presents them.
SHEETS: dict[str, str] = {
    "studies": "extraction_studies",
    "effects": "extraction_effects",
    "risk_of_bias": "risk_of_bias",
}


def load_schema(sheet: str) -> dict[str, Any]:
    """The JSON schema of one sheet (``studies``, ``effects`` or ``risk_of_bias``)."""
    return schemas.load_schema(SHEETS[sheet])


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One validated sheet row: typed values plus where it came from (for error messages)."""

    path: str
    line: int
    values: dict[str, Any]
    raw: dict[str, str]

    def where(self) -> str:
        return f"{self.path}:{self.line}"


def _types(spec: dict[str, Any]) -> list[str]:
    kind = spec.get("type", "string")
    return [kind] if isinstance(kind, str) else list(kind)


def _coerce(text: str, spec: dict[str, Any]) -> tuple[Any, str | None]:
    """Turn a CSV cell into the schema's type; returns (value, problem)."""
    text = text.strip()
    kinds = _types(spec)
    if text == "":
        return None, None
    if "integer" in kinds:
        try:
            return int(text), None
        except ValueError:
            return text, f"{text!r} is not a whole number"
    if "number" in kinds:
        try:
            value = float(text)
        except ValueError:
            return text, f"{text!r} is not a number"
        if value != value or value in (float("inf"), float("-inf")):
            return text, f"{text!r} is not a finite number"
        return value, None
    return text, None


def _describe_error(error: jsonschema.ValidationError, spec: dict[str, Any]) -> str:
    if error.validator == "enum":
        valid = ", ".join(str(v) for v in spec.get("enum", []) if v is not None)
        return f"{error.instance!r} is not one of: {valid}"
    if error.validator == "pattern":
        return f"{error.instance!r} does not match the pattern {spec.get('pattern')}"
    return error.message


def read_sheet(path: str | Path, sheet: str) -> list[SheetRow]:
    """Read and validate a CSV sheet against its schema; all problems are reported together.

    Raises
    ------
    InputError
        Naming the sheet, line, study and column of every problem, with what would be valid.
    """
    schema = load_schema(sheet)
    props: dict[str, Any] = schema["properties"]
    extra = schema.get("additionalProperties", True)
    path = Path(path)
    if not path.exists():
        raise InputError(f"{sheet} sheet not found", path=str(path))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise InputError(f"the {sheet} sheet is empty (no header)", path=str(path)) from None
        problems: list[str] = []
        unknown = [h for h in header if h not in props]
        if unknown and extra is False:
            raise InputError(
                f"unknown column(s) {', '.join(unknown)}; the {sheet} sheet has: "
                f"{', '.join(props)}",
                path=str(path),
                line=1,
            )
        missing = [c for c in schema.get("required", []) if c not in header]
        if missing:
            raise InputError(
                f"missing required column(s) {', '.join(missing)}", path=str(path), line=1
            )
        dupes = sorted({h for h in header if header.count(h) > 1})
        if dupes:
            raise InputError(f"duplicate column(s) {', '.join(dupes)}", path=str(path), line=1)
        validator = jsonschema.Draft202012Validator(schema)
        rows: list[SheetRow] = []
        for lineno, cells in enumerate(_rows(reader), start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                problems.append(
                    f"{path}:{lineno}: {len(cells)} cells but the header has {len(header)}"
                )
                continue
            values: dict[str, Any] = {}
            for column, cell in zip(header, cells, strict=True):
                value, problem = _coerce(cell, props.get(column, {"type": "string"}))
                if problem:
                    problems.append(f"{path}:{lineno}: column {column!r}: {problem}")
                values[column] = value
            for column in props:
                values.setdefault(column, None)
            study = values.get("study_id") or "?"
            for error in sorted(
                validator.iter_errors({k: v for k, v in values.items() if v is not None}),
                key=lambda e: list(e.path),
            ):
                column = str(error.path[0]) if error.path else ""
                if column and any(column in p and f":{lineno}:" in p for p in problems):
                    continue
                spec = props.get(column, {})
                if error.validator == "required":
                    message = error.message
                else:
                    message = f"column {column!r}: {_describe_error(error, spec)}"
                problems.append(f"{path}:{lineno} (study {study}): {message}")
            raw = {c: cell.strip() for c, cell in zip(header, cells, strict=True)}
            rows.append(SheetRow(str(path), lineno, values, raw))
        if problems:
            raise InputError(
                f"{len(problems)} problem(s) in the {sheet} sheet:\n  " + "\n  ".join(problems)
            )
        return rows


def _rows(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    yield from reader


def render_manual() -> str:
    """The extraction manual (docs/extraction.md) rendered from the sheet schemas."""
    lines = [
        "# Extraction manual",
        "",
        "<!-- Generated from workflow/schemas/*.schema.yaml by "
        "evsynth.extraction.schema.render_manual(); edit the schemas, then run "
        "`python -m evsynth.extraction.manual > docs/extraction.md`. -->",
        "",
        "How evsynth reads the extraction sheets. Copy numbers exactly as printed; the pipeline "
        "derives,",
        "harmonises and selects (see 'What the pipeline does' at the end).",
        "",
    ]
    for sheet in SHEETS:
        schema = load_schema(sheet)
        required = set(schema.get("required", []))
        lines += [f"## {schema['title']}", "", " ".join(schema["description"].split()), ""]
        lines += [
            "| column | required | type | valid values | description |",
            "|---|---|---|---|---|",
        ]
        for column, spec in schema["properties"].items():
            kinds = [k for k in _types(spec) if k != "null"]
            valid = []
            if "enum" in spec:
                valid.append(", ".join(f"`{v}`" for v in spec["enum"] if v is not None))
            if "pattern" in spec:
                valid.append(f"pattern `{spec['pattern']}`".replace("|", "\\|"))
            for key, sign in (
                ("minimum", ">="),
                ("exclusiveMinimum", ">"),
                ("maximum", "<="),
                ("exclusiveMaximum", "<"),
            ):
                if key in spec:
                    valid.append(f"{sign} {spec[key]}")
            desc = " ".join(spec.get("description", "").split()).replace("|", "\\|")
            lines.append(
                f"| `{column}` | {'yes' if column in required else ''} | {'/'.join(kinds)} "
                f"| {'; '.join(valid)} | {desc} |"
            )
        lines.append("")
    lines += _config_manual()
    lines += [line for line in _PIPELINE_NOTES.strip("\n").split("\n")]
    return "\n".join(lines) + "\n"


def _config_rows(properties: dict[str, Any], prefix: str) -> list[str]:
    rows = []
    for key, spec in properties.items():
        kinds = "/".join(k for k in _types(spec) if k != "null") or "see description"
        desc = " ".join(spec.get("description", "").split()).replace("|", "\\|")
        rows.append(f"| `{prefix}{key}` | {kinds} | {desc} |")
        if isinstance(spec.get("properties"), dict):
            rows += _config_rows(spec["properties"], f"{prefix}{key}.")
        extra = spec.get("additionalProperties")
        if isinstance(extra, dict) and isinstance(extra.get("properties"), dict):
            rows += _config_rows(extra["properties"], f"{prefix}{key}.<name>.")
        items = spec.get("items")
        if isinstance(items, dict) and isinstance(items.get("properties"), dict):
            rows += _config_rows(items["properties"], f"{prefix}{key}[].")
    return rows


def _config_manual() -> list[str]:
    """The `extraction` and `analyses` config keys, from workflow/schemas/config/."""
    lines = []
    for section, prefix in (("extraction", "extraction."), ("analyses", "analyses[].")):
        schema = schemas.load_schema(f"config/{section}")
        properties = (
            schema["items"]["properties"] if section == "analyses" else schema["properties"]
        )
        lines += [
            f"## Config: `{section}`",
            "",
            " ".join(schema["description"].split()),
            "",
            "| key | type | description |",
            "|---|---|---|",
            *_config_rows(properties, prefix),
            "",
        ]
    return lines


_PIPELINE_NOTES = """
## What the pipeline does

- **Derivation** (column `derivation` of `effects.tsv`), first that applies:
  `hr_ci` (log HR = ln HR; SE = (ln upper - ln lower) / (2 z), z for the CI level);
  `oe_v` (log HR = (O-E)/V, SE = 1/sqrt(V); Parmar et al. 1998, Stat Med 17:2815);
  `km_reconstruction` (log HR and SE of a Cox model fitted to individual data rebuilt from the
  digitised Kaplan-Meier curve by `evsynth km-reconstruct`; Guyot et al. 2012, BMC Med Res
  Methodol 12:9; docs/km.md);
  `hr_p` (SE = |ln HR| / z(p/2) from an exact two-sided p; Parmar et al. 1998; Tierney et al. 2007,
  Trials 8:16); `p_events` (V = events x n1 x n2 / (n1 + n2)^2, log HR = +-z(p/2) / sqrt(V),
  SE = 1/sqrt(V), sign from `better_group`; Tierney et al. 2007). A row none applies to is kept and
  listed in `narrative.tsv` with the reason ("not poolable: ...").
- **Direction**: each factor in config names its exposure and reference level; a row reported the
  other way round is inverted (HR -> 1/HR, CI limits swapped and inverted) and `inverted` says so. A
  row whose direction is `unknown` is never pooled, except by an analysis that sets
  `use_assumed_directions` for an assumption declared in `extraction.assumed_directions`.
- **Checks**: a CI limit on the wrong side of the HR, a non-positive HR, an undeclared factor or
  outcome, a CI without a level (and no configured default) are errors naming sheet, line and study.
  A CI asymmetric on the log scale beyond `extraction.ci_asymmetry_tolerance` (and beyond what the
  printed digits' rounding explains) and a p-value inconsistent with the CI are warnings
  (`warnings.tsv`), giving the SE implied by each side.
- **Selection**: per study, factor and outcome, one poolable row: a row marked `select: prefer`,
  else whole-cohort before subset estimates (`extraction.selection.prefer_whole_cohort`), then the
  order `extraction.selection.order` (default multivariable > propensity > univariable > unknown).
  A tie is an error asking for `select: prefer`. An analysis may name `prefer_effects` (e.g. a
  subgroup estimate for a sensitivity analysis) and `exclude_studies`. Studies declared in
  `extraction.overlapping_cohorts` (the same patients) enter an analysis once: the first listed
  that has an estimate.
- **Links to screening**: each study's records (`study_record_ids`, or found by pmid, then doi,
  then title in results/dedup/unique.tsv) must be included in results/screening/full_text.tsv;
  without `--screening` the links are not checked and the command says so.
- **Search run**: with `--search-records` (every run's results/search/{run}/*.records.tsv) and
  `--runs` (config order), `studies.tsv` and the analysis tables carry `search_run`: the earliest
  run that found any record of the study (via `member_ids` of results/dedup/unique.tsv), the basis
  of the cumulative meta-analysis by search run of a living review.
- **Outputs** (results/extraction/): `effects.tsv` (every row with its derivation, direction,
  selection and analyses), `studies.tsv`, `narrative.tsv` (every row not pooled: p-value-only,
  direction-unknown, no-SE rows, rows of narrative syntheses, poolable rows no analysis takes),
  `analyses/{analysis}.tsv` (`study yi se study_id year label subgroup search_run derivation`),
  `analysis_members.tsv` (each study's fate in each analysis, with the reason), `warnings.tsv`,
  `summary.json`, and, when
  a risk-of-bias sheet is given, `risk_of_bias.tsv` (one row per study, one column per NOS item or
  QUIPS domain, NOS `total`) and `risk_of_bias_items.tsv` (every item with its support).
"""
