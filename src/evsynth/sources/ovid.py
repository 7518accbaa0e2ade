"""Ovid text exports ("Complete Reference" display): records headed ``<1. >``, ``TAG - value``.

Ovid exports in portions of 1,000 records and may put the search history (query lines such as
"1 exp Osteosarcoma/ (12345)") before, between or after records; such lines are skipped and
counted, never taken for record fields. Ovid RIS is RIS and is read by :class:`RisReader`.
"""

from __future__ import annotations

import re

from evsynth.sources import ovid_tags
from evsynth.sources.tagged import TaggedReader

__all__ = ["OvidReader"]

_HEADER = re.compile(r"^\s*<\s*\d+\s*\.?\s*>\s*$")


class OvidReader(TaggedReader, tags=ovid_tags):
    """Ovid text: ``<n. >`` header, ``TAG - value`` lines, indented continuation lines."""

    format = "ovid"
    title = "Ovid text export"
    tag_line = re.compile(r"^([A-Z][A-Z0-9]{1,3})\s{0,3}-\s(.*)$")
    record_header = _HEADER
    continuation = re.compile(r"^\s+(.*)$")
    strict_outside_records = False
    tolerate_stray_lines = True
    expected_start = "'<n. >' record headers"

    @classmethod
    def sniff(cls, head: str) -> bool:
        return any(_HEADER.match(line) for line in head.splitlines())
