"""The contracts between stages: one module per contract file, plus shared matching and formatting.

A stage reads another stage's output only through these modules, never through that stage's code,
so a format change is made once. Modules: ``records`` (the records TSV every importer writes
and every later stage reads), ``match`` (the one title fold used to look records up),
``format`` (the one p-value / CI / HR formatter), ``prisma_counts`` (results/prisma/counts.json:
the computed counts and their writer, the flow as read back and its reader), ``pooling_result``
(results/pooling/{analysis}.json, with ``pooling_model`` and ``pooling_sections``), ``jsonfile``
(reading JSON contract files and typed values with errors naming file and key). Each module imports
only :mod:`evsynth.errors` and :mod:`evsynth.tables`, so any stage may use it.
"""

from __future__ import annotations

__all__: list[str] = []
