"""The rules of :func:`~evsynth.dedup.engine.finish` that look beyond one pair: container DOIs,
Embase's "multiple letters" records and records matching several studies.

Split from ``engine.py`` (issue 15).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rapidfuzz import fuzz

from evsynth.dedup.cluster import ForcedDecision
from evsynth.dedup.normalise import NormRecord
from evsynth.dedup.score import PairScore, Thresholds


def _page_span(norm: NormRecord) -> tuple[int, int] | None:
    first, last = norm.first_page, norm.last_page or norm.first_page
    if not (first.isdigit() and last.isdigit()) or int(last) < int(first):
        return None
    return int(first), int(last)


def _multiple_letters(
    scored: Sequence[PairScore],
    norms: Sequence[NormRecord],
    forced: dict[tuple[int, int], ForcedDecision],
    scored_pair: Callable[[int, int], PairScore],
) -> dict[tuple[int, int], int]:
    """Letter-and-reply pairs that one Embase "(multiple letters)" record stands for.

    Embase indexes a letter printed with its replies as one record: the title of the letter
    marked "(multiple letters)", the authors of all, the pages of all. When such a record matches
    two records ("same") that the rules keep apart only because their authors or pages differ
    (a letter and its reply under one title), and the pages of both lie within the combined
    record's pages, the three are one item of the search: {(x, y): the combined record}. A
    person's decision on (x, y) wins; any other conflict (identifiers, titles, years) keeps the
    combined record ambiguous, as before.
    """
    hubs = {i for i, norm in enumerate(norms) if norm.multiple_letters}
    if not hubs:
        return {}
    partners: dict[int, list[int]] = {}
    for p in scored:
        if p.decision != "same" or (p.a, p.b) in forced:
            continue
        for hub, other in ((p.a, p.b), (p.b, p.a)):
            if hub in hubs and other not in hubs:
                partners.setdefault(hub, []).append(other)
    out: dict[tuple[int, int], int] = {}
    for hub in sorted(partners):
        span = _page_span(norms[hub])
        if span is None:
            continue
        inside = [
            x
            for x in sorted(partners[hub])
            if (s := _page_span(norms[x])) is not None and span[0] <= s[0] and s[1] <= span[1]
        ]
        for k, x in enumerate(inside):
            for y in inside[k + 1 :]:
                if (x, y) in forced:
                    continue
                pair = scored_pair(x, y)
                rule = pair.rule.split("+", 1)[0]
                conflicts = set(rule.removeprefix("title_but_").split("_"))
                if pair.decision == "different" and rule.startswith("title_but_") and (
                    conflicts <= {"authors", "pages"}
                ):
                    out.setdefault((x, y), hub)
    return out


def _ambiguous_matches(
    scored: Sequence[PairScore],
    forced: dict[tuple[int, int], ForcedDecision],
    decide: Callable[[int, int], str],
) -> dict[tuple[int, int], tuple[int, int]]:
    """Matches of a record to two records that are different from each other.

    A sparse record (no identifiers, no pages: often a CENTRAL entry) can match both an article
    and its erratum; whichever merge came first would be arbitrary, so both of its matches go to a
    person instead. Returns {pair: the two different records that made it ambiguous}.
    """
    partners: dict[int, list[int]] = {}
    for p in scored:
        if p.decision == "same" and (p.a, p.b) not in forced:
            partners.setdefault(p.a, []).append(p.b)
            partners.setdefault(p.b, []).append(p.a)
    out: dict[tuple[int, int], tuple[int, int]] = {}
    for r in sorted(partners):
        others = sorted(partners[r])
        for k, x in enumerate(others):
            for y in others[k + 1 :]:
                forced_xy = forced.get((x, y))
                apart = (
                    forced_xy.decision == "different" if forced_xy else decide(x, y) == "different"
                )
                if apart:
                    for z in (x, y):
                        key = (r, z) if r < z else (z, r)
                        out.setdefault(key, (x, y))
    return out


def _container_dois(norms: Sequence[NormRecord], t: Thresholds) -> set[str]:
    """DOIs carried by records with distinct titles: a supplement's or proceedings' DOI.

    A conference supplement's DOI is often exported on every abstract of the issue; such a DOI
    names the container, not an article, so it must never decide "same". A DOI counts as a
    container when its records have at least two titles that disagree (similarity below
    title_possible) and are both in the record's language (a translated title is not another
    article), or three or more such titles in any language. Those records are compared
    without it.
    """
    by_doi: dict[str, list[NormRecord]] = {}
    for r in norms:
        if r.doi:
            by_doi.setdefault(r.doi, []).append(r)
    out: set[str] = set()
    for doi, group in by_doi.items():
        if len(group) < 2:
            continue
        distinct: list[NormRecord] = []
        for r in group:
            if r.title and all(
                fuzz.ratio(r.title, d.title) / 100.0 < t.title_possible for d in distinct
            ):
                distinct.append(r)
        english = [r for r in distinct if not r.foreign]
        if len(distinct) >= 3 or len(english) >= 2:
            out.add(doi)
    for r in norms:
        if r.doi in out:
            r.container_doi = r.doi
            r.doi = ""
    return out


def _mark_container(
    pair: PairScore, norms: Sequence[NormRecord], containers: set[str]
) -> PairScore:
    """Name the shared container DOI in the rule, so pairs.tsv says why the DOI did not decide."""
    a, b = norms[pair.a], norms[pair.b]
    if containers and a.container_doi and a.container_doi == b.container_doi:
        return _replace(pair, rule=f"{pair.rule}+container_doi", decision=pair.decision)
    return pair


def _replace(pair: PairScore, *, rule: str, decision: str) -> PairScore:
    return PairScore(
        pair.a,
        pair.b,
        pair.score,
        pair.title_sim,
        pair.author_sim,
        pair.journal_sim,
        pair.year_match,
        pair.doi_match,
        pair.pmid_match,
        rule,
        decision,
    )
