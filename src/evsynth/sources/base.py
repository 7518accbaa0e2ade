"""The importer interface every format implements, and record accounting.

An importer reads one export and yields :class:`~evsynth.contracts.records.Record` objects in file
order. It counts the record starts it saw (``TY`` lines, ``Record #n`` headers, data rows, start
tags); when a record cannot be read, reading goes on so that one run reports every problem, and the
importer then raises one :class:`~evsynth.errors.InputError` listing each failed record by file and
line. That is the accounting rule: records started == records produced, or the run fails.

The rule lives in one place, :meth:`Importer.accounted`: a reader only turns its file into a stream
of candidates (a :class:`Record`, or a :class:`Failure` where a record or line could not be read)
and counts its record starts; ``accounted`` applies the one identification rule
(:func:`identified`), yields the records and raises at the end. So no format can drift into its
own rule of what a readable record is.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, ClassVar, TypeVar

from evsynth.contracts.records import Record
from evsynth.errors import InputError
from evsynth.sources.fields import FieldMap

__all__ = ["Failure", "Importer", "identified", "raise_failures"]

_MAX_LISTED = 20
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Failure:
    """A record (or a stray line) that could not be read: where, and what was expected."""

    line: int
    message: str


def raise_failures(label: str, failures: list[Failure], *, starts: int, produced: int) -> None:
    """Raise one InputError listing every failure (the first 20), if there are any."""
    if not failures:
        return
    failures = sorted(failures, key=lambda f: f.line)
    listed = "; ".join(f"{label}:{f.line}: {f.message}" for f in failures[:_MAX_LISTED])
    more = len(failures) - _MAX_LISTED
    if more > 0:
        listed += f"; and {more} more"
    raise InputError(
        f"{len(failures)} problem(s): {starts} record start(s) but {produced} record(s) read. "
        f"{listed}",
        path=label,
    )


def identified(record: Record) -> bool:
    """True when a record has a title or an identifier; one with neither cannot be screened.

    The one rule for every format: a title, the database's accession, a DOI or a PMID.
    """
    return bool(record.title or record.source_id or record.doi or record.pmid)


class Importer:
    """Base class: one instance reads one or more files of one format.

    Subclasses set :attr:`format` (the ``--format`` name) and :attr:`title`, implement
    :meth:`read` (a stream of candidate records handed to :meth:`accounted`) and set
    :attr:`sniff_pattern` or implement :meth:`sniff`. After reading, :attr:`record_starts`,
    :attr:`unknown_tags` (tag or column -> count), :attr:`skipped_lines`, :attr:`warnings` (what
    was read leniently: a preamble skipped, a missing final ``ER``) and :attr:`databases` (the
    database each record names, when the export says: ``Zoological Record`` for a ``ZOOREC:``
    accession) describe the file for the search log.
    """

    format: ClassVar[str] = ""
    title: ClassVar[str] = ""
    #: What one record is called in messages ("row" in a table, "entry" in BibTeX).
    record_noun: ClassVar[str] = "record"
    #: Found in the head of a file of this format (for :meth:`sniff`; None: sniff is overridden).
    sniff_pattern: ClassVar[re.Pattern[str] | None] = None

    def __init__(self) -> None:
        self.record_starts = 0
        self.unknown_tags: Counter[str] = Counter()
        self.skipped_lines = 0
        self.warnings: list[str] = []
        self.databases: Counter[str] = Counter()

    def read(
        self, src: str | os.PathLike[str] | bytes | BinaryIO, *, label: str | None = None
    ) -> Iterator[Record]:
        """Yield the records of one export in file order (raises InputError when it is bad)."""
        raise NotImplementedError

    @classmethod
    def sniff(cls, head: str) -> bool:
        """True when ``head`` (the first decoded kilobytes of a file) is in this format."""
        if cls.sniff_pattern is None:
            raise NotImplementedError
        return cls.sniff_pattern.search(head) is not None

    def accounted(
        self,
        label: str,
        candidates: Iterable[_T | Failure],
        *,
        empty: str | None = None,
        identify: bool = True,
    ) -> Iterator[_T]:
        """Yield the readable records of one file's ``candidates``, then enforce the accounting.

        ``candidates`` are a reader's records (or, with ``identify=False``, any items: the tags of
        records) and :class:`Failure` objects, in file order; the reader counts its record starts
        in :attr:`record_starts` while producing them. A record with neither a title nor an
        identifier becomes a failure (:meth:`unidentified`). At the end: one InputError listing
        every failure; else an InputError when the starts and the records differ (a reader that
        lost a record without saying why); else, with ``empty``, that message if nothing started.
        """
        first = self.record_starts
        failures: list[Failure] = []
        produced = 0
        for item in candidates:
            if isinstance(item, Failure):
                failures.append(item)
                continue
            if identify and not identified(item):  # type: ignore[arg-type]
                failures.append(self.unidentified(item))  # type: ignore[arg-type]
                continue
            produced += 1
            yield item
        starts = self.record_starts - first
        raise_failures(label, failures, starts=starts, produced=produced)
        if starts != produced:
            raise InputError(
                f"{starts} record start(s) but {produced} record(s) read, and no record "
                f"reported as failed: a fault of evsynth's {self.title} reader, not of the file; "
                "please report it with the file",
                path=label,
            )
        if empty is not None and starts == 0:
            raise InputError(empty, path=label)

    def unidentified(self, record: Record) -> Failure:
        """The failure of a record that has neither a title nor an identifier."""
        return Failure(
            int(record.source_line or 0),
            f"{self.record_noun} has no title and no identifier; expected {self.identity_fields()}",
        )

    def identity_fields(self) -> str:
        """The fields that give a record its title or identifier in this format, for messages."""
        field_map = getattr(self, "field_map", None)
        if isinstance(field_map, FieldMap):
            return field_map.identity_fields
        return "a title or an identifier (DOI, PMID or accession)"
