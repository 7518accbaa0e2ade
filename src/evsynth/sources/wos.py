"""Web of Science exports: the tagged plain text (``FN``/``VR``, ``PT``..``ER``, ``EF``) and the
tab-delimited table; both use the same two-letter tags (:mod:`.wos_tags`).

Web of Science exports at most 500 records per file, so a search arrives as several files; each is
read on its own (the ``FN``/``VR`` header and ``EF`` footer repeat) and the CLI concatenates them.
Overlapping files give repeated UTs, which :func:`~evsynth.contracts.records.assign_record_ids`
keeps as ``~2`` rows for deduplication to remove with a reason.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from evsynth.contracts.records import Record
from evsynth.errors import InputError
from evsynth.sources import wos_tags
from evsynth.sources.base import Failure, Importer
from evsynth.sources.fields import FieldMap, build_record
from evsynth.sources.inputs import read_text
from evsynth.sources.tagged import TaggedReader

__all__ = ["WosReader", "WosTabReader"]


class WosReader(TaggedReader, tags=wos_tags):
    """Plain text: tag, one space, value; continuation lines indented three spaces."""

    format = "wos"
    title = "Web of Science plain text"
    tag_line = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
    start_tags = frozenset({"PT"})
    end_tags = frozenset({"ER"})
    continuation = re.compile(r"^ {2,3}(.*)$")
    file_tags = frozenset({"FN", "VR", "EF"})
    expected_start = "'PT ' lines starting each record"
    sniff_pattern = re.compile(r"\A\s*(?:FN |VR |PT [A-Z]\b)", re.MULTILINE)

    def build(self, tags: dict[str, list[str]], *, source_file: str, line: int) -> Record:
        record = super().build(tags, source_file=source_file, line=line)
        _count_database(self, tags)
        return record

    @classmethod
    def sniff(cls, head: str) -> bool:
        return super().sniff(head) and re.search(r"^ER\s*$", head, re.M) is not None


def _count_database(importer: Importer, tags: dict[str, list[str]]) -> None:
    """Label the record by the database its UT names (``ZOOREC:`` is Zoological Record)."""
    for value in tags.get("UT", ()):
        database = wos_tags.database_of(value) or wos_tags.CORE_COLLECTION
        importer.databases[database] += 1
        return


class WosTabReader(Importer):
    """Tab-delimited: a header row of tags, one record per row, multi-valued cells "; "-joined."""

    format = "wos-tab"
    title = "Web of Science tab-delimited"
    record_noun = "row"
    sniff_pattern = re.compile(r"\A\ufeff?PT\t(?:[A-Z][A-Z0-9].*\t)*.*\bUT\b", re.MULTILINE)
    field_map: ClassVar[FieldMap] = wos_tags.FIELD_MAP

    def read(
        self, src: str | os.PathLike[str] | bytes | BinaryIO, *, label: str | None = None
    ) -> Iterator[Record]:
        text = read_text(src, label=label)
        label = text.source.label
        reader = csv.reader(text.raw_lines(), delimiter="\t", quoting=csv.QUOTE_NONE)
        try:
            header = next(reader)
        except StopIteration:
            raise InputError("empty file; expected a header row of WoS tags", path=label) from None
        columns = [wos_tags.COLUMN_ALIASES.get(h.strip(), h.strip()) for h in header]
        if "UT" not in columns or "TI" not in columns:
            raise InputError(
                "header lacks the UT and TI columns of a Web of Science tab-delimited export",
                path=label,
                line=1,
            )
        known = self.field_map.known_tags | wos_tags.IGNORED_TAGS
        for column in columns:
            if column and column not in known:
                self.unknown_tags[column] += 1
        yield from self.accounted(label, self._candidates(reader, columns, text.source.name))

    def _candidates(
        self, reader: Iterator[list[str]], columns: list[str], name: str
    ) -> Iterator[Record | Failure]:
        """One record (or failure) per non-blank row below the header."""
        while True:
            line = reader.line_num + 1  # type: ignore[attr-defined]
            try:
                row = next(reader)
            except StopIteration:
                return
            if not any(cell.strip() for cell in row):
                continue
            self.record_starts += 1
            # Exports pad rows with an empty trailing cell; more cells than that is a broken row.
            if len(row) > len(columns) and any(c.strip() for c in row[len(columns) :]):
                yield Failure(line, f"{len(row)} cells but the header has {len(columns)} columns")
                continue
            tags: dict[str, list[str]] = {}
            for column, cell in zip(columns, row, strict=False):
                cell = cell.strip()
                if not column or not cell:
                    continue
                if column in wos_tags.TAB_SPLIT:
                    tags[column] = [v.strip() for v in cell.split(";") if v.strip()]
                else:
                    tags[column] = [cell]
            _count_database(self, tags)
            yield build_record(self.field_map, tags, source_file=name, line=line)
