"""The studies table: each study linked to its deduplicated records and screening decisions, its
label, its first search run, and its counts of effects.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from evsynth.contracts.match import fold_title
from evsynth.contracts.records import normalise_doi, normalise_pmid
from evsynth.extraction.result import EffectResult
from evsynth.extraction.schema import SheetRow
from evsynth.extraction.validate import Problems

__all__ = ["link_studies", "study_record_runs", "study_rows", "unique_labels"]


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


def unique_labels(studies: Sequence[Mapping[str, Any]]) -> dict[str, str]:
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


def link_studies(
    studies: Sequence[SheetRow],
    records: Sequence[Mapping[str, str]] | None,
    screening: Sequence[Mapping[str, str]] | None,
) -> tuple[dict[str, tuple[list[str], str]], list[str]]:
    """Each study's record ids and how they were found; errors for unknown or excluded records."""
    problems = Problems()
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
            by_title[fold_title(r["title"])].add(sid)
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
                ("title", by_title, fold_title(v.get("title") or "")),
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


def study_rows(
    study_values: Mapping[str, Mapping[str, Any]],
    results: Sequence[EffectResult],
    links: Mapping[str, tuple[list[str], str]],
    labels: Mapping[str, str],
    rob_text: Mapping[str, str],
    *,
    records: Sequence[Mapping[str, str]] | None,
    record_runs: Mapping[str, str] | None,
    run_order: Sequence[str],
) -> list[dict[str, Any]]:
    """One row per study of the studies sheet, with its links, label, search run and counts."""
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
    rows = []
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
        rows.append(row)
    return rows
