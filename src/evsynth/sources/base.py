"""The importer interface every format implements, and record accounting.

An importer reads one export and yields :class:`~evsynth.contracts.records.Record` objects in file
order. It counts the record starts it saw (``TY`` lines, ``Record #n`` headers, data rows, start
tags); when a record cannot be read, reading goes on so that one run reports every problem, and the
importer then raises one :class:`~evsynth.errors.InputError` listing each failed record by file and
line. That is the accounting rule: records started == records produced, or the run fails.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, ClassVar

from evsynth.contracts.records import Record
from evsynth.errors import InputError

__all__ = ["Failure", "Importer", "identified", "raise_failures"]

_MAX_LISTED = 20


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
    """True when a record has a title or an identifier; one with neither cannot be screened."""
    return bool(record.title or record.source_id or record.doi or record.pmid)


class Importer:
    """Base class: one instance reads one or more files of one format.

    Subclasses set :attr:`format` (the ``--format`` name) and :attr:`title`, implement
    :meth:`read` and :meth:`sniff`. After reading, :attr:`record_starts`,
    :attr:`unknown_tags` (tag or column -> count), :attr:`skipped_lines`, :attr:`warnings` (what
    was read leniently: a preamble skipped, a missing final ``ER``) and :attr:`databases` (the
    database each record names, when the export says: ``Zoological Record`` for a ``ZOOREC:``
    accession) describe the file for the search log.
    """

    format: ClassVar[str] = ""
    title: ClassVar[str] = ""

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
        raise NotImplementedError

    def finish(self, label: str, failures: list[Failure], *, produced: int, empty: str) -> None:
        """End of one file: every failed record in one error, then ``empty`` if nothing started."""
        raise_failures(label, failures, starts=self.record_starts, produced=produced)
        if self.record_starts == 0:
            raise InputError(empty, path=label)
