"""Format detection from content, and encoding detection."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from evsynth.errors import InputError
from evsynth.sources.detect import detect_format, importer_for
from evsynth.sources.inputs import detect_encoding

DATA = Path(__file__).parent / "data" / "sources"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("pubmed_articles.xml", "pubmed-xml"),
        ("endnote.xml", "endnote-xml"),
        ("pubmed.nbib", "nbib"),
        ("wos_part1.txt", "wos"),
        ("wos_tab.txt", "wos-tab"),
        ("cochrane_central.txt", "cochrane"),
        ("ovid_medline.txt", "ovid"),
        ("ris_embase.ris", "ris"),
        ("ris_ovid.ris", "ris"),
        ("ris_utf16.ris", "ris"),
        ("embase_classic.csv", "embase-csv"),
        ("embase_new.csv", "embase-csv"),
        ("scopus.csv", "scopus-csv"),
    ],
)
def test_detects_each_format(name: str, fmt: str) -> None:
    assert detect_format(DATA / name) == fmt


def test_unknown_format_lists_formats_tried() -> None:
    with pytest.raises(
        InputError,
        match=r"unknown_format.txt: unrecognised export format; tried "
        r"pubmed-xml .*ris \(RIS\), .*embase-csv .*scopus-csv",
    ):
        detect_format(DATA / "unknown_format.txt")


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.ris").write_bytes(b"")
    with pytest.raises(InputError, match="empty file"):
        detect_format(tmp_path / "empty.ris")


def test_unknown_format_name() -> None:
    with pytest.raises(InputError, match="unknown format 'marc21'; valid formats: auto, "):
        importer_for("marc21")


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + "é".encode(), "utf-8-sig"),
        ("é".encode(), "utf-8"),
        ("TY  - é".encode("utf-16"), "utf-16"),
        ("TY  - JOUR é".encode("utf-16-le"), "utf-16-le"),
        ("Lefèvre – x".encode("cp1252"), "cp1252"),
        (b"Lef\xe8vre \x90", "latin-1"),
        ("Á".encode(), "utf-8"),  # 0x81 as a UTF-8 continuation byte is not Latin-1
        ("Müller ".encode() + "Lefèvre".encode("cp1252"), "utf-8+cp1252"),
        (b"plain ascii", "utf-8"),
    ],
)
def test_encoding_detection(data: bytes, encoding: str) -> None:
    assert detect_encoding(data) == encoding


@pytest.mark.parametrize("byte", [b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"])
def test_a_byte_cp1252_leaves_undefined_in_a_later_chunk_means_latin1(byte: bytes) -> None:
    # The streamed check (a file on disk is read in 1 MiB chunks) sees every chunk.
    head = b"TY  - JOUR\nTI  - Lef\xe8vre\n"
    rest = iter([b"AU  - Smith\n" * 1000, b"AB  - x" + byte + b"y\nER  - \n"])
    assert detect_encoding(head, rest) == "latin-1"
    assert detect_encoding(head, iter([b"AU  - Smith\n", b"ER  - \n"])) == "cp1252"
