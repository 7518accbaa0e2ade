"""Comma-separated exports: Embase.com CSV and Scopus CSV (one record per row).

Columns are mapped by name (``*_tags`` modules), never by position, because both vendors let the
user choose which columns to export and reorder them between releases. A column we do not know is
reported in the search log, not dropped silently.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from evsynth.errors import InputError
from evsynth.records import Record
from evsynth.sources import embase_tags, scopus_tags
from evsynth.sources.base import Failure, Importer, raise_failures
from evsynth.sources.fields import FieldMap, build_record
from evsynth.sources.inputs import read_text

__all__ = ["CsvReader", "EmbaseCsvReader", "ScopusCsvReader"]

csv.field_size_limit(1 << 24)


class CsvReader(Importer):
    """A CSV export with a header row; subclasses set the field map and signature columns."""

    delimiter: ClassVar[str] = ","
    field_map: ClassVar[FieldMap]
    ignored_columns: ClassVar[frozenset[str]] = frozenset()
    #: Columns whose presence in the header identifies the format.
    signature: ClassVar[tuple[str, ...]] = ()
    #: Any one of these also identifies it (a vendor-only column such as ``EID``).
    marker_columns: ClassVar[tuple[str, ...]] = ()
    #: Columns that must not be there (to tell Scopus and Embase apart).
    excluded_columns: ClassVar[tuple[str, ...]] = ()

    def read(
        self, src: str | os.PathLike[str] | bytes | BinaryIO, *, label: str | None = None
    ) -> Iterator[Record]:
        text = read_text(src, label=label)
        label = text.source.label
        reader = csv.reader(text.raw_lines(), delimiter=self.delimiter)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise InputError(
                f"empty file; expected a {self.title} header row", path=label
            ) from None
        except csv.Error as exc:
            raise InputError(f"malformed CSV header: {exc}", path=label, line=1) from None
        missing = [c for c in self.signature if c not in header]
        if missing:
            raise InputError(
                f"header lacks {', '.join(missing)}; a {self.title} has "
                f"{', '.join(self.signature)}",
                path=label,
                line=1,
            )
        known = self.field_map.known_tags | self.ignored_columns
        for column in header:
            if column and column not in known:
                self.unknown_tags[column] += 1
        failures: list[Failure] = []
        produced = 0
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                self.record_starts += 1
                failures.append(Failure(line, f"malformed CSV row: {exc}"))
                break
            if not any(cell.strip() for cell in row):
                continue
            self.record_starts += 1
            if len(row) != len(header):
                failures.append(
                    Failure(
                        line,
                        f"{len(row)} cells but the header has {len(header)} columns "
                        "(an unbalanced quote?)",
                    )
                )
                continue
            tags = {col: [cell] for col, cell in zip(header, row, strict=True) if cell.strip()}
            record = build_record(self.field_map, tags, source_file=text.source.name, line=line)
            if not (record.title or record.source_id or record.doi):
                failures.append(Failure(line, "row has no title and no identifier"))
                continue
            produced += 1
            yield record
        raise_failures(label, failures, starts=self.record_starts, produced=produced)

    @classmethod
    def sniff(cls, head: str) -> bool:
        first = head.lstrip("\ufeff").split("\n", 1)[0]
        try:
            header = {h.strip() for h in next(csv.reader([first], delimiter=cls.delimiter))}
        except (csv.Error, StopIteration):
            return False
        if any(c in header for c in cls.excluded_columns):
            return False
        return all(c in header for c in cls.signature) or any(
            c in header for c in cls.marker_columns
        )


class EmbaseCsvReader(CsvReader):
    """Embase.com CSV, classic (with ``Embase Accession ID``) or newer (without) layout."""

    format = "embase-csv"
    title = "Embase CSV export"
    field_map = embase_tags.FIELD_MAP
    ignored_columns = embase_tags.IGNORED_COLUMNS
    signature = embase_tags.SIGNATURE
    marker_columns = ("Embase Accession ID",)
    excluded_columns = ("EID",)


class ScopusCsvReader(CsvReader):
    """Scopus CSV; the ``EID`` column gives the accession."""

    format = "scopus-csv"
    title = "Scopus CSV export"
    field_map = scopus_tags.FIELD_MAP
    ignored_columns = scopus_tags.IGNORED_COLUMNS
    signature = scopus_tags.SIGNATURE
    marker_columns = ("EID",)
    excluded_columns = ("Author Names", "Embase Accession ID")
