"""The in-memory result of extraction: one record per effects-sheet row, and the analyses' members.

:func:`evsynth.extraction.build.extract` fills these; :mod:`evsynth.extraction.write` turns them
into the contract files (:mod:`evsynth.contracts.study_tables`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from evsynth.extraction.derive import Derived, PValue, z_for_level
from evsynth.extraction.measures import assumed_log_hr, measure_estimate
from evsynth.extraction.schema import SheetRow
from evsynth.extraction.settings import UNKNOWN, Analysis, ExtractionSettings, Factor

__all__ = ["AnalysisMember", "EffectResult", "ExtractionResult", "ExtractionWarning"]


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
                    y = assumed_log_hr(e)
                assert y is not None and e.derived is not None
                se, rule = e.derived.se, None
            else:
                y, se, rule = measure_estimate(e, analysis.measure)
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
