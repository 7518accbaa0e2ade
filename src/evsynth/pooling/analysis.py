"""One configured analysis end to end: both models, the review's rule, bias and sensitivity.

:func:`run_analysis` computes an :class:`AnalysisResult` (a value object); :meth:`to_dict` gives
the per-analysis JSON of docs/architecture.md and :func:`summary_row` its row of ``summary.tsv``.
Files are written by the CLI layer only.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from evsynth import __version__
from evsynth.contracts.format import format_p_clause
from evsynth.contracts.pooling_result import (
    RUN_MODEL_KEYS,
    SECTIONS,
    PoolingResult,
    Rule,
    parse_pooling_result,
    parse_sections,
)
from evsynth.contracts.pooling_result import PoolingSettings as ResultSettings
from evsynth.errors import InputError
from evsynth.pooling.bias import begg, egger, trim_and_fill
from evsynth.pooling.effects import EffectTable
from evsynth.pooling.models import METHODS, PI_TYPES, TESTS, PoolResult, pool
from evsynth.pooling.presets import DEFAULTS, RULES
from evsynth.pooling.sensitivity import cumulative, leave_one_out, subgroups

__all__ = [
    "SUMMARY_COLUMNS",
    "AnalysisResult",
    "PoolingSettings",
    "by_search_run",
    "choose_model",
    "run_analysis",
    "summary_row",
]

SUMMARY_COLUMNS: tuple[str, ...] = (
    "analysis factor outcome k chosen method hr ci_low ci_high p i2 tau2 q q_p pi_low pi_high "
    "published_hr published_ci_low published_ci_high note"
).split()


@dataclass(frozen=True)
class PoolingSettings:
    """The ``pooling`` section of the config, with defaults filled and the rule's fixes applied."""

    rule: str = "heterogeneity"
    random_method: str = "REML"
    test: str = "z"
    level: float = 0.95
    prediction_interval: str = "default"
    i2_threshold: float = 50.0
    q_p_threshold: float = 0.10
    ratio: bool = True
    min_k_compute: int = 3
    min_k_report: int = 10
    leave_one_out: bool = True
    cumulative: bool = True
    subgroups: bool = True

    @classmethod
    def from_config(cls, section: Mapping[str, Any] | None) -> PoolingSettings:
        """Read ``config["pooling"]``; unknown rules, methods or tests are an InputError."""
        merged = copy.deepcopy(DEFAULTS)
        for key, value in (section or {}).items():
            if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
                merged[key].update(value)
            else:
                merged[key] = value
        rule = merged["rule"]
        if rule not in RULES:
            raise InputError(
                f"unknown rule {rule!r}; valid: {', '.join(RULES)}", field="pooling.rule"
            )
        merged.update(RULES[rule]["fixes"])
        if merged["random_method"] not in METHODS or merged["random_method"] == "FE":
            raise InputError(
                f"random_method {merged['random_method']!r} must be one of "
                + ", ".join(m for m in METHODS if m != "FE"),
                field="pooling.random_method",
            )
        if merged["test"] not in TESTS:
            raise InputError(
                f"test {merged['test']!r} must be one of {', '.join(TESTS)}", field="pooling.test"
            )
        if merged["prediction_interval"] not in PI_TYPES:
            raise InputError(
                f"prediction_interval {merged['prediction_interval']!r} must be one of "
                + ", ".join(PI_TYPES),
                field="pooling.prediction_interval",
            )
        return cls(
            rule=rule,
            random_method=merged["random_method"],
            test=merged["test"],
            level=float(merged["level"]),
            prediction_interval=merged["prediction_interval"],
            i2_threshold=float(merged["i2_threshold"]),
            q_p_threshold=float(merged["q_p_threshold"]),
            ratio=bool(merged["ratio"]),
            min_k_compute=int(merged["small_study"]["min_k_compute"]),
            min_k_report=int(merged["small_study"]["min_k_report"]),
            leave_one_out=bool(merged["sensitivity"]["leave_one_out"]),
            cumulative=bool(merged["sensitivity"]["cumulative"]),
            subgroups=bool(merged["sensitivity"]["subgroups"]),
        )

    def describe(self) -> str:
        return str(RULES[self.rule]["description"]).format(**self.__dict__)


def choose_model(fixed: PoolResult, settings: PoolingSettings) -> tuple[str, str]:
    """Apply the review's rule; returns ("fixed" | "random", the reason in words).

    The heterogeneity rule reads I^2 and Q's p from the fixed-effect fit (Higgins & Thompson 2002:
    I^2 = (Q - df)/Q), the statistics the seed review reported. Q's p is printed as everywhere
    else (contracts.format: ``Q p = 0.034``, ``Q p < 0.001``); the choice uses the exact value.
    """
    if settings.rule == "cochrane":
        return "random", "the cochrane preset always uses random effects"
    i2, q_p = fixed.i2 or 0.0, fixed.q_p if fixed.q_p is not None else 1.0
    reasons = []
    if i2 > settings.i2_threshold:
        reasons.append(f"I2 = {i2:.1f}% > {settings.i2_threshold:g}%")
    if q_p < settings.q_p_threshold:
        reasons.append(f"Q {format_p_clause(q_p)} < {settings.q_p_threshold:g}")
    if reasons:
        return "random", " and ".join(reasons)
    return "fixed", (
        f"I2 = {i2:.1f}% <= {settings.i2_threshold:g}% and Q {format_p_clause(q_p)} >= "
        f"{settings.q_p_threshold:g}"
    )


@dataclass(frozen=True)
class AnalysisResult:
    """Everything computed for one configured analysis."""

    analysis: Mapping[str, Any]
    settings: PoolingSettings
    table: EffectTable
    status: str
    fixed: PoolResult | None = None
    random: PoolResult | None = None
    chosen: str | None = None
    reason: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    study_ids: tuple[str, ...] = ()

    @property
    def chosen_fit(self) -> PoolResult | None:
        if self.chosen == "fixed":
            return self.fixed
        if self.chosen == "random":
            return self.random
        return self.random or self.fixed

    def to_result(self) -> PoolingResult:
        """The typed per-analysis result of the contract (contracts.pooling_result)."""
        a = self.analysis
        unknown = set(self.extras) - set(SECTIONS)
        if unknown:
            raise ValueError(f"not a section of the pooling contract: {', '.join(sorted(unknown))}")
        s = self.settings
        return PoolingResult(
            analysis=a.get("id"),
            label=a.get("label"),
            factor=a.get("factor"),
            outcome=a.get("outcome"),
            published=a.get("published"),
            subgroup=a.get("subgroup"),
            sensitivity_of=a.get("sensitivity_of"),
            measure=str(a["measure"]).upper() if a.get("measure") else None,
            k=self.table.k,
            status=self.status,
            chosen=self.chosen,
            rule=s.rule,
            rule_info=Rule(s.rule, s.describe(), s.i2_threshold, s.q_p_threshold, self.reason),
            fixed=self.fixed.to_model("fixed") if self.fixed else None,
            random=self.random.to_model("random") if self.random else None,
            settings=ResultSettings(**{f.name: getattr(s, f.name) for f in fields(ResultSettings)}),
            studies=tuple(self.table.study),
            study_ids=tuple(self.study_ids),
            input_checksum=self.table.checksum,
            notes=tuple(self.notes),
            version=__version__,
            **parse_sections(self.extras, self.table.source, self.chosen),
            source=self.table.source,
        )

    def to_dict(self) -> dict[str, Any]:
        """The per-analysis JSON (docs/architecture.md, "Pooling"), through the contract."""
        return self.to_result().to_dict()


def _apply_exclusions(
    table: EffectTable, analysis: Mapping[str, Any], study_ids: tuple[str, ...]
) -> tuple[EffectTable, tuple[str, ...], list[str]]:
    if len(study_ids) != table.k:
        raise InputError(
            f"{len(study_ids)} study ids for {table.k} studies", path=table.source, field="study_id"
        )
    excluded = set(analysis.get("exclude_studies") or [])
    keep = [i for i, sid in enumerate(study_ids) if sid not in excluded]
    dropped = [table.study[i] for i in range(table.k) if i not in keep]
    notes = [f"excluded by the analysis's exclude_studies: {s}" for s in dropped]
    return table.subset(keep), tuple(study_ids[i] for i in keep), notes


def _run_model(fit: PoolResult) -> dict[str, Any]:
    return fit.to_model().to_dict(RUN_MODEL_KEYS)


def by_search_run(
    table: EffectTable,
    runs_of: Mapping[str, str | None],
    settings: PoolingSettings,
    *,
    run_order: Sequence[str],
) -> tuple[list[dict[str, Any]], list[str]]:
    """Cumulative meta-analysis by search run: the pooled estimate as each version stood.

    Entry i pools the studies first found in runs ``run_order[: i + 1]`` (``runs_of`` maps each
    study label to its run, extraction's ``search_run``), with both models and the review's rule
    applied afresh, so a living review can show its estimate before and after an update (the
    "cumulative meta-analysis" of Lau et al. 1992, N Engl J Med 327:248, ordered by search date
    rather than publication year). A study without a run counts from the first run (noted);
    k = 1 is ``single_study`` (its own estimate, not pooled) and k = 0 ``empty``, as elsewhere.
    Returns the entries and the notes.
    """
    rank = {run: i for i, run in enumerate(run_order)}
    notes = []
    unknown = sorted({str(r) for r in runs_of.values() if r and r not in rank})
    if unknown:
        raise InputError(
            f"search_run {', '.join(unknown)} is not a configured search run "
            f"({', '.join(run_order) or 'none'})",
            path=table.source,
            field="search_run",
        )
    missing = [s for s in table.study if not runs_of.get(s)]
    if missing:
        notes.append(
            "by_search_run: no search run for "
            + ", ".join(missing)
            + "; counted from the first run"
        )
    study_rank = [rank[runs_of[s]] if runs_of.get(s) else 0 for s in table.study]
    level, pi_type = settings.level, settings.prediction_interval
    entries: list[dict[str, Any]] = []
    for i, run in enumerate(run_order):
        keep = [j for j in range(table.k) if study_rank[j] <= i]
        sub = table.subset(keep)
        entry: dict[str, Any] = {
            "run": run,
            "k": sub.k,
            "studies": list(sub.study),
            "new_studies": [table.study[j] for j in keep if study_rank[j] == i],
            "status": "empty",
            "chosen": None,
            "reason": None,
            "fixed": None,
            "random": None,
            "estimate": None,
            "ci_low": None,
            "ci_high": None,
        }
        if table.ratio:
            entry.update(exp_estimate=None, exp_ci_low=None, exp_ci_high=None)
        if sub.k:
            fixed = pool(sub, method="FE", test="z", level=level, pi_type=pi_type)
            random = pool(
                sub, method=settings.random_method, test=settings.test, level=level, pi_type=pi_type
            )
            entry["fixed"], entry["random"] = _run_model(fixed), _run_model(random)
            if sub.k == 1:
                entry["status"], shown = "single_study", entry["fixed"]
            else:
                chosen, reason = choose_model(fixed, settings)
                entry.update(status="pooled", chosen=chosen, reason=reason)
                shown = entry[chosen]
            for key in (
                "estimate",
                "ci_low",
                "ci_high",
                "exp_estimate",
                "exp_ci_low",
                "exp_ci_high",
            ):
                if key in shown:
                    entry[key] = shown[key]
        entries.append(entry)
    return entries, notes


def run_analysis(
    table: EffectTable,
    analysis: Mapping[str, Any],
    settings: PoolingSettings,
    *,
    study_ids: tuple[str, ...] | None = None,
    search_runs: Sequence[str | None] | None = None,
    run_order: Sequence[str] = (),
) -> AnalysisResult:
    """Fit both models, apply the rule, and run every bias and sensitivity analysis computable.

    Analyses below their minimum k are left out with a note saying why; results computed with
    fewer than ``min_k_report`` studies carry ``reportable: false``. With ``search_runs`` (one
    run per input row, extraction's ``search_run``) and ``run_order``, the result carries
    ``by_search_run`` (see :func:`by_search_run`).
    """
    notes: list[str] = []
    ids: tuple[str, ...] = ()
    runs_of: dict[str, str | None] = {}
    if search_runs is not None:
        if len(search_runs) != table.k:
            raise InputError(
                f"{len(search_runs)} search runs for {table.k} studies",
                path=table.source,
                field="search_run",
            )
        runs_of = dict(zip(table.study, search_runs, strict=True))
    if study_ids is not None:
        table, ids, dropped = _apply_exclusions(table, analysis, study_ids)
        notes.extend(dropped)
    extras: dict[str, Any] = {}
    if search_runs is not None and run_order:
        extras["by_search_run"], run_notes = by_search_run(
            table, runs_of, settings, run_order=run_order
        )
        notes.extend(run_notes)
    if table.k == 0:
        notes.append("empty: no study reports this analysis")
        return AnalysisResult(analysis, settings, table, "empty", notes=tuple(notes), extras=extras)
    level, pi_type = settings.level, settings.prediction_interval
    fixed = pool(table, method="FE", test="z", level=level, pi_type=pi_type)
    random = pool(
        table, method=settings.random_method, test=settings.test, level=level, pi_type=pi_type
    )
    if table.k == 1:
        notes.append("not pooled: a single study; its own estimate is shown")
        return AnalysisResult(
            analysis,
            settings,
            table,
            "single_study",
            fixed=fixed,
            random=random,
            notes=tuple(notes),
            study_ids=ids,
            extras=extras,
        )
    chosen, reason = choose_model(fixed, settings)
    fit = random if chosen == "random" else fixed
    reportable = table.k >= settings.min_k_report

    def attempt(name: str, compute) -> None:
        try:
            value = compute()
        except InputError as exc:
            notes.append(f"{name}: not computed: {exc}")
            return
        if isinstance(value, dict):
            value["reportable"] = reportable
        extras[name] = value

    min_k = settings.min_k_compute
    attempt("egger", lambda: egger(table, min_k=min_k, level=level).to_dict())
    attempt("begg", lambda: begg(table, min_k=min_k).to_dict())
    attempt(
        "trim_and_fill",
        lambda: trim_and_fill(table, method=fit.method, level=level, min_k=min_k).to_dict(),
    )
    if not reportable:
        notes.append(
            f"small-study tests computed with k = {table.k} < {settings.min_k_report}: "
            "too few studies for a meaningful test; not for reporting"
        )
    if settings.leave_one_out:
        attempt(
            "leave_one_out",
            lambda: leave_one_out(table, method=fit.method, test=fit.test, level=level).to_list(),
        )
    if settings.cumulative:
        attempt(
            "cumulative",
            lambda: cumulative(table, method=fit.method, test=fit.test, level=level).to_list(),
        )
    if settings.subgroups and analysis.get("subgroup"):
        column = analysis["subgroup"]
        known = [i for i in range(table.k) if table.subgroup and table.subgroup[i] is not None]
        left_out = [table.study[i] for i in range(table.k) if i not in known]
        grouped = table.subset(known)

        def subgroup_analysis() -> dict[str, Any]:
            result = subgroups(grouped, method=fit.method, test=fit.test, level=level)
            return {"column": column, "left_out": left_out, **result.to_dict()}

        if left_out:
            notes.append(
                f"subgroups: left out for want of a value in column {column!r}: "
                + ", ".join(left_out)
            )
        attempt("subgroups", subgroup_analysis)
    return AnalysisResult(
        analysis,
        settings,
        table,
        "pooled",
        fixed=fixed,
        random=random,
        chosen=chosen,
        reason=reason,
        extras=extras,
        notes=tuple(notes),
        study_ids=ids,
    )


def _exp(value: float | None, ratio: bool) -> float | None:
    if value is None:
        return None
    return math.exp(value) if ratio else value


def summary_row(data: PoolingResult | Mapping[str, Any]) -> dict[str, Any]:
    """The ``summary.tsv`` row of one per-analysis result (typed, or a decoded JSON object)."""
    result = data if isinstance(data, PoolingResult) else parse_pooling_result(data)
    published = result.published or {}
    row: dict[str, Any] = {
        "analysis": result.analysis,
        "factor": result.factor,
        "outcome": result.outcome,
        "k": result.k,
        "chosen": result.chosen or "",
        "published_hr": published.get("hr"),
        "published_ci_low": published.get("ci_low"),
        "published_ci_high": published.get("ci_high"),
    }
    model = None
    if result.status == "pooled":
        model = result.model(result.chosen)
        reason = result.rule_info.reason if result.rule_info else None
        row["note"] = f"{result.chosen} effect chosen: {reason}"
    elif result.status == "single_study":
        model = result.fixed
        row["note"] = "not pooled: single study"
    else:
        row["note"] = "empty: no studies"
    if model:
        ratio = model.ratio
        row.update(
            method=model.method if result.status == "pooled" else "none",
            hr=_exp(model.estimate, ratio),
            ci_low=_exp(model.ci_low, ratio),
            ci_high=_exp(model.ci_high, ratio),
            p=model.p,
            i2=model.i2,
            tau2=model.tau2,
            q=model.q,
            q_p=model.q_p,
            pi_low=_exp(model.pi_low, ratio),
            pi_high=_exp(model.pi_high, ratio),
        )
    return row
