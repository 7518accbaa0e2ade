"""Screening: ingest reviewers' decisions from any tool, combine them, measure agreement.

Modules: ``readers`` (encodings, delimiters, xlsx, zip, RIS), ``ingest`` (tool formats),
``matching`` (back to study records), ``stage`` (final decisions, conflicts, adjudication),
``agreement`` (kappa), ``output`` (stage TSV, queue CSV/RIS, agreement JSON), ``run`` (the file
layer), ``cli``. The PRISMA 2020 counts are their own stage: :mod:`evsynth.prisma`.
"""

from __future__ import annotations

__all__: list[str] = []
