"""Stream the records of an XML export safely: no DTD fetch, no entity expansion, bounded memory.

Untrusted XML must never reach the network or the disk, and an entity-expansion bomb must not
exhaust memory, so a document declaring entities is refused outright (bibliographic exports never
need them). Entities can be declared only in the prolog (the DOCTYPE's internal subset, before
the root element starts), so the prolog goes through defusedxml's parser, which stops at the
first entity declaration or external reference, with the line expat was on; the body goes through
the C parser, which is 1.6 times faster here and reports an undeclared entity as malformed XML.
Elements are cleared as soon as their record has been read, so memory stays flat
however large the file; each record's first line is found by scanning the raw bytes for its
start tag, which also gives the count of record starts that the parsed records must match.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from evsynth.contracts.records import Record
from evsynth.errors import InputError
from evsynth.sources.base import Importer
from evsynth.sources.inputs import Source, detect_encoding, open_source

__all__ = ["XmlImporter", "element_text", "iter_xml_records"]

# 64 KiB reads (about 20 PubMed articles): each article is converted while the tree the parser
# just built is still in the CPU cache; 1 MiB reads (about 300) cost ~25% more CPU per article.
_CHUNK = 1 << 16
_OVERLAP = 64
# The first element tag after the prolog (<?xml ...?>, <!DOCTYPE ...>, comments) is the root.
_ROOT = re.compile(rb"<(?![?!/])([A-Za-z_][\w.:-]*)")
# Any "<!ENTITY" text sends the fast reader back to the event reader, which decides (the prolog
# check refuses a declaration; the same text inside CDATA or a comment is fine there).
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_XML_DECL_ENCODING = re.compile(r"^(\s*<\?xml[^>]*?)\sencoding=(['\"])[^'\"]*\2", re.IGNORECASE)


class _StartScanner:
    """Count record start tags in raw bytes and remember the line each one is on."""

    def __init__(self, pattern: re.Pattern[bytes]) -> None:
        self.pattern = pattern
        self.carry = b""
        self.line = 1
        self.lines: deque[int] = deque()
        self.count = 0

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        data = self.carry + chunk
        limit = len(data) if final else max(0, len(data) - _OVERLAP)
        pos = 0
        for match in self.pattern.finditer(data):
            if match.start() >= limit:
                break
            self.line += data.count(b"\n", pos, match.start())
            pos = match.start()
            self.lines.append(self.line)
            self.count += 1
        self.line += data.count(b"\n", pos, limit)
        self.carry = data[limit:]


class _RootReached(Exception):
    """The root element started: the prolog, where entities can be declared, is over."""


class _PrologCheck:
    """Feed the document to defusedxml's parser until the root element starts.

    Also names the root element and its line as expat saw them, so a comment or a DOCTYPE
    before the root that contains something tag-like is not taken for it.
    """

    def __init__(self) -> None:
        self.parser = DefusedXMLParser(target=ET.TreeBuilder(), forbid_dtd=False)
        self.parser.parser.StartElementHandler = self._start
        self.root: str | None = None
        self.root_line = 1

    def _start(self, name: str, attrs: object) -> None:
        if "}" not in name:  # a namespaced name comes as "uri}local": leave it to the byte scan
            self.root = name
            self.root_line = self.parser.parser.CurrentLineNumber
        raise _RootReached

    def done(self, chunk: bytes, source: Source) -> bool:
        """True once the prolog is over (or unparsable: the body's parser reports that)."""
        try:
            self.parser.feed(chunk)
        except _RootReached:
            return True
        except DefusedXmlException as exc:
            raise InputError(
                "the XML declares entities (<!ENTITY ...>) or external references; evsynth "
                "refuses them because they can expand without bound or read local files. Export "
                f"the file again without a DOCTYPE internal subset ({type(exc).__name__})",
                path=source.label,
                line=max(1, self.parser.parser.CurrentLineNumber),
            ) from None
        except ET.ParseError:
            return True
        return False


def _check_root(
    tag: str,
    line: int,
    root_tags: frozenset[str],
    error_roots: frozenset[str],
    source: Source,
    format_name: str,
) -> None:
    if tag not in root_tags | error_roots:
        raise InputError(
            f"the root element is <{tag}>; a {format_name} file has "
            + " or ".join(f"<{t}>" for t in sorted(root_tags)),
            path=source.label,
            line=line,
        )


def _chunks(source: Source) -> Iterator[bytes]:
    """The raw bytes in chunks; UTF-16 documents are re-encoded as UTF-8 first."""
    head = source.stream.read(_CHUNK)
    if detect_encoding(head[:4096]).startswith("utf-16"):
        text = (head + source.stream.read()).decode(detect_encoding(head[:4096]))
        text = _XML_DECL_ENCODING.sub(r"\1", text.removeprefix("\ufeff"), count=1)
        yield text.encode("utf-8")
        return
    while head:
        yield head
        head = source.stream.read(_CHUNK)


class _Fallback(Exception):
    """The document is not one the fast path reads exactly; read it with the event parser."""


def iter_xml_records(
    source: Source,
    *,
    record_tags: frozenset[str],
    start_pattern: re.Pattern[bytes],
    root_tags: frozenset[str],
    format_name: str,
    error_roots: frozenset[str] = frozenset(),
) -> Iterator[tuple[ET.Element, int]]:
    """Yield ``(element, first_line)`` for each record element, clearing it after use.

    Raises :class:`InputError` for entity declarations, malformed XML, a root element other than
    ``root_tags``, an error document (root in ``error_roots``, such as E-utilities'
    ``<eFetchResult><ERROR>``; its text is quoted), and when the number of record start tags
    differs from the number of records parsed.

    A well-formed document whose records are the root's children (every EFetch response) is read
    without parser events (see :func:`_children_records`); anything else, and any problem, is
    read again from the start by the event parser (:func:`_event_records`), which reports it,
    skipping the records already given. So both readings give the same records and errors.
    """
    stream = source.stream
    # Only a stream that can be read again can fall back (files, bytes; not a network response).
    seekable = getattr(stream, "seekable", None)
    start = stream.tell() if seekable is not None and seekable() else None
    produced = 0
    if start is not None:
        try:
            for item in _children_records(
                source, record_tags=record_tags, start_pattern=start_pattern, root_tags=root_tags,
                wanted=record_tags | error_roots,
            ):  # fmt: skip
                produced += 1
                yield item
            return
        except _Fallback:
            stream.seek(start)
    for elem, line in _event_records(
        source, record_tags=record_tags, start_pattern=start_pattern, root_tags=root_tags,
        format_name=format_name, error_roots=error_roots,
    ):  # fmt: skip
        if produced:
            produced -= 1  # already given (and converted) by the fast path
            elem.clear()
            continue
        yield elem, line


def _children_records(
    source: Source,
    *,
    record_tags: frozenset[str],
    start_pattern: re.Pattern[bytes],
    root_tags: frozenset[str],
    wanted: frozenset[str],
) -> Iterator[tuple[ET.Element, int]]:
    """The records of a clean document, read from the root's children without parser events.

    The event parser pays for one event per element (about 55 per PubMed article), which cost
    about as much as building the tree. Here events are switched off once the root element has
    started; after each chunk, every child of the root but the last is complete (a later sibling
    has started) and is handed out, the last one after the end of the document. Raises
    :class:`_Fallback` (before handing out anything it cannot vouch for) on whatever the event
    reader would treat differently or report: entity declarations, another root, a parse error,
    a child of the root that is not a record, records or error elements nested in a record, a
    count of start tags that differs.
    """
    parser = ET.XMLPullParser(events=("start",))
    queue = getattr(parser, "_events_queue", None)
    inner = getattr(parser, "_parser", None)
    if not isinstance(queue, deque) or not hasattr(inner, "_setevents"):
        raise _Fallback
    scanner = _StartScanner(start_pattern)
    root: ET.Element | None = None
    root_tag: str | None = None
    produced = 0
    tail = b""
    # One search per chunk for an entity declaration or the start of a wanted element that is
    # not a record (an error element): while none has been seen, no record holds one. After the
    # first, only entity declarations are searched for.
    others = b"".join(b"|" + re.escape(tag.encode("utf-8")) for tag in sorted(wanted - record_tags))
    guard = re.compile(rb"<(?:!(?i:ENTITY)" + others + b")")
    suspect = False

    def nested(children: list[ET.Element]) -> bool:
        """True unless the children can be shown cheaply to hold no wanted element.

        Every record start tag in the bytes so far is a top-level child unless one is nested
        (or is text in a comment or CDATA): when the scanner's count equals the children
        started, there is none; otherwise each child's subtree is searched (C, ~5 us each).
        """
        assert root is not None
        starts = scanner.count + len(start_pattern.findall(scanner.carry))
        if not suspect and starts <= produced + len(children) + len(root):
            return False
        for elem in children:
            tag = elem.tag
            for other in wanted:
                found = elem.iter(other)
                if other == tag:
                    next(found)
                if next(found, None) is not None:
                    return True
        return False

    def complete(children: list[ET.Element]) -> Iterator[tuple[ET.Element, int]]:
        nonlocal produced
        for elem in children:
            if elem.tag not in record_tags:
                raise _Fallback
        if nested(children):
            raise _Fallback
        lines = scanner.lines
        for elem in children:
            line = lines.popleft() if lines else scanner.line
            produced += 1
            yield elem, line
            elem.clear()

    for chunk in _chunks(source):
        window = tail + chunk
        if guard.search(window):
            if _ENTITY_DECL.search(window):
                raise _Fallback
            suspect = True
            guard = _ENTITY_DECL
        if root_tag is None:
            match = _ROOT.search(window)
            if match:
                root_tag = match.group(1).decode("utf-8", "replace")
                if root_tag not in root_tags:
                    raise _Fallback
        tail = chunk[-16:]
        scanner.feed(chunk)
        parser.feed(chunk)
        if queue and isinstance(queue[-1], BaseException):
            raise _Fallback
        if root is None and queue:
            root = queue[0][1]
            if root.tag != root_tag:
                raise _Fallback
            inner._setevents(queue, ())  # no more events: only the root was wanted
        queue.clear()
        if root is not None:
            last = len(root) - 1
            if last >= 0 and root[last].tag not in record_tags:
                raise _Fallback  # records deeper down (EndNote's <records>): known at once
            if last > 0:
                # Handed-out children leave the root: memory, and the cyclic collector's work
                # over 100,000 emptied elements, stay flat.
                children = root[:last]
                del root[:last]
                yield from complete(children)
    scanner.feed(b"", final=True)
    try:
        parser.close()
    except ET.ParseError:
        raise _Fallback from None
    if queue and isinstance(queue[-1], BaseException):
        raise _Fallback
    if root is None:
        raise _Fallback
    children = root[:]
    del root[:]
    yield from complete(children)
    if scanner.count != produced:
        raise _Fallback


def _event_records(
    source: Source,
    *,
    record_tags: frozenset[str],
    start_pattern: re.Pattern[bytes],
    root_tags: frozenset[str],
    format_name: str,
    error_roots: frozenset[str],
) -> Iterator[tuple[ET.Element, int]]:
    """:func:`iter_xml_records` with the pull parser's end events (reads any document)."""
    # Only "end" events: each costs Python work, and a record is complete at its end tag.
    parser = ET.XMLPullParser(events=("end",))
    prolog: _PrologCheck | None = _PrologCheck()
    scanner = _StartScanner(start_pattern)
    root_tag: str | None = None
    wanted = record_tags | error_roots
    produced = 0
    tail = b""
    try:
        for chunk in _chunks(source):
            if prolog is not None and prolog.done(chunk, source):
                if prolog.root is not None:
                    root_tag = prolog.root
                    _check_root(
                        root_tag, prolog.root_line, root_tags, error_roots, source, format_name
                    )
                prolog = None
            if root_tag is None and prolog is None:
                # The prolog did not parse (the body's parser says why) or the root has a
                # namespace: find the root's start tag in the raw bytes.
                window = tail + chunk
                match = _ROOT.search(window)
                if match:
                    root_tag = match.group(1).decode("utf-8", "replace")
                    line = 1 + window[: match.start()].count(b"\n")
                    _check_root(root_tag, line, root_tags, error_roots, source, format_name)
                tail = chunk[-16:]
            scanner.feed(chunk)
            parser.feed(chunk)
            found, error = _ended(parser, wanted)
            for elem in found:
                tag = elem.tag
                if tag in record_tags:
                    line = scanner.lines.popleft() if scanner.lines else scanner.line
                    produced += 1
                    yield elem, line
                    # The emptied element stays in its parent (about 100 bytes per record).
                    elem.clear()
                elif tag in error_roots:
                    _raise_error_document(elem, source, format_name)
            if error is not None:
                raise error
        scanner.feed(b"", final=True)
        parser.close()
        found, error = _ended(parser, wanted)
        for elem in found:
            if elem.tag in record_tags:
                line = scanner.lines.popleft() if scanner.lines else scanner.line
                produced += 1
                yield elem, line
            elif elem.tag in error_roots:
                _raise_error_document(elem, source, format_name)
        if error is not None:
            raise error
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise InputError(
            f"malformed XML ({exc}); expected a well-formed {format_name} document",
            path=source.label,
            line=line,
        ) from None
    if root_tag is None:
        raise InputError(f"empty file; expected a {format_name} document", path=source.label)
    if scanner.count != produced:
        raise InputError(
            f"found {scanner.count} record start tag(s) but parsed {produced} record(s); "
            "the file may be truncated or hold records nested where they should not be",
            path=source.label,
        )


def _ended(
    parser: ET.XMLPullParser, wanted: frozenset[str]
) -> tuple[list[ET.Element], BaseException | None]:
    """Elements with a ``wanted`` tag whose end tag was parsed since the last call, in document
    order, and the parse error that followed them (None if none).

    Reads the pull parser's event queue directly when it has one (CPython keeps a deque there):
    a 100,000-record file has millions of end events, and ``read_events`` (a generator step per
    element) cost more than parsing; a list comprehension over the queue costs a fraction.
    CPython appends a parse error to that queue; it is returned for the caller to raise after
    handling the elements that precede it.
    """
    queue = getattr(parser, "_events_queue", None)
    if not isinstance(queue, deque):
        found: list[ET.Element] = []
        try:
            for _event, elem in parser.read_events():
                if elem.tag in wanted:
                    found.append(elem)
        except ET.ParseError as exc:
            return found, exc
        return found, None
    error = queue.pop() if queue and isinstance(queue[-1], BaseException) else None
    events = list(queue)
    queue.clear()
    return [elem for _event, elem in events if elem.tag in wanted], error


def _raise_error_document(root: ET.Element, source: Source, format_name: str) -> None:
    message = element_text(root) or f"<{root.tag}> without text"
    raise InputError(
        f"the file is an error response, not a {format_name}: {message!r}",
        path=source.label,
        line=1,
    )


def element_text(elem: ET.Element | None) -> str:
    """All text inside ``elem`` (inline markup such as <i> or <sup> kept as plain text)."""
    if elem is None:
        return ""
    if len(elem) == 0:
        # No inline markup (the common case): skip itertext's generator.
        text = elem.text or ""
        if "  " in text or "\n" in text or "\t" in text:
            return " ".join(text.split())
        return text.strip()
    return " ".join("".join(elem.itertext()).split())


class XmlImporter(Importer):
    """An XML format: one record per record element, streamed by :func:`iter_xml_records`.

    Subclasses name their elements (the class attributes) and convert one element in
    :meth:`record`; reading, counting and the accounting are the same for every XML format.
    """

    record_tags: ClassVar[frozenset[str]]
    start_pattern: ClassVar[re.Pattern[bytes]]
    root_tags: ClassVar[frozenset[str]]
    #: What the document looks like, for messages ("PubMed XML (PubmedArticleSet)").
    document: ClassVar[str]
    #: Roots of an error document (E-utilities' ``<eFetchResult><ERROR>``), reported as such.
    error_roots: ClassVar[frozenset[str]] = frozenset()

    def read(
        self, src: str | os.PathLike[str] | bytes | BinaryIO, *, label: str | None = None
    ) -> Iterator[Record]:
        with open_source(src, label=label) as source:
            yield from self.accounted(source.label, self._candidates(source))

    def _candidates(self, source: Source) -> Iterator[Record]:
        for elem, line in iter_xml_records(
            source,
            record_tags=self.record_tags,
            start_pattern=self.start_pattern,
            root_tags=self.root_tags,
            format_name=self.document,
            error_roots=self.error_roots,
        ):
            self.record_starts += 1
            yield self.record(elem, source, line)

    def record(self, elem: ET.Element, source: Source, line: int) -> Record:
        """One record element (complete, cleared after this returns) as a Record."""
        raise NotImplementedError
