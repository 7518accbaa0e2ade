"""RIS, in every flavour reviewers meet: Embase.com, Cochrane, Web of Science, Scopus, Ovid,
EndNote and Zotero; the project's one RIS codec (the importers and the screening stage use it).

Reading is our own (:class:`RisReader` on :class:`~evsynth.sources.tagged.TaggedReader`), not
rispy's parser: rispy 0.10 gives no line numbers, skips a preamble and drops a last record without
``ER`` silently, joins or splits continuation lines depending on whether a tag is a list tag, and
fails (``TypeError``) on a repeated non-list tag followed by a continuation line; an importer must
keep every repeated tag, report unknown ones, number its records by line and list all failures
(docs/dependencies.md has the measurements). Writing is rispy's (:func:`ris_text`), with rispy's
field names. Each flavour differs only in where it puts identifiers, which :mod:`.ris_tags`
handles with ordered rules, so one reader serves all of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import rispy

from evsynth.contracts.records import Record
from evsynth.sources import ris_tags, wos_tags
from evsynth.sources.fields import build_record, normalise_author
from evsynth.sources.tagged import TaggedReader

__all__ = ["CompleteRisReader", "RisReader", "ris_text"]

_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_UPPER_DIGIT = _UPPER | frozenset("0123456789")
# The general tag-line grammar: a tag, one or two spaces, a hyphen, spaces, the value.
# A tag line of the plain layout, inside a record matched by RisReader.fast_record.
# Each match consumes its line and line break, so the next search starts at the next line (no
# "^" to test at every position; a blank line holds no capital letter). The optional space after
# the hyphen is left out of the value, so most values are stripped without a copy.
_FAST_TAG_LINE = re.compile(r"([A-Z][A-Z0-9])  - ?([^\n]*)\n")


class RisReader(TaggedReader, tags=ris_tags):
    """RIS: ``TY  - `` starts a record, ``ER  - `` ends it; untagged lines continue a value.

    Tolerates one or two spaces before the hyphen, none or several after it (Cochrane's
    ``TY  -  JOUR``), Ovid's record numbers ("1." alone or before ``TY``), blank lines anywhere,
    a preamble before the first record (Cochrane's ``Record #3 of 18`` / ``Provider:`` lines;
    skipped, counted and named in a warning) and a last record without ``ER`` (read, warned).
    """

    format = "ris"
    title = "RIS"
    tag_line = re.compile(r"^(?:\d+\.\s*)?([A-Z][A-Z0-9])\s{1,2}-(?:\s?(.*))?$")
    start_tags = frozenset({"TY"})
    end_tags = frozenset({"ER"})
    final_end_optional = True
    expected_start = "'TY  - ' lines starting each record"
    sniff_pattern = re.compile(r"^(?:\d+\.[ \t]*)?TY[ \t]{1,2}-[ \t]*\S", re.MULTILINE)
    # The plain layout (blank lines, "TY  - ", "XX  - " lines, "ER  - "): one regular expression
    # per record instead of one Python step per line; anything else goes line by line.
    fast_record = re.compile(
        r"((?:[ \t]*\n)*)TY  -[^\n]*\n"
        r"(?:(?!TY|ER)[A-Z][A-Z0-9]  -[^\n]*\n|[ \t]*\n)*"
        r"ER  -[^\n]*\n"
    )

    def build(self, tags: dict[str, list[str]], *, source_file: str, line: int) -> Record:
        record = build_record(self.field_map, tags, source_file=source_file, line=line)
        if not record.authors:
            names = [
                normalise_author(v)
                for t in ris_tags.FALLBACK_AUTHOR_TAGS
                for v in tags.get(t, ())
                if v.strip()
            ]
            record.authors = "; ".join(dict.fromkeys(names))
        if record.journal_abbrev == record.journal:
            record.journal_abbrev = ""
        if " " in record.url:
            # Several links in one value (EPPI-Reviewer) or a tag run into it (Rayyan writes
            # "UR  - https://...     U2  - L..."): a URL holds no spaces, so the first one is it.
            record.url = record.url.split()[0]
        database = self._database(tags)
        if database:
            self.databases[database] += 1
        return record

    @staticmethod
    def _database(tags: dict[str, list[str]]) -> str:
        """The Web of Science platform database a record's accession names ("" for others)."""
        for tag in ("UT", "AN"):
            for value in tags.get(tag, ()):
                found = wos_tags.database_of(value)
                if found:
                    return found
        return ""

    def fast_tags(self, text: str, start: int, stop: int) -> dict[str, list[str]]:
        # Every line of a fast_record match is "XX  -..." or blank; the last tag line is ER.
        # One findall (C) finds the tag lines instead of a Python step per line; searching
        # text between positions, not a slice of it, saves copying each record (~3 us).
        pairs = _FAST_TAG_LINE.findall(text, start, stop)
        del pairs[-1]
        tags: dict[str, list[str]] = {}
        for tag, value in pairs:
            values = tags.get(tag)
            if values is None:
                tags[tag] = [value.strip()]
            else:
                values.append(value.strip())
        return tags

    def split_line(self, line: str) -> tuple[str, str] | None:
        # Fast path for the standard "TY  - value" layout; the pattern handles the variants.
        if line[2:5] == "  -" and line[0] in _UPPER and line[1] in _UPPER_DIGIT:
            return line[:2], line[5:].strip()
        return super().split_line(line)


class CompleteRisReader(RisReader):
    """RIS that a screening tool wrote (Rayyan, EPPI-Reviewer, ASReview LAB, Zotero re-exports).

    The same codec as :class:`RisReader`, with one rule stricter: a last record without ``ER`` is
    a failure, not a warning, because a decision file cut short must be exported again rather
    than read as complete.
    """

    final_end_optional = False


class _CrlfRisWriter(rispy.RisWriter):
    """rispy's RIS writer without its ``1.`` line before each record, with CRLF line ends.

    CRLF because the RIS specification and the reference managers that read these files
    (EndNote, Rayyan) use it; no record numbers because they are Ovid's, not RIS.
    """

    NEWLINE = "\r\n"

    def set_header(self, count: int) -> str:
        return ""


def ris_text(references: Sequence[Mapping[str, object]]) -> str:
    """RIS for ``references`` given in rispy's field names (``title``, ``authors``, ``notes``).

    Lines come in each mapping's order after ``TY`` (``type_of_reference``, default ``JOUR``);
    list fields (``authors``, ``keywords``, ``urls``, ``notes``) give one line per value. Every
    record is followed by a blank line. Empty values are the caller's to leave out.
    """
    if not references:
        return ""
    return rispy.dumps(list(references), implementation=_CrlfRisWriter) + "\r\n"
