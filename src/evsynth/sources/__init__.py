"""Importers for every database export a reviewer gets, each producing canonical records.

Each format has its own module (tag maps in data-only ``*_tags`` modules); :mod:`.detect` picks the
format from a file's content and :mod:`.cli` adds ``evsynth import``.
"""

from __future__ import annotations

__all__: list[str] = []
