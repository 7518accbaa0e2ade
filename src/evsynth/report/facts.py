"""Plain-language facts derived from the inputs: model values, the rule, and why our pooled
estimate differs from a published one (the methods section: :mod:`evsynth.report.methods`).

Everything here is computed from files and config, never typed by hand, so the text stays true when
the data change (an update run, a corrected extraction).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from evsynth.contracts.pooling_result import (
    PooledModel,
    PoolingResult,
    Rule,
    SensitivityRow,
    TrimAndFill,
    parse_pooling_result,
)

__all__ = [
    "ModelValues",
    "analysis_status",
    "bias_reason",
    "describe_rule",
    "level_percent",
    "methods_paragraphs",
    "min_k_bias",
    "model_values",
    "pooling_result",
    "published_difference",
    "rule_name",
    "to_float",
]

#: What :func:`model_values` reads: a typed model or row of the pooling contract, or (for the
#: callers not yet moved to the contract) one decoded JSON object.
ModelLike = PooledModel | SensitivityRow | TrimAndFill | Mapping[str, Any]

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


@dataclass(frozen=True, slots=True)
class ModelValues:
    """One model's numbers on the ratio scale (HR), as shown in the tables."""

    name: str
    k: int | None
    hr: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None
    pi_low: float | None
    pi_high: float | None
    i2: float | None
    i2_ci_low: float | None
    i2_ci_high: float | None
    tau2: float | None
    tau2_ci_low: float | None
    tau2_ci_high: float | None
    q: float | None
    q_df: float | None
    q_p: float | None
    method: str
    test: str
    level: float


def pooling_result(result: PoolingResult | Mapping[str, Any]) -> PoolingResult:
    """The typed pooling result (contracts.pooling_result); a decoded JSON object is parsed."""
    return result if isinstance(result, PoolingResult) else parse_pooling_result(result)


def _ratio(model: ModelLike, name: str) -> float | None:
    """exp_<name> when pooling gave it, else exp(<name>) of the log-scale value."""
    get = model.get if isinstance(model, Mapping) else lambda key: getattr(model, key, None)
    value = to_float(get(f"exp_{name}"))
    if value is not None:
        return value
    log_value = to_float(get(name))
    return math.exp(log_value) if log_value is not None else None


def model_values(model: ModelLike | None, name: str) -> ModelValues | None:
    """One model's numbers on the ratio scale, from the contract's typed model (or a row of it).

    Fields a row type lacks (a leave-one-out row has no prediction interval) are None.
    """
    if model is None:
        return None
    if isinstance(model, Mapping):
        get = model.get
    elif isinstance(model, PooledModel | SensitivityRow | TrimAndFill):

        def get(key: str) -> Any:
            return getattr(model, key, None)

    else:
        return None
    k = to_float(get("k"))
    return ModelValues(
        name=name,
        k=int(k) if k is not None else None,
        hr=_ratio(model, "estimate"),
        ci_low=_ratio(model, "ci_low"),
        ci_high=_ratio(model, "ci_high"),
        p=to_float(get("p")),
        pi_low=_ratio(model, "pi_low"),
        pi_high=_ratio(model, "pi_high"),
        i2=to_float(get("i2")),
        i2_ci_low=to_float(get("i2_ci_low")),
        i2_ci_high=to_float(get("i2_ci_high")),
        tau2=to_float(get("tau2")),
        tau2_ci_low=to_float(get("tau2_ci_low")),
        tau2_ci_high=to_float(get("tau2_ci_high")),
        q=to_float(get("q")),
        q_df=to_float(get("q_df")),
        q_p=to_float(get("q_p")),
        method=str(get("method") or ""),
        test=str(get("test") or ""),
        level=level_percent(get("level")),
    )


def analysis_status(
    result: PoolingResult | Mapping[str, Any] | None, summary: Mapping[str, str] | None
) -> str:
    """`pooled`, `single_study` or `empty`: the pooling result's (else from summary.tsv's k)."""
    if result:
        return pooling_result(result).status
    k = to_float(summary.get("k")) if summary else None
    if not k:
        return "empty"
    return "single_study" if k == 1 else "pooled"


def min_k_bias(result: PoolingResult | Mapping[str, Any]) -> int:
    """Fewest studies for small-study tests: pooling's settings.min_k_report, else 10."""
    settings = pooling_result(result).settings
    value = settings.min_k_report if settings is not None else None
    return value if value is not None else MIN_K_BIAS


def bias_reason(result: PoolingResult | Mapping[str, Any], test: str) -> str:
    """Why a small-study test is absent: the pooling's own note if any, else the k rule."""
    entry = result.get(test) if isinstance(result, Mapping) else None
    if isinstance(entry, Mapping):  # a note written by another tool into the test's object
        for key in ("reason", "note", "message"):
            if entry.get(key):
                return str(entry[key])
    typed = pooling_result(result)
    k = typed.k
    minimum = min_k_bias(typed)
    if k < minimum:
        return (
            f"not computed: k = {int(k)} < {minimum}; tests for funnel-plot asymmetry have too "
            f"little power with fewer than {minimum} studies (Cochrane Handbook, section 13.3.5.4)"
        )
    return "not reported by the pooling step"


def rule_name(rule: Any) -> str:
    """The model-selection rule's name (a name, the contract's Rule, or a dict with `name`)."""
    if isinstance(rule, Rule):
        return str(rule.name or "")
    if isinstance(rule, dict):
        return str(rule.get("name") or "")
    return str(rule or "")


def describe_rule(rule: Any) -> str:
    """The model-selection rule in words, with the thresholds pooling actually used."""
    if isinstance(rule, Rule):
        rule = rule.to_dict()
    name = rule_name(rule)
    if isinstance(rule, dict) and name == "heterogeneity":
        i2 = to_float(rule.get("i2_threshold"))
        qp = to_float(rule.get("q_p_threshold"))
        if i2 is not None and qp is not None:
            return (
                "the model was chosen by heterogeneity: random effects "
                f"when I\u00b2 > {i2:g}% or Cochran's Q p < {qp:g}, otherwise fixed (common) effect"
            )
    if name in RULES:
        return RULES[name]
    if isinstance(rule, dict) and rule.get("description"):
        return f"{name}: {rule['description']}"
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
