"""Deduplication across databases and search runs: normalise, block, score, cluster, merge.

The public entry points are :func:`load_inputs`, :func:`deduplicate` and :func:`write_outputs`;
``evsynth dedup`` (:mod:`.cli`) wires them together.
"""

from __future__ import annotations

from evsynth.dedup.engine import DedupResult, deduplicate, load_inputs
from evsynth.dedup.write import write_outputs

__all__ = ["DedupResult", "deduplicate", "load_inputs", "write_outputs"]
