"""Publication figures of a review: forest, funnel, PRISMA 2020, sensitivity and risk-of-bias plots.

Readers in :mod:`evsynth.figures.inputs` turn the contract files of earlier stages (pooling JSON,
analysis TSV, PRISMA counts, risk-of-bias sheet) into value objects; each plotting module draws one
figure kind from those objects and returns a matplotlib Figure; :mod:`evsynth.figures.render` writes
it as byte-stable SVG and 300-dpi PNG.
"""

from __future__ import annotations

__all__: list[str] = []
