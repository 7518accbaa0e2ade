"""One place that turns a path, bytes or a binary stream into bytes or decoded lines.

Exports arrive as UTF-8 (with or without a byte-order mark), UTF-16 (Windows tools), or
Latin-1/cp1252 (older Windows exports). The encoding is detected from the bytes, never assumed, so
an accent is never mangled and a file never fails only because of its encoding.
"""

from __future__ import annotations

import codecs
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from evsynth.errors import InputError

__all__ = [
    "MIXED_UTF8_CP1252",
    "Source",
    "Text",
    "codec_of",
    "decode_bytes",
    "detect_encoding",
    "open_source",
    "read_text",
]

_CHUNK = 1 << 20
_TEXT_BLOCK = 1 << 22
# Bytes that cp1252 leaves undefined: a file holding them is Latin-1 (ISO 8859-1) instead.
_CP1252_UNDEFINED_BYTES = frozenset(b"\x81\x8d\x8f\x90\x9d")
# The same five bytes, each searched for with ``in`` (memchr): a regular-expression character
# class scans byte by byte, about 0.75 s CPU for a 200 MB export without a byte-order mark.
_CP1252_UNDEFINED = tuple(bytes([b]) for b in sorted(_CP1252_UNDEFINED_BYTES))
# A well-formed multi-byte UTF-8 sequence (a file holding some is UTF-8, at least in part).
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
#: Detected encoding of a file that is UTF-8 except for some cp1252 bytes.
MIXED_UTF8_CP1252 = "utf-8+cp1252"
_FALLBACK = "evsynth-cp1252-fallback"


@dataclass(frozen=True, slots=True)
class Source:
    """An input as the parsers see it: a readable binary stream plus the name used in messages.

    ``label`` names the input in errors (the path as given); ``name`` is its basename, which goes in
    the ``source_file`` column so the records table does not depend on where the file was.
    """

    stream: BinaryIO
    label: str
    name: str
    path: Path | None = None

    def close(self) -> None:
        """Close the stream if :func:`open_source` opened it (a path); a caller's stays open."""
        if self.path is not None:
            self.stream.close()

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_source(
    src: str | os.PathLike[str] | bytes | BinaryIO, *, label: str | None = None
) -> Source:
    """Wrap any accepted input in a :class:`Source` (the caller closes ``stream`` for paths)."""
    if isinstance(src, bytes | bytearray | memoryview):
        label = label or "<bytes>"
        return Source(io.BytesIO(bytes(src)), label, os.path.basename(label))
    if isinstance(src, str | os.PathLike):
        path = Path(src)
        label = label or str(src)
        try:
            stream = path.open("rb")
        except OSError as exc:
            raise InputError(f"cannot open: {exc.strerror or exc}", path=label) from None
        return Source(stream, label, os.path.basename(label), path)
    if hasattr(src, "read"):
        if isinstance(src, io.TextIOBase):
            raise InputError("expected a binary stream (open the file with 'rb')", path=label)
        label = label or str(getattr(src, "name", "<stream>"))
        return Source(src, label, os.path.basename(label))
    raise InputError(
        f"cannot read {type(src).__name__}; give a path, bytes or a binary stream", path=label
    )


def detect_encoding(head: bytes, rest: Iterator[bytes] | None = None) -> str:
    """The codec name for an export whose first bytes are ``head``.

    A byte-order mark decides; UTF-16 without one is recognised by its zero bytes; otherwise the
    whole content (``head`` then ``rest``) is checked for valid UTF-8; content that is mostly
    UTF-8 with some invalid bytes is :data:`MIXED_UTF8_CP1252`; anything else is cp1252, or
    Latin-1 when it holds bytes cp1252 leaves undefined.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 4:
        even_zeros = sample[0::2].count(0)
        odd_zeros = sample[1::2].count(0)
        if odd_zeros > len(sample) // 4 and even_zeros == 0:
            return "utf-16-le"
        if even_zeros > len(sample) // 4 and odd_zeros == 0:
            return "utf-16-be"
    decoder = codecs.getincrementaldecoder("utf-8")()
    chunks = [head] if rest is None else _chain(head, rest)
    valid, has_utf8, undefined = True, False, False
    for chunk in chunks:
        if valid:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                valid = False
        has_utf8 = has_utf8 or _UTF8_SEQUENCE.search(chunk) is not None
        undefined = undefined or any(byte in chunk for byte in _CP1252_UNDEFINED)
    if valid:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            valid = False
    if valid:
        return "utf-8"
    if has_utf8:
        # UTF-8 text with a few bytes that are not (exports concatenated from two sources):
        # decode as UTF-8 and only the invalid bytes as cp1252, so neither part is mangled.
        return MIXED_UTF8_CP1252
    return "latin-1" if undefined else "cp1252"


def codec_of(encoding: str) -> tuple[str, str]:
    """``(codec, errors)`` for :func:`open`/:meth:`bytes.decode` given a detected encoding."""
    if encoding == MIXED_UTF8_CP1252:
        return "utf-8", _FALLBACK
    return encoding, "strict"


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Decode the bytes UTF-8 rejected as cp1252 (Latin-1 for the 5 bytes cp1252 leaves out)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    text = "".join(
        chr(b) if b in _CP1252_UNDEFINED_BYTES else bytes([b]).decode("cp1252") for b in bad
    )
    return text, exc.end


codecs.register_error(_FALLBACK, _cp1252_fallback)


def _chain(head: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield head
    yield from rest


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a whole export; returns ``(text, encoding)`` with a leading BOM removed."""
    encoding = detect_encoding(data)
    text = data.decode(*codec_of(encoding))
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, encoding


class Text:
    """Decoded lines of one input, read lazily (in large blocks) for files on disk.

    Line endings (CRLF, LF, CR) are normalised on reading, so line numbers match what an editor
    shows; a leading byte-order mark is removed.
    """

    __slots__ = ("_data", "_path", "encoding", "source")

    def __init__(
        self, source: Source, encoding: str, *, path: Path | None = None, data: str | None = None
    ) -> None:
        self.source = source
        self.encoding = encoding
        self._path = path
        self._data = data

    @classmethod
    def of_string(cls, text: str, *, label: str, encoding: str) -> Text:
        """Lines of text a caller has already decoded (``encoding`` is what it found)."""
        source = Source(io.BytesIO(b""), label, os.path.basename(label))
        return cls(source, encoding, data=text)

    def _open(self) -> io.TextIOBase:
        if self._path is not None:
            codec, errors = codec_of(self.encoding)
            return self._path.open(encoding=codec, errors=errors, newline=None)
        return io.StringIO(self._data or "", newline=None)

    def line_blocks(self) -> Iterator[list[str]]:
        """Lists of consecutive lines without their endings (fast: no per-line generator)."""
        carry = ""
        first = True
        with self._open() as handle:
            while True:
                chunk = handle.read(_TEXT_BLOCK)
                if not chunk:
                    break
                if first:
                    chunk = chunk.removeprefix("\ufeff")
                    first = False
                lines = (carry + chunk).split("\n")
                carry = lines.pop()
                yield lines
        if carry:
            yield [carry]

    def text_blocks(self) -> Iterator[str]:
        """The text in large pieces, each ending with a line break (one is added at the end).

        Joined, the pieces hold the same lines as :meth:`line_blocks`; a reader that matches
        whole records with regular expressions uses them instead of one Python step per line.
        """
        carry = ""
        first = True
        with self._open() as handle:
            while True:
                chunk = handle.read(_TEXT_BLOCK)
                if not chunk:
                    break
                if first:
                    chunk = chunk.removeprefix("\ufeff")
                    first = False
                chunk = carry + chunk if carry else chunk
                cut = chunk.rfind("\n") + 1
                carry = chunk[cut:]
                if cut:
                    yield chunk[:cut]
        if carry:
            yield carry + "\n"

    def __iter__(self) -> Iterator[tuple[int, str]]:
        """Yield ``(line_number, line)`` with the line ending removed."""
        number = 0
        for block in self.line_blocks():
            for line in block:
                number += 1
                yield number, line

    def raw_lines(self) -> Iterator[str]:
        """The lines with their ``\\n`` endings (what :mod:`csv` needs for quoted line breaks)."""
        with self._open() as handle:
            first = True
            for line in handle:
                if first:
                    line = line.removeprefix("\ufeff")
                    first = False
                yield line


def read_text(src: str | os.PathLike[str] | bytes | BinaryIO, *, label: str | None = None) -> Text:
    """Open an export as decoded lines; a file on disk is streamed, not read into memory.

    Files are read twice (once to check they are valid UTF-8, once to decode) so that memory does
    not grow with file size; bytes and streams are decoded in memory.
    """
    source = open_source(src, label=label)
    if source.path is not None:
        with source.stream as handle:
            head = handle.read(_CHUNK)
            encoding = detect_encoding(head, iter(lambda: handle.read(_CHUNK), b""))
        return Text(source, encoding, path=source.path)
    data = source.stream.read()
    text, encoding = decode_bytes(data)
    return Text(source, encoding, data=text)
