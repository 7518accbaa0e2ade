"""From validated sheets to the extraction tables: derive, check, harmonise, select, assemble.

:func:`extract` is pure: it takes the sheet rows (see :mod:`evsynth.extraction.schema`), the
review's settings and, optionally, the screening decisions and the deduplicated records, and returns
an :class:`ExtractionResult`; :mod:`evsynth.extraction.write` turns that into files. Every effect
row comes out again, poolable or not, with the reason it is or is not in each analysis.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evsynth.contracts.match import fold_title
from evsynth.errors import InputError
from evsynth.extraction.derive import (
    Derived,
    PValue,
    ci_asymmetry,
    from_ci,
    from_hr_p,
    from_oe_v,
    from_p_events,
    p_from_estimate,
    parse_p,
    read_km_reconstruction,
    z_for_level,
    z_from_p,
)
from evsynth.extraction.rob_items import NOS_ITEMS, QUIPS_DOMAINS, TOOL_ITEMS
from evsynth.extraction.schema import SheetRow
from evsynth.extraction.settings import UNKNOWN, Analysis, ExtractionSettings, Factor
from evsynth.records import normalise_doi, normalise_pmid

__all__ = [
    "AnalysisMember",
    "EffectResult",
    "ExtractionResult",
    "ExtractionWarning",
    "extract",
    "study_record_runs",
]


@dataclass(frozen=True, slots=True)
class ExtractionWarning:
    """A problem worth a reviewer's look that does not stop the run (e.g. an asymmetric CI)."""

    sheet: str
    line: int
    study_id: str
    effect_id: str
    check: str
    message: str


@dataclass(slots=True)
class EffectResult:
    """One effects-sheet row with everything derived from it."""

    row: SheetRow
    factor: Factor
    p: PValue | None = None
    ci_level: float | None = None
    ci_level_assumed: bool = False
    exposure_level: str | None = None  # configured level the reported HR is for
    assumed: bool = False  # direction comes from extraction.assumed_directions
    better_level: str | None = None  # level reported as doing better; "none"; None = unknown
    derived: Derived | None = None
    km: dict[str, Any] | None = None  # the km-reconstruct hr.json the row points to
    not_derivable: str = ""
    inverted: bool | None = None
    poolable: bool = False
    not_poolable_reason: str = ""
    selected: bool = False
    selection_reason: str = ""
    analyses: list[str] = field(default_factory=list)
    # measure -> (yi, vi, zero-cell rule) in the reported direction, or the reason there is none
    effect_sizes: dict[str, tuple[float, float, str | None] | str] = field(default_factory=dict)

    @property
    def v(self) -> dict[str, Any]:
        return self.row.values

    @property
    def effect_id(self) -> str:
        return str(self.v["effect_id"])

    @property
    def study_id(self) -> str:
        return str(self.v["study_id"])

    @property
    def direction_known(self) -> bool:
        return self.exposure_level is not None

    @property
    def log_hr(self) -> float | None:
        """log HR in the factor's configured direction (exposure vs reference)."""
        if self.derived is None or self.inverted is None:
            return None
        return -self.derived.log_hr if self.inverted else self.derived.log_hr

    def harmonised_ci(self) -> tuple[float, float, float] | None:
        """HR and CI in the configured direction: the printed CI inverted when reported the other "
        "way."""
        if self.log_hr is None or self.derived is None:
            return None
        hr, low, high = self.v["hr"], self.v["ci_low"], self.v["ci_high"]
        if hr is not None and low is not None and high is not None:
            return (1 / hr, 1 / high, 1 / low) if self.inverted else (hr, low, high)
        z = z_for_level(95)
        y, se = self.log_hr, self.derived.se
        return math.exp(y), math.exp(y - z * se), math.exp(y + z * se)

    def direction_text(self) -> str:
        """Which level the evidence favours, in the configured direction, in words."""
        f = self.factor
        if not f.harmonised:
            return "not harmonised (see comparison)"
        hr = self.v["hr"]
        if hr is not None and self.direction_known and not self.assumed:
            if self.exposure_level != f.exposure:
                hr = 1 / hr
            if hr < 1:
                return f.favours_exposure
            if hr > 1:
                return f.favours_reference
            return "no difference (HR 1)"
        if self.log_hr is not None and not self.assumed:
            return f.favours_exposure if self.log_hr < 0 else f.favours_reference
        if self.better_level == f.exposure:
            return f.favours_exposure
        if self.better_level == f.reference:
            return f.favours_reference
        if self.better_level == "none":
            return "no difference reported"
        return UNKNOWN


@dataclass(frozen=True, slots=True)
class AnalysisMember:
    """A study's fate in one analysis: in (with its estimate) or out, with the reason."""

    analysis: str
    study_id: str
    effect_id: str
    included: bool
    reason: str


@dataclass(slots=True)
class ExtractionResult:
    """Everything extraction produces, before any file is written."""

    effects: list[EffectResult]
    studies: list[dict[str, Any]]
    labels: dict[str, str]
    settings: ExtractionSettings
    members: list[AnalysisMember]
    warnings: list[ExtractionWarning]
    risk_of_bias: list[dict[str, Any]] | None
    links_checked: bool
    included_without_extraction: list[str]

    def analysis_rows(self, analysis: Analysis) -> list[dict[str, Any]]:
        """The pooling input of one analysis: ``study yi se study_id year label subgroup``."""
        by_id = {e.effect_id: e for e in self.effects}
        studies = {s["study_id"]: s for s in self.studies}
        rows = []
        for m in self.members:
            if m.analysis != analysis.id or not m.included:
                continue
            e = by_id[m.effect_id]
            if analysis.measure == "HR":
                y = e.log_hr
                if e.assumed:
                    y = _assumed_log_hr(e)
                assert y is not None and e.derived is not None
                se, rule = e.derived.se, None
            else:
                y, se, rule = _measure_estimate(e, analysis.measure)
            study = studies[e.study_id]
            parts = [e.v["analysis_type"]]
            inverted = e.inverted
            if analysis.measure != "HR":
                inverted = e.exposure_level != e.factor.exposure
                if rule:
                    parts.append(rule)
            if e.v["subset"]:
                parts.append(f"subset: {e.v['subset']}")
            reported = f"{e.v['exposure_as_reported']} vs {e.v['reference_as_reported']}"
            if e.assumed:
                f = e.factor
                other = f.reference if e.exposure_level == f.exposure else f.exposure
                reported = f"direction assumed in config: {e.exposure_level} vs {other}"
                parts.append(reported + (", inverted" if inverted else ""))
            elif inverted:
                parts.append(f"inverted: reported {reported}")
            rows.append(
                {
                    "study": self.labels[e.study_id],
                    "yi": y,
                    "se": se,
                    "study_id": e.study_id,
                    "year": study.get("year"),
                    "label": f"{self.labels[e.study_id]} ({'; '.join(parts)})",
                    "subgroup": study.get(analysis.subgroup) if analysis.subgroup else None,
                    "search_run": study.get("search_run") or None,
                    # how the log HR was derived (e.g. km_reconstruction); other measures: escalc
                    "derivation": (
                        e.derived.method
                        if analysis.measure == "HR" and e.derived is not None
                        else None
                    ),
                }
            )
        return rows


BINARY = ("OR", "RR", "RD")
CONTINUOUS = ("MD", "SMD", "ROM")


def _effect_size(e: EffectResult, measure: str) -> tuple[float, float, str | None] | str:
    """yi, vi of a counts/means row for ``measure`` (group 1 = exposure_as_reported), as metafor's
    escalc() with its defaults (add 1/2 to tables with a zero cell), or why there is none.

    The formulas live in :mod:`evsynth.pooling.escalc` (checked against metafor); imported here
    only when an analysis asks for a measure other than HR, so `evsynth extract` stays light.
    """
    if measure in e.effect_sizes:
        return e.effect_sizes[measure]
    from evsynth.pooling import escalc  # lazy: scipy is not needed otherwise

    v = e.v
    result: tuple[float, float, str | None] | str
    if measure in BINARY:
        if v["events_exposure"] is None:
            result = f"no 2x2 counts (events_exposure, events_reference) for {measure}"
        else:
            a, n1, c, n2 = (
                v["events_exposure"],
                v["n_exposure"],
                v["events_reference"],
                v["n_reference"],
            )
            table = escalc.BinaryStudy(e.study_id, e.row.line, a, n1 - a, c, n2 - c)
            adjusted, rule = escalc.zero_cell_adjust([table])[0]
            assert adjusted is not None
            yi, vi = escalc.binary_effect(measure, adjusted)
            result = (yi, vi, rule and f"zero cell: {rule.split(':')[0]}")
    elif v["mean_exposure"] is None:
        result = f"no means and SDs (mean_exposure, sd_exposure, ...) for {measure}"
    else:
        study = escalc.ContinuousStudy(
            e.study_id,
            e.row.line,
            v["mean_exposure"],
            v["sd_exposure"],
            v["n_exposure"],
            v["mean_reference"],
            v["sd_reference"],
            v["n_reference"],
        )
        try:
            yi, vi = escalc.continuous_effect(measure, study)
            result = (yi, vi, None)
        except InputError as exc:
            result = str(exc).split(": ", 1)[-1]
    e.effect_sizes[measure] = result
    return result


def _measure_estimate(e: EffectResult, measure: str) -> tuple[float, float, str | None]:
    """The row's estimate and SE for ``measure`` in the factor's configured direction.

    Swapping the two groups negates yi (log OR, log RR, RD, MD, g, log ROM) and leaves vi as it is.
    """
    es = _effect_size(e, measure)
    assert not isinstance(es, str)
    yi, vi, rule = es
    sign = 1.0 if e.exposure_level == e.factor.exposure else -1.0
    return sign * yi, math.sqrt(vi), rule


def _assumed_log_hr(e: EffectResult) -> float | None:
    if e.derived is None:
        return None
    return e.derived.log_hr if e.exposure_level == e.factor.exposure else -e.derived.log_hr


def _fold_title(text: str) -> str:
    return fold_title(text)


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, row: SheetRow, message: str) -> None:
        study = row.values.get("study_id") or "?"
        ident = row.values.get("effect_id")
        what = f"study {study}" + (f", effect {ident}" if ident else "")
        self.items.append(f"{row.where()} ({what}): {message}")

    def raise_if_any(self, what: str) -> None:
        if self.items:
            raise InputError(
                f"{len(self.items)} problem(s) in the {what}:\n  " + "\n  ".join(self.items)
            )


def _resolve_direction(e: EffectResult, problems: _Problems, settings: ExtractionSettings) -> None:
    v, f = e.v, e.factor
    exp_text, ref_text, better = (
        v["exposure_as_reported"],
        v["reference_as_reported"],
        v["better_group"],
    )
    if not f.harmonised:
        return
    valid = ", ".join([*f.valid_levels(), UNKNOWN])
    if exp_text is None or ref_text is None:
        problems.add(
            e.row,
            "exposure_as_reported and reference_as_reported are required for factor "
            f"{f.key!r}: give the levels the HR compares ({valid})",
        )
        return
    levels = []
    for column, text in (("exposure_as_reported", exp_text), ("reference_as_reported", ref_text)):
        if text.casefold() == UNKNOWN:
            levels.append(None)
            continue
        level = f.level(text)
        if level is None:
            problems.add(
                e.row, f"column {column!r}: {text!r} is not a level of {f.key!r}; valid: {valid}"
            )
            return
        levels.append(level)
    exp_level, ref_level = levels
    if exp_level is not None and exp_level == ref_level:
        problems.add(e.row, f"exposure and reference are both {exp_level!r}")
        return
    if exp_level is None and ref_level is not None:
        exp_level = f.exposure if ref_level == f.reference else f.reference
    e.exposure_level = exp_level
    if better is not None:
        if better.casefold() in ("none", UNKNOWN):
            e.better_level = "none" if better.casefold() == "none" else None
        else:
            e.better_level = f.level(better)
            if e.better_level is None:
                problems.add(
                    e.row,
                    f"column 'better_group': {better!r} is not a level of {f.key!r}; valid: "
                    f"{valid}, none",
                )
    assumption = settings.assumed_directions.get(e.effect_id)
    if assumption is not None:
        if e.exposure_level is not None:
            problems.add(
                e.row,
                "config extraction.assumed_directions declares a direction for this row, but the "
                "sheet "
                "already gives one; remove one of them",
            )
            return
        assumed_exp, assumed_ref = (
            f.level(assumption.exposure_as_reported),
            f.level(assumption.reference_as_reported),
        )
        if assumed_exp is None or assumed_ref is None or assumed_exp == assumed_ref:
            problems.add(
                e.row, f"config extraction.assumed_directions: levels must be two of {valid}"
            )
            return
        e.exposure_level = assumed_exp
        e.assumed = True


def _check_numbers(e: EffectResult, problems: _Problems, settings: ExtractionSettings) -> None:
    v = e.v
    hr, low, high = v["hr"], v["ci_low"], v["ci_high"]
    for column in ("hr", "ci_low", "ci_high"):
        if v[column] is not None and v[column] <= 0:
            problems.add(
                e.row, f"column {column!r}: {v[column]} is not positive (a hazard ratio is > 0)"
            )
            return
    if (low is None) != (high is None):
        problems.add(e.row, "give both CI limits (ci_low and ci_high) or neither")
    elif low is not None and hr is None:
        problems.add(e.row, "a CI is given without the HR")
    elif low is not None:
        if not low < hr < high:
            problems.add(
                e.row,
                f"CI {low}-{high} does not contain the HR {hr} (need ci_low < hr < ci_high); "
                "check for a typo or swapped limits",
            )
        if v["ci_level"] is None:
            if settings.default_ci_level is None:
                problems.add(
                    e.row,
                    "column 'ci_level' is empty but a CI is given; fill it (e.g. 95) or set "
                    "extraction.default_ci_level in config",
                )
            else:
                e.ci_level, e.ci_level_assumed = float(settings.default_ci_level), True
        else:
            e.ci_level = float(v["ci_level"])
    if v["p"] is not None:
        try:
            e.p = parse_p(v["p"])
        except ValueError as exc:  # the schema's pattern should catch these first; never crash
            problems.add(e.row, f"column 'p': {exc}; write e.g. 0.03, <0.001 or 1e-5")
    if (v["observed_minus_expected"] is None) != (v["variance"] is None):
        problems.add(e.row, "give both observed_minus_expected and variance, or neither")
    if v.get("km_reconstruction"):
        if hr is not None:
            problems.add(e.row, "give either a printed hr or km_reconstruction, not both")
        else:
            try:
                e.km = read_km_reconstruction(Path(e.row.path).parent, v["km_reconstruction"])
            except ValueError as exc:
                problems.add(e.row, f"column 'km_reconstruction': {exc}")
    _check_counts_and_means(e, problems)


def _check_counts_and_means(e: EffectResult, problems: _Problems) -> None:
    """2x2 counts need events and sizes of both groups; means need mean, SD and size of both."""
    v = e.v
    counts = ("events_exposure", "n_exposure", "events_reference", "n_reference")
    if v["events_exposure"] is not None or v["events_reference"] is not None:
        missing = [c for c in counts if v[c] is None]
        if missing:
            problems.add(
                e.row, f"2x2 counts need {', '.join(counts)}; missing {', '.join(missing)}"
            )
            return
        for ev, n in (("events_exposure", "n_exposure"), ("events_reference", "n_reference")):
            if v[ev] > v[n]:
                problems.add(e.row, f"{ev} = {v[ev]} exceeds {n} = {v[n]}")
    means = (
        "mean_exposure",
        "sd_exposure",
        "n_exposure",
        "mean_reference",
        "sd_reference",
        "n_reference",
    )
    if any(v[c] is not None for c in means if not c.startswith("n_")):
        missing = [c for c in means if v[c] is None]
        if missing:
            problems.add(e.row, f"means need {', '.join(means)}; missing {', '.join(missing)}")


def _derive(e: EffectResult) -> None:
    v = e.v
    hr, low, high, p = v["hr"], v["ci_low"], v["ci_high"], e.p
    if hr is not None and low is not None and e.ci_level is not None:
        e.derived = from_ci(hr, low, high, e.ci_level)
        return
    if v["observed_minus_expected"] is not None:
        e.derived = from_oe_v(v["observed_minus_expected"], v["variance"])
        return
    if e.km is not None:
        e.derived = Derived(float(e.km["log_hr"]), float(e.km["se"]), "km_reconstruction")
        return
    if hr is not None and p is not None and p.exact:
        if hr == 1 or not 0 < p.value < 1:
            e.not_derivable = f"HR {hr} with p {p.text}: no standard error can be derived"
            return
        e.derived = from_hr_p(hr, p.value)
        return
    if hr is not None:
        e.not_derivable = (
            f"HR without a CI and with a p-value given only as a bound ({p.text}): not exact, so "
            f"no "
            "standard error"
            if p is not None
            else "HR without a CI or p-value: no standard error"
        )
        return
    if p is None:
        e.not_derivable = "no hazard ratio or p-value reported"
        return
    if not p.exact:
        e.not_derivable = (
            f"p-value only, given as a bound ({p.text}): not exact, so it cannot give an estimate "
            "(narrative synthesis)"
        )
        return
    needs = [c for c in ("events", "n_exposure", "n_reference") if v[c] is None]
    if needs:
        e.not_derivable = (
            f"p-value only ({p.text}) without {', '.join(needs)} (Tierney et al. 2007 needs them)"
        )
        return
    if not e.direction_known or e.better_level in (None, "none"):
        e.not_derivable = f"p-value only ({p.text}): which group did better is not known"
        return
    if not 0 < p.value < 1:
        e.not_derivable = f"p-value {p.text} carries no information about the size of the effect"
        return
    e.derived = from_p_events(
        p.value,
        v["events"],
        v["n_exposure"],
        v["n_reference"],
        exposure_better=e.better_level == e.exposure_level,
    )


def _checks(
    e: EffectResult, settings: ExtractionSettings, warnings: list[ExtractionWarning]
) -> None:
    v = e.v

    def warn(check: str, message: str) -> None:
        warnings.append(
            ExtractionWarning("effects", e.row.line, e.study_id, e.effect_id, check, message)
        )

    hr, low, high = v["hr"], v["ci_low"], v["ci_high"]
    if e.derived is not None and e.derived.method == "hr_ci":
        se_low, se_high, rel, explained = ci_asymmetry(
            hr,
            low,
            high,
            e.ci_level or 95.0,
            printed=(e.row.raw["hr"], e.row.raw["ci_low"], e.row.raw["ci_high"]),
        )
        if rel > settings.ci_asymmetry_tolerance and not explained:
            warn(
                "ci_asymmetry",
                f"CI {low}-{high} is asymmetric about HR {hr} on the log scale beyond rounding "
                f"({rel:.0%} > {settings.ci_asymmetry_tolerance:.0%}): the lower limit implies SE "
                f"{se_low:.4f}, the upper SE {se_high:.4f}; likely a typo (the SE from the whole "
                f"CI "
                f"is used)",
            )
        if e.p is not None:
            p_ci = p_from_estimate(e.derived.log_hr, e.derived.se)
            alpha = 1 - (e.ci_level or 95.0) / 100
            ci_excludes_1 = low > 1 or high < 1
            problem = ""
            if e.p.exact:
                if (e.p.value < alpha) != ci_excludes_1 and low != 1 and high != 1:
                    problem = (
                        f"the CI {'excludes' if ci_excludes_1 else 'includes'} 1 but p = "
                        f"{e.p.text} "
                        f"is {'not ' if ci_excludes_1 else ''}below {alpha:g}"
                    )
                elif 0 < e.p.value < 1 and 0 < p_ci < 1:
                    z_rep, z_ci = z_from_p(e.p.value), z_from_p(p_ci)
                    if abs(z_rep - z_ci) / z_ci > settings.p_tolerance:
                        problem = f"p = {e.p.text} but the CI implies p = {p_ci:.3g}"
            elif e.p.relation in ("<", "<=") and p_ci > e.p.value * (1 + settings.p_tolerance):
                problem = f"p {e.p.text} but the CI implies p = {p_ci:.3g}"
            elif e.p.relation in (">", ">=") and p_ci < e.p.value / (1 + settings.p_tolerance):
                problem = f"p {e.p.text} but the CI implies p = {p_ci:.3g}"
            if problem:
                warn("p_vs_ci", f"p-value inconsistent with the CI: {problem}")
    if (
        hr is not None
        and hr != 1
        and e.direction_known
        and not e.assumed
        and e.better_level not in (None, "none")
    ):
        exposure_better = e.better_level == e.exposure_level
        if exposure_better != (hr < 1):
            warn(
                "direction",
                f"HR {hr} for {v['exposure_as_reported']} vs {v['reference_as_reported']} says the "
                f"{'exposure' if hr < 1 else 'reference'} did better, but better_group is "
                f"{v['better_group']!r}; check which group the HR is for",
            )


def _selection_key(
    e: EffectResult, settings: ExtractionSettings, outcomes: Sequence[str], prefer: Sequence[str]
) -> tuple[Any, ...]:
    order = settings.selection_order
    analysis_type = e.v["analysis_type"]
    rank = order.index(analysis_type) if analysis_type in order else len(order)
    return (
        e.effect_id not in prefer,
        outcomes.index(e.v["outcome"]) if e.v["outcome"] in outcomes else len(outcomes),
        e.v["select"] != "prefer",
        bool(e.v["subset"]) if settings.prefer_whole_cohort else False,
        rank,
    )


def _describe_key(e: EffectResult, prefer: Sequence[str]) -> str:
    if e.effect_id in prefer:
        return "preferred by the analysis (prefer_effects)"
    if e.v["select"] == "prefer":
        return "select: prefer in the sheet"
    cohort = "subset" if e.v["subset"] else "whole cohort"
    return f"{e.v['analysis_type']}, {cohort} (selection rule)"


def _pick(
    candidates: list[EffectResult],
    settings: ExtractionSettings,
    outcomes: Sequence[str],
    prefer: Sequence[str],
    problems: list[str],
    what: str,
) -> EffectResult:
    ranked = sorted(
        candidates, key=lambda c: (_selection_key(c, settings, outcomes, prefer), c.effect_id)
    )
    best = ranked[0]
    if len(ranked) > 1 and _selection_key(ranked[1], settings, outcomes, prefer) == _selection_key(
        best, settings, outcomes, prefer
    ):
        tied = [
            c.effect_id
            for c in ranked
            if _selection_key(c, settings, outcomes, prefer)
            == _selection_key(best, settings, outcomes, prefer)
        ]
        problems.append(
            f"{what}: the selection rule cannot choose between effects {', '.join(tied)} (same "
            f"outcome, "
            "analysis type and cohort); mark one `select: prefer` in the effects sheet"
        )
    return best


def _study_label(values: Mapping[str, Any]) -> str:
    if values.get("label"):
        return str(values["label"])
    author = re.sub(r"\s*\(.*?\)", "", str(values.get("first_author") or "")).strip()
    words = author.replace(",", " ").split()
    # "Gok Durnali A" -> "Gok Durnali": trailing initials are not part of the family name.
    while len(words) > 1 and words[-1].isupper() and len(words[-1]) <= 3:
        words.pop()
    family = " ".join(words)
    year = values.get("year")
    if family and year:
        return f"{family} {year}"
    return str(values["study_id"])


def _unique_labels(studies: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    base = {s["study_id"]: _study_label(s) for s in studies}
    groups: dict[str, list[str]] = defaultdict(list)
    for sid in sorted(base):
        groups[base[sid]].append(sid)
    labels = {}
    for label, sids in groups.items():
        if len(sids) == 1:
            labels[sids[0]] = label
        else:
            for i, sid in enumerate(sids):
                labels[sid] = f"{label}{chr(ord('a') + i)}"
    return labels


def study_record_runs(
    records: Sequence[Mapping[str, str]],
    record_runs: Mapping[str, str],
    *,
    run_order: Sequence[str] = (),
) -> dict[str, str]:
    """study_record_id -> the earliest search run that found any of its member records.

    ``records`` are rows of results/dedup/unique.tsv (``study_record_id``, ``member_ids``);
    ``record_runs`` maps record_id -> run. Dedup keeps the study record id of a record already
    known, so a study record first found in an earlier run keeps that run after an update. Runs
    are ranked by ``run_order`` (config order, oldest first), unknown runs last, then by name.
    """
    rank = {run: i for i, run in enumerate(run_order)}
    out: dict[str, str] = {}
    for r in records:
        sid = r.get("study_record_id", "")
        members = [m.strip() for m in (r.get("member_ids") or "").split(";") if m.strip()]
        runs = [record_runs[m] for m in members or [sid] if m in record_runs]
        if runs:
            out[sid] = min(runs, key=lambda run: (rank.get(run, len(rank)), run))
    return out


def _link_studies(
    studies: Sequence[SheetRow],
    records: Sequence[Mapping[str, str]] | None,
    screening: Sequence[Mapping[str, str]] | None,
) -> tuple[dict[str, tuple[list[str], str]], list[str]]:
    """Each study's record ids and how they were found; errors for unknown or excluded records."""
    problems = _Problems()
    by_pmid: dict[str, set[str]] = defaultdict(set)
    by_doi: dict[str, set[str]] = defaultdict(set)
    by_title: dict[str, set[str]] = defaultdict(set)
    for r in records or []:
        sid = r.get("study_record_id", "")
        if r.get("pmid"):
            by_pmid[normalise_pmid(r["pmid"])].add(sid)
        if r.get("doi"):
            by_doi[normalise_doi(r["doi"])].add(sid)
        if r.get("title"):
            by_title[_fold_title(r["title"])].add(sid)
    decisions = {r["study_record_id"]: r for r in screening or []}
    links: dict[str, tuple[list[str], str]] = {}
    for row in studies:
        v = row.values
        ids = [i for i in (v.get("study_record_ids") or "").split("; ") if i]
        how = "study_record_ids" if ids else ""
        if not ids and records is not None:
            for how_, index, key in (
                ("pmid", by_pmid, normalise_pmid(v.get("pmid") or "")),
                ("doi", by_doi, normalise_doi(v.get("doi") or "")),
                ("title", by_title, _fold_title(v.get("title") or "")),
            ):
                if key and index.get(key):
                    found = sorted(index[key])
                    if len(found) > 1:
                        problems.add(
                            row,
                            f"{how_} matches several study records ({', '.join(found)}); give "
                            f"study_record_ids",
                        )
                    ids, how = found, how_
                    break
        if screening is not None:
            if not ids:
                problems.add(
                    row,
                    "links to no study record: fill study_record_ids, or pmid/doi/title matching "
                    "results/dedup/unique.tsv",
                )
            for rid in ids:
                decision = decisions.get(rid)
                if decision is None:
                    problems.add(row, f"study record {rid!r} is unknown to the full-text screening")
                elif decision.get("decision") != "include":
                    reason = decision.get("reason") or ""
                    said = repr(decision.get("decision") or "undecided")
                    problems.add(
                        row,
                        f"study record {rid!r} was not included at full text (decision "
                        f"{said}{', ' + reason if reason else ''})",
                    )
        links[str(v["study_id"])] = (ids, how)
    problems.raise_if_any("studies sheet (links to screening)")
    linked = {rid for ids, _ in links.values() for rid in ids}
    orphans = sorted(
        rid for rid, d in decisions.items() if d.get("decision") == "include" and rid not in linked
    )
    return links, orphans


def _risk_of_bias(rows: Sequence[SheetRow], study_ids: set[str]) -> list[dict[str, Any]]:
    problems = _Problems()
    seen: set[tuple[str, str, str]] = set()
    out: list[dict[str, Any]] = []
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        v = row.values
        sid, tool, item = v["study_id"], v["tool"], v["item"]
        if sid not in study_ids:
            problems.add(row, f"study {sid!r} is not in the studies sheet")
        if item not in TOOL_ITEMS[tool]:
            problems.add(
                row, f"item {item!r} is not a {tool} item; valid: {', '.join(TOOL_ITEMS[tool])}"
            )
            continue
        if (sid, tool, item) in seen:
            problems.add(row, f"{tool} item {item!r} given twice for this study")
        seen.add((sid, tool, item))
        if tool == "NOS":
            domain, most = NOS_ITEMS[item]
            if v["stars"] is None or v["judgement"] is not None:
                problems.add(row, "NOS rows need `stars` (and no `judgement`)")
                continue
            if v["stars"] > most:
                problems.add(row, f"{item} gets at most {most} star(s), not {v['stars']}")
            totals[(sid, tool)] += v["stars"]
        else:
            domain = item
            if v["judgement"] is None or v["stars"] is not None:
                problems.add(row, "QUIPS rows need `judgement` low/moderate/high (and no `stars`)")
                continue
        out.append(
            {
                "study_id": sid,
                "tool": tool,
                "domain": domain,
                "item": item,
                "stars": v["stars"],
                "judgement": v["judgement"],
                "support": v["support"],
                "assessor": v["assessor"],
            }
        )
    for sid, tool in sorted({(r["study_id"], r["tool"]) for r in out}):
        expected = set(TOOL_ITEMS[tool])
        have = {r["item"] for r in out if r["study_id"] == sid and r["tool"] == tool}
        if have != expected:
            problems.items.append(
                f"risk of bias: study {sid} {tool} lacks item(s) "
                f"{', '.join(sorted(expected - have))}"
            )
    tools = sorted({r["tool"] for r in out})
    if len(tools) > 1:
        # One table, one plot: a review assesses all its studies with one tool.
        problems.items.append(
            f"risk of bias: the sheet mixes tools ({', '.join(tools)}); use one tool per review"
        )
    problems.raise_if_any("risk-of-bias sheet")
    assert set(QUIPS_DOMAINS) == set(TOOL_ITEMS["QUIPS"])
    return out


def extract(
    studies: Sequence[SheetRow],
    effects: Sequence[SheetRow],
    settings: ExtractionSettings,
    *,
    screening: Sequence[Mapping[str, str]] | None = None,
    records: Sequence[Mapping[str, str]] | None = None,
    risk_of_bias: Sequence[SheetRow] | None = None,
    record_runs: Mapping[str, str] | None = None,
    run_order: Sequence[str] = (),
) -> ExtractionResult:
    """Validate, derive, harmonise and select; see the module docstring.

    ``record_runs`` (record_id -> search run, from the runs' records tables) and ``run_order``
    (oldest first) give each study its ``search_run``: the earliest run that found any record of
    it, which a living review needs for its cumulative meta-analysis by search run.

    Raises
    ------
    InputError
        Listing every problem found in the sheets (sheet, line, study, what would be valid).
    """
    problems = _Problems()
    study_values: dict[str, dict[str, Any]] = {}
    for row in studies:
        sid = row.values["study_id"]
        if sid in study_values:
            problems.add(row, f"study_id {sid!r} appears twice in the studies sheet")
        study_values[sid] = dict(row.values)
    columns = set().union(*(row.raw for row in studies)) if studies else set()
    for a in settings.analyses:
        if a.subgroup and a.subgroup not in columns:
            problems.items.append(
                f"config analyses[{a.id}]: subgroup column {a.subgroup!r} is not in the studies "
                f"sheet (columns: {', '.join(sorted(columns))})"
            )
    problems.raise_if_any("studies sheet")

    results: list[EffectResult] = []
    seen: set[str] = set()
    for row in effects:
        v = row.values
        ok = True
        if v["effect_id"] in seen:
            problems.add(row, f"effect_id {v['effect_id']!r} appears twice")
        seen.add(v["effect_id"])
        if v["study_id"] not in study_values:
            problems.add(row, f"study_id {v['study_id']!r} is not in the studies sheet")
        if v["factor"] not in settings.factors:
            problems.add(
                row,
                f"factor {v['factor']!r} is not declared in config extraction.factors "
                f"(declared: {', '.join(settings.factors)})",
            )
            ok = False
        if v["outcome"] not in settings.outcomes:
            problems.add(
                row,
                f"outcome {v['outcome']!r} is not declared in config extraction.outcomes "
                f"(declared: {', '.join(settings.outcomes)})",
            )
        if not ok:
            continue
        e = EffectResult(row=row, factor=settings.factors[v["factor"]])
        _check_numbers(e, problems, settings)
        _resolve_direction(e, problems, settings)
        results.append(e)
    for eid in settings.assumed_directions:
        if eid not in seen:
            problems.items.append(
                f"config extraction.assumed_directions: effect {eid!r} is not in the effects sheet"
            )
    problems.raise_if_any("effects sheet")

    warnings: list[ExtractionWarning] = []
    for e in results:
        _derive(e)
        _checks(e, settings, warnings)
        if not e.factor.harmonised:
            e.not_poolable_reason = (
                f"factor {e.factor.key!r} has no configured exposure/reference (narrative only)"
            )
        elif e.derived is None:
            e.not_poolable_reason = e.not_derivable
        elif not e.direction_known or e.assumed:
            e.not_poolable_reason = (
                "direction unknown (the paper does not say which group the HR is for)"
                + (
                    "; an assumption declared in config is used only by sensitivity analyses"
                    if e.assumed
                    else ""
                )
            )
        else:
            e.poolable = True
            e.inverted = e.exposure_level != e.factor.exposure
        if e.assumed:
            e.inverted = e.exposure_level != e.factor.exposure

    # Selection: one poolable estimate per study x factor x outcome.
    tie_problems: list[str] = []
    groups: dict[tuple[str, str, str], list[EffectResult]] = defaultdict(list)
    for e in results:
        if e.poolable and e.v["select"] != "never":
            groups[(e.study_id, e.factor.key, e.v["outcome"])].append(e)
        elif e.poolable:
            e.selection_reason = "select: never in the sheet"
        else:
            e.selection_reason = "not poolable"
    for (sid, factor, outcome), group in sorted(groups.items()):
        best = _pick(
            group, settings, [outcome], (), tie_problems, f"study {sid}, {factor} x {outcome}"
        )
        for e in group:
            e.selected = e is best
            e.selection_reason = (
                _describe_key(e, ())
                if e is best
                else f"not selected: {best.effect_id} ranks higher ({_describe_key(best, ())})"
            )

    # Analyses.
    members: list[AnalysisMember] = []
    for a in settings.analyses:
        if a.synthesis != "meta_analysis":
            for e in results:
                if e.factor.key == a.factor and (not a.outcomes or e.v["outcome"] in a.outcomes):
                    e.analyses.append(a.id)
            continue
        by_study: dict[str, list[EffectResult]] = defaultdict(list)
        without: dict[str, EffectResult] = {}  # non-HR analyses: a study's row lacking the measure
        for e in results:
            if e.factor.key != a.factor or e.v["outcome"] not in a.outcomes:
                continue
            if a.measure == "HR":
                usable = e.poolable or (
                    a.use_assumed_directions and e.assumed and e.derived is not None
                )
            else:
                direction = e.direction_known and (not e.assumed or a.use_assumed_directions)
                usable = direction and not isinstance(_effect_size(e, a.measure), str)
                if not usable and e.v["select"] != "never":
                    without.setdefault(e.study_id, e)
            if usable and e.v["select"] != "never":
                by_study[e.study_id].append(e)
        for sid, e in sorted(without.items()):
            if sid in by_study:
                continue
            es = _effect_size(e, a.measure)
            if isinstance(es, str):
                reason = f"no {a.measure}: {es}"
            elif not e.direction_known:
                reason = "direction unknown (the paper does not say which group is which)"
            else:
                reason = "direction assumed in config (used only with use_assumed_directions)"
            members.append(AnalysisMember(a.id, sid, e.effect_id, False, reason))
        chosen: dict[str, EffectResult] = {}
        for sid, group in sorted(by_study.items()):
            chosen[sid] = _pick(
                group,
                settings,
                a.outcomes,
                a.prefer_effects,
                tie_problems,
                f"analysis {a.id}, study {sid}",
            )
        for sid in sorted(chosen):
            e = chosen[sid]
            reason = ""
            if sid in a.exclude_studies:
                reason = "excluded by the analysis (exclude_studies)"
            else:
                for overlap in settings.overlaps:
                    if sid in overlap.studies:
                        first = next(
                            s for s in overlap.studies if s in chosen and s not in a.exclude_studies
                        )
                        if first != sid:
                            reason = f"overlapping cohort: {first} enters instead" + (
                                f" ({overlap.reason})" if overlap.reason else ""
                            )
            members.append(
                AnalysisMember(
                    a.id, sid, e.effect_id, not reason, reason or _describe_key(e, a.prefer_effects)
                )
            )
            if not reason:
                e.analyses.append(a.id)
    if tie_problems:
        raise InputError(
            f"{len(tie_problems)} selection problem(s):\n  " + "\n  ".join(tie_problems)
        )

    links, orphans = _link_studies(studies, records, screening)
    labels = _unique_labels(list(study_values.values()))
    rob = None
    if risk_of_bias is not None:
        rob = _risk_of_bias(risk_of_bias, set(study_values))
    rob_text: dict[str, str] = {}
    for sid in sorted({r["study_id"] for r in rob or []}):
        mine = [r for r in rob or [] if r["study_id"] == sid]
        if mine[0]["tool"] == "NOS":
            rob_text[sid] = f"NOS {sum(r['stars'] for r in mine)}/9"
        else:
            high = sum(r["judgement"] == "high" for r in mine)
            rob_text[sid] = f"QUIPS: {high} of 6 domains at high risk"
    n_effects: dict[str, int] = defaultdict(int)
    n_poolable: dict[str, int] = defaultdict(int)
    for e in results:
        n_effects[e.study_id] += 1
        n_poolable[e.study_id] += e.poolable
    runs_of = (
        study_record_runs(records or [], record_runs, run_order=run_order)
        if record_runs is not None
        else {}
    )
    rank = {run: i for i, run in enumerate(run_order)}
    study_rows = []
    for sid, values in study_values.items():
        ids, how = links[sid]
        row = dict(values)
        # A study record id is one of its member record ids, so it can stand in for unique.tsv.
        found = [r for r in (runs_of.get(i) or (record_runs or {}).get(i) for i in ids) if r]
        row.update(
            {
                "label": labels[sid],
                "study_record_ids": "; ".join(ids),
                "search_run": min(found, key=lambda r: (rank.get(r, len(rank)), r))
                if found
                else None,
                "linked_by": how,
                "effects": n_effects[sid],
                "poolable_effects": n_poolable[sid],
                "risk_of_bias": rob_text.get(sid, "not assessed"),
            }
        )
        study_rows.append(row)
    return ExtractionResult(
        effects=results,
        studies=study_rows,
        labels=labels,
        settings=settings,
        members=members,
        warnings=warnings,
        risk_of_bias=rob,
        links_checked=screening is not None,
        included_without_extraction=orphans,
    )
