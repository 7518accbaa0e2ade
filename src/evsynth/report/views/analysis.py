"""View model of one analysis's section: both models, heterogeneity, sensitivity, bias."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evsynth.contracts.format import (
    format_ci,
    format_estimate_ci,
    format_hr,
    format_number,
    format_p,
    format_p_clause,
)
from evsynth.report.facts import (
    ModelValues,
    analysis_status,
    bias_reason,
    model_values,
    published_difference,
    rule_name,
    to_float,
)
from evsynth.report.inputs import AnalysisInput, ReportInputs
from evsynth.report.views.common import DASH, NA, figure, label_of

__all__ = ["analysis_view"]


def _model_row(m: ModelValues, chosen: bool, digits: int) -> dict[str, Any]:
    label = "Fixed effect" if m.name == "fixed" else "Random effects"
    if m.method:
        label += f" ({m.method}{', ' + m.test if m.test and m.name == 'random' else ''})"
    tau2 = DASH if m.name == "fixed" else NA if m.tau2 is None else f"{m.tau2:.3f}"
    if m.name != "fixed" and (m.tau2_ci_low is not None or m.tau2_ci_high is not None):
        tau2 += f" {format_ci(m.tau2_ci_low, m.tau2_ci_high, 3)}"
    i2 = NA if m.i2 is None else f"{m.i2:.1f}%"
    if m.i2_ci_low is not None or m.i2_ci_high is not None:
        i2 += f" {format_ci(m.i2_ci_low, m.i2_ci_high, 1)}"
    q = NA if m.q is None else f"{m.q:.2f}"
    if m.q_df is not None:
        q += f" (df {m.q_df:g}), {format_p_clause(m.q_p)}"
    return {
        "name": m.name,
        "label": label,
        "chosen": chosen,
        "k": str(m.k) if m.k is not None else NA,
        "hr": format_hr(m.hr, digits),
        "hr_value": m.hr,
        "ci": format_ci(m.ci_low, m.ci_high, digits),
        "p": format_p(m.p),
        "p_value": m.p,
        "pi": format_ci(m.pi_low, m.pi_high, digits) if m.name == "random" else DASH,
        "i2": i2,
        "tau2": tau2,
        "q": q,
    }


def _rows_of(value: Any) -> list[dict[str, Any]]:
    """A list of row dicts from either a list of dicts or a dict of equal-length columns."""
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    if isinstance(value, dict):
        if value and all(isinstance(v, list) for v in value.values()):
            n = max(len(v) for v in value.values())
            return [{k: (v[i] if i < len(v) else None) for k, v in value.items()} for i in range(n)]
        return [v | {"subgroup": k} for k, v in sorted(value.items()) if isinstance(v, dict)]
    return []


def _row_label(row: dict[str, Any], keys: Sequence[str]) -> str:
    for key in keys:
        if row.get(key) not in (None, ""):
            return str(row[key])
    return NA


def _sensitivity(
    caption: str, label_head: str, rows: list[dict[str, Any]], keys: Sequence[str], digits: int
) -> dict[str, Any]:
    out = []
    for row in rows:
        m = model_values(row, str(row.get("model", "")))
        if m is None:
            continue
        out.append(
            {
                "label": _row_label(row, keys),
                "cells": [
                    str(m.k) if m.k is not None else NA,
                    format_hr(m.hr, digits),
                    format_ci(m.ci_low, m.ci_high, digits),
                    format_p(m.p),
                    DASH if m.i2 is None or m.k == 1 else f"{m.i2:.1f}%",
                ],
            }
        )
    return {"caption": caption, "label_head": label_head, "rows": out}


def _bias(a: AnalysisInput, digits: int) -> dict[str, Any]:
    """Egger, Begg and trim-and-fill in words; one shared reason when none could run."""
    result = a.result or {}
    egger, begg, tf = result.get("egger"), result.get("begg"), result.get("trim_and_fill")
    has_egger = isinstance(egger, dict) and to_float(egger.get("p")) is not None
    has_begg = isinstance(begg, dict) and to_float(begg.get("p")) is not None
    tf_model = model_values(tf, "random") if isinstance(tf, dict) else None
    has_tf = tf_model is not None and tf_model.hr is not None
    reasons = {bias_reason(result, t) for t in ("egger", "begg", "trim_and_fill")}
    view: dict[str, Any] = {
        "funnel": figure(
            a.figures.get("funnel"),
            f"Funnel plot of {a.config.get('label', a.id)}: log hazard ratio against standard "
            "error",
            "Funnel plot with pseudo-95% confidence limits; imputed (trim-and-fill) studies "
            "hollow.",
            missing="Funnel plot not drawn for this analysis.",
        )
    }
    if not (has_egger or has_begg or has_tf) and len(reasons) == 1:
        return view | {"shared": reasons.pop()}
    view["shared"] = ""
    # (test, its statistic's name, the keys it may be stored under)
    for test, name, keys in (
        ("egger", "intercept", ("intercept", "estimate")),
        ("begg", "Kendall's \u03c4", ("tau", "kendall_tau")),
    ):
        doc = result.get(test)
        if (has_egger if test == "egger" else has_begg) and isinstance(doc, dict):
            statistic = to_float(doc.get(keys[0], doc.get(keys[1])))
            p = format_p_clause(to_float(doc.get("p")))
            view[test] = f"{name} {format_number(statistic)}, {p}"
        else:
            view[test] = bias_reason(result, test)
    if has_tf:
        k0 = tf.get("k0", tf.get("missing", NA))
        side = f", {tf['side']} side" if tf.get("side") else ""
        view["trim_and_fill"] = (
            f"{k0} studies imputed{side}; adjusted HR "
            f"{format_estimate_ci(tf_model.hr, tf_model.ci_low, tf_model.ci_high, digits=digits)}"
        )
    else:
        view["trim_and_fill"] = bias_reason(result, "trim_and_fill")
    return view


def _summary_ci(a: AnalysisInput) -> tuple[float | None, float | None]:
    s = a.summary or {}
    return to_float(s.get("ci_low")), to_float(s.get("ci_high"))


def _published(
    a: AnalysisInput, inputs: ReportInputs, digits: int, k: int, hr: Any
) -> dict[str, str] | None:
    """Our estimate beside the published one, with why they differ; None when none is given."""
    pub = a.config.get("published")
    if not pub:
        return None
    cfg = a.config
    narrative = sum(
        1
        for r in inputs.narrative
        if r.get("factor") == cfg.get("factor") and r.get("outcome") == cfg.get("outcome")
    )
    status = analysis_status(a.pooling, a.summary)
    chosen = (a.pooling.chosen if a.pooling is not None else None) or ""
    model = {"fixed": "fixed effect", "random": "random effects"}.get(
        chosen, "single study, not pooled" if status == "single_study" else "not pooled"
    )
    reason = published_difference(
        k_ours=k,
        hr_ours=to_float(hr),
        published=pub,
        narrative_count=narrative,
        excluded=[str(s) for s in cfg.get("exclude_studies") or []],
        model=model,
        sources=str(
            (inputs.config.get("report") or {}).get("extraction_sources") or "the sources extracted"
        ),
    )
    return {
        "k": str(k),
        "ours": format_estimate_ci(to_float(hr), *_summary_ci(a), digits=digits)
        if to_float(hr) is not None
        else "no poolable estimate",
        "model": model,
        "pub_k": str(pub["k"]) if pub.get("k") is not None else "not stated",
        "pub_hr": format_estimate_ci(
            to_float(pub.get("hr")),
            to_float(pub.get("ci_low")),
            to_float(pub.get("ci_high")),
            digits=digits,
        ),
        "source": str(pub.get("source", NA)),
        "reason": reason,
    }


def _declared(a: AnalysisInput, inputs: ReportInputs, digits: int) -> list[dict[str, Any]]:
    rows = []
    for b in (b for b in inputs.analyses if b.config.get("sensitivity_of") == a.id):
        s = b.summary or {}
        rows.append(
            {
                "id": b.id,
                "label": str(b.config.get("label", b.id)),
                "k": s.get("k", "0"),
                "hr": "no poolable estimate"
                if analysis_status(b.pooling, b.summary) == "empty"
                else format_estimate_ci(to_float(s.get("hr")), *_summary_ci(b), digits=digits),
                "p": format_p(to_float(s.get("p"))),
            }
        )
    return rows


def _warnings(a: AnalysisInput, inputs: ReportInputs) -> list[dict[str, str]]:
    """Warnings on the sheet rows this analysis pools, shown in the analysis's own section."""
    if not inputs.warnings or inputs.effect_analyses is None:
        return []
    return [
        warning_view(w)
        for w in inputs.warnings
        if a.id in (inputs.effect_analyses.get(w.get("effect_id", "")) or [])
    ]


def warning_view(w: dict[str, str]) -> dict[str, str]:
    """What the warning badge prints: the effect, where its sheet row is, the message."""
    return {
        "effect_id": w.get("effect_id", ""),
        "where": f"{w.get('sheet', '')} sheet, line {w.get('line', '')}".strip(),
        "message": w.get("message", ""),
    }


def _heterogeneity(rnd: ModelValues, digits: int) -> str:
    i2_ci = (
        f" (95% CI {format_ci(rnd.i2_ci_low, rnd.i2_ci_high, 1)})"
        if rnd.i2_ci_low is not None and rnd.i2_ci_high is not None
        else ""
    )
    tau2_ci = (
        f" (95% CI {format_ci(rnd.tau2_ci_low, rnd.tau2_ci_high, 3)})"
        if rnd.tau2_ci_low is not None and rnd.tau2_ci_high is not None
        else ""
    )
    pi = (
        f" The 95% prediction interval for the HR in a new study is "
        f"{format_ci(rnd.pi_low, rnd.pi_high, digits)}."
        if rnd.pi_low is not None
        else " No prediction interval was computed."
    )
    return (
        f"Cochran's Q = {format_number(rnd.q)} on {format_number(rnd.q_df, 0)} df "
        f"({format_p_clause(rnd.q_p)}); "
        f"I\u00b2 = {format_number(rnd.i2, 1)}%{i2_ci}; \u03c4\u00b2 = {format_number(rnd.tau2, 3)}"
        f"{tau2_ci}.{pi}"
    )


def _facts(a: AnalysisInput, inputs: ReportInputs) -> str:
    cfg = a.config
    extraction = inputs.config.get("extraction") or {}
    factor = (extraction.get("factors") or {}).get(cfg.get("factor")) or {}
    facts = [
        f"Factor: {label_of(extraction.get('factors') or {}, cfg.get('factor'))}",
        f"outcome: {label_of(extraction.get('outcomes') or {}, cfg.get('outcome'))}",
    ]
    if factor.get("exposure") and factor.get("reference"):
        facts.append(
            f"{factor['exposure']} vs {factor['reference']} (HR < 1 favours {factor['exposure']})"
        )
    if cfg.get("sensitivity_of"):
        facts.append(f"sensitivity analysis of {cfg['sensitivity_of']}")
    if cfg.get("exclude_studies"):
        facts.append(f"excluded by protocol: {', '.join(map(str, cfg['exclude_studies']))}")
    return "; ".join(str(f) for f in facts)


def _subgroups(result: dict[str, Any], cfg: dict[str, Any], digits: int) -> dict[str, Any]:
    subgroups = result.get("subgroups")
    if not subgroups:
        return {"table": None, "test": "", "missing": str(cfg.get("subgroup") or "")}
    rows = _rows_of(
        subgroups.get("groups", subgroups) if isinstance(subgroups, dict) else subgroups
    )
    view: dict[str, Any] = {
        "missing": "",
        "test": "",
        "table": _sensitivity(
            f"Subgroups by {cfg.get('subgroup') or 'subgroup'}",
            "Subgroup",
            rows,
            ("subgroup", "group", "label"),
            digits,
        ),
    }
    if isinstance(subgroups, dict):
        q_p = to_float(subgroups.get("p", subgroups.get("q_between_p")))
        if q_p is not None:
            df = to_float(subgroups.get("df"))
            view["test"] = (
                f"Q = {format_number(to_float(subgroups.get('q_between')))}"
                f"{f' on {df:g} df' if df is not None else ''}, {format_p_clause(q_p)}"
            )
    return view


def analysis_view(a: AnalysisInput, inputs: ReportInputs, digits: int) -> dict[str, Any]:
    """Everything one analysis's section prints, by the analysis's status."""
    cfg = a.config
    label = str(cfg.get("label", a.id))
    view: dict[str, Any] = {
        "id": a.id,
        "label": label,
        "facts": _facts(a, inputs),
        "warnings": _warnings(a, inputs),
    }
    if cfg.get("synthesis", "meta_analysis") != "meta_analysis":
        return view | {"status": "narrative"}
    result = a.result or {}
    status = analysis_status(a.pooling, a.summary)
    s = a.summary or {}
    view["status"] = status
    if status == "empty":
        return view | {"published": _published(a, inputs, digits, 0, None)}
    chosen = str(result.get("chosen") or "random")
    models = [
        m
        for m in (
            model_values(result.get("fixed"), "fixed"),
            model_values(result.get("random"), "random"),
        )
        if m is not None
    ]
    if status == "single_study":
        study = (result.get("fixed") or {}).get("studies") or result.get("studies") or []
        view["single_study"] = ", ".join(map(str, study)) or "see forest plot"
        view["single"] = _model_row(models[0], False, digits) if models else None
    else:
        view["rule"] = (
            rule_name(result.get("rule"))
            or str((inputs.config.get("pooling") or {}).get("rule") or "")
            or NA
        )
        view["chosen"] = chosen
        view["models"] = [_model_row(m, m.name == chosen, digits) for m in models]
        rnd = next((m for m in models if m.name == "random"), None)
        view["heterogeneity"] = _heterogeneity(rnd, digits) if rnd is not None else ""
    notes = [str(n) for n in result.get("notes") or [] if str(n).strip()]
    view["notes"] = list(dict.fromkeys(notes)) if status == "pooled" else []
    estimate = format_estimate_ci(to_float(s.get("hr")), *_summary_ci(a), digits=digits)
    view["forest"] = figure(
        a.figures.get("forest"),
        f"Forest plot of {label}: per-study hazard ratios with 95% CIs and the pooled "
        f"estimate HR {estimate}.",
        f"Forest plot: {label}. "
        + (
            "Squares sized by weight; diamonds show the pooled estimates."
            if status == "pooled"
            else "A single study, shown with its own estimate (not pooled)."
        ),
        missing="Forest plot not drawn for this analysis.",
    )
    if status == "pooled":
        # (result key, table caption, label column, row keys naming the study, figure title)
        for key, caption, head, keys, title in (
            (
                "leave_one_out",
                "Leave-one-out: the pooled estimate with each study omitted",
                "Omitted study",
                ("omitted", "study", "label"),
                "Leave-one-out",
            ),
            (
                "cumulative",
                "Cumulative meta-analysis, studies added in order of publication year",
                "Study added",
                ("added", "study", "label"),
                "Cumulative meta-analysis",
            ),
        ):
            rows = _rows_of(result.get(key))
            view[key] = _sensitivity(caption, head, rows, keys, digits) if rows else None
            view[f"{key}_figure"] = figure(
                a.figures.get(key),
                f"{title} plot of {label}",
                f"{title} analysis." if key == "leave_one_out" else f"{title}.",
                missing="",
            )
        view["subgroups"] = _subgroups(result, cfg, digits)
        view["bias"] = _bias(a, digits)
    view["declared"] = _declared(a, inputs, digits)
    view["published"] = _published(a, inputs, digits, int(to_float(s.get("k")) or 0), s.get("hr"))
    return view
