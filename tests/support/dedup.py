"""Dedup as the tests of its rules run it: two records scored by the pair rules, or a fixture
table of tests/data/dedup/ deduplicated whole, and the clusters and pairs read from the result.
"""

from __future__ import annotations

from pathlib import Path

from evsynth.contracts.records import Record
from evsynth.dedup import deduplicate, load_inputs
from evsynth.dedup.engine import DedupResult
from evsynth.dedup.normalise import normalise_record
from evsynth.dedup.score import PairScore, Thresholds, score_pair

__all__ = ["DEDUP_DATA", "clusters", "pair_of", "run_fixture", "score_records"]

DEDUP_DATA = Path(__file__).resolve().parents[1] / "data" / "dedup"


def score_records(a: Record, b: Record) -> PairScore:
    """``a`` and ``b`` normalised (as records 0 and 1) and scored with the default thresholds."""
    return score_pair(normalise_record(0, a), normalise_record(1, b), Thresholds())


def run_fixture(name: str) -> DedupResult:
    """Deduplicate ``tests/data/dedup/<name>.records.tsv`` alone (no progress output)."""
    return deduplicate(load_inputs([DEDUP_DATA / f"{name}.records.tsv"]), progress=False)


def clusters(result: DedupResult) -> list[list[str]]:
    """Every study's member record ids, the studies in sorted order."""
    return sorted(s.member_ids for s in result.studies)


def pair_of(result: DedupResult, a: str, b: str) -> PairScore:
    """The scored pair of records ``a`` and ``b`` (either order); an error when they were never
    compared, so a test cannot pass on a pair that blocking left out."""
    for p in result.pairs:
        if {result.records[p.a].record_id, result.records[p.b].record_id} == {a, b}:
            return p
    raise AssertionError(f"no pair {a} / {b}")
