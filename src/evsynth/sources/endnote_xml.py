"""EndNote XML, as written by EndNote, Zotero and Mendeley (``<xml><records><record>``).

Streams like the PubMed parser (:mod:`.xmlstream`: no DTD, no entities, elements cleared).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import BinaryIO

from evsynth.contracts.records import Record
from evsynth.sources import endnote_tags
from evsynth.sources.base import Importer
from evsynth.sources.fields import build_record
from evsynth.sources.inputs import Source, open_source
from evsynth.sources.xmlstream import element_text, iter_xml_records

__all__ = ["EndnoteXmlReader"]

_START = re.compile(rb"<record[\s>]")


class EndnoteXmlReader(Importer):
    """One record per ``<record>``; the ``ref-type`` name gives the publication type."""

    format = "endnote-xml"
    title = "EndNote XML"
    field_map = endnote_tags.FIELD_MAP

    def read(
        self, src: str | os.PathLike[str] | bytes | BinaryIO, *, label: str | None = None
    ) -> Iterator[Record]:
        with open_source(src, label=label) as source:
            yield from self.accounted(source.label, self._candidates(source))

    def _candidates(self, source: Source) -> Iterator[Record]:
        for elem, line in iter_xml_records(
            source,
            record_tags=frozenset({"record"}),
            start_pattern=_START,
            root_tags=frozenset({"xml", "records"}),
            format_name="EndNote XML (<xml><records><record>)",
        ):
            self.record_starts += 1
            tags: dict[str, list[str]] = {}
            for name, path in endnote_tags.PATHS.items():
                values = [element_text(e) for e in elem.iterfind(path)]
                values = [v for v in values if v]
                if values:
                    tags[name] = values
            ref_type = elem.find("ref-type")
            if ref_type is not None and ref_type.get("name"):
                tags["ref-type"] = [ref_type.get("name", "")]
            for child in elem:
                if child.tag not in endnote_tags.KNOWN_CHILDREN:
                    self.unknown_tags[child.tag] += 1
            yield build_record(self.field_map, tags, source_file=source.name, line=line)

    @classmethod
    def sniff(cls, head: str) -> bool:
        return "<record>" in head and ("<records>" in head or "<ref-type" in head)
