"""View model of "What changed since the previous version" (the living review's update)."""

from __future__ import annotations

from typing import Any

from evsynth.contracts.format import format_estimate_ci
from evsynth.contracts.pooling_result import SearchRunEstimate
from evsynth.report.facts import to_float
from evsynth.report.inputs import ReportInputs
from evsynth.report.views.common import DASH, NA

__all__ = ["CHANGES_RECORD_LIMIT", "changes_view"]

#: New study records of the latest run listed by name, at most (the rest are counted).
CHANGES_RECORD_LIMIT = 500


def _run_hr(entry: SearchRunEstimate, digits: int) -> tuple[str, float | None]:
    """A by_search_run entry's estimate as "HR (CI)" text and the HR itself."""
    hr, low, high = to_float(entry.exp_estimate), entry.exp_ci_low, entry.exp_ci_high
    if hr is None and not entry.ratio:  # a difference measure: no exp_* values
        hr, low, high = to_float(entry.estimate), entry.ci_low, entry.ci_high
    if hr is None:
        return ("no studies" if entry.status == "empty" else NA), None
    model = entry.chosen or ("single study" if entry.status == "single_study" else "")
    text = format_estimate_ci(hr, low, high, digits=digits)
    return f"{text}{', ' + model if model else ''}", hr


def _record_status(sid: str, inputs: ReportInputs) -> str:
    """Where a study record stands in screening, in words."""
    ft = {r.get("study_record_id"): r for r in inputs.screening.get("full_text", [])}
    ta = {r.get("study_record_id"): r for r in inputs.screening.get("title_abstract", [])}
    if sid in ft and ft[sid].get("decision"):
        reason = ft[sid].get("reason") or ""
        decision = ft[sid]["decision"]
        word = {"include": "included", "exclude": "excluded"}.get(decision, decision)
        return f"{word} at full text" + (f" ({reason})" if reason and decision != "include" else "")
    decision = (ta.get(sid) or {}).get("decision") or ""
    if decision == "exclude":
        return "excluded at title/abstract"
    if decision in ("include", "maybe"):
        return "awaiting full-text assessment"
    return "awaiting screening"


def _run_rows(
    runs: list[str], per_run: dict[str, Any], found: dict[str, Any], studies_of: dict[str, list]
) -> list[dict[str, Any]]:
    rows = []
    for run in runs:
        e = per_run.get(run) or {}
        excluded_ft = sum(v for v in (e.get("dbr_excluded") or {}).values() if isinstance(v, int))
        awaiting = (
            e["study_records"] - e["records_screened"]
            if isinstance(e.get("study_records"), int)
            and isinstance(e.get("records_screened"), int)
            else None
        )
        labels = sorted(studies_of.get(run, []))
        counts = [
            (key, NA if value is None else str(value), value)
            for key, value in (
                ("study_records", e.get("study_records")),
                ("records_screened", e.get("records_screened")),
                ("records_excluded", e.get("records_excluded")),
                ("full_text_excluded", excluded_ft if e else None),
                ("awaiting_screening", awaiting),
                ("new_reports", e.get("new_reports")),
            )
        ]
        rows.append(
            {
                "run": run,
                "found": str(found.get(run, NA)),
                "found_value": found.get(run),
                "counts": counts,
                "labels": ", ".join(labels) if labels else DASH,
            }
        )
    return rows


def _estimate_rows(
    inputs: ReportInputs, previous: str, latest: str, digits: int
) -> list[dict[str, Any]]:
    rows = []
    for a in inputs.analyses:
        if a.pooling is None:
            continue
        by_run = {e.run: e for e in a.pooling.by_search_run}
        row: dict[str, Any] = {"id": a.id, "label": str(a.config.get("label", a.id))}
        rows.append(row)
        if previous not in by_run or latest not in by_run:
            row["available"] = False
            continue
        before, after = by_run[previous], by_run[latest]
        before_text, before_hr = _run_hr(before, digits)
        after_text, after_hr = _run_hr(after, digits)
        row |= {
            "available": True,
            "k_before": str(before.k),
            "k_before_value": before.k,
            "hr_before": before_text,
            "hr_before_value": before_hr,
            "k_after": str(after.k),
            "k_after_value": after.k,
            "hr_after": after_text,
            "hr_after_value": after_hr,
            "added": ", ".join(after.new_studies) if after.new_studies else DASH,
        }
    return rows


def changes_view(inputs: ReportInputs, digits: int) -> dict[str, Any]:
    """What the latest search run added: records, studies, estimates before and after.

    A living review is read as a sequence of versions (Elliott et al. 2017, J Clin Epidemiol
    91:23); each update states what it added. Numbers come from counts.json (``per_run``,
    ``database_results_per_run``), studies.tsv (``search_run``), study_record_runs.tsv and each
    analysis's ``by_search_run`` (the cumulative meta-analysis by search run).
    """
    runs = [str(r["id"]) for r in inputs.config["search"]["runs"]]
    if len(runs) < 2:
        return {"first": True, "first_run": runs[0]}
    latest, previous = runs[-1], runs[-2]
    counts = inputs.prisma.review
    per_run = counts.get("per_run") if isinstance(counts.get("per_run"), dict) else {}
    found = counts.get("database_results_per_run") or inputs.dedup.get("records_per_run") or {}
    studies_of: dict[str, list[str]] = {}
    for row in inputs.studies:
        studies_of.setdefault(row.get("search_run") or "", []).append(
            row.get("label") or row.get("study_id", "")
        )
    new_studies = sorted(studies_of.get(latest, []))
    run_cfg = inputs.config["search"]["runs"][-1]
    records = None
    if inputs.record_runs is not None:
        shown = sorted(
            (r for r in inputs.record_runs if r.get("search_run") == latest),
            key=lambda r: r.get("study_record_id", ""),
        )
        records = {
            "n": len(shown),
            "more": max(0, len(shown) - CHANGES_RECORD_LIMIT),
            "rows": [
                {
                    "id": r.get("study_record_id", ""),
                    "title": r.get("title", ""),
                    "year": r.get("year", ""),
                    "status": _record_status(r.get("study_record_id", ""), inputs),
                }
                for r in shown[:CHANGES_RECORD_LIMIT]
            ],
        }
    has_previous = (
        counts.get("previous_studies") is not None or counts.get("previous_reports") is not None
    )
    return {
        "first": False,
        "latest": latest,
        "previous": previous,
        "window": f"{run_cfg.get('from') or 'inception'} to {run_cfg.get('to') or latest}",
        "found": str(found.get(latest, NA)),
        "study_records": str((per_run.get(latest) or {}).get("study_records", NA)),
        "has_search_run": "search_run" in (inputs.studies[0] if inputs.studies else {}),
        "n_new": len(new_studies),
        "new_studies": ", ".join(new_studies),
        "runs": _run_rows(runs, per_run, found, studies_of),
        "records": records,
        "estimates": _estimate_rows(inputs, previous, latest, digits),
        "previous_counts": {
            key: str(counts.get(key, NA))
            for key in ("previous_studies", "previous_reports", "new_studies", "total_studies")
        }
        if has_previous
        else None,
    }
