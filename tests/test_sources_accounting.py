"""The one record loop every importer goes through (Importer.accounted) and its one rule of
what a readable record is: a title or an identifier (accession, DOI or PMID)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import BinaryIO

import pytest

from evsynth.contracts.records import Record
from evsynth.errors import InputError
from evsynth.sources import nbib_tags, wos_tags
from evsynth.sources.base import Failure, Importer
from evsynth.sources.bibtex import BibtexReader
from evsynth.sources.endnote_xml import EndnoteXmlReader
from evsynth.sources.enw import EnwReader
from evsynth.sources.nbib import NbibReader
from evsynth.sources.ris import RisReader
from evsynth.sources.tabular import READERS
from evsynth.sources.wos import WosReader, WosTabReader

_WOS_TAB_HEADER = b"PT\tAU\tTI\tSO\tDI\tPM\tUT\n"
_ENDNOTE = (
    b'<?xml version="1.0" encoding="UTF-8"?><xml><records>'
    b'<record><ref-type name="Journal Article">17</ref-type>'
    b"<contributors><authors><author>Doe, J.</author></authors></contributors>"
    b"%s</record></records></xml>"
)


def _problem(reader: Importer, data: bytes) -> str:
    with pytest.raises(InputError) as info:
        list(reader.read(data, label="x"))
    return str(info.value)


def test_wos_tab_row_with_only_a_doi_is_read() -> None:
    # Before the shared rule a WoS tab row needed TI or UT ("row has neither TI nor UT").
    data = _WOS_TAB_HEADER + b"J\tDoe, J\t\tJ Test\t10.1000/ABC\t\t\n"
    [record] = WosTabReader().read(data)
    assert (record.doi, record.title, record.source_id, record.source_line) == (
        "10.1000/abc",
        "",
        "",
        "2",
    )


def test_wos_tab_row_with_only_a_pmid_is_read() -> None:
    [record] = WosTabReader().read(_WOS_TAB_HEADER + b"J\tDoe, J\t\tJ Test\t\t12345\t\n")
    assert record.pmid == "12345"


def test_endnote_xml_record_with_only_a_pmid_is_read() -> None:
    # Before the shared rule EndNote XML ignored a PMID (title, accession or DOI only).
    data = _ENDNOTE % b"<notes>PMID: 31415926</notes>"
    [record] = EndnoteXmlReader().read(data)
    assert (record.pmid, record.title, record.source_id) == ("31415926", "", "")


@pytest.mark.parametrize(
    ("reader", "data", "expected"),
    [
        (
            RisReader(),
            b"TY  - JOUR\nAU  - Doe, J\nER  - \n",
            "x:1: record has no title and no identifier; expected a title or an identifier in "
            "one of: TI, T1, CT, BT, AN, DO",
        ),
        (
            WosReader(),
            b"FN Clarivate\nVR 1.0\nPT J\nAU Doe, J\nER\nEF\n",
            "x:3: record has no title and no identifier; expected a title or an identifier in "
            "one of: TI, UT, DI, PM",
        ),
        (
            WosTabReader(),
            _WOS_TAB_HEADER + b"J\tDoe, J\t\tJ Test\t\t\t\n",
            "x:2: row has no title and no identifier; expected a title or an identifier in one "
            "of: TI, UT, DI, PM",
        ),
        (
            NbibReader(),
            b"PMID- 1\nTI  - t\n\nPMID- \nAU  - Doe J\n",
            "x:4: record has no title and no identifier; expected a title or an identifier in "
            "one of: TI, BTI, TT, PMID, LID",
        ),
        (
            EnwReader(),
            b"%0 Journal Article\n%A Doe, J\n",
            "x:1: record has no title and no identifier; expected a title or an identifier in "
            "one of: %T, %M, %R",
        ),
        (
            EndnoteXmlReader(),
            _ENDNOTE % b"",
            "x:1: record has no title and no identifier; expected a title or an identifier in "
            "one of: title, accession-num, electronic-resource-num",
        ),
        (
            BibtexReader(),
            b"@article{k,\n  author = {Doe, J},\n  year = {2020}\n}\n",
            "x:1: entry has no title and no identifier; expected a title or an identifier in "
            "one of: title, unique-id, doi, pmid",
        ),
        (
            READERS["cochrane-csv"](),
            b"Author(s),Title,Source,Year,Database Name,CENTRAL ID,DOI,PubMed ID\n"
            b'"Doe, J",,J,2020,CENTRAL,,,\n',
            "x:2: row has no title and no identifier; expected a title or an identifier in one "
            "of: Title, CENTRAL ID, DOI, PubMed ID",
        ),
    ],
    ids=["ris", "wos", "wos-tab", "nbib", "enw", "endnote-xml", "bibtex", "cochrane-csv"],
)
def test_a_record_without_title_or_identifier_fails_naming_the_format_fields(
    reader: Importer, data: bytes, expected: str
) -> None:
    message = _problem(reader, data)
    assert expected in message
    assert "1 problem(s)" in message


class _LosingReader(Importer):
    """A broken reader: it counts two record starts but gives one record and no failure."""

    format = "losing"
    title = "losing test format"

    def read(
        self, src: str | os.PathLike[str] | bytes | BinaryIO, *, label: str | None = None
    ) -> Iterator[Record]:
        yield from self.accounted(str(label), self._candidates(), empty="nothing here")

    def _candidates(self) -> Iterator[Record | Failure]:
        self.record_starts += 2
        yield Record(title="one", source_line="1")


def test_starts_and_records_must_agree_even_without_a_failure() -> None:
    reader = _LosingReader()
    records = []
    with pytest.raises(
        InputError, match=r"2 record start\(s\) but 1 record\(s\) read, and no "
    ) as e:
        records.extend(reader.read(b"", label="lost.txt"))
    assert "lost.txt" in str(e.value) and "losing test format reader" in str(e.value)
    assert [r.title for r in records] == ["one"]  # records come out before the accounting


def test_empty_message_only_when_nothing_started() -> None:
    reader = RisReader()
    with pytest.raises(InputError, match="no records found; expected 'TY  - ' lines"):
        list(reader.read(b"just a banner\n", label="empty.ris"))


def test_failures_count_the_starts_of_this_file_only() -> None:
    # One importer may read several files; the message counts the file it is about.
    reader = RisReader()
    assert len(list(reader.read(b"TY  - JOUR\nTI  - a\nER  - \n" * 3, label="good.ris"))) == 3
    message = _problem(reader, b"TY  - JOUR\nTI  - b\nER  - \nTY  - JOUR\nAU  - Doe\nER  - \n")
    assert "1 problem(s): 2 record start(s) but 1 record(s) read" in message
    assert reader.record_starts == 5


def test_stray_lines_and_bad_records_are_listed_together_by_line() -> None:
    data = b"TI  - stray\nTY  - JOUR\nTI  - a\nER  - \nTY  - JOUR\nAU  - Doe\nER  - \n"
    message = _problem(RisReader(), data)
    assert "2 problem(s): 2 record start(s) but 1 record(s) read" in message
    assert message.index("x:1: tag 'TI' outside any record") < message.index("x:5: record has")


def test_tag_modules_give_the_readers_their_tag_facts() -> None:
    assert NbibReader.field_map is nbib_tags.FIELD_MAP
    assert NbibReader.ignored_tags is nbib_tags.IGNORED_TAGS
    assert WosReader.one_value_per_line is wos_tags.ONE_VALUE_PER_LINE
    assert NbibReader.one_value_per_line == frozenset()  # nbib_tags has none
