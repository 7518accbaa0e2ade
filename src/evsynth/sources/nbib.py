"""MEDLINE text as PubMed exports it ("PubMed" format, ``.nbib`` files).

Each record starts with ``PMID- ``; tags are padded to four characters before ``- ``, and
continuation lines are indented six spaces. Records are separated by blank lines, but a record
also ends where the next ``PMID-`` begins, so a missing blank line does not merge two records.
"""

from __future__ import annotations

import re

from evsynth.contracts.records import Record
from evsynth.sources import nbib_tags
from evsynth.sources.fields import build_record, normalise_author
from evsynth.sources.tagged import TaggedReader

__all__ = ["NbibReader"]


class NbibReader(TaggedReader, tags=nbib_tags):
    """MEDLINE/nbib: ``TAG - value`` with a four-character tag field."""

    format = "nbib"
    title = "MEDLINE/PubMed text (nbib)"
    tag_line = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,3}- ?(.*)$")
    start_tags = frozenset({"PMID"})
    continuation = re.compile(r"^\s+(.*)$")
    expected_start = "'PMID- ' lines starting each record"
    sniff_pattern = re.compile(r"^PMID- ?\d", re.MULTILINE)

    def build(self, tags: dict[str, list[str]], *, source_file: str, line: int) -> Record:
        record = build_record(self.field_map, tags, source_file=source_file, line=line)
        if not record.authors:
            names = [normalise_author(v) for v in tags.get("AU", ()) if v.strip()]
            names += [v for v in tags.get("CN", ()) if v.strip()]
            record.authors = "; ".join(dict.fromkeys(names))
        elif tags.get("CN"):
            record.authors = "; ".join([record.authors, *tags["CN"]])
        record.url = f"https://pubmed.ncbi.nlm.nih.gov/{record.pmid}/" if record.pmid else ""
        return record
