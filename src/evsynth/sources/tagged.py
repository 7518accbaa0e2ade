"""A line-tagged export reader; RIS, Web of Science, MEDLINE, Cochrane and Ovid are subclasses.

The formats share one shape (a tag, a value, continuation lines, something that starts and maybe
something that ends a record) and differ in the details, which subclasses set as class attributes:
the tag-line pattern, the start and end tags or a record header line, how continuation lines are
recognised, which continued tags hold one value per line, and which lines outside records are
harmless (file headers, Ovid's search-history lines). The fields come from the format's
:class:`~evsynth.sources.fields.FieldMap`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import BinaryIO, ClassVar, Protocol

from evsynth.contracts.records import Record
from evsynth.errors import InputError
from evsynth.sources.base import Failure, Importer
from evsynth.sources.fields import FieldMap, build_record
from evsynth.sources.inputs import Text, read_text

__all__ = ["TaggedReader"]


class TagData(Protocol):
    """A format's data-only ``*_tags`` module, as a reader takes it (``tags=nbib_tags``)."""

    FIELD_MAP: FieldMap
    IGNORED_TAGS: frozenset[str]


#: One record's first line, ``tag -> values`` and ``tag -> line of its first value``.
_Tags = tuple[int, dict[str, list[str]], dict[str, int]]

# An Ovid record number ("1.") alone on a line: skipped and counted, but no preamble to report.
_RECORD_NUMBER = re.compile(r"^\s*\d+\.?\s*$")


class TaggedReader(Importer):
    """Read a line-tagged export; subclasses only change the class attributes below.

    A subclass names its data module in the class statement (``class NbibReader(TaggedReader,
    tags=nbib_tags)``): its ``FIELD_MAP``, ``IGNORED_TAGS`` and, when it has one,
    ``ONE_VALUE_PER_LINE`` become :attr:`field_map`, :attr:`ignored_tags` and
    :attr:`one_value_per_line`, so the tag facts of a format are written once, in data.
    """

    #: Matches a tag line; group 1 is the tag, group 2 (optional) the value.
    tag_line: ClassVar[re.Pattern[str]]
    #: Tags that start a record (``TY``, ``PT``, ``PMID``); empty when a header line does.
    start_tags: ClassVar[frozenset[str]] = frozenset()
    #: A line that starts a record by itself ("Record #1 of 20", "<1. >"), or None.
    record_header: ClassVar[re.Pattern[str] | None] = None
    #: Tags that end a record (``ER``); empty when a record ends where the next one starts.
    end_tags: ClassVar[frozenset[str]] = frozenset()
    #: Continuation lines; group 1 is the text. None: any non-tag line inside a record continues.
    continuation: ClassVar[re.Pattern[str] | None] = None
    #: Tags whose continuation lines are separate values (WoS ``AU``: one author per line).
    one_value_per_line: ClassVar[frozenset[str]] = frozenset()
    #: Tags allowed outside records (file header and footer such as ``FN``, ``VR``, ``EF``).
    file_tags: ClassVar[frozenset[str]] = frozenset()
    #: True: a tag line outside a record is an error (a lost record start). Untagged lines
    #: outside records (banners, Ovid search history, record numbers) are skipped and counted.
    strict_outside_records: ClassVar[bool] = True
    #: True: non-tag lines inside a record that are not continuations are skipped, not errors.
    tolerate_stray_lines: ClassVar[bool] = False
    #: True: a last record that reaches the end of the file without its end tag is read, with a
    #: warning (reference managers omit the final ``ER``); False: it is a failed record.
    final_end_optional: ClassVar[bool] = False
    #: What a record start looks like, for messages.
    expected_start: ClassVar[str] = ""
    field_map: ClassVar[FieldMap]
    #: Tags that are read but carry nothing we keep (not reported as unknown).
    ignored_tags: ClassVar[frozenset[str]] = frozenset()
    #: Optional fast path: matches, at a position, one complete record in the plainest layout
    #: (group 1: the blank lines before its start tag); any record it does not match is read line
    #: by line, so it only has to accept records the line reader would read the same way.
    fast_record: ClassVar[re.Pattern[str] | None] = None

    def __init_subclass__(cls, *, tags: TagData | None = None, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if tags is not None:
            cls.field_map = tags.FIELD_MAP
            cls.ignored_tags = tags.IGNORED_TAGS
            cls.one_value_per_line = getattr(tags, "ONE_VALUE_PER_LINE", frozenset())

    def read(
        self, src: str | os.PathLike[str] | bytes | BinaryIO, *, label: str | None = None
    ) -> Iterator[Record]:
        text = read_text(src, label=label)
        yield from self.accounted(
            text.source.label,
            self._candidates(text),
            empty=f"no records found; expected {self.expected_start} ({self.title})",
        )

    def _candidates(self, text: Text) -> Iterator[Record | Failure]:
        """Each record start of ``text`` as a record, or a failure saying why it is not one."""
        known = self.field_map.known_tags | self.ignored_tags | self.start_tags | self.end_tags
        name = text.source.name
        for item in self._records(text):
            if isinstance(item, Failure):
                yield item
                continue
            start, tags, _lines = item
            if not known.issuperset(tags):
                for tag in tags:
                    if tag not in known:
                        self.unknown_tags[tag] += 1
            try:
                yield self.build(tags, source_file=name, line=start)
            except InputError as exc:
                yield Failure(start, str(exc))

    def read_tags(
        self, src: str | os.PathLike[str] | bytes | BinaryIO, *, label: str | None = None
    ) -> Iterator[tuple[int, dict[str, list[str]]]]:
        """Yield ``(first_line, tag -> values)`` per record, every value as the export wrote it.

        For readers of fields that are not record columns (screening tools' labels): the same
        records, lines and failures as :meth:`read`.
        """
        for start, tags, _lines in self.text_tags(read_text(src, label=label)):
            yield start, tags

    def text_tags(
        self, text: Text, *, tag_lines: bool = False
    ) -> Iterator[tuple[int, dict[str, list[str]], dict[str, int]]]:
        """Yield ``(first_line, tag -> values, tag -> line)`` per record of decoded ``text``.

        With ``tag_lines`` the third item gives the line of each tag's first value (so a message
        about a decision in ``N1`` points at that line); without it, it is empty. Failures are
        raised together at the end, as by :meth:`read`.
        """
        yield from self.accounted(
            text.source.label, self._records(text, tag_lines=tag_lines), identify=False
        )

    def build(self, tags: dict[str, list[str]], *, source_file: str, line: int) -> Record:
        """One record from its tags (subclasses add format-specific touches)."""
        return build_record(self.field_map, tags, source_file=source_file, line=line)

    def split_line(self, line: str) -> tuple[str, str] | None:
        """``(tag, value)`` for a tag line, None for any other line."""
        match = self.tag_line.match(line)
        if match is None:
            return None
        return match.group(1), (match.group(2) or "").strip()

    def _records(self, text: Text, *, tag_lines: bool = False) -> Iterator[_Tags | Failure]:
        """Yield ``(first_line, tags, tag_lines)`` per complete record, a Failure per bad one.

        A failure is a record that is not complete (no end tag) or a line that belongs to no
        record; ``tag_lines`` (tag -> line of its first value) is filled only when asked for,
        and then the fast path is off (it has no lines).
        """
        split = self.split_line
        continuation = self.continuation.match if self.continuation else None
        header = self.record_header.match if self.record_header else None
        start_tags, end_tags, file_tags = self.start_tags, self.end_tags, self.file_tags
        per_line = self.one_value_per_line
        tags: dict[str, list[str]] | None = None
        lines: dict[str, int] = {}
        start = 0
        last: list[str] | None = None
        last_tag = ""
        orphan = False
        number = 0
        preamble: list[tuple[int, str]] = []
        between: list[tuple[int, str]] = []
        fast = self.fast_record is not None and not tag_lines
        blocks = self._fast_blocks(text) if fast else text.line_blocks()
        for block in blocks:
            if block.__class__ is _FastRecord:
                if tags is None:
                    # What the line loop below would do with the record's lines.
                    orphan = False
                    self.record_starts += 1
                    yield number + block.lead + 1, block.tags, lines
                    number += block.lines
                    last = None
                    continue
                block = block.text.split("\n")[:-1]
            for line in block:
                number += 1
                if not line or line.isspace():
                    continue
                if header is not None and header(line):
                    if tags is not None:
                        yield self._closed(start, tags, lines, self._unterminated(number))
                    orphan = False
                    self.record_starts += 1
                    tags, start, last, last_tag = {}, number, None, ""
                    lines = {}
                    continue
                pair = None if line[0] in " \t" else split(line)
                if tags is None:
                    if pair is not None and pair[0] in start_tags:
                        orphan = False
                        self.record_starts += 1
                        tags, start = {}, number
                        last_tag = pair[0]
                        last = tags[last_tag] = [pair[1]]
                        lines = {last_tag: number} if tag_lines else {}
                    elif pair is not None and pair[0] in file_tags:
                        continue
                    elif pair is not None and self.strict_outside_records:
                        # A field outside any record means a record start was lost or mangled;
                        # report the first line of such a run only.
                        if not orphan:
                            yield Failure(
                                number,
                                f"tag {pair[0]!r} outside any record; expected "
                                f"{self.expected_start}",
                            )
                        orphan = True
                    else:
                        self.skipped_lines += 1
                        if not _RECORD_NUMBER.match(line):
                            (preamble if self.record_starts == 0 else between).append(
                                (number, line)
                            )
                    continue
                if pair is not None:
                    tag, value = pair
                    if tag in end_tags:
                        yield start, tags, lines
                        tags, last = None, None
                        continue
                    if tag in start_tags:
                        yield self._closed(start, tags, lines, self._unterminated(number))
                        self.record_starts += 1
                        tags, start = {}, number
                        lines = {}
                    last_tag = tag
                    last = tags.get(tag)
                    if last is None:
                        last = tags[tag] = [value]
                        if tag_lines:
                            lines[tag] = number
                    else:
                        last.append(value)
                    continue
                if continuation is not None:
                    cont = continuation(line)
                    if cont is None:
                        if self.tolerate_stray_lines:
                            self.skipped_lines += 1
                            continue
                        yield Failure(
                            number,
                            f"expected a tag line or an indented continuation, found {line[:60]!r}",
                        )
                        continue
                    extra = cont.group(1).strip()
                else:
                    extra = line.strip()
                if last is None:
                    if self.tolerate_stray_lines:
                        self.skipped_lines += 1
                        continue
                    yield Failure(number, f"continuation line before any tag: {line[:60]!r}")
                    continue
                if last_tag in per_line or not last:
                    last.append(extra)
                else:
                    last[-1] = f"{last[-1]} {extra}" if last[-1] else extra
        if preamble:
            self._note_skipped(preamble, "before the first record")
        if between:
            self._note_skipped(between, "between records")
        if tags is not None:
            if end_tags and self.final_end_optional:
                end = "/".join(sorted(end_tags))
                self.warnings.append(
                    f"line {start}: the last record has no {end} line before end of file; read "
                    "as ending there (check the export is complete)"
                )
                yield start, tags, lines
            else:
                yield self._closed(start, tags, lines, self._unterminated(None))

    def _note_skipped(self, lines: list[tuple[int, str]], where_in_file: str) -> None:
        """A warning naming untagged lines skipped outside records (the first five)."""
        shown = " | ".join(repr(text.strip()[:60]) for _n, text in lines[:5])
        more = f" and {len(lines) - 5} more" if len(lines) > 5 else ""
        first, last = lines[0][0], lines[-1][0]
        where = f"line {first}" if first == last else f"lines {first}-{last}"
        self.warnings.append(
            f"{len(lines)} line(s) {where_in_file} skipped ({where}): {shown}{more}"
        )

    def _fast_blocks(self, text: Text) -> Iterator[list[str] | _FastRecord]:
        """Whole records matched by :attr:`fast_record`, and lists of the lines between them."""
        assert self.fast_record is not None
        match = self.fast_record.match
        fast_tags = self.fast_tags
        start_marker = "\n" + self._fast_start
        for chunk in text.text_blocks():
            pos, end = 0, len(chunk)
            while pos < end:
                found = match(chunk, pos)
                if found is not None:
                    head, stop = found.end(1), found.end()
                    yield _FastRecord(
                        chunk.count("\n", pos, head),
                        chunk.count("\n", pos, stop),
                        fast_tags(chunk, head, stop),
                        chunk,
                        pos,
                        stop,
                    )
                    pos = stop
                    continue
                cut = chunk.find(start_marker, pos)
                cut = end if cut < 0 else cut + 1
                yield chunk[pos:cut].split("\n")[:-1]
                pos = cut

    def fast_tags(self, text: str, start: int, stop: int) -> dict[str, list[str]]:
        """``tag -> values`` of a record matched by :attr:`fast_record`: ``text[start:stop]``,
        from its start tag to its end tag line (given as positions: no copy of the record)."""
        raise NotImplementedError

    @property
    def _fast_start(self) -> str:
        return next(iter(self.start_tags)) + "  -"

    @staticmethod
    def _closed(
        start: int, tags: dict[str, list[str]], lines: dict[str, int], problem: str
    ) -> _Tags | Failure:
        """A record that ended where another began: complete, or a failure when it needed an end."""
        return Failure(start, problem) if problem else (start, tags, lines)

    def _unterminated(self, next_line: int | None) -> str:
        if not self.end_tags:
            return ""
        end = "/".join(sorted(self.end_tags))
        where = f"before the next record at line {next_line}" if next_line else "before end of file"
        return f"record has no {end} line {where} (truncated or merged records)"


class _FastRecord:
    """A record read by the fast path: its tags, line counts, and where its text is."""

    __slots__ = ("_chunk", "_start", "_stop", "lead", "lines", "tags")

    def __init__(
        self, lead: int, lines: int, tags: dict[str, list[str]], chunk: str, start: int, stop: int
    ) -> None:
        self.lead = lead
        self.lines = lines
        self.tags = tags
        self._chunk = chunk
        self._start = start
        self._stop = stop

    @property
    def text(self) -> str:
        """The record's lines (each ending with a line break), for the line-by-line reader."""
        return self._chunk[self._start : self._stop]
