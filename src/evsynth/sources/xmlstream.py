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

import re
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterator

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from evsynth.errors import InputError
from evsynth.sources.inputs import Source, detect_encoding

__all__ = ["element_text", "iter_xml_records"]

_CHUNK = 1 << 20
_OVERLAP = 64
# The first element tag after the prolog (<?xml ...?>, <!DOCTYPE ...>, comments) is the root.
_ROOT = re.compile(rb"<(?![?!/])([A-Za-z_][\w.:-]*)")
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
    """
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
