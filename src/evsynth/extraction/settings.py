"""The review's extraction choices, read from the `extraction` and `analyses` sections of config.

Everything a reviewer decides about extraction is declared here, not buried in the sheets: the
factors with their exposure and reference level, the outcomes, the selection rule, overlapping
cohorts, direction assumptions used only by sensitivity analyses, and the analyses themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from evsynth.errors import InputError

__all__ = [
    "Analysis",
    "AssumedDirection",
    "ExtractionSettings",
    "Factor",
    "Overlap",
    "parse_settings",
]

DEFAULT_ORDER = ("multivariable", "propensity", "univariable", "unknown")
UNKNOWN = "unknown"


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("_", " ").split())


@dataclass(frozen=True, slots=True)
class Factor:
    """A prognostic factor: exposure vs reference level (HR < 1 favours the exposure)."""

    key: str
    label: str
    exposure: str | None
    reference: str | None
    favours_exposure: str
    favours_reference: str
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def harmonised(self) -> bool:
        """False for catch-all factors (no exposure/reference): their rows are narrative only."""
        return self.exposure is not None and self.reference is not None

    def level(self, text: str) -> str | None:
        """The configured level (exposure or reference) a sheet value names, else None."""
        folded = _fold(text)
        for level in (self.exposure, self.reference):
            if level is None:
                continue
            names = (level, *self.synonyms.get(level, ()))
            if folded in {_fold(n) for n in names}:
                return level
        return None

    def valid_levels(self) -> list[str]:
        out: list[str] = []
        for level in (self.exposure, self.reference):
            if level is not None:
                out += [level, *self.synonyms.get(level, ())]
        return out


@dataclass(frozen=True, slots=True)
class Overlap:
    """Studies that share patients: only the first listed with an estimate enters an analysis."""

    studies: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class AssumedDirection:
    """A declared assumption about an effect row whose direction the paper does not state."""

    effect_id: str
    exposure_as_reported: str
    reference_as_reported: str
    reason: str


@dataclass(frozen=True, slots=True)
class Analysis:
    """One configured synthesis (factor x outcome), as in the `analyses` section of config."""

    id: str
    label: str
    factor: str
    outcome: str | None
    synthesis: str
    also_outcomes: tuple[str, ...] = ()
    exclude_studies: tuple[str, ...] = ()
    sensitivity_of: str | None = None
    subgroup: str | None = None
    use_assumed_directions: bool = False
    prefer_effects: tuple[str, ...] = ()
    published: Mapping[str, Any] | None = None
    measure: str = "HR"  # HR from the hazard ratio columns; OR/RR/RD/MD/SMD/ROM via escalc

    @property
    def outcomes(self) -> tuple[str, ...]:
        return ((self.outcome,) if self.outcome else ()) + self.also_outcomes


@dataclass(frozen=True, slots=True)
class ExtractionSettings:
    """All extraction choices of a review."""

    factors: Mapping[str, Factor]
    outcomes: Mapping[str, str]
    analyses: tuple[Analysis, ...] = ()
    selection_order: tuple[str, ...] = DEFAULT_ORDER
    prefer_whole_cohort: bool = True
    default_ci_level: float | None = None
    ci_asymmetry_tolerance: float = 0.10
    p_tolerance: float = 0.20
    overlaps: tuple[Overlap, ...] = ()
    assumed_directions: Mapping[str, AssumedDirection] = field(default_factory=dict)


MEASURES = ("HR", "OR", "RR", "RD", "MD", "SMD", "ROM")


def _measure(entry: Mapping[str, Any], where: str) -> str:
    measure = str(entry.get("measure") or "HR").upper()
    if measure not in MEASURES:
        raise InputError(
            f"{where}: measure {entry.get('measure')!r} is not one of {', '.join(MEASURES)}",
            field="measure",
        )
    return measure


def _need(entry: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in entry or entry[key] in (None, ""):
        raise InputError(f"{where}: missing {key!r}", field=key)
    return entry[key]


def parse_settings(config: Mapping[str, Any], *, path: str = "config") -> ExtractionSettings:
    """Read the `extraction` and `analyses` sections of a loaded config; checks cross-references."""
    section = config.get("extraction") or {}
    factors: dict[str, Factor] = {}
    for key, spec in (section.get("factors") or {}).items():
        where = f"{path}: extraction.factors.{key}"
        exposure, reference = spec.get("exposure"), spec.get("reference")
        if (exposure is None) != (reference is None):
            raise InputError(f"{where}: give both exposure and reference, or neither")
        synonyms = {lvl: tuple(v or ()) for lvl, v in (spec.get("synonyms") or {}).items()}
        for lvl in synonyms:
            if lvl not in (exposure, reference):
                raise InputError(
                    f"{where}.synonyms: {lvl!r} is not a level; the levels are {exposure}, "
                    f"{reference}"
                )
        factors[key] = Factor(
            key=key,
            label=str(_need(spec, "label", where)),
            exposure=exposure,
            reference=reference,
            favours_exposure=spec.get("favours_exposure") or f"Favours {exposure}",
            favours_reference=spec.get("favours_reference") or f"Favours {reference}",
            synonyms=synonyms,
        )
    outcomes = {
        k: str(_need(v, "label", f"{path}: extraction.outcomes.{k}"))
        for k, v in (section.get("outcomes") or {}).items()
    }
    selection = section.get("selection") or {}
    order = tuple(selection.get("order") or DEFAULT_ORDER)
    overlaps = tuple(
        Overlap(tuple(o["studies"]), str(o.get("reason") or ""))
        for o in section.get("overlapping_cohorts") or []
    )
    assumed = {}
    for entry in section.get("assumed_directions") or []:
        a = AssumedDirection(
            str(entry["effect_id"]),
            str(entry["exposure_as_reported"]),
            str(entry["reference_as_reported"]),
            str(entry.get("reason") or ""),
        )
        assumed[a.effect_id] = a
    analyses = []
    seen: set[str] = set()
    for entry in config.get("analyses") or []:
        where = f"{path}: analyses[{entry.get('id', '?')}]"
        aid = str(_need(entry, "id", where))
        if aid in seen:
            raise InputError(f"{where}: duplicate analysis id {aid!r}")
        seen.add(aid)
        factor = str(_need(entry, "factor", where))
        if factor not in factors:
            raise InputError(
                f"{where}: factor {factor!r} is not in extraction.factors ({', '.join(factors)})"
            )
        synthesis = entry.get("synthesis") or "meta_analysis"
        outcome = entry.get("outcome")
        if synthesis == "meta_analysis" and not outcome:
            raise InputError(f"{where}: a meta_analysis needs an outcome")
        also = tuple(entry.get("also_outcomes") or ())
        for o in ((outcome,) if outcome else ()) + also:
            if o not in outcomes:
                raise InputError(
                    f"{where}: outcome {o!r} is not in extraction.outcomes ({', '.join(outcomes)})"
                )
        if synthesis == "meta_analysis" and not factors[factor].harmonised:
            raise InputError(
                f"{where}: factor {factor!r} has no exposure/reference, so it cannot be pooled"
            )
        analyses.append(
            Analysis(
                id=aid,
                label=str(entry.get("label") or aid),
                factor=factor,
                outcome=outcome,
                synthesis=synthesis,
                also_outcomes=also,
                exclude_studies=tuple(entry.get("exclude_studies") or ()),
                sensitivity_of=entry.get("sensitivity_of"),
                subgroup=entry.get("subgroup"),
                use_assumed_directions=bool(entry.get("use_assumed_directions", False)),
                prefer_effects=tuple(entry.get("prefer_effects") or ()),
                published=entry.get("published"),
                measure=_measure(entry, where),
            )
        )
    for a in analyses:
        if a.sensitivity_of is not None and a.sensitivity_of not in seen:
            raise InputError(
                f"{path}: analyses[{a.id}]: sensitivity_of {a.sensitivity_of!r} is not an "
                f"analysis id"
            )
    return ExtractionSettings(
        factors=factors,
        outcomes=outcomes,
        analyses=tuple(analyses),
        selection_order=order,
        prefer_whole_cohort=bool(selection.get("prefer_whole_cohort", True)),
        default_ci_level=section.get("default_ci_level"),
        ci_asymmetry_tolerance=float(section.get("ci_asymmetry_tolerance", 0.10)),
        p_tolerance=float(section.get("p_tolerance", 0.20)),
        overlaps=overlaps,
        assumed_directions=assumed,
    )
