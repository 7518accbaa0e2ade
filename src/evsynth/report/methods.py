"""The report's methods section, written from the config actually used and the settings
pooling recorded in each result (never typed by hand, so it stays true after an update).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evsynth.contracts.pooling_result import PoolingResult
from evsynth.report.facts import (
    _plural,
    describe_rule,
    level_percent,
    min_k_bias,
)
from evsynth.report.labels import ESTIMATORS, TESTS

__all__ = ["methods_paragraphs"]

# Dedup config keys that are file locations or machine settings, not methods.
DEDUP_NOT_METHODS = frozenset({"decisions", "threads", "partitions", "progress", "log"})


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


def _level(result: PoolingResult) -> float | None:
    """The confidence level pooling used: its settings', else the random model's."""
    if result.settings is not None and result.settings.level is not None:
        return result.settings.level
    return result.random.level if result.random else None


def methods_paragraphs(
    config: dict[str, Any],
    results: Sequence[PoolingResult],
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

    methods = sorted({r.random.method for r in results if r.random and r.random.method})
    methods = methods or sorted(
        {r.settings.random_method for r in results if r.settings and r.settings.random_method}
    )
    tests = sorted({r.settings.test for r in results if r.settings and r.settings.test})
    if not tests:
        tests = sorted({r.random.test for r in results if r.random and r.random.test})
    fixed = sorted({r.fixed.method for r in results if r.fixed and r.fixed.method})
    levels = sorted({level_percent(_level(r)) for r in results})
    rules = {r.rule: r.rule_info or r.rule for r in results if r.rule}
    configured = str((config.get("pooling") or {}).get("rule") or "")
    if not rules and configured:
        rules[configured] = configured
    min_compute = sorted({(r.settings.min_k_compute if r.settings else None) or 3 for r in results})
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
