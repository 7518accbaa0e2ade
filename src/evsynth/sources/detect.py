"""Which importer reads a file: ``--format`` names, and detection from content for ``auto``.

Detection looks only at the first 64 KiB, decoded with the file's detected encoding, and tries
the formats in a fixed order, most specific first (XML roots, then tagged layouts with distinctive
headers, then RIS, then CSV headers), so the answer never depends on the file name. Tables
(CSV, TSV, XLSX) are recognised by their header row's columns (:mod:`.tabular_layouts`); an XLSX
workbook is opened to read it. A table whose header matches no layout gets an error listing its
columns and the ``--columns`` option that maps them by hand.
"""

from __future__ import annotations

import os
from typing import BinaryIO

from evsynth.errors import InputError
from evsynth.sources.base import Importer
from evsynth.sources.bibtex import BibtexReader
from evsynth.sources.cochrane import CochraneReader
from evsynth.sources.endnote_xml import EndnoteXmlReader
from evsynth.sources.enw import EnwReader
from evsynth.sources.inputs import codec_of, detect_encoding, open_source
from evsynth.sources.nbib import NbibReader
from evsynth.sources.ovid import OvidReader
from evsynth.sources.pubmed_xml import PubmedXmlReader
from evsynth.sources.ris import RisReader
from evsynth.sources.tabular import (
    READERS,
    detect_workbook,
    header_hint,
    is_workbook,
)
from evsynth.sources.wos import WosReader, WosTabReader

__all__ = ["DETECTION_ORDER", "IMPORTERS", "detect_format", "importer_for"]

#: Tried in this order by ``--format auto``.
DETECTION_ORDER: tuple[type[Importer], ...] = (
    PubmedXmlReader,
    EndnoteXmlReader,
    NbibReader,
    WosReader,
    WosTabReader,
    CochraneReader,
    OvidReader,
    RisReader,
    EnwReader,
    BibtexReader,
    *READERS.values(),  # embase-csv, scopus-csv, cochrane-csv, lens-csv, ...
)

#: ``--format`` name -> importer class (``--columns`` uses :class:`TabularReader` directly).
IMPORTERS: dict[str, type[Importer]] = {cls.format: cls for cls in DETECTION_ORDER}

_HEAD = 1 << 16


def read_head(src: str | os.PathLike[str] | bytes | BinaryIO, *, label: str | None = None) -> str:
    """The first 64 KiB of an input, decoded (undecodable bytes replaced: this is only a sniff)."""
    if isinstance(src, bytes | bytearray):
        data = bytes(src[:_HEAD])
    elif isinstance(src, str | os.PathLike):
        source = open_source(src, label=label)
        with source.stream as handle:
            data = handle.read(_HEAD)
    else:
        raise InputError("format detection needs a path or bytes", path=label)
    codec, _errors = codec_of(detect_encoding(data))
    return data.decode(codec, errors="replace").lstrip("\ufeff")


def detect_format(src: str | os.PathLike[str] | bytes, *, label: str | None = None) -> str:
    """The ``--format`` name of ``src``, or InputError listing every format tried."""
    label = label or (str(src) if isinstance(src, str | os.PathLike) else "<bytes>")
    if is_workbook(src):
        return detect_workbook(src, label=label)
    head = read_head(src, label=label)
    if not head.strip():
        raise InputError("empty file; nothing to import", path=label)
    for cls in DETECTION_ORDER:
        if cls.sniff(head):
            return cls.format
    tried = ", ".join(f"{cls.format} ({cls.title})" for cls in DETECTION_ORDER)
    hint = header_hint(head)
    raise InputError(
        f"unrecognised export format; tried {tried}. "
        + (
            f"If it is a table: {hint}"
            if hint
            else "Give --format if the file is one of these (any CSV/TSV/XLSX table can be "
            "read with --columns)"
        ),
        path=label,
    )


def importer_for(name: str) -> Importer:
    """A fresh importer for a ``--format`` name."""
    try:
        return IMPORTERS[name]()
    except KeyError:
        valid = ", ".join(["auto", *IMPORTERS])
        raise InputError(f"unknown format {name!r}; valid formats: {valid}") from None
