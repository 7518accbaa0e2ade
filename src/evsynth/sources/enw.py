"""EndNote tagged export (``.enw``): ``%0 Journal Article``, ``%A``, ``%T``, ``%J``, ``%D``, ...

One character after ``%`` is the tag (:mod:`.enw_tags`); ``%0`` starts a record, which runs to
the next ``%0`` (blank lines between records are usual but not required); a line without a tag
continues the previous value, and for ``%K`` each such line is another keyword.
"""

from __future__ import annotations

import re
from typing import ClassVar

from evsynth.sources import enw_tags
from evsynth.sources.fields import FieldMap
from evsynth.sources.tagged import TaggedReader

__all__ = ["EnwReader"]

_SNIFF = re.compile(r"^%0 \S", re.MULTILINE)
_TAG_NAME = r"%[0-9A-Z@!#$&()*+^>~?\[\]|<=]"  # "%" and one character: the only place it is spelt
_TAG = re.compile(rf"^{_TAG_NAME}\s", re.MULTILINE)


class EnwReader(TaggedReader):
    """EndNote tagged: ``%X value`` lines; the ``%0`` reference type gives the publication type."""

    format = "enw"
    title = "EndNote tagged (.enw)"
    tag_line = re.compile(rf"^({_TAG_NAME})(?:[ \t]+(.*))?$")
    start_tags = frozenset({"%0"})
    one_value_per_line = enw_tags.ONE_VALUE_PER_LINE
    expected_start = "'%0 <reference type>' lines starting each record"
    field_map: ClassVar[FieldMap] = enw_tags.FIELD_MAP
    ignored_tags = enw_tags.IGNORED_TAGS

    @classmethod
    def sniff(cls, head: str) -> bool:
        return _SNIFF.search(head) is not None and len(_TAG.findall(head)) >= 2
