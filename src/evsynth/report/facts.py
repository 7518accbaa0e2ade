"""Plain-language facts derived from the inputs: model values, the methods paragraph, and why our
pooled estimate differs from a published one.

Everything here is computed from files and config, never typed by hand, so the text stays true when
the data change (an update run, a corrected extraction).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from evsynth.report.labels import ESTIMATORS, TESTS

__all__ = [
    "ModelValues",
    "analysis_status",
    "bias_reason",
    "describe_rule",
    "level_percent",
    "methods_paragraphs",
    "min_k_bias",
    "model_values",
    "published_difference",
    "rule_name",
    "to_float",
]

# Dedup config keys that are file locations or machine settings, not methods.
DEDUP_NOT_METHODS = frozenset({"decisions", "threads", "partitions", "progress", "log"})

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


def _ratio(model: dict[str, Any], name: str) -> float | None:
    """exp_<name> when pooling gave it, else exp(<name>) of the log-scale value."""
    value = to_float(model.get(f"exp_{name}"))
    if value is not None:
        return value
    log_value = to_float(model.get(name))
    return math.exp(log_value) if log_value is not None else None


def model_values(model: dict[str, Any] | None, name: str) -> ModelValues | None:
    """Read one model dict of the pooling JSON (names of docs/architecture.md)."""
    if not isinstance(model, dict):
        return None
    k = to_float(model.get("k"))
    return ModelValues(
        name=name,
        k=int(k) if k is not None else None,
        hr=_ratio(model, "estimate"),
        ci_low=_ratio(model, "ci_low"),
        ci_high=_ratio(model, "ci_high"),
        p=to_float(model.get("p")),
        pi_low=_ratio(model, "pi_low"),
        pi_high=_ratio(model, "pi_high"),
        i2=to_float(model.get("i2")),
        i2_ci_low=to_float(model.get("i2_ci_low")),
        i2_ci_high=to_float(model.get("i2_ci_high")),
        tau2=to_float(model.get("tau2")),
        tau2_ci_low=to_float(model.get("tau2_ci_low")),
        tau2_ci_high=to_float(model.get("tau2_ci_high")),
        q=to_float(model.get("q")),
        q_df=to_float(model.get("q_df")),
        q_p=to_float(model.get("q_p")),
        method=str(model.get("method") or ""),
        test=str(model.get("test") or ""),
        level=level_percent(model.get("level")),
    )


def analysis_status(result: dict[str, Any] | None, summary: dict[str, str] | None) -> str:
    """`pooled`, `single_study` or `empty` (from the JSON, else from k)."""
    if result and result.get("status") in ("pooled", "single_study", "empty"):
        return str(result["status"])
    k = to_float((result or {}).get("k"))
    if k is None and summary:
        k = to_float(summary.get("k"))
    if not k:
        return "empty"
    return "single_study" if k == 1 else "pooled"


def min_k_bias(result: dict[str, Any]) -> int:
    """Fewest studies for small-study tests: pooling's settings.min_k_report, else 10."""
    value = to_float((result.get("settings") or {}).get("min_k_report"))
    return int(value) if value is not None else MIN_K_BIAS


def bias_reason(result: dict[str, Any], test: str) -> str:
    """Why a small-study test is absent: the pooling's own note if any, else the k rule."""
    entry = result.get(test)
    if isinstance(entry, dict):
        for key in ("reason", "note", "message"):
            if entry.get(key):
                return str(entry[key])
    k = to_float(result.get("k")) or 0
    minimum = min_k_bias(result)
    if k < minimum:
        return (
            f"not computed: k = {int(k)} < {minimum}; tests for funnel-plot asymmetry have too "
            f"little power with fewer than {minimum} studies (Cochrane Handbook, section 13.3.5.4)"
        )
    return "not reported by the pooling step"


def rule_name(rule: Any) -> str:
    """The model-selection rule's name, from the pooling JSON (a name or a dict with `name`)."""
    if isinstance(rule, dict):
        return str(rule.get("name") or "")
    return str(rule or "")


def describe_rule(rule: Any) -> str:
    """The model-selection rule in words, with the thresholds pooling actually used."""
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


def _describe_method(code: str) -> str:
    return ESTIMATORS.get(code.upper(), code) if code else ""


STAGE_NAMES = {"title_abstract": "title and abstract", "full_text": "full text"}


def _published_comparison(config: dict[str, Any]) -> str:
    """Whether a published review is compared, and in which analyses (from the config only)."""
    analyses = [a for a in config.get("analyses") or [] if (a or {}).get("published")]
    reference = str((config.get("review") or {}).get("reference") or "").strip()
    if not analyses:
        return (
            "No published review's pooled estimates are compared"
            + (
                f" (the config names {reference}, but no analysis gives its estimate)"
                if reference
                else ""
            )
            + "."
        )
    labels = ", ".join(str(a.get("label") or a.get("id")) for a in analyses)
    source = reference or "a published review (review.reference is not set)"
    return (
        f"Our pooled estimates are compared with those of {source.rstrip('.')}, in "
        f"{_plural(len(analyses), 'analysis', 'analyses')}: {labels}."
    )


def methods_paragraphs(
    config: dict[str, Any],
    results: list[dict[str, Any]],
    *,
    dedup: dict[str, Any],
    screening_complete: dict[str, bool],
) -> list[str]:
    """The methods section, from the config actually used and the settings pooling recorded."""
    paragraphs = []
    runs = config["search"]["runs"]
    databases = sorted(
        {
            str(src.get("database") or name)
            for run in runs
            for name, src in (run.get("sources") or {}).items()
        }
    )
    paragraphs.append(
        f"We searched {', '.join(databases)} in {_plural(len(runs), 'dated run', 'dated runs')} "
        f"({', '.join(str(r['id']) for r in runs)}); full strategies, date windows and counts are "
        "given in the search section. Exports and E-utilities responses were archived and parsed "
        "offline, so every count below can be recomputed from the archive."
    )

    dedup_cfg = config.get("dedup") or {}
    extra = [
        f"{key} = {value}"
        for key, value in sorted(dedup_cfg.items())
        if key not in DEDUP_NOT_METHODS and not isinstance(value, dict | list)
    ]
    text = (
        "Records were deduplicated across sources and runs by exact identifiers (DOI, PMID) and by "
        "similarity of title, authors, journal and year; pairs the matcher could not decide were "
        "checked by a person"
    )
    if dedup_cfg.get("decisions"):
        text += f" (decisions in {dedup_cfg['decisions']}, which always override the matcher)"
    if extra:
        text += f"; settings: {'; '.join(extra)}"
    removed = dedup.get("duplicates_removed")
    if removed is not None:
        text += (
            f". {removed} duplicates were removed, leaving {dedup.get('unique_records')} records"
        )
    paragraphs.append(text + ".")

    screening = config.get("screening") or {}
    reviewers = screening.get("reviewers") or []
    required = screening.get("required_reviewers", 1)
    stages = screening.get("stages") or {}
    adjudicated = [name for name, st in stages.items() if (st or {}).get("adjudication")]
    per_stage = {
        name: int((st or {}).get("required_reviewers") or required) for name, st in stages.items()
    }
    text = (
        f"Screening ran in {_plural(len(stages) or 2, 'stage', 'stages')} (title and abstract, "
        "then full text) by "
        + (
            _plural(len(reviewers), "named reviewer", "named reviewers")
            if reviewers
            else "reviewers not named in the config"
        )
    )
    if len(set(per_stage.values())) <= 1:
        text += (
            f", with {required} independent "
            f"{'decision' if required == 1 else 'decisions'} required per record"
        )
    else:
        text += ", with " + ", ".join(
            f"{n} independent {'decision' if n == 1 else 'decisions'} required per record at "
            f"{STAGE_NAMES.get(name, name)}"
            for name, n in per_stage.items()
        )
    text += (
        "; conflicts were resolved by adjudication"
        if adjudicated
        else "; no adjudication file was configured"
    )
    incomplete = [name for name, done in screening_complete.items() if not done]
    if incomplete:
        allowed = (
            "" if screening.get("require_complete", True) else "; the protocol allows going on"
        )
        text += (
            f". Screening is incomplete at: {', '.join(incomplete)} (records still await a "
            f"decision{allowed})"
        )
    paragraphs.append(text + ".")

    paragraphs.append(_published_comparison(config))

    methods = sorted({str((r.get("random") or {}).get("method") or "") for r in results} - {""})
    methods = methods or sorted(
        {str((r.get("settings") or {}).get("random_method") or "") for r in results} - {""}
    )
    tests = sorted({str((r.get("settings") or {}).get("test") or "") for r in results} - {""})
    if not tests:
        tests = sorted({str((r.get("random") or {}).get("test") or "") for r in results} - {""})
    fixed = sorted({str((r.get("fixed") or {}).get("method") or "") for r in results} - {""})
    levels = sorted(
        {
            level_percent(
                (r.get("settings") or {}).get("level", (r.get("random") or {}).get("level"))
            )
            for r in results
        }
    )
    rules = {rule_name(r.get("rule")): r.get("rule") for r in results if rule_name(r.get("rule"))}
    configured = str((config.get("pooling") or {}).get("rule") or "")
    if not rules and configured:
        rules[configured] = configured
    min_compute = sorted(
        {int(to_float((r.get("settings") or {}).get("min_k_compute")) or 3) for r in results}
    )
    min_report = sorted({min_k_bias(r) for r in results})
    if results:
        text = (
            "Hazard ratios were pooled on the log scale with inverse-variance weights, one log HR "
            "and standard error per study as the extraction step derived them; findings without "
            "a usable HR and confidence interval enter the narrative synthesis. A single study "
            "is shown with its own estimate and not pooled. "
        )
        if fixed:
            text += f"Fixed effect: {', '.join(_describe_method(m) for m in fixed)}. "
        if methods:
            text += f"Random effects: {', '.join(_describe_method(m) for m in methods)}"
            if tests:
                text += f", with {', '.join(TESTS.get(t.lower(), t) for t in tests)}"
            text += ". "
        text += (
            "Heterogeneity is reported as Cochran's Q, I\u00b2 and \u03c4\u00b2 with confidence "
            "intervals, and a prediction interval for random effects. "
        )
        if rules:
            text += (
                "Model choice: " + "; ".join(describe_rule(rules[n]) for n in sorted(rules)) + ". "
            )
        text += (
            f"Confidence level {', '.join(f'{lv:g}%' for lv in levels)}. Sensitivity analyses "
            f"(with at least {'/'.join(map(str, min_compute))} studies): leave-one-out and "
            "cumulative (by year) meta-analyses, and the declared subgroup and sensitivity "
            "analyses. Small-study effects: Egger's regression test, Begg's rank correlation "
            f"test and trim-and-fill, when at least {'/'.join(map(str, min_report))} studies "
            "were pooled."
        )
        paragraphs.append(text)
    else:
        paragraphs.append("No meta-analysis was configured; findings are synthesised narratively.")
    return paragraphs
