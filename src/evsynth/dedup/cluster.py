"""Clusters of duplicate records that cannot chain.

Plain transitive closure (connected components of "same" pairs) chains: A~B and B~C put A and C
together even when A and C are plainly different (an erratum, a companion paper, another DOI). Here
a merge of two clusters is made only if EVERY pair across them is compatible: not forced apart by a
person, and not decided "different" by the rules (different DOI or PMID, titles that disagree, a
notice against an article, ...). Merges are tried strongest pair first, in a fixed order, so the
result does not depend on input order or core count (a greedy form of correlation clustering,
Bansal et al. 2004, Mach Learn 56:89).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from evsynth.errors import InputError

__all__ = ["ClusterResult", "ForcedDecision", "cluster_records"]


@dataclass(frozen=True, slots=True)
class ForcedDecision:
    """A person's decision on a pair (from decisions.csv), with where it was written."""

    a: int
    b: int
    decision: str
    note: str
    path: str
    line: int


@dataclass(slots=True)
class ClusterResult:
    """Cluster label (smallest member index) per record, and the merges refused, with why.

    ``blocked`` maps a pair ``(i, j)`` whose rules said "same" to the pair ``(x, y)`` inside the
    would-be cluster that forbade the merge.
    """

    labels: list[int]
    blocked: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)


def cluster_records(
    n: int,
    same_pairs: Sequence[tuple[float, str, str, int, int]],
    forced: Sequence[ForcedDecision],
    decide: Callable[[int, int], str],
) -> ClusterResult:
    """Greedy non-chaining clustering.

    Parameters
    ----------
    n
        Number of records (indices 0..n-1).
    same_pairs
        ``(score, id_a, id_b, i, j)`` for every pair the rules called "same".
    forced
        Decisions from decisions.csv: "same" pairs are merged first, unconditionally; "different"
        pairs can never share a cluster.
    decide
        ``decide(i, j)`` returns the rules' decision for any pair (scored on demand).
    """
    parent = list(range(n))
    members: dict[int, list[int]] = {}

    def find(i: int) -> int:
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def union(ra: int, rb: int) -> None:
        if ra > rb:
            ra, rb = rb, ra
        parent[rb] = ra
        members.setdefault(ra, [ra]).extend(members.pop(rb, [rb]))

    cannot: set[tuple[int, int]] = set()
    for d in forced:
        if d.decision == "same":
            ra, rb = find(d.a), find(d.b)
            if ra != rb:
                union(ra, rb)
        else:
            cannot.add((min(d.a, d.b), max(d.a, d.b)))
    for d in forced:
        if d.decision == "different" and find(d.a) == find(d.b):
            raise InputError(
                "this pair is marked different, but other lines marked 'same' join the two "
                "records through a chain of pairs; resolve the contradiction",
                path=d.path,
                line=d.line,
                field="decision",
            )

    result = ClusterResult(labels=[])
    for _score, _ida, _idb, i, j in sorted(same_pairs, key=lambda p: (-p[0], p[1], p[2])):
        ra, rb = find(i), find(j)
        if ra == rb:
            continue
        group_a = members.get(ra, [ra])
        group_b = members.get(rb, [rb])
        conflict = None
        for x in group_a:
            for y in group_b:
                key = (x, y) if x < y else (y, x)
                if key in cannot or decide(key[0], key[1]) == "different":
                    conflict = key
                    break
            if conflict:
                break
        if conflict:
            result.blocked[(i, j)] = conflict
            continue
        union(ra, rb)
    result.labels = [find(i) for i in range(n)]
    return result
