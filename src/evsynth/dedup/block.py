"""Candidate pairs by blocking on several keys, never by comparing all pairs.

Comparing every pair is quadratic (5 * 10^11 pairs for a million records). Blocking compares only
records that share a key, and several keys are combined so that a difference in one field does not
hide a duplicate (Christen 2012, IEEE TKDE 24:1537; Papadakis et al. 2020, ACM Comput Surv 53:31):

- identifiers: the same DOI, the same PMID;
- titles: the same folded title; neighbours in the sorted list of distinct titles, forwards and
  with the words reversed (sorted neighbourhood, Hernandez & Stolfo 1995), kept when the titles
  are close;
- citation: the same first author, volume and first page (catches titles translated by one
  database);
- first author within a one-year window, kept when the titles are close.

Oversized blocks (generic titles, common surnames) are compared within a sliding window over a
deterministic sort instead of all pairs, so the work stays near-linear.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from rapidfuzz import process
from rapidfuzz.distance import Indel

from evsynth.dedup.normalise import NormRecord

__all__ = ["BlockingSettings", "candidate_pairs"]

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BlockingSettings:
    """Blocking parameters.

    Parameters
    ----------
    max_block
        Blocks larger than this are compared within a sliding window instead of all pairs.
    window
        Width of the sliding window (sorted neighbourhood and oversized blocks).
    title_filter
        Minimum title similarity for pairs found by the fuzzy keys (title neighbours, author-year).
    """

    max_block: int = 40
    window: int = 6
    title_filter: float = 0.75


def _add_block(
    out: set[int],
    n: int,
    members: Sequence[int],
    settings: BlockingSettings,
    order: Callable[[int], tuple],
) -> None:
    if len(members) < 2:
        return
    if len(members) <= settings.max_block:
        ms = sorted(members)
        for x in range(len(ms)):
            i = ms[x]
            for y in range(x + 1, len(ms)):
                out.add(i * n + ms[y])
        return
    ms = sorted(members, key=order)
    w = settings.window
    for x in range(len(ms)):
        i = ms[x]
        for y in range(x + 1, min(x + 1 + w, len(ms))):
            j = ms[y]
            out.add(i * n + j if i < j else j * n + i)


def _groups(keys: Iterable[tuple[object, int]]) -> dict[object, list[int]]:
    groups: dict[object, list[int]] = defaultdict(list)
    for key, i in keys:
        groups[key].append(i)
    return groups


def candidate_pairs(
    norms: Sequence[NormRecord], *, settings: BlockingSettings | None = None
) -> list[tuple[int, int]]:
    """Sorted, unique candidate pairs ``(i, j)``, ``i < j``, of record indices."""
    s = settings or BlockingSettings()
    n = len(norms)
    out: set[int] = set()

    def order(i: int) -> tuple:
        r = norms[i]
        return (r.year, r.first_author, r.volume, r.first_page, r.title, r.record_id)

    def add(groups: dict[object, list[int]]) -> None:
        # The pair set does not depend on the order blocks are visited in.
        for members in groups.values():
            _add_block(out, n, members, s, order)

    add(_groups((r.doi, r.index) for r in norms if r.doi))
    add(_groups((r.pmid, r.index) for r in norms if r.pmid))
    add(
        _groups(
            ((r.title, r.year) if r.generic else r.title, r.index)
            for r in norms
            if r.title or r.first_page
        )
    )
    add(
        _groups(
            ((r.first_author, r.volume, r.first_page), r.index)
            for r in norms
            if r.first_author and r.volume and r.first_page
        )
    )

    # Sorted neighbourhood over distinct titles, forwards and with the words reversed.
    by_title = _groups((r.title, r.index) for r in norms if r.title and not r.generic)
    titles = sorted(by_title)
    cutoff = s.title_filter
    for keyed in (titles, sorted(titles, key=lambda t: t.split()[::-1])):
        for x in range(len(keyed)):
            t1 = keyed[x]
            for y in range(x + 1, min(x + 1 + s.window, len(keyed))):
                t2 = keyed[y]
                if Indel.normalized_similarity(t1, t2, score_cutoff=cutoff):
                    members = by_title[t1] + by_title[t2]
                    _add_block(out, n, members, s, order)

    # First author within a one-year window, filtered on title similarity.
    by_author_year = _groups(
        ((r.first_author, r.year), r.index) for r in norms if r.first_author and r.year
    )
    for (author, year), block in by_author_year.items():
        members = block + by_author_year.get((author, year + 1), [])
        if len(members) < 2:
            continue
        if len(members) <= 4:
            for x in range(len(members)):
                i = members[x]
                for y in range(x + 1, len(members)):
                    j = members[y]
                    if Indel.normalized_similarity(
                        norms[i].title, norms[j].title, score_cutoff=cutoff
                    ):
                        out.add(i * n + j if i < j else j * n + i)
            continue
        if len(members) > s.max_block:
            members = sorted(members, key=lambda i: (norms[i].title, norms[i].record_id))
            for x in range(len(members)):
                i = members[x]
                for y in range(x + 1, min(x + 1 + s.window, len(members))):
                    j = members[y]
                    if Indel.normalized_similarity(
                        norms[i].title, norms[j].title, score_cutoff=cutoff
                    ):
                        out.add(i * n + j if i < j else j * n + i)
            continue
        texts = [norms[i].title for i in members]
        matrix = process.cdist(
            texts, texts, scorer=Indel.normalized_similarity, score_cutoff=cutoff, workers=1
        )
        for x in range(len(members)):
            i = members[x]
            for y in range(x + 1, len(members)):
                if matrix[x, y] > 0:
                    j = members[y]
                    if i != j:
                        out.add(i * n + j if i < j else j * n + i)
    return [divmod(code, n) for code in sorted(out)]
