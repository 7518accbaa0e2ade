"""Checks of the sheets' rows that no schema can express: unique ids, declared factors and
outcomes, the direction of each estimate, and numbers that agree with each other.

Problems are collected, not raised one at a time, so a reviewer sees every fault of a sheet at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evsynth.errors import InputError
from evsynth.extraction.derive import parse_p, read_km_reconstruction
from evsynth.extraction.result import EffectResult
from evsynth.extraction.schema import SheetRow
from evsynth.extraction.settings import UNKNOWN, ExtractionSettings

__all__ = [
    "Problems",
    "check_numbers",
    "effect_results",
    "resolve_direction",
    "study_values",
]


class Problems:
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


def study_values(
    studies: Sequence[SheetRow], settings: ExtractionSettings
) -> dict[str, dict[str, Any]]:
    """study_id -> the study's sheet values; errors for repeated ids and unknown subgroups."""
    problems = Problems()
    values: dict[str, dict[str, Any]] = {}
    for row in studies:
        sid = row.values["study_id"]
        if sid in values:
            problems.add(row, f"study_id {sid!r} appears twice in the studies sheet")
        values[sid] = dict(row.values)
    columns = set().union(*(row.raw for row in studies)) if studies else set()
    for a in settings.analyses:
        if a.subgroup and a.subgroup not in columns:
            problems.items.append(
                f"config analyses[{a.id}]: subgroup column {a.subgroup!r} is not in the studies "
                f"sheet (columns: {', '.join(sorted(columns))})"
            )
    problems.raise_if_any("studies sheet")
    return values


def effect_results(
    effects: Sequence[SheetRow],
    settings: ExtractionSettings,
    study_ids: Mapping[str, Any],
) -> list[EffectResult]:
    """One :class:`EffectResult` per effects-sheet row, its numbers and direction checked."""
    problems = Problems()
    results: list[EffectResult] = []
    seen: set[str] = set()
    for row in effects:
        v = row.values
        ok = True
        if v["effect_id"] in seen:
            problems.add(row, f"effect_id {v['effect_id']!r} appears twice")
        seen.add(v["effect_id"])
        if v["study_id"] not in study_ids:
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
        check_numbers(e, problems, settings)
        resolve_direction(e, problems, settings)
        results.append(e)
    for eid in settings.assumed_directions:
        if eid not in seen:
            problems.items.append(
                f"config extraction.assumed_directions: effect {eid!r} is not in the effects sheet"
            )
    problems.raise_if_any("effects sheet")
    return results


def resolve_direction(e: EffectResult, problems: Problems, settings: ExtractionSettings) -> None:
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


def check_numbers(e: EffectResult, problems: Problems, settings: ExtractionSettings) -> None:
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


def _check_counts_and_means(e: EffectResult, problems: Problems) -> None:
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
