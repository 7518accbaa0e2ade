"""Forest plot of one analysis, laid out as reviewers publish it.

Rows: each study (label with year, HR [95% CI], percent weight under each model) with a square
whose area is proportional to its weight and a whisker for its CI (arrow heads where the CI leaves
the axis); subgroup blocks with subtotals when the analysis has a subgroup column; the fixed- and
random-effects diamonds (the model the rule chose drawn solid and in bold, the other hollow); the
prediction interval (Higgins, Thompson and Spiegelhalter 2009, J R Stat Soc A 172:137); and a
heterogeneity line with I^2, tau^2 and Cochran's Q. Layout follows the Cochrane Handbook (chapter
10) and RevMan's forest plots.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib.figure import Figure

from evsynth.contracts.format import format_p_clause
from evsynth.contracts.pooling_result import PooledModel, PoolingResult
from evsynth.figures.common import is_ratio, measure_name, message_figure, pooled_effects
from evsynth.figures.formatting import format_ci, format_number, overall_test_text
from evsynth.figures.inputs import StudyEffect
from evsynth.figures.render import styled
from evsynth.figures.style import COLOURS, MODEL_LABELS
from evsynth.figures.table import IntervalTable, Row, draw_interval_table, measure_table

__all__ = [
    "forest_table",
    "heterogeneity_text",
    "model_label",
    "plot_forest",
    "study_display_label",
]
# is_ratio, measure_name, message_figure and pooled_effects moved to figures.common (the funnel
# and sensitivity plots use them too); importing them from here still works.

_Z975 = 1.959963984540054
_MAX_SQUARE_PT = 10.0
_MIN_SQUARE_PT = 2.5


# Marks a study whose HR was reconstructed from its Kaplan-Meier curve (footnoted).
KM_MARK = "\u2020"


def study_display_label(effect: StudyEffect) -> str:
    """``Choi 2014``: the study label, with the year appended when the label lacks it."""
    if effect.year and effect.year not in effect.study:
        return f"{effect.study} {effect.year}"
    return effect.study


def model_label(model: PooledModel) -> str:
    """``Random-effects model (REML, Hartung-Knapp)``: the model and how it was fitted."""
    parts = []
    if model.method and model.name == "random":
        parts.append(model.method)
    if model.test and model.test.lower() in ("knha", "hksj", "t"):
        parts.append("Hartung-Knapp")
    base = MODEL_LABELS[model.name]
    return f"{base} ({', '.join(parts)})" if parts else base


def heterogeneity_text(model: PooledModel, *, tau2_from: PooledModel | None = None) -> str:
    """``Heterogeneity: I² = 45%, τ² = 0.031, Q = 12.40 (df = 7), p = 0.09``."""
    # tau^2 of a fixed-effect fit is 0 by assumption, not an estimate: only report a random one.
    tau_model = tau2_from or (model if model.name == "random" else None)
    bits = []
    if model.i2 is not None:
        bits.append(f"I\u00b2 = {model.i2:.0f}%")
    if tau_model is not None and tau_model.tau2 is not None:
        tau2 = tau_model.tau2
        shown = "0" if tau2 == 0 else format_number(tau2, 3 if tau2 >= 0.001 else 4)
        bits.append(f"\u03c4\u00b2 = {shown}")
    if model.q is not None:
        df = f" (df = {model.q_df:.0f})" if model.q_df is not None else ""
        bits.append(f"Q = {model.q:.2f}{df}")
    if model.q_p is not None:
        bits.append(format_p_clause(model.q_p))
    return "Heterogeneity: " + ", ".join(bits) if bits else "Heterogeneity: not reported"


def _subtotal(effects: Sequence[StudyEffect]) -> tuple[PooledModel, PooledModel]:
    """Inverse-variance fixed effect and DerSimonian-Laird random effects of one subgroup.

    Only a display fallback when the pooling JSON carries no ``subgroups``: DerSimonian and Laird
    (1986, Control Clin Trials 7:177), I^2 of Higgins and Thompson (2002, Stat Med 21:1539).
    """
    w = [1 / (e.se**2) for e in effects]
    sw = sum(w)
    fe = sum(wi * e.yi for wi, e in zip(w, effects, strict=True)) / sw
    q = sum(wi * (e.yi - fe) ** 2 for wi, e in zip(w, effects, strict=True))
    df = len(effects) - 1
    c = sw - sum(wi**2 for wi in w) / sw
    tau2 = max(0.0, (q - df) / c) if c > 0 else 0.0
    i2 = max(0.0, (q - df) / q) * 100 if q > 0 else 0.0
    wr = [1 / (e.se**2 + tau2) for e in effects]
    re = sum(wi * e.yi for wi, e in zip(wr, effects, strict=True)) / sum(wr)
    se_fe, se_re = 1 / math.sqrt(sw), 1 / math.sqrt(sum(wr))
    common = {"k": len(effects), "i2": i2, "q": q, "q_df": df}
    fixed = PooledModel("fixed", fe, fe - _Z975 * se_fe, fe + _Z975 * se_fe, tau2=0.0, **common)
    random = PooledModel(
        "random", re, re - _Z975 * se_re, re + _Z975 * se_re, tau2=tau2, method="DL", **common
    )
    return fixed, random


def _weight(model: PooledModel | None, study: str) -> str:
    if model is None or not model.weights:
        return ""
    w = model.weight_by_study.get(study)
    return "" if w is None else f"{w:.1f}%"


def forest_table(
    result: PoolingResult,
    effects: Sequence[StudyEffect],
    *,
    favours: tuple[str, str] | None = None,
    measure: str = "HR",
    title: str | None = None,
    xlim: tuple[float, float] | None = None,
    effects_source: str = "",
) -> IntervalTable:
    """The rows of a forest plot for a pooled (k >= 2) or single-study analysis.

    Ratio measures (HR, OR, RR, ROM) are shown exponentiated on a log axis around 1; differences
    (RD, MD, SMD) as they are on a linear axis around 0.
    """
    ratio = is_ratio(measure)
    shown = math.exp if ratio else float
    effects, excluded = pooled_effects(result, effects, effects_source)
    fixed, random = result.fixed, result.random
    pooled = result.status == "pooled" and (fixed is not None or random is not None)
    chosen = (
        result.chosen
        if result.chosen in ("fixed", "random")
        else ("random" if random is not None else "fixed")
    )
    models = [m for m in (fixed, random) if m is not None and m.weights] if pooled else []
    chosen_model = result.model(chosen) if pooled else None
    size_weights = chosen_model.weight_by_study if chosen_model is not None else {}
    wmax = max(size_weights.values(), default=0.0)

    def square(study: str) -> float:
        w = size_weights.get(study)
        if not w or wmax <= 0:
            return 5.0
        return max(_MIN_SQUARE_PT, _MAX_SQUARE_PT * math.sqrt(w / wmax))

    def study_row(index: int, e: StudyEffect, *, indent: bool) -> Row:
        low, high = e.yi - _Z975 * e.se, e.yi + _Z975 * e.se
        cells = [format_ci(shown(e.yi), shown(low), shown(high))]
        cells += [_weight(m, e.study) for m in models]
        label = study_display_label(e)
        if e.derivation == "km_reconstruction":
            label += f" {KM_MARK}"
        return Row(
            "study",
            label,
            tuple(cells),
            e.yi,
            low,
            high,
            size=square(e.study),
            indent=indent,
            gid=f"forest-study-{index}",
        )

    rows: list[Row] = []
    footnotes: list[str] = []
    groups: dict[str, list[StudyEffect]] = {}
    has_subgroups = any(e.subgroup for e in effects)
    for e in effects:
        groups.setdefault(e.subgroup or "Not reported", []).append(e)
    index = 0
    if has_subgroups:
        provided = {g.name: g for g in result.subgroups}
        fallback_used = False
        for g_index, (name, members) in enumerate(groups.items(), start=1):
            rows.append(Row("group", name, bold=True, gid=f"forest-subgroup-{g_index}"))
            for e in members:
                index += 1
                rows.append(study_row(index, e, indent=True))
            if len(members) < 2 or not pooled:
                rows.append(Row("blank"))
                continue
            summary = provided.get(name)
            sub_model = None
            if summary is not None:
                sub_model = summary.model  # fitted with the chosen model
            if sub_model is None:
                fallback_used = True
                sub_fixed, sub_random = _subtotal(members)
                sub_model = sub_random if chosen == "random" else sub_fixed
            rows.append(
                Row(
                    "diamond",
                    f"Subtotal (k = {len(members)})",
                    (
                        format_ci(
                            *(
                                shown(v)
                                for v in (sub_model.estimate, sub_model.ci_low, sub_model.ci_high)
                            )
                        ),
                    ),
                    sub_model.estimate,
                    sub_model.ci_low,
                    sub_model.ci_high,
                    indent=True,
                    colour=COLOURS["subtotal"],
                    gid=f"forest-subtotal-{g_index}",
                )
            )
            rows.append(
                Row(
                    "text",
                    heterogeneity_text(sub_model),
                    indent=True,
                    italic=True,
                    span=True,
                    gid=f"forest-subgroup-heterogeneity-{g_index}",
                )
            )
            rows.append(Row("blank"))
        if fallback_used:
            footnotes.append(
                "Subgroup subtotals computed for display (inverse variance; "
                "DerSimonian-Laird for random effects)."
            )
    else:
        for e in effects:
            index += 1
            rows.append(study_row(index, e, indent=False))
        rows.append(Row("blank"))

    if pooled:
        for model in (fixed, random):
            if model is None:
                continue
            is_chosen = model.name == chosen
            cells = [format_ci(*(shown(v) for v in (model.estimate, model.ci_low, model.ci_high)))]
            cells += ["100.0%" if m is model else "" for m in models]
            rows.append(
                Row(
                    "diamond",
                    model_label(model),
                    tuple(cells),
                    model.estimate,
                    model.ci_low,
                    model.ci_high,
                    bold=is_chosen,
                    filled=is_chosen,
                    colour=COLOURS["chosen"] if is_chosen else COLOURS["other"],
                    gid=f"forest-diamond-{model.name}",
                )
            )
        # The prediction interval is a random-effects quantity (Higgins et al. 2009); under a
        # fixed-effect model it would equal the CI, so it always comes from the random model.
        pi_model = random
        if (
            pi_model is not None
            and pi_model.pi_low is not None
            and pi_model.pi_high is not None
            and result.k >= 3
        ):
            label = (
                "Prediction interval"
                if chosen == "random"
                else "Prediction interval (random effects)"
            )
            rows.append(
                Row(
                    "prediction",
                    label,
                    (
                        f"[{format_number(shown(pi_model.pi_low))}, "
                        f"{format_number(shown(pi_model.pi_high))}]",
                    ),
                    pi_model.estimate,
                    pi_model.pi_low,
                    pi_model.pi_high,
                    colour=COLOURS["prediction"],
                    gid="forest-prediction-interval",
                )
            )
        het_model = random or fixed
        assert het_model is not None
        rows.append(
            Row(
                "text",
                heterogeneity_text(fixed or het_model, tau2_from=random),
                span=True,
                gid="forest-heterogeneity",
            )
        )
        test = result.subgroup_test
        if has_subgroups and test is not None and test.q is not None:
            df = f", df = {test.df:.0f}" if test.df is not None else ""
            rows.append(
                Row(
                    "text",
                    f"Test for subgroup differences: Q = {test.q:.2f}{df}, "
                    + format_p_clause(test.p),
                    span=True,
                    gid="forest-subgroup-test",
                )
            )
        if chosen_model is not None and chosen_model.p is not None:
            rows.append(
                Row(
                    "text",
                    f"Test for overall effect ({MODEL_LABELS[chosen].lower()}): "
                    + overall_test_text(
                        chosen_model.stat, chosen_model.df, chosen_model.test, chosen_model.p
                    ),
                    span=True,
                    gid="forest-overall-test",
                )
            )
        rule = f"the '{result.rule}' rule" if result.rule else "the configured rule"
        reason = f" ({result.rule_reason})" if result.rule_reason else ""
        footnotes.append(
            f"Solid diamond (bold): the model chosen by {rule}{reason}; hollow: "
            "the other model. Square area proportional to weight."
        )
    else:
        rows.append(
            Row(
                "text",
                f"Not pooled: a single study (k = {len(effects)}).",
                span=True,
                italic=True,
                gid="forest-not-pooled",
            )
        )

    if any(e.derivation == "km_reconstruction" for e in effects):
        footnotes.append(
            f"{KM_MARK} HR from individual data rebuilt from the published Kaplan-Meier curve "
            "(Guyot et al. 2012), not printed by the study."
        )
    if excluded:
        footnotes.append(f"Not in this analysis (excluded by its settings): {', '.join(excluded)}.")
    headers = [f"{measure} [95% CI]"]
    headers += [f"Weight ({'fixed' if m.name == 'fixed' else 'random'})" for m in models]
    return measure_table(
        rows,
        ratio=ratio,
        axis_label=measure_name(measure),
        left_header="Study",
        right_headers=tuple(headers),
        favours=favours,
        title=title,
        footnotes=tuple(footnotes),
        xlim=xlim,
        gid_prefix="forest",
    )


@styled
def plot_forest(
    result: PoolingResult,
    effects: Sequence[StudyEffect],
    *,
    favours: tuple[str, str] | None = None,
    measure: str = "HR",
    title: str | None = None,
    xlim: tuple[float, float] | None = None,
    effects_source: str = "",
) -> Figure:
    """Draw the forest plot; k = 0 gives a figure saying there is nothing to pool."""
    if result.status == "empty" or not effects:
        return message_figure(
            title, "No studies in this analysis (k = 0): nothing to pool.", gid="forest"
        )
    table = forest_table(
        result,
        effects,
        favours=favours,
        measure=measure,
        title=title,
        xlim=xlim,
        effects_source=effects_source,
    )
    return draw_interval_table(table)
