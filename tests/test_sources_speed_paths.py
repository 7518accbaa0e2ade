"""The fast paths of the importers read exactly what the general readers read.

PubMed XML from a seekable input goes through ``xmlstream._children_records`` (no parser events,
children handed out per 64 KiB chunk, cheap checks that fall back to the event reader); an input
that cannot be read twice goes through the event reader only. Both must give the same records,
lines and errors, also when the odd article sits several chunks into the file.
"""

from __future__ import annotations

import io

import pytest

from evsynth.contracts.records import Record
from evsynth.errors import InputError
from evsynth.sources.pubmed_xml import PubmedXmlReader


class _OneWay(io.RawIOBase):
    """A stream that cannot seek (a network response): only the event reader can read it."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _article(pmid: int, inner: str = "") -> str:
    return (
        f"<PubmedArticle>\n<MedlineCitation><PMID>{pmid}</PMID><Article><ArticleTitle>Title "
        f"{pmid} {'words ' * 400}</ArticleTitle>{inner}</Article></MedlineCitation>\n"
        "</PubmedArticle>\n"
    )


def _document(odd: str = "", at: int = 150, count: int = 200) -> bytes:
    # About 2.5 kB per article: the odd one is some 6 chunks of 64 KiB into the file.
    body = "".join(_article(i) if i != at else odd for i in range(1, count + 1))
    return f'<?xml version="1.0"?>\n<PubmedArticleSet>\n{body}</PubmedArticleSet>\n'.encode()


def _outcome(src: bytes | io.RawIOBase) -> list[tuple[str, str, str]] | str:
    try:
        records = PubmedXmlReader().read(src, label="set.xml")
        return [(r.pmid, r.source_line, r.title[:20]) for r in records]
    except InputError as exc:
        return f"InputError: {exc}"


@pytest.mark.parametrize(
    ("name", "odd"),
    [
        ("plain", _article(150)),
        # A record inside a record: the event reader gives the inner one first.
        ("nested record", _article(150, _article(9150))),
        # An E-utilities error element inside an article: the event reader reports it.
        ("error inside", _article(150, "<ERROR>Too many requests</ERROR>")),
        ("fetch result inside", _article(150, "<eFetchResult><ERROR>x</ERROR></eFetchResult>")),
        # Start-tag text in a comment: counted by the byte scan, not an element.
        ("start tag in comment", "<!-- <PubmedArticle> -->\n" + _article(150)),
        # Not a record at the top level.
        ("stray element", "<Other/>\n" + _article(150)),
    ],
)
def test_fast_xml_reader_matches_event_reader(name: str, odd: str) -> None:
    data = _document(odd)
    fast = _outcome(data)
    assert fast == _outcome(_OneWay(data)), name
    if name == "plain":
        assert isinstance(fast, list) and len(fast) == 200
        assert fast[149] == ("150", str(2 + 3 * 149 + 1), "Title 150 words word")


def test_fast_xml_reader_lines_across_chunks() -> None:
    records = _outcome(_document(at=0, count=400))
    assert isinstance(records, list)
    assert len(records) == 400
    assert [line for _pmid, line, _title in records] == [str(3 + 3 * i) for i in range(400)]


def test_record_cleans_values_that_are_not_plain_strings() -> None:
    # The whole-record check (one join) refuses None and numbers; the per-field rules apply.
    record = Record(title=None, year=2020, volume=" 5 ", doi="https://doi.org/10.1000/AB")  # type: ignore[arg-type]
    assert (record.title, record.year, record.volume, record.doi) == ("", "2020", "5", "10.1000/ab")
    clean = Record(title="A  title\t", pmid="PMID: 0123")
    assert (clean.title, clean.pmid) == ("A title", "123")
