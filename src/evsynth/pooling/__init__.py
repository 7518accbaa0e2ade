"""Pooling: fixed- and random-effects meta-analysis agreeing with R's metafor.

The API follows metafor: an :class:`EffectTable` (like ``escalc()`` output) goes into :func:`pool`
(like ``rma()``), which returns a :class:`PoolResult` carrying every figure, the inputs, the
settings, the version and an input checksum. This package imports nothing above ``evsynth.errors``.
"""

from __future__ import annotations

from evsynth.pooling.effects import EffectTable, effects, read_effects_csv, select_effects_rows
from evsynth.pooling.models import (
    METHODS,
    PI_TYPES,
    TESTS,
    Convergence,
    PoolResult,
    TooFewStudiesError,
    estimate_tau2,
    pool,
    q_profile,
)

__all__ = [
    "METHODS",
    "PI_TYPES",
    "TESTS",
    "Convergence",
    "EffectTable",
    "PoolResult",
    "TooFewStudiesError",
    "effects",
    "estimate_tau2",
    "pool",
    "q_profile",
    "read_effects_csv",
    "select_effects_rows",
]
