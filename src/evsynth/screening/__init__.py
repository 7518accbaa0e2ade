"""Screening: ingest reviewers' decisions from any tool, combine them, measure agreement.

Modules: ``readers`` (encodings, delimiters, xlsx, zip, RIS), ``ingest`` (tool formats),
``matching`` (back to study records), ``stage`` (final decisions, conflicts, adjudication),
``agreement`` (kappa), ``output`` (stage TSV, queue CSV/RIS, agreement JSON), ``prisma``
(PRISMA 2020 counts), ``run`` (the file layer), ``cli``.
"""

from __future__ import annotations

__all__: list[str] = []
