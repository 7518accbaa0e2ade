"""What the protocol says about one screening stage, and its spelling of reviewers and reasons.

Split out of stage.py (issue 15): validating names against config is one job, combining
decisions another. Decision files written by tools spell reviewers and exclusion reasons their own
way; these functions map them onto the configured spelling or stop with an InputError naming the
file and line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from evsynth.errors import InputError
from evsynth.screening import vocab
from evsynth.screening.ingest import RawDecision

__all__ = ["StageSettings", "canonical_reviewers", "exclusion_reason"]


@dataclass(slots=True, kw_only=True)
class StageSettings:
    """What the protocol says about one stage (config ``screening`` section)."""

    stage: str
    reviewers: Sequence[str] = ()
    required_reviewers: int = 1
    exclusion_reasons: Sequence[str] = ()
    require_complete: bool = True
    #: a tool's wording of a reason -> the protocol's reason (config screening.reason_aliases)
    reason_aliases: Mapping[str, str] = field(default_factory=dict)


def canonical_reviewers(items: Sequence[RawDecision], configured: Sequence[str]) -> dict[int, str]:
    """Map each decision to the configured spelling of its reviewer; unknown names are an error."""
    lookup = {" ".join(n.split()).casefold(): n for n in configured}
    out = {}
    for i, item in enumerate(items):
        name = " ".join(item.reviewer.split())
        if item.consensus or not configured:
            out[i] = name
            continue
        canonical = lookup.get(name.casefold())
        if canonical is None:
            raise InputError(
                f"reviewer {name!r} is not in config screening.reviewers "
                f"({', '.join(configured)}); add them or correct the name (for a file without a "
                "reviewer column the file name is the reviewer: name it after them or pass "
                "REVIEWER=FILE)",
                path=item.path,
                line=item.line,
                field="reviewer",
            )
        out[i] = canonical
    return out


def _reason_key(reason: str) -> str:
    """Compare reasons as words: case, spacing, ``_`` and ``-`` do not matter
    (Rayyan's "wrong population" is the protocol's ``wrong_population``)."""
    return " ".join(reason.replace("_", " ").replace("-", " ").casefold().split())


def _canonical_reasons(reasons: list[str], item: RawDecision, settings: StageSettings) -> list[str]:
    """Map each reason to the protocol's spelling (aliases first); unknown ones are an error."""
    allowed = {_reason_key(r): r for r in settings.exclusion_reasons}
    if settings.stage == "full_text":
        allowed[_reason_key(vocab.NOT_RETRIEVED)] = vocab.NOT_RETRIEVED
    aliases = {_reason_key(k): v for k, v in settings.reason_aliases.items()}
    out = []
    for r in reasons:
        key = _reason_key(r)
        target = aliases.get(key, r)
        canonical = allowed.get(_reason_key(target))
        if canonical is None:
            raise InputError(
                f"exclusion reason {r!r} is not in config screening.stages.{settings.stage}."
                f"exclusion_reasons; allowed: {', '.join(allowed.values())} (a tool's own wording "
                "can be mapped to one of them in config screening.reason_aliases)",
                path=item.path,
                line=item.line,
                field="reason",
            )
        if canonical not in out:
            out.append(canonical)
    return out


def exclusion_reason(item: RawDecision, settings: StageSettings) -> str:
    """The single reason that counts for an exclusion (validated at full text)."""
    reasons = [" ".join(r.split()) for r in item.reasons if r.strip()]
    if item.decision != "exclude":
        return ""
    if settings.stage != "full_text":
        if vocab.NOT_RETRIEVED in reasons:
            raise InputError(
                "not_retrieved is a full-text decision (a report sought but not obtained); at "
                "title/abstract use include, exclude or maybe",
                path=item.path,
                line=item.line,
                field="decision",
            )
        if settings.exclusion_reasons and reasons:
            reasons = _canonical_reasons(reasons, item, settings)
        return "; ".join(reasons)
    if not reasons:
        allowed = ", ".join([*settings.exclusion_reasons, vocab.NOT_RETRIEVED])
        raise InputError(
            f"a full-text exclusion needs a reason; allowed: {allowed}",
            path=item.path,
            line=item.line,
            field="reason",
        )
    if not settings.exclusion_reasons:
        return reasons[0]
    canonical = _canonical_reasons(reasons, item, settings)
    order = [*settings.exclusion_reasons, vocab.NOT_RETRIEVED]
    return min(canonical, key=order.index)
