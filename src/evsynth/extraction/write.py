"""Write an :class:`~evsynth.extraction.result.ExtractionResult` as the extraction contract files.

Files (docs/architecture.md): ``effects.tsv``, ``studies.tsv``, ``narrative.tsv``,
``analyses/{analysis}.tsv`` for every meta-analysis (header only when empty), ``warnings.tsv``,
``summary.json``, and ``risk_of_bias.tsv`` (wide) with ``risk_of_bias_items.tsv`` (long) only
when a risk-of-bias sheet was given. The effects, studies and analysis tables are written
through their contract module, :mod:`evsynth.contracts.study_tables`.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from evsynth.contracts.study_tables import write_analysis, write_effects, write_studies
from evsynth.extraction.result import ExtractionResult
from evsynth.extraction.rob_items import TOOL_ITEMS
from evsynth.tables import write_json, write_tsv

__all__ = ["NARRATIVE_COLUMNS", "write_result"]

NARRATIVE_COLUMNS = (
    "study_id factor outcome comparison analysis_type hr p direction reason effect_id analyses"
).split()
WARNING_COLUMNS = "sheet line study_id effect_id check message".split()
MEMBER_COLUMNS = "analysis study_id effect_id included reason".split()
ROB_ITEM_COLUMNS = "study_id tool domain item stars judgement support assessor".split()


def _effect_row(result: ExtractionResult, e: Any, warnings: dict[str, list[str]]) -> dict[str, Any]:
    v = e.v
    harmonised = e.harmonised_ci() if e.poolable else None
    return {
        "effect_id": e.effect_id,
        "study_id": e.study_id,
        "factor": e.factor.key,
        "outcome": v["outcome"],
        "comparison": v["comparison_as_reported"],
        "exposure_as_reported": v["exposure_as_reported"],
        "reference_as_reported": v["reference_as_reported"],
        "analysis_type": v["analysis_type"],
        "subset": v["subset"],
        "hr": e.row.raw.get("hr"),
        "ci_low": e.row.raw.get("ci_low"),
        "ci_high": e.row.raw.get("ci_high"),
        "ci_level": (f"{e.ci_level:g}" + (" (assumed)" if e.ci_level_assumed else ""))
        if e.ci_level is not None
        else None,
        "p": v["p"],
        "log_hr_as_reported": e.derived.log_hr if e.derived else None,
        "log_hr": e.log_hr if e.poolable else None,
        "se": e.derived.se if e.derived else None,
        "derivation": e.derived.method if e.derived else "",
        "inverted": e.inverted if e.poolable else None,
        "direction_assumed": e.assumed,
        "hr_harmonised": harmonised[0] if harmonised else None,
        "ci_low_harmonised": harmonised[1] if harmonised else None,
        "ci_high_harmonised": harmonised[2] if harmonised else None,
        "direction": e.direction_text(),
        "poolable": e.poolable,
        "not_poolable_reason": ("not poolable: " + e.not_poolable_reason)
        if e.not_poolable_reason
        else "",
        "selected": e.selected,
        "selection_reason": e.selection_reason,
        "analyses": "; ".join(e.analyses),
        "warnings": "; ".join(warnings.get(e.effect_id, [])),
        "source": v["source"],
        "note": v["note"],
    }


def write_result(result: ExtractionResult, out: str | Path) -> dict[str, Any]:
    """Write every extraction output under ``out``; returns the summary also written as JSON."""
    out = Path(out)
    warnings: dict[str, list[str]] = {}
    for w in result.warnings:
        warnings.setdefault(w.effect_id, []).append(w.check)
    effects = [_effect_row(result, e, warnings) for e in result.effects]
    write_effects(out / "effects.tsv", effects)
    write_studies(out / "studies.tsv", result.studies)

    narrative_ids = {a.id for a in result.settings.analyses if a.synthesis == "narrative"}
    # Analyses of counts or means (measure other than HR) pool rows without a hazard ratio.
    measure_ids = {
        a.id
        for a in result.settings.analyses
        if a.synthesis == "meta_analysis" and a.measure != "HR"
    }
    narrative = []
    for e in result.effects:
        in_narrative = [a for a in e.analyses if a in narrative_ids]
        if not e.poolable and not measure_ids.intersection(e.analyses):
            reason = "not poolable: " + e.not_poolable_reason
        elif in_narrative:
            reason = "narrative synthesis by config (" + ", ".join(in_narrative) + ")"
        elif e.selected and not e.analyses:
            left_out = sorted(
                {m.reason for m in result.members if m.effect_id == e.effect_id and not m.included}
            )
            reason = (
                "poolable, but left out of every analysis: " + "; ".join(left_out)
                if left_out
                else f"poolable, but no configured meta-analysis takes {e.factor.key} x "
                f"{e.v['outcome']}"
            )
        else:
            continue
        narrative.append(
            {
                "study_id": e.study_id,
                "factor": e.factor.key,
                "outcome": e.v["outcome"],
                "comparison": e.v["comparison_as_reported"],
                "analysis_type": e.v["analysis_type"],
                "hr": e.row.raw.get("hr"),
                "p": e.v["p"],
                "direction": e.direction_text(),
                "reason": reason,
                "effect_id": e.effect_id,
                "analyses": "; ".join(e.analyses),
            }
        )
    write_tsv(
        out / "narrative.tsv",
        narrative,
        NARRATIVE_COLUMNS,
        sort_by=("factor", "outcome", "study_id", "effect_id"),
    )

    analyses_summary = {}
    for a in result.settings.analyses:
        if a.synthesis != "meta_analysis":
            continue
        rows = result.analysis_rows(a)
        write_analysis(out / "analyses" / f"{a.id}.tsv", rows)
        analyses_summary[a.id] = {
            "k": len(rows),
            "factor": a.factor,
            "outcomes": list(a.outcomes),
            "studies": sorted(r["study_id"] for r in rows),
            "left_out": {
                m.study_id: m.reason
                for m in result.members
                if m.analysis == a.id and not m.included
            },
        }
    members = [
        {
            "analysis": m.analysis,
            "study_id": m.study_id,
            "effect_id": m.effect_id,
            "included": m.included,
            "reason": m.reason,
        }
        for m in result.members
    ]
    write_tsv(
        out / "analysis_members.tsv", members, MEMBER_COLUMNS, sort_by=("analysis", "study_id")
    )
    write_tsv(
        out / "warnings.tsv",
        [asdict(w) for w in result.warnings],
        WARNING_COLUMNS,
        sort_by=("study_id", "effect_id", "check"),
    )
    if result.risk_of_bias is not None:
        _write_rob_wide(result.risk_of_bias, out / "risk_of_bias.tsv")
        write_tsv(
            out / "risk_of_bias_items.tsv",
            result.risk_of_bias,
            ROB_ITEM_COLUMNS,
            sort_by=("study_id", "tool", "domain", "item"),
        )
    # Every row lands in one place: meta-analysed, narrative, or an alternative not chosen.
    meta_ids = {a.id for a in result.settings.analyses if a.synthesis == "meta_analysis"}
    in_narrative = {r["effect_id"] for r in narrative}
    accounting = {"meta_analysed": 0, "narrative": 0, "alternative_not_selected": 0}
    for e in result.effects:
        if meta_ids.intersection(e.analyses):
            accounting["meta_analysed"] += 1
        elif e.effect_id in in_narrative:
            accounting["narrative"] += 1
        else:
            accounting["alternative_not_selected"] += 1
    derivations: dict[str, int] = {}
    for e in result.effects:
        key = e.derived.method if e.derived else "none"
        derivations[key] = derivations.get(key, 0) + 1
    summary = {
        "effects_in": len(result.effects),
        "effects_poolable": sum(e.poolable for e in result.effects),
        "effects_selected": sum(e.selected for e in result.effects),
        "effects_inverted": sum(bool(e.inverted) and e.poolable for e in result.effects),
        "effects_narrative": len(narrative),
        "accounting": accounting,
        "derivations": derivations,
        "studies": len(result.studies),
        "warnings": len(result.warnings),
        "links_checked": result.links_checked,
        "included_without_extraction": result.included_without_extraction,
        "risk_of_bias": "assessed" if result.risk_of_bias is not None else "not assessed",
        "analyses": analyses_summary,
    }
    write_json(out / "summary.json", summary)
    return summary


def _write_rob_wide(rows: list[dict[str, Any]], path: Path) -> None:
    """One row per study, one column per NOS item (stars) or QUIPS domain (judgement), and the
    NOS total: the layout the figures and the report read."""
    tool = rows[0]["tool"] if rows else "NOS"
    items = list(TOOL_ITEMS[tool])
    wide: dict[str, dict[str, Any]] = {}
    for r in rows:
        row = wide.setdefault(r["study_id"], {"study_id": r["study_id"], "tool": tool})
        row[r["item"]] = r["stars"] if tool == "NOS" else r["judgement"]
    columns = ["study_id", "tool", *items]
    if tool == "NOS":
        columns.append("total")
        for row in wide.values():
            row["total"] = sum(row[i] for i in items)
    write_tsv(path, list(wide.values()), columns, sort_by=("study_id",))
