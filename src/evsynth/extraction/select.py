"""Which estimate of a study enters: one per study x factor x outcome, and each analysis's members
(with the reason a study is in or out: overlap, exclusion, measure not available).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from evsynth.errors import InputError
from evsynth.extraction.measures import effect_size
from evsynth.extraction.result import AnalysisMember, EffectResult
from evsynth.extraction.settings import ExtractionSettings

__all__ = ["analysis_members", "describe_key", "pick", "select_estimates"]


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


def describe_key(e: EffectResult, prefer: Sequence[str]) -> str:
    if e.effect_id in prefer:
        return "preferred by the analysis (prefer_effects)"
    if e.v["select"] == "prefer":
        return "select: prefer in the sheet"
    cohort = "subset" if e.v["subset"] else "whole cohort"
    return f"{e.v['analysis_type']}, {cohort} (selection rule)"


def pick(
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


def select_estimates(
    results: Sequence[EffectResult], settings: ExtractionSettings, tie_problems: list[str]
) -> None:
    """Mark one poolable estimate per study x factor x outcome as selected, each with its reason."""
    groups: dict[tuple[str, str, str], list[EffectResult]] = defaultdict(list)
    for e in results:
        if e.poolable and e.v["select"] != "never":
            groups[(e.study_id, e.factor.key, e.v["outcome"])].append(e)
        elif e.poolable:
            e.selection_reason = "select: never in the sheet"
        else:
            e.selection_reason = "not poolable"
    for (sid, factor, outcome), group in sorted(groups.items()):
        best = pick(
            group, settings, [outcome], (), tie_problems, f"study {sid}, {factor} x {outcome}"
        )
        for e in group:
            e.selected = e is best
            e.selection_reason = (
                describe_key(e, ())
                if e is best
                else f"not selected: {best.effect_id} ranks higher ({describe_key(best, ())})"
            )


def analysis_members(
    results: Sequence[EffectResult], settings: ExtractionSettings, tie_problems: list[str]
) -> list[AnalysisMember]:
    """Every study's fate in every configured analysis; adds the analysis ids to the rows that
    enter. Raises :class:`InputError` listing ``tie_problems`` (selection's and the analyses')."""
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
                usable = direction and not isinstance(effect_size(e, a.measure), str)
                if not usable and e.v["select"] != "never":
                    without.setdefault(e.study_id, e)
            if usable and e.v["select"] != "never":
                by_study[e.study_id].append(e)
        for sid, e in sorted(without.items()):
            if sid in by_study:
                continue
            es = effect_size(e, a.measure)
            if isinstance(es, str):
                reason = f"no {a.measure}: {es}"
            elif not e.direction_known:
                reason = "direction unknown (the paper does not say which group is which)"
            else:
                reason = "direction assumed in config (used only with use_assumed_directions)"
            members.append(AnalysisMember(a.id, sid, e.effect_id, False, reason))
        chosen: dict[str, EffectResult] = {}
        for sid, group in sorted(by_study.items()):
            chosen[sid] = pick(
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
                    a.id, sid, e.effect_id, not reason, reason or describe_key(e, a.prefer_effects)
                )
            )
            if not reason:
                e.analyses.append(a.id)
    if tie_problems:
        raise InputError(
            f"{len(tie_problems)} selection problem(s):\n  " + "\n  ".join(tie_problems)
        )
    return members
