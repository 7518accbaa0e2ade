"""Cochrane Library (CENTRAL) plain-text export: "Record #n of N" blocks of ``Tag: value`` lines."""

from __future__ import annotations

import re

from evsynth.sources import cochrane_tags
from evsynth.sources.tagged import TaggedReader

__all__ = ["CochraneReader"]

# A "Record #n of N" header followed by a "TAG: value" line: Cochrane's RIS download starts with
# the same header line (then "Provider:" and RIS tag lines), so the header alone is not enough.
_SNIFF = re.compile(
    r"^[ \t]*Record #\d+ of \d+[ \t]*\r?\n(?:[ \t]*\r?\n)*[A-Z][A-Z0-9]{1,3}:(?:[ \t]|$)",
    re.MULTILINE,
)


class CochraneReader(TaggedReader, tags=cochrane_tags):
    """CENTRAL plain text; untagged lines continue the previous value, unknown tags are kept."""

    format = "cochrane"
    title = "Cochrane Library (CENTRAL) plain text"
    tag_line = re.compile(r"^([A-Z][A-Z0-9]{1,3}):(?:\s(.*))?$")
    record_header = re.compile(r"^\s*Record #\d+ of \d+\s*$")
    # Lines before the first record (export banners, the search's name and date) are skipped.
    strict_outside_records = False
    expected_start = "'Record #n of N' headers"
    sniff_pattern = _SNIFF
