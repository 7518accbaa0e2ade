"""EndNote tagged export (``.enw``): ``%0 Journal Article``, ``%A``, ``%T``, ``%J``, ``%D``, ...

One character after ``%`` is the tag (:mod:`.enw_tags`); ``%0`` starts a record, which runs to
the next ``%0`` (blank lines between records are usual but not required); a line without a tag
continues the previous value, and for ``%K`` each such line is another keyword.
"""

from __future__ import annotations

import re

from evsynth.sources import enw_tags
from evsynth.sources.tagged import TaggedReader

__all__ = ["EnwReader"]

_TAG_NAME = r"%[0-9A-Z@!#$&()*+^>~?\[\]|<=]"  # "%" and one character: the only place it is spelt
_TAG = re.compile(rf"^{_TAG_NAME}\s", re.MULTILINE)


class EnwReader(TaggedReader, tags=enw_tags):
    """EndNote tagged: ``%X value`` lines; the ``%0`` reference type gives the publication type."""

    format = "enw"
    title = "EndNote tagged (.enw)"
    tag_line = re.compile(rf"^({_TAG_NAME})(?:[ \t]+(.*))?$")
    start_tags = frozenset({"%0"})
    expected_start = "'%0 <reference type>' lines starting each record"
    sniff_pattern = re.compile(r"^%0 \S", re.MULTILINE)

    @classmethod
    def sniff(cls, head: str) -> bool:
        return super().sniff(head) and len(_TAG.findall(head)) >= 2
