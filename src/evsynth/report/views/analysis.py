"""View model of one analysis's section: both models, heterogeneity, sensitivity, bias."""

from __future__ import annotations

from typing import Any

from evsynth.contracts.format import (
    format_ci,
    format_estimate_ci,
    format_hr,
    format_number,
    format_p,
    format_p_clause,
)
from evsynth.contracts.pooling_result import PooledModel, PoolingResult, SensitivityRow
from evsynth.report.facts import (
    analysis_status,
    bias_reason,
    on_ratio_scale,
    published_difference,
    to_float,
)
from evsynth.report.inputs import AnalysisInput, ReportInputs
from evsynth.report.views.common import DASH, NA, figure, label_of

__all__ = ["analysis_view"]


def _model_row(m: PooledModel, chosen: bool, digits: int) -> dict[str, Any]:
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
    hr = on_ratio_scale(m)
    pi = (on_ratio_scale(m, "pi_low"), on_ratio_scale(m, "pi_high"))
    return {
        "name": m.name,
        "label": label,
        "chosen": chosen,
        "k": str(m.k) if m.k is not None else NA,
        "hr": format_hr(hr, digits),
        "hr_value": hr,
        "ci": format_ci(on_ratio_scale(m, "ci_low"), on_ratio_scale(m, "ci_high"), digits),
        "p": format_p(m.p),
        "p_value": to_float(m.p),
        "pi": format_ci(*pi, digits) if m.name == "random" else DASH,
        "i2": i2,
        "tau2": tau2,
        "q": q,
    }


def _sensitivity(
    caption: str,
    label_head: str,
    rows: list[tuple[str, PooledModel | SensitivityRow]],
    digits: int,
) -> dict[str, Any]:
    """A table of refits (leave-one-out, cumulative, subgroups): one (label, fit) per row."""
    out = []
    for label, m in rows:
        out.append(
            {
                "label": label or NA,
                "cells": [
                    str(m.k) if m.k is not None else NA,
                    format_hr(on_ratio_scale(m), digits),
                    format_ci(on_ratio_scale(m, "ci_low"), on_ratio_scale(m, "ci_high"), digits),
                    format_p(m.p),
                    DASH if m.i2 is None or m.k == 1 else f"{m.i2:.1f}%",
                ],
            }
        )
    return {"caption": caption, "label_head": label_head, "rows": out}


def _bias(a: AnalysisInput, result: PoolingResult, digits: int) -> dict[str, Any]:
    """Egger, Begg and trim-and-fill in words; one shared reason when none could run."""
    # A test is reported when it has a p-value, trim-and-fill when it has an adjusted estimate.
    egger = result.egger if result.egger is not None and result.egger.p is not None else None
    begg = result.begg if result.begg is not None and result.begg.p is not None else None
    tf = result.trim_and_fill
    tf_hr = on_ratio_scale(tf) if tf is not None else None
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
    if egger is None and begg is None and tf_hr is None and len(reasons) == 1:
        return view | {"shared": reasons.pop()}
    view["shared"] = ""
    view["egger"] = (
        f"intercept {format_number(egger.intercept)}, {format_p_clause(egger.p)}"
        if egger is not None
        else bias_reason(result, "egger")
    )
    view["begg"] = (
        f"Kendall's \u03c4 {format_number(begg.tau)}, {format_p_clause(begg.p)}"
        if begg is not None
        else bias_reason(result, "begg")
    )
    if tf is not None and tf_hr is not None:
        side = f", {tf.side} side" if tf.side else ""
        adjusted = format_estimate_ci(
            tf_hr, on_ratio_scale(tf, "ci_low"), on_ratio_scale(tf, "ci_high"), digits=digits
        )
        view["trim_and_fill"] = f"{tf.k0} studies imputed{side}; adjusted HR {adjusted}"
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


def _heterogeneity(rnd: PooledModel, digits: int) -> str:
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
    pi_low = on_ratio_scale(rnd, "pi_low")
    pi = (
        f" The 95% prediction interval for the HR in a new study is "
        f"{format_ci(pi_low, on_ratio_scale(rnd, 'pi_high'), digits)}."
        if pi_low is not None
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


def _subgroups(result: PoolingResult, cfg: dict[str, Any], digits: int) -> dict[str, Any]:
    test = result.subgroup_test
    if test is None:
        return {"table": None, "test": "", "missing": str(cfg.get("subgroup") or "")}
    fits = sorted(result.subgroups, key=lambda g: g.name)
    view: dict[str, Any] = {
        "missing": "",
        "test": "",
        "table": _sensitivity(
            f"Subgroups by {cfg.get('subgroup') or 'subgroup'}",
            "Subgroup",
            [(g.name, g.model) for g in fits],
            digits,
        ),
    }
    if test.p is not None:
        view["test"] = (
            f"Q = {format_number(test.q)}"
            f"{f' on {test.df:g} df' if test.df is not None else ''}, {format_p_clause(test.p)}"
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
    result = a.pooling
    status = analysis_status(result, a.summary)
    s = a.summary or {}
    view["status"] = status
    if status == "empty" or result is None:  # load_inputs reads every meta-analysis' result
        return view | {"published": _published(a, inputs, digits, 0, None)}
    chosen = result.chosen or "random"
    models = [m for m in (result.fixed, result.random) if m is not None]
    if status == "single_study":
        study = (result.fixed.studies if result.fixed else ()) or result.studies
        view["single_study"] = ", ".join(study) or "see forest plot"
        view["single"] = _model_row(models[0], False, digits) if models else None
    else:
        view["rule"] = (
            result.rule or str((inputs.config.get("pooling") or {}).get("rule") or "") or NA
        )
        view["chosen"] = chosen
        view["models"] = [_model_row(m, m.name == chosen, digits) for m in models]
        rnd = next((m for m in models if m.name == "random"), None)
        view["heterogeneity"] = _heterogeneity(rnd, digits) if rnd is not None else ""
    notes = [n for n in result.notes if n.strip()]
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
        # (result key, its rows, table caption, label column, figure title)
        for key, refits, caption, head, title in (
            (
                "leave_one_out",
                result.leave_one_out,
                "Leave-one-out: the pooled estimate with each study omitted",
                "Omitted study",
                "Leave-one-out",
            ),
            (
                "cumulative",
                result.cumulative,
                "Cumulative meta-analysis, studies added in order of publication year",
                "Study added",
                "Cumulative meta-analysis",
            ),
        ):
            rows = [(r.study, r) for r in refits]
            view[key] = _sensitivity(caption, head, rows, digits) if rows else None
            view[f"{key}_figure"] = figure(
                a.figures.get(key),
                f"{title} plot of {label}",
                f"{title} analysis." if key == "leave_one_out" else f"{title}.",
                missing="",
            )
        view["subgroups"] = _subgroups(result, cfg, digits)
        view["bias"] = _bias(a, result, digits)
    view["declared"] = _declared(a, inputs, digits)
    view["published"] = _published(a, inputs, digits, int(to_float(s.get("k")) or 0), s.get("hr"))
    return view
