"""Two records scored by dedup's pair rules as the engine scores them, for the tests of single
rules that need no whole deduplication run.
"""

from __future__ import annotations

from evsynth.contracts.records import Record
from evsynth.dedup.normalise import normalise_record
from evsynth.dedup.score import PairScore, Thresholds, score_pair

__all__ = ["score_records"]


def score_records(a: Record, b: Record) -> PairScore:
    """``a`` and ``b`` normalised (as records 0 and 1) and scored with the default thresholds."""
    return score_pair(normalise_record(0, a), normalise_record(1, b), Thresholds())
