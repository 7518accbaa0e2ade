"""BibTeX (and BibLaTeX), as Scopus, Web of Science, Zotero and Google Scholar export it.

Parsed with bibtexparser 2 (docs/dependencies.md: its splitter keeps going after a broken entry
and reports it with its line, resolves ``@string`` macros and follows BibTeX's name rules), with
LaTeX decoded by pylatexenc (``{\\"u}`` -> ``ü``, ``--`` -> ``–``, braces removed). Each entry's
fields then go through the same :class:`~evsynth.sources.fields.FieldMap` machinery as the tagged
formats (:mod:`.bibtex_tags`), so identifiers follow the same ordered rules.

BibTeX is read whole into memory (the parser needs the full text); exports are small (Scopus and
Web of Science cap a BibTeX export at a few thousand records).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.middlewares.names import (
    InvalidNameError,
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ImplicitComment,
    ParsingFailedBlock,
)
from pylatexenc.latex2text import LatexNodes2Text

from evsynth.contracts.records import Record
from evsynth.sources import bibtex_tags, wos_tags
from evsynth.sources.base import Failure, Importer
from evsynth.sources.fields import FieldMap, build_record
from evsynth.sources.inputs import read_text

__all__ = ["BibtexReader"]

_SNIFF = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(]", re.MULTILINE)
_NOT_ENTRIES = frozenset({"comment", "string", "preamble"})
_LATEX_MARKS = ("\\", "{", "}", "$", "~", "--")
_DASHES = re.compile(r"\s*[\u2010-\u2015-]+\s*")
_SPLIT_SEMICOLON = re.compile(r"\s*;\s*")
_SPLIT_COMMA = re.compile(r"\s*,\s*")
_DECODER = LatexNodes2Text(math_mode="text", keep_braced_groups=False)


def _decode(value: str) -> str:
    """LaTeX -> text (only when the value holds LaTeX: the decoder costs ~100 us a value)."""
    if not any(mark in value for mark in _LATEX_MARKS):
        return value
    try:
        return _DECODER.latex_to_text(value)
    except Exception:  # pylatexenc raises many exception types on odd input
        return value.replace("{", "").replace("}", "")


def _verbatim(value: str) -> str:
    """A link or identifier: braces and LaTeX escapes (``\\_``, ``\\%``) removed, nothing else."""
    return re.sub(r"\\([_%&#$])", r"\1", value.replace("{", "").replace("}", "")).strip()


def _names(value: str) -> list[str]:
    """``and``-separated BibTeX names as "Family, Given" (von and Jr. kept with the family)."""
    out = []
    for raw in split_multiple_persons_names(value):
        try:
            parts = parse_single_name_into_parts(raw, strict=False)
        except InvalidNameError:
            out.append(_decode(raw))
            continue
        family = " ".join(_decode(p) for p in (*parts.von, *parts.last))
        given = " ".join(_decode(p) for p in parts.first)
        if parts.jr:
            family = f"{family} {' '.join(_decode(p) for p in parts.jr)}"
        family, given = " ".join(family.split()), " ".join(given.split())
        if family and given:
            out.append(f"{family}, {given}")
        elif family or given:
            out.append(family or given)
    return out


def _keywords(value: str) -> list[str]:
    separator = _SPLIT_SEMICOLON if ";" in value else _SPLIT_COMMA
    return [k for k in separator.split(value) if k]


class BibtexReader(Importer):
    """One record per ``@type{key, ...}`` entry; ``@string``/``@preamble``/``@comment`` skipped."""

    format = "bibtex"
    title = "BibTeX"
    record_noun = "entry"
    field_map: ClassVar[FieldMap] = bibtex_tags.FIELD_MAP

    def read(
        self, src: str | os.PathLike[str] | bytes | BinaryIO, *, label: str | None = None
    ) -> Iterator[Record]:
        text = read_text(src, label=label)
        content = "\n".join(line for block in text.line_blocks() for line in block)
        # The splitter also logs each broken entry; they are reported below, with their lines.
        splitter_log = logging.getLogger("bibtexparser.splitter")
        level = splitter_log.level
        splitter_log.setLevel(logging.ERROR)
        try:
            library = bibtexparser.parse_string(content)
        finally:
            splitter_log.setLevel(level)
        yield from self.accounted(
            text.source.label,
            self._candidates(library, text.source.name),
            empty="no BibTeX entries found; expected '@article{key, ...}' entries",
        )

    def _candidates(self, library: Library, name: str) -> Iterator[Record | Failure]:
        """Each entry as a record, each unreadable block as a failure, in file order.

        Every entry and every failed block is a record start, numbered by its 1-based first line.
        """
        skipped: list[int] = []
        for block in library.blocks:
            line = (block.start_line or 0) + 1
            if isinstance(block, Entry):
                self.record_starts += 1
                yield self._record(block, source_file=name, line=line)
            elif isinstance(block, DuplicateBlockKeyBlock | DuplicateFieldKeyBlock):
                # A repeated key (Google Scholar keys collide) or field is still one record.
                entry = block.ignore_error_block
                what = "key" if isinstance(block, DuplicateBlockKeyBlock) else "field"
                self.warnings.append(f"line {line}: duplicate {what} in entry {block.key!r}")
                if isinstance(entry, Entry):
                    self.record_starts += 1
                    yield self._record(entry, source_file=name, line=line)
            elif isinstance(block, ParsingFailedBlock):
                self.record_starts += 1
                error = block.error
                reason = " ".join(str(getattr(error, "abort_reason", "") or error).split())
                yield Failure(
                    line,
                    f"unreadable BibTeX entry: {reason.rstrip('.')}; expected "
                    "'@type{key, field = {value}, ...}' with balanced braces",
                )
            elif isinstance(block, ImplicitComment) and block.comment.strip():
                skipped.append(line)
                self.skipped_lines += block.comment.strip().count("\n") + 1
        if skipped:
            self.warnings.append(
                f"text outside entries skipped at {len(skipped)} place(s), first at line "
                f"{skipped[0]}"
            )

    def _record(self, entry: Entry, *, source_file: str, line: int) -> Record:
        tags: dict[str, list[str]] = {bibtex_tags.TYPE_FIELD: [entry.entry_type.upper()]}
        known = self.field_map.known_tags | bibtex_tags.IGNORED_FIELDS
        for field in entry.fields:
            key = field.key.lower()
            if key in tags or not isinstance(field.value, str):
                continue
            raw = field.value.strip()
            if not raw:
                continue
            if key not in known:
                self.unknown_tags[key] += 1
            if key in bibtex_tags.NAME_FIELDS:
                tags[key] = _names(raw)
            elif key in bibtex_tags.VERBATIM_FIELDS:
                tags[key] = [_verbatim(raw)]
            elif key in bibtex_tags.KEYWORD_FIELDS:
                tags[key] = _keywords(_decode(raw))
            else:
                tags[key] = [_decode(raw)]
        self._eprint(tags)
        if "author" not in tags and "editor" in tags:
            tags["author"] = tags["editor"]
        if "pages" in tags:
            tags["pages"] = [_DASHES.sub("-", tags["pages"][0])]
        for value in tags.get("unique-id", ()):
            database = wos_tags.database_of(value)
            if database:
                self.databases[database] += 1
        return build_record(self.field_map, tags, source_file=source_file, line=line)

    @staticmethod
    def _eprint(tags: dict[str, list[str]]) -> None:
        """BibLaTeX ``eprint`` by ``eprinttype``: a PMID, a DOI, or an arXiv link."""
        eprint = tags.get("eprint", [""])[0].strip()
        kind = (tags.get("eprinttype") or tags.get("archiveprefix") or [""])[0].strip().lower()
        if not eprint or not kind:
            return
        if kind in ("pubmed", "pmid") and "pmid" not in tags:
            tags["pmid"] = [eprint]
        elif kind == "doi" and "doi" not in tags:
            tags["doi"] = [eprint]
        elif kind == "arxiv" and "url" not in tags:
            tags["url"] = [f"https://arxiv.org/abs/{eprint}"]

    @classmethod
    def sniff(cls, head: str) -> bool:
        return any(m.group(1).lower() not in _NOT_ENTRIES for m in _SNIFF.finditer(head))
