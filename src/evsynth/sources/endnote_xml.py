"""EndNote XML, as written by EndNote, Zotero and Mendeley (``<xml><records><record>``).

Streams like the PubMed parser (:mod:`.xmlstream`: no DTD, no entities, elements cleared).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from evsynth.contracts.records import Record
from evsynth.sources import endnote_tags
from evsynth.sources.fields import build_record
from evsynth.sources.inputs import Source
from evsynth.sources.xmlstream import XmlImporter, element_text

__all__ = ["EndnoteXmlReader"]


class EndnoteXmlReader(XmlImporter):
    """One record per ``<record>``; the ``ref-type`` name gives the publication type."""

    format = "endnote-xml"
    title = "EndNote XML"
    document = "EndNote XML (<xml><records><record>)"
    field_map = endnote_tags.FIELD_MAP
    record_tags = frozenset({"record"})
    start_pattern = re.compile(rb"<record[\s>]")
    root_tags = frozenset({"xml", "records"})

    def record(self, elem: ET.Element, source: Source, line: int) -> Record:
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
        return build_record(self.field_map, tags, source_file=source.name, line=line)

    @classmethod
    def sniff(cls, head: str) -> bool:
        return "<record>" in head and ("<records>" in head or "<ref-type" in head)
