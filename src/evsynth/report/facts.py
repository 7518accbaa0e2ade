"""Plain-language facts derived from the inputs: HR-scale values, the rule, and why our pooled
estimate differs from a published one (the methods section: :mod:`evsynth.report.methods`).

Everything here is computed from files and config, never typed by hand, so the text stays true when
the data change (an update run, a corrected extraction).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from evsynth.contracts.pooling_result import (
    PooledModel,
    PoolingResult,
    Rule,
    SensitivityRow,
    TrimAndFill,
)

__all__ = [
    "analysis_status",
    "bias_reason",
    "describe_rule",
    "level_percent",
    "methods_paragraphs",
    "min_k_bias",
    "on_ratio_scale",
    "published_difference",
    "to_float",
]

#: What :func:`on_ratio_scale` reads: a typed model, row or estimate of the pooling contract.
Estimate = PooledModel | SensitivityRow | TrimAndFill

# Fewest studies for tests of funnel-plot asymmetry (Cochrane Handbook 6.5, section 13.3.5.4).
MIN_K_BIAS = 10

RULES: dict[str, str] = {
    "heterogeneity": (
        "the model was chosen by heterogeneity: random effects when "
        "I\u00b2 > 50% or Cochran's Q p < 0.10, otherwise fixed (common) effect"
    ),
    "cochrane": (
        "random effects were used throughout (Cochrane preset: REML estimate of \u03c4\u00b2, "
        "Hartung-Knapp-Sidik-Jonkman adjustment, prediction interval)"
    ),
}


def to_float(value: Any) -> float | None:
    """A number from a JSON value or TSV cell; "", None, NaN and non-numbers are None (unknown)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def level_percent(level: Any) -> float:
    """A confidence level as a percentage (accepts 95 or 0.95; default 95)."""
    number = to_float(level)
    if number is None:
        return 95.0
    return number * 100 if number <= 1 else number


def on_ratio_scale(estimate: Estimate, name: str = "estimate") -> float | None:
    """The HR shown for a log-scale value: pooling's ``exp_<name>``, else exp(``<name>``).

    ``name`` is estimate, ci_low, ci_high, pi_low or pi_high; a type without it gives None.
    """
    value = to_float(getattr(estimate, f"exp_{name}", None))
    if value is not None:
        return value
    log_value = to_float(getattr(estimate, name, None))
    return math.exp(log_value) if log_value is not None else None


def analysis_status(result: PoolingResult | None, summary: Mapping[str, str] | None) -> str:
    """`pooled`, `single_study` or `empty`: the pooling result's (else from summary.tsv's k)."""
    if result is not None:
        return result.status
    k = to_float(summary.get("k")) if summary else None
    if not k:
        return "empty"
    return "single_study" if k == 1 else "pooled"


def min_k_bias(result: PoolingResult) -> int:
    """Fewest studies for small-study tests: pooling's settings.min_k_report, else 10."""
    settings = result.settings
    value = settings.min_k_report if settings is not None else None
    return value if value is not None else MIN_K_BIAS


def bias_reason(result: PoolingResult, test: str) -> str:
    """Why a small-study test is absent: the test's own ``reason`` if any, else the k rule.

    ``test`` is egger, begg or trim_and_fill.
    """
    entry = getattr(result, test)
    if entry is not None and entry.reason:  # a note written by another tool into the test
        return entry.reason
    minimum = min_k_bias(result)
    if result.k < minimum:
        return (
            f"not computed: k = {result.k} < {minimum}; tests for funnel-plot asymmetry have too "
            f"little power with fewer than {minimum} studies (Cochrane Handbook, section 13.3.5.4)"
        )
    return "not reported by the pooling step"


def describe_rule(rule: Rule | str) -> str:
    """The model-selection rule in words, with the thresholds pooling actually used."""
    info = rule if isinstance(rule, Rule) else Rule(name=rule)
    name = str(info.name or "")
    i2, qp = info.i2_threshold, info.q_p_threshold
    if name == "heterogeneity" and i2 is not None and qp is not None:
        return (
            "the model was chosen by heterogeneity: random effects "
            f"when I\u00b2 > {i2:g}% or Cochran's Q p < {qp:g}, otherwise fixed (common) effect"
        )
    if name in RULES:
        return RULES[name]
    if info.description:
        return f"{name}: {info.description}"
    return f"rule {name!r}"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def published_difference(
    *,
    k_ours: int,
    hr_ours: float | None,
    published: dict[str, Any],
    narrative_count: int,
    excluded: list[str],
    model: str,
    sources: str = "the sources extracted",
) -> str:
    """A plain-language reason for any difference from the published pooled estimate.

    Built only from facts the pipeline knows: the two k, the studies that reported the comparison
    without a poolable HR and CI (narrative.tsv), the protocol's exclusions and the overlap of
    the estimates.
    """
    parts = []
    k_pub = to_float(published.get("k"))
    k_pub_int = int(k_pub) if k_pub is not None else None
    if k_pub_int is None:
        if k_ours == 0:
            parts.append(
                f"k = 0 here: no included study reports an HR with a confidence interval (or the "
                f"data to derive one) in {sources}; the published analysis does not state its k."
            )
        elif k_ours == 1:
            parts.append(
                f"k = 1 here: only one study's HR with CI is available in {sources}; the "
                "published analysis does not state its k."
            )
        else:
            parts.append(f"k = {k_ours} here; the published analysis does not state its k.")
    elif k_ours == 0:
        parts.append(
            f"k = 0 here vs {k_pub_int} in the published analysis: no included study reports an HR "
            f"with a confidence interval (or the data to derive one) in {sources}."
        )
    elif k_ours < k_pub_int:
        have = "study's HR with CI is" if k_ours == 1 else "studies' HRs with CIs are"
        parts.append(
            f"k = {k_ours} here vs {k_pub_int} in the published analysis: only {k_ours} {have} "
            f"available in {sources}."
        )
    elif k_ours > k_pub_int:
        parts.append(
            f"k = {k_ours} here vs {k_pub_int} in the published analysis: this review pools "
            f"{_plural(k_ours - k_pub_int, 'more study', 'more studies')}."
        )
    else:
        parts.append(
            f"Same number of studies (k = {k_ours}); any difference comes from the extracted "
            f"estimates or the model (here: {model})."
        )
    if narrative_count:
        parts.append(
            f"{_plural(narrative_count, 'study reports', 'studies report')} this comparison only "
            "as a p-value or direction (see the narrative synthesis table)."
        )
    if excluded:
        parts.append(f"Excluded by the protocol: {', '.join(excluded)}.")
    lo, hi = to_float(published.get("ci_low")), to_float(published.get("ci_high"))
    if hr_ours is not None and lo is not None and hi is not None:
        inside = lo <= hr_ours <= hi
        parts.append(
            "Our estimate lies inside the published confidence interval."
            if inside
            else "Our estimate lies outside the published confidence interval."
        )
    return " ".join(parts)


# The methods section has its own module; the name stays importable from here.
from evsynth.report.methods import methods_paragraphs  # noqa: E402
