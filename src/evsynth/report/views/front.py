"""View models of the page's opening sections: title, contents, summary, methods, search."""

from __future__ import annotations

from typing import Any

from evsynth.contracts.format import (
    format_ci,
    format_estimate_ci,
    format_hr,
    format_number,
    format_p,
)
from evsynth.report.facts import analysis_status, methods_paragraphs, to_float
from evsynth.report.inputs import ReportInputs
from evsynth.report.labels import ELIGIBILITY_ORDER
from evsynth.report.views.common import DASH, NA, label_of

__all__ = [
    "CHANGES_TITLE",
    "header_view",
    "methods_view",
    "screening_waiting",
    "search_view",
    "summary_view",
    "toc_view",
]

CHANGES_TITLE = "What changed since the previous version"


def header_view(inputs: ReportInputs, run_date: str) -> dict[str, Any]:
    """Title, question, authors, registration and the eligibility criteria in protocol order."""
    review = inputs.config.get("review") or {}
    reg = review.get("registration") or {}
    elig = review.get("eligibility") or {}
    order = [k for k in ELIGIBILITY_ORDER if k in elig] + [
        k for k in elig if k not in ELIGIBILITY_ORDER
    ]
    return {
        "title": str(review.get("title", "")),
        "question": str(review["question"]) if review.get("question") else "",
        "authors": ", ".join(str(a) for a in review["authors"]) if review.get("authors") else "",
        "run_date": run_date,
        "registration": {
            "registry": str(reg.get("registry", "")),
            "id": str(reg["id"]),
            "url": str(reg["url"]) if reg.get("url") else "",
        }
        if reg.get("id")
        else None,
        "reference": str(review["reference"]) if review.get("reference") else "",
        "eligibility": [
            (
                key.replace("_", " ").capitalize(),
                "; ".join(map(str, elig[key])) if isinstance(elig[key], list) else str(elig[key]),
            )
            for key in order
        ],
    }


def toc_view(inputs: ReportInputs) -> list[tuple[str, str]]:
    """(anchor, title) of every section, in page order."""
    items = [
        ("summary", "Summary of findings"),
        *([("certainty", "Certainty of the evidence (GRADE)")] if inputs.grade else []),
        ("changes", CHANGES_TITLE),
        ("methods", "Methods"),
        ("search", "Search (PRISMA-S)"),
        ("selection", "Study selection"),
        ("studies", "Included studies"),
        ("risk-of-bias", "Risk of bias"),
    ]
    items += [(f"analysis-{a.id}", str(a.config.get("label", a.id))) for a in inputs.analyses]
    items += [("narrative", "Narrative synthesis"), ("provenance", "Provenance")]
    return items


def published_text(published: dict[str, Any] | None, digits: int) -> str:
    """The published pooled HR (95% CI) of an analysis, or a dash when the config gives none."""
    if not published or to_float(published.get("hr")) is None:
        return DASH
    return format_estimate_ci(
        to_float(published.get("hr")),
        to_float(published.get("ci_low")),
        to_float(published.get("ci_high")),
        digits=digits,
    )


def summary_view(inputs: ReportInputs, digits: int) -> list[dict[str, Any]]:
    """One row per configured analysis: the chosen model's pooled HR, or why there is none."""
    factors = (inputs.config.get("extraction") or {}).get("factors") or {}
    outcomes = (inputs.config.get("extraction") or {}).get("outcomes") or {}
    rows = []
    for a in inputs.analyses:
        cfg = a.config
        row: dict[str, Any] = {
            "id": a.id,
            "label": str(cfg.get("label", a.id)),
            "factor": label_of(factors, cfg.get("factor")),
            "outcome": label_of(outcomes, cfg.get("outcome")),
            "published": published_text(cfg.get("published"), digits),
        }
        rows.append(row)
        if cfg.get("synthesis", "meta_analysis") != "meta_analysis":
            row["kind"] = "narrative"
            continue
        s = a.summary or {}
        status = analysis_status(a.pooling, s)
        if status == "empty":
            row["kind"] = "empty"
            continue
        hr, lo, hi = to_float(s.get("hr")), to_float(s.get("ci_low")), to_float(s.get("ci_high"))
        i2 = to_float(s.get("i2")) if status == "pooled" else None
        row |= {
            "kind": "pooled",
            "k": s.get("k", ""),
            "hr": format_hr(hr, digits),
            "hr_value": s.get("hr"),
            "ci": format_ci(lo, hi, digits),
            "low": lo,
            "high": hi,
            "p": format_p(to_float(s.get("p"))),
            "p_value": s.get("p"),
            "i2": f"{format_number(i2, 1)}%" if i2 is not None else DASH,
            "i2_value": i2,
            "model": "single study, not pooled"
            if status == "single_study"
            else f"{s.get('chosen', '')} ({s.get('method', '')})",
        }
    return rows


def stage_documents(agreement: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Per-stage documents of agreement.json ({"stages": {stage: doc}}; a flat form is accepted)."""
    if not agreement:
        return {}
    stages = agreement.get("stages", agreement)
    return {k: v for k, v in stages.items() if isinstance(v, dict)}


def screening_waiting(inputs: ReportInputs) -> dict[str, tuple[int, int]]:
    """Per stage: (records still without a final decision, records), from agreement or the TSVs."""
    waiting: dict[str, tuple[int, int]] = {}
    for stage, doc in stage_documents(inputs.agreement).items():
        counts = doc.get("counts") if isinstance(doc.get("counts"), dict) else {}
        queued = to_float(counts.get("queued"))
        total = to_float(counts.get("records", counts.get("n", doc.get("n"))))
        if doc.get("complete") is False or queued:
            waiting[stage] = (int(queued or 0), int(total or 0))
        elif queued is not None or doc.get("complete") is True:
            waiting[stage] = (0, int(total or 0))
    for stage, rows in inputs.screening.items():
        if stage not in waiting:
            undecided = sum(1 for r in rows if r.get("decision", "") in ("", "maybe"))
            waiting[stage] = (undecided, len(rows))
    return waiting


def methods_view(inputs: ReportInputs) -> list[str]:
    """The methods paragraphs (facts.methods_paragraphs), told whether screening is finished."""
    results = [a.pooling for a in inputs.analyses if a.pooling is not None]
    complete = {stage: n == 0 for stage, (n, _) in screening_waiting(inputs).items()}
    return methods_paragraphs(
        inputs.config, results, dedup=inputs.dedup, screening_complete=complete
    )


def search_view(inputs: ReportInputs) -> dict[str, Any]:
    """PRISMA-S: per run and database the window and counts, and each strategy as run."""
    rows, queries = [], []
    for log in inputs.searches:
        d = log.data
        reported, parsed = d.get("count_reported"), d.get("count_parsed")
        database = str(d.get("database") or log.source)
        window = f"{d.get('date_from') or 'inception'} to {d.get('date_to') or 'run date'}" + (
            f" ({d['date_type']})" if d.get("date_type") else ""
        )
        rows.append(
            {
                "run": log.run,
                "database": database,
                "platform": str(d.get("platform") or NA),
                "window": window,
                "run_date": str(d.get("run_date") or NA),
                "reported": str(reported if reported is not None else "not given"),
                "parsed": str(parsed if parsed is not None else NA),
                "differs": reported is not None and parsed is not None and reported != parsed,
            }
        )
        queries.append(
            {
                "database": database,
                "run": log.run,
                "query": str(d.get("query") or NA),
                "translation": str(d["query_translation"]) if d.get("query_translation") else "",
                "files": [
                    {
                        "path": str(f.get("path")),
                        "records": str(f.get("records", NA)),
                        "sha": str(f.get("sha256", ""))[:12],
                    }
                    for f in d.get("files") or []
                ],
            }
        )
    databases = sorted({str(log.data.get("database") or log.source) for log in inputs.searches})
    return {
        "rows": rows,
        "queries": queries,
        "n_databases": len(databases),
        "databases": ", ".join(databases),
        "n_runs": len({log.run for log in inputs.searches}),
    }
