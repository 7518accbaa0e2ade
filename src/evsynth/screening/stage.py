"""Combine every reviewer's decisions at one stage into one final decision per study record.

Rules (docs/screening.md explains them to reviewers):

- a decision on any member record of a dedup cluster applies to its study record; one reviewer
  contradicting themself across members is a conflict;
- a record is decided when ``required_reviewers`` reviewers decided it and all agree; any
  disagreement is a conflict, resolved only by the adjudication file (which always wins);
- Covidence lists are consensus decisions (the tool has already reconciled reviewers);
- full text: only records included (or "maybe") at title/abstract may be decided; an exclusion needs
  a reason from the configured list (a hierarchy: with several reasons the first listed counts), or
  the reserved reason "report not retrieved"; "maybe" is not a final full-text decision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from evsynth.errors import InputError
from evsynth.screening import vocab
from evsynth.screening.agreement import Agreement, agreement
from evsynth.screening.ingest import FileSummary, RawDecision
from evsynth.screening.matching import Match, StudyIndex
from evsynth.screening.protocol import StageSettings, canonical_reviewers, exclusion_reason

__all__ = ["StageResult", "StageRow", "StageSettings", "screen_stage"]

_MAX_LISTED = 40


@dataclass(slots=True)
class Vote:
    reviewer: str
    decision: str
    reason: str
    note: str
    where: str
    member_id: str


@dataclass(slots=True)
class StageRow:
    """The outcome for one study record at one stage."""

    study_record_id: str
    decision: str = ""
    reason: str = ""
    reviewers: list[str] = field(default_factory=list)
    conflict: str = ""  # "" | "yes" (unresolved) | "resolved"
    status: str = ""  # decided | consensus | adjudicated | awaiting_reviewers | conflict | maybe
    note: str = ""
    per_reviewer: dict[str, str] = field(default_factory=dict)
    conflict_details: str = ""

    @property
    def queued(self) -> bool:
        return self.status in ("awaiting_reviewers", "conflict", "maybe")


@dataclass(slots=True)
class StageResult:
    settings: StageSettings
    rows: list[StageRow]
    reviewers: list[str]
    agreement: Agreement
    inputs: list[FileSummary]
    votes_per_reviewer: dict[str, int]
    not_eligible: int = 0

    @property
    def queue(self) -> list[StageRow]:
        return [r for r in self.rows if r.queued]

    @property
    def complete(self) -> bool:
        return not self.queue

    def counts(self) -> dict[str, object]:
        statuses = [r.status for r in self.rows]
        decisions = [r.decision for r in self.rows if not r.queued]
        reasons: dict[str, int] = {}
        for r in self.rows:
            if not r.queued and r.decision == "exclude" and r.reason:
                reasons[r.reason] = reasons.get(r.reason, 0) + 1
        return {
            "records": len(self.rows),
            "decided": len(self.rows) - len(self.queue),
            "include": decisions.count("include"),
            "exclude": decisions.count("exclude"),
            "maybe": decisions.count("maybe"),
            "queued": len(self.queue),
            "awaiting_reviewers": statuses.count("awaiting_reviewers"),
            "conflicts_unresolved": statuses.count("conflict"),
            "conflicts_resolved": sum(1 for r in self.rows if r.conflict == "resolved"),
            "adjudicated": statuses.count("adjudicated"),
            "consensus": statuses.count("consensus"),
            "maybe_unresolved": statuses.count("maybe"),
            "exclusion_reasons": reasons,
            "decisions_per_reviewer": self.votes_per_reviewer,
        }


def _match_all(items: Sequence[RawDecision], index: StudyIndex, what: str) -> list[Match]:
    matches: list[Match] = []
    failures = []
    for item in items:
        result = index.match(item)
        if isinstance(result, str):
            label = f" ({item.title[:70]})" if item.title else ""
            failures.append(f"  {item.where}: {result}{label}")
        else:
            matches.append(result)
    if failures:
        shown = failures[:_MAX_LISTED]
        more = len(failures) - len(shown)
        raise InputError(
            f"{len(failures)} {what} row(s) match no study record in the dedup output:\n"
            + "\n".join(shown)
            + (f"\n  ... and {more} more" if more else "")
        )
    return matches


def screen_stage(
    index: StudyIndex,
    decisions: Sequence[RawDecision],
    *,
    settings: StageSettings,
    inputs: Sequence[FileSummary] = (),
    adjudication: Sequence[RawDecision] = (),
    previous: Mapping[str, str] | None = None,
) -> StageResult:
    """Final decision per eligible study record at one stage.

    ``previous`` maps study_record_id -> final title/abstract decision (for the full-text stage).
    """
    if settings.stage not in vocab.STAGES:
        raise InputError(f"unknown stage {settings.stage!r}; use {' or '.join(vocab.STAGES)}")
    if settings.required_reviewers < 1:
        raise InputError(
            f"required_reviewers is {settings.required_reviewers}; it must be 1 or more"
        )
    if settings.reviewers and settings.required_reviewers > len(settings.reviewers):
        raise InputError(
            f"required_reviewers is {settings.required_reviewers} but only "
            f"{len(settings.reviewers)} reviewer(s) are configured: "
            + ", ".join(settings.reviewers)
        )
    if settings.stage == "full_text":
        if previous is None:
            raise InputError("the full-text stage needs the title/abstract stage's results")
        eligible = sorted(s for s in index.records if previous.get(s) in ("include", "maybe"))
    else:
        eligible = sorted(index.records)
    eligible_set = set(eligible)

    names = canonical_reviewers(decisions, settings.reviewers)
    matches = _match_all(decisions, index, "decision")
    adj_matches = _match_all(adjudication, index, "adjudication")

    wrong_stage = []
    for item, match in [
        *zip(decisions, matches, strict=True),
        *zip(adjudication, adj_matches, strict=True),
    ]:
        if match.study_record_id not in eligible_set:
            before = (previous or {}).get(match.study_record_id, "") or "undecided"
            wrong_stage.append(
                f"  {item.where}: {match.study_record_id} was not included at title/abstract "
                f"(its title/abstract decision: {before})"
            )
    if wrong_stage:
        raise InputError(
            "full-text decisions are only for records included at title/abstract:\n"
            + "\n".join(wrong_stage[:_MAX_LISTED])
        )

    votes: dict[str, dict[str, list[Vote]]] = {}
    consensus: dict[str, list[Vote]] = {}
    resolutions: dict[str, Vote] = {}
    labels: dict[str, list[str]] = {}
    seen: dict[tuple[str, str], str] = {}
    for i, (item, match) in enumerate(zip(decisions, matches, strict=True)):
        reviewer = names[i]
        key = (reviewer, match.member_id)
        if key in seen:
            raise InputError(
                f"duplicate decision: reviewer {reviewer!r} decided {match.member_id} here and at "
                f"{seen[key]}; keep one row",
                path=item.path,
                line=item.line,
            )
        seen[key] = item.where
        vote = Vote(
            reviewer,
            item.decision,
            exclusion_reason(item, settings),
            item.note,
            item.where,
            match.member_id,
        )
        for label in item.labels:
            known = labels.setdefault(match.study_record_id, [])
            if label not in known:
                known.append(label)
        if item.resolves:
            sid = match.study_record_id
            if sid in resolutions and (
                resolutions[sid].decision,
                resolutions[sid].reason,
            ) != (vote.decision, vote.reason):
                raise InputError(
                    f"{reviewer} resolved {sid} differently here and at {resolutions[sid].where}",
                    path=item.path,
                    line=item.line,
                )
            resolutions[sid] = vote
        elif item.consensus:
            consensus.setdefault(match.study_record_id, []).append(vote)
        else:
            votes.setdefault(match.study_record_id, {}).setdefault(reviewer, []).append(vote)

    adjudicated: dict[str, Vote] = {}
    for item, match in zip(adjudication, adj_matches, strict=True):
        sid = match.study_record_id
        if sid in adjudicated:
            raise InputError(
                f"duplicate adjudication of {sid} (also at {adjudicated[sid].where})",
                path=item.path,
                line=item.line,
            )
        adjudicated[sid] = Vote(
            item.reviewer,
            item.decision,
            exclusion_reason(item, settings),
            item.note,
            item.where,
            sid,
        )

    reviewers = sorted(set(settings.reviewers) | {r for by in votes.values() for r in by})
    per_reviewer_decisions: dict[str, dict[str, str]] = {r: {} for r in reviewers}
    # consensus lists (Covidence, EPPI-Reviewer) and tool resolutions (Abstrackr) are columns of
    # the table too, but never enter kappa: they are not independent judgements
    tool_voters = sorted(
        {v.reviewer for vs in consensus.values() for v in vs}
        | {v.reviewer for v in resolutions.values()}
    )
    table_reviewers = sorted(set(reviewers) | set(tool_voters))
    votes_per_reviewer = {r: 0 for r in table_reviewers}
    rows = []
    for sid in eligible:
        row = StageRow(sid)
        by_reviewer = votes.get(sid, {})
        clean: dict[str, Vote] = {}
        member_conflicts = []
        for reviewer in sorted(by_reviewer):
            vs = by_reviewer[reviewer]
            votes_per_reviewer[reviewer] += 1
            outcomes = {(v.decision, v.reason if settings.stage == "full_text" else "") for v in vs}
            if len(outcomes) > 1:
                member_conflicts.append(
                    f"{reviewer} decided member records differently: "
                    + ", ".join(f"{v.member_id}={v.decision}" for v in vs)
                )
                row.per_reviewer[reviewer] = "conflicting decisions on member records"
                continue
            v = vs[0]
            clean[reviewer] = v
            per_reviewer_decisions[reviewer][sid] = v.decision
            row.per_reviewer[reviewer] = v.decision + (f": {v.reason}" if v.reason else "")
        row.reviewers = sorted(by_reviewer)
        notes = [f"{r}: {v.note}" for r, v in sorted(clean.items()) if v.note]
        notes += [v.note for v in consensus.get(sid, []) if v.note and v.note not in notes]
        if labels.get(sid):
            notes.append("labels: " + ", ".join(labels[sid]))
        row.note = "; ".join(notes)
        outcomes = {
            (v.decision, v.reason if settings.stage == "full_text" else "") for v in clean.values()
        }
        has_conflict = bool(member_conflicts) or len(outcomes) > 1
        details = list(member_conflicts)
        if len(outcomes) > 1:
            details.append(
                "reviewers disagree: "
                + ", ".join(
                    f"{r}={v.decision}" + (f" ({v.reason})" if v.reason else "")
                    for r, v in sorted(clean.items())
                )
            )
        cons = consensus.get(sid, [])
        tool_votes = [*cons, *([resolutions[sid]] if sid in resolutions else [])]
        for v in tool_votes:
            votes_per_reviewer[v.reviewer] += 1
            if v.reviewer not in row.per_reviewer:
                row.per_reviewer[v.reviewer] = v.decision + (f": {v.reason}" if v.reason else "")
            if v.reviewer not in row.reviewers:
                row.reviewers = sorted([*row.reviewers, v.reviewer])
        cons_outcomes = {(v.decision, v.reason) for v in cons}
        if len(cons_outcomes) > 1:
            has_conflict = True
            details.append(
                "consensus lists disagree: " + ", ".join(f"{v.where}={v.decision}" for v in cons)
            )
        elif cons and any(v.decision != cons[0].decision for v in clean.values()):
            has_conflict = True
            details.append(
                f"consensus list ({cons[0].where}) says {cons[0].decision} but "
                + ", ".join(f"{r}={v.decision}" for r, v in sorted(clean.items()))
            )
        row.conflict_details = "; ".join(details)

        if sid in adjudicated:
            v = adjudicated[sid]
            row.decision, row.reason, row.status = v.decision, v.reason, "adjudicated"
            row.conflict = "resolved" if has_conflict else ""
            if v.note:
                row.note = "; ".join(x for x in (row.note, f"adjudication: {v.note}") if x)
        elif sid in resolutions:
            v = resolutions[sid]
            row.decision, row.reason, row.status = v.decision, v.reason, "adjudicated"
            row.conflict = "resolved" if has_conflict else ""
            row.note = "; ".join(x for x in (row.note, f"resolved by {v.reviewer}") if x)
        elif has_conflict:
            row.status, row.conflict = "conflict", "yes"
        elif cons:
            row.decision, row.reason, row.status = cons[0].decision, cons[0].reason, "consensus"
        elif clean and len(clean) >= settings.required_reviewers:
            ((decision, _),) = outcomes
            row.decision = decision
            reasons = sorted({v.reason for v in clean.values() if v.reason})
            row.reason = "; ".join(reasons)
            row.status = "decided"
        else:
            row.status = "awaiting_reviewers"
            if clean:
                row.decision = ""
        if settings.stage == "full_text" and row.decision == "maybe" and row.status != "conflict":
            row.status = "maybe"
        rows.append(row)

    return StageResult(
        settings=settings,
        rows=rows,
        reviewers=table_reviewers,
        agreement=agreement(per_reviewer_decisions),
        inputs=list(inputs),
        votes_per_reviewer=votes_per_reviewer,
    )
