"""The PRISMA 2020 stage: flow counts and the flow diagram.

Modules: ``counts`` (every number of the diagram, derived from the dedup summary, the screening
stage tables, the search logs and records, and the extraction studies table, with the flow
identities asserted), ``diagram`` (the figure, drawn with the figures package's house style),
``cli`` (`evsynth prisma counts|diagram`).
"""

from __future__ import annotations

__all__: list[str] = []
