"""View models of study selection (PRISMA, dedup, agreement), included studies, risk of bias."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from evsynth.contracts.format import format_number
from evsynth.report.facts import to_float
from evsynth.report.inputs import ReportInputs
from evsynth.report.labels import (
    PRISMA_EXTRA_LABELS,
    PRISMA_FIELDS,
    SCREENING_STAGE_LABELS,
    STUDY_COLUMNS,
)
from evsynth.report.views.common import DASH, NA, anchor, figure
from evsynth.report.views.front import screening_waiting, stage_documents

__all__ = ["risk_of_bias_view", "selection_view", "studies_view"]


def _prisma_rows(counts: Mapping[str, Any]) -> list[dict[str, str]]:
    """The PRISMA counts in field order; a dict-valued count gets its total and one sub-row each."""
    rows = []
    known = {name for name, _ in PRISMA_FIELDS}
    extras = [
        (k, PRISMA_EXTRA_LABELS.get(k, k.replace("_", " ").capitalize()))
        for k in sorted(counts)
        if k not in known and k not in ("notes", "per_run", "update_flow")
    ]
    for name, label in list(PRISMA_FIELDS) + extras:
        if name not in counts or counts[name] is None:
            continue
        value = counts[name]
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, list):
            value = "; ".join(map(str, value)) or DASH
        if isinstance(value, dict):
            total = sum(v for v in value.values() if isinstance(v, int | float))
            rows.append({"kind": "count", "label": label, "name": name, "value": str(total)})
            rows += [
                {"kind": "part", "label": str(key), "value": str(value[key])}
                for key in sorted(value)
            ]
        else:
            rows.append({"kind": "count", "label": label, "name": name, "value": str(value)})
    return rows


def _dedup_rows(d: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [
        (f"Records from {src}", str(n))
        for src, n in sorted((d.get("records_per_source") or {}).items())
    ]
    rows += [
        (f"Records in run {run}", str(n))
        for run, n in sorted((d.get("records_per_run") or {}).items())
    ]
    for key, label in (
        ("records_total", "Records in total"),
        ("duplicates_removed", "Duplicates removed"),
        ("unique_records", "Unique records"),
        ("possible_pairs", "Possible duplicate pairs left for a person"),
    ):
        if d.get(key) is not None:
            rows.append((label, str(d[key])))
    return rows


def _agreement_rows(agreement: dict[str, Any] | None) -> list[dict[str, str]] | None:
    """One row per screening stage with two reviewers; None when agreement.json is absent."""
    stages = stage_documents(agreement)
    if not stages:
        return None
    rows = []
    order = [s for s in SCREENING_STAGE_LABELS if s in stages] + sorted(
        s for s in stages if s not in SCREENING_STAGE_LABELS
    )
    for stage in order:
        doc = stages[stage]
        agree = doc.get("agreement") if isinstance(doc.get("agreement"), dict) else doc
        raw = to_float(agree.get("raw_agreement", agree.get("agreement")))
        counts = doc.get("counts") if isinstance(doc.get("counts"), dict) else {}
        shown = [
            f"{k.replace('_', ' ')} {v}"
            for k, v in counts.items()
            if not isinstance(v, dict | list) and v not in (0, None)
        ]
        rows.append(
            {
                "stage": SCREENING_STAGE_LABELS.get(stage, stage),
                "reviewers": ", ".join(map(str, doc.get("reviewers") or [])) or NA,
                "kappa": format_number(to_float(agree.get("kappa"))),
                "raw": NA if raw is None else f"{raw * 100 if raw <= 1 else raw:.1f}%",
                "method": str(agree.get("method") or "") or NA,
                "shown": "; ".join(shown) or NA,
            }
        )
    return rows


def selection_view(inputs: ReportInputs) -> dict[str, Any]:
    """Screening state, the PRISMA figure and counts, dedup summary and agreement."""
    waiting = screening_waiting(inputs)
    incomplete = [s for s, (n, _) in sorted(waiting.items()) if n]
    details = "; ".join(
        f"{SCREENING_STAGE_LABELS.get(s, s)}: {waiting[s][0]} of {waiting[s][1]}"
        for s in incomplete
    )
    counts = inputs.prisma.review
    prisma_alt = "PRISMA 2020 flow diagram: " + ", ".join(
        f"{label.lower()} {counts[name]}"
        for name, label in PRISMA_FIELDS
        if isinstance(counts.get(name), int)
    )
    notes = counts.get("notes")
    return {
        "incomplete": details if incomplete else "",
        "no_decisions": not waiting,
        "figure": figure(
            inputs.prisma_figure,
            prisma_alt,
            "Figure 1. PRISMA 2020 flow diagram of the identification, screening and inclusion "
            "of studies.",
            missing="PRISMA flow diagram not drawn (no results/figures/prisma.svg or .png).",
        ),
        "prisma": _prisma_rows(counts),
        "notes": [str(n) for n in notes] if isinstance(notes, list) else [],
        "dedup": _dedup_rows(inputs.dedup),
        "agreement": _agreement_rows(inputs.agreement),
    }


def studies_view(inputs: ReportInputs) -> dict[str, Any]:
    """The included studies' characteristics; only columns somebody filled are shown."""
    present = set(inputs.studies[0]) if inputs.studies else set()
    # A column nobody filled (or only "not assessed") says nothing; the file keeps it.
    filled = {
        c for row in inputs.studies for c, v in row.items() if v and v.lower() != "not assessed"
    }
    shown = [(c, h) for c, h in STUDY_COLUMNS if c in filled or c in ("label", "year")]
    extra = list((inputs.config.get("report") or {}).get("study_columns") or [])
    extra += [str(a.config["subgroup"]) for a in inputs.analyses if a.config.get("subgroup")]
    for col in extra:
        if col in present and col in filled and col not in {c for c, _ in shown}:
            shown.append((col, col.replace("_", " ").capitalize()))
    numeric = {"year", "n_total", "n_with_factor"}
    rows = []
    for s in sorted(inputs.studies, key=lambda r: (r.get("label", ""), r.get("study_id", ""))):
        cells = []
        for col, _ in shown[1:]:
            value = s.get(col, "") or DASH
            # Right-align (and keep on one line) only real numbers; "93 (57 adults)" wraps.
            cells.append((value, col in numeric and to_float(value) is not None))
        rows.append(
            {
                "id": s.get("study_id", ""),
                "label": s.get("label") or s.get("study_id", ""),
                "cells": cells,
            }
        )
    return {
        "caption": f"Characteristics of the {len(inputs.studies)} included studies",
        "headers": [(h, c in numeric) for c, h in shown],
        "rows": rows,
    }


def _rob_tables(rows: list[dict[str, str]], labels: dict[str, str]) -> list[dict[str, Any]]:
    """One table per tool: studies by domain, judgement (or stars for NOS items) in each cell."""
    if rows and "domain" not in rows[0]:
        cols = [c for c in rows[0] if c != "study_id"]
        body = [
            {
                "label": labels.get(r["study_id"]) or r["study_id"],
                "cells": [r.get(c, "") or DASH for c in cols],
            }
            for r in sorted(rows, key=lambda r: r["study_id"])
        ]
        return [
            {
                "caption": "Risk-of-bias judgements per study",
                "headers": ["Study", *[c.replace("_", " ").capitalize() for c in cols]],
                "rows": body,
                "table_id": "rob-table",
            }
        ]
    out = []
    for tool in sorted({r.get("tool", "") for r in rows}):
        tool_rows = [r for r in rows if r.get("tool", "") == tool]
        domains = list(dict.fromkeys(r.get("domain", "") for r in tool_rows))
        cells: dict[tuple[str, str], list[str]] = {}
        for r in tool_rows:
            value = r.get("judgement") or (f"{r['stars']} \u2605" if r.get("stars") else "")
            if value:
                cells.setdefault((r["study_id"], r.get("domain", "")), []).append(value)
        body = [
            {
                "label": labels.get(study) or study,
                "cells": ["; ".join(cells.get((study, d), [])) or DASH for d in domains],
            }
            for study in sorted({r["study_id"] for r in tool_rows})
        ]
        out.append(
            {
                "caption": f"Risk of bias ({tool or 'tool not named'}): judgement per study and "
                "domain",
                "headers": ["Study", *domains],
                "rows": body,
                "table_id": f"rob-table-{anchor(tool) or 'tool'}",
            }
        )
    return out


def risk_of_bias_view(inputs: ReportInputs) -> dict[str, Any]:
    """The risk-of-bias figures and tables, or that risk of bias was not assessed."""
    if not inputs.risk_of_bias and not inputs.rob_figures:
        return {"assessed": False}
    figures = []
    for path in inputs.rob_figures:
        kind = path.stem.removeprefix("rob_").replace("_", " ")
        figures.append(
            figure(
                path,
                f"Risk-of-bias {kind} plot of the included studies",
                f"Risk of bias: {kind} plot.",
                missing="",
            )
        )
    labels = {r.get("study_id", ""): r.get("label", "") for r in inputs.studies}
    tables = _rob_tables(inputs.risk_of_bias, labels) if inputs.risk_of_bias else []
    return {"assessed": True, "figures": figures, "tables": tables}
