"""Extraction: validated study and effect sheets, log HR derivation, harmonisation and selection.

The sheets keep every number exactly as the paper printed it; this package derives the log hazard
ratio and its standard error (:mod:`evsynth.extraction.derive`), turns each estimate into the
configured direction of its factor, picks one estimate per study by a declared rule, and assembles
the pooling input of every configured analysis (:mod:`evsynth.extraction.build`).
"""

from __future__ import annotations

from evsynth.extraction.build import ExtractionResult, extract
from evsynth.extraction.settings import Analysis, ExtractionSettings, Factor, parse_settings

__all__ = [
    "Analysis",
    "ExtractionResult",
    "ExtractionSettings",
    "Factor",
    "extract",
    "parse_settings",
]
