"""RIS: each vendor's identifiers land in the right columns; edge cases; accounting."""

from __future__ import annotations

from pathlib import Path

import pytest

from evsynth.contracts.records import Record
from evsynth.errors import InputError
from evsynth.sources import inputs
from evsynth.sources.detect import detect_format
from evsynth.sources.ris import RisReader

DATA = Path(__file__).parent / "data" / "sources"


def read(name: str) -> list[Record]:
    return list(RisReader().read(DATA / name))


def ids(record: Record) -> tuple[str, str, str]:
    return record.source_id, record.pmid, record.doi


def test_embase_bom_crlf_accession_pmid_doi() -> None:
    first, second = read("ris_embase.ris")
    assert ids(first) == ("L2005812345", "32274212", "10.21037/jtd.2020.01.12")
    assert first.title == "Pulmonary metastasectomy for osteosarcoma: outcome of 120 patients"
    assert first.authors == "García, J.; Okafor, N.; Lee, S.-H."
    assert (first.journal, first.journal_abbrev) == (
        "Journal of Thoracic Disease",
        "J. Thorac. Dis.",
    )
    assert (first.year, first.volume, first.issue, first.pages) == ("2020", "12", "3", "845-852")
    assert first.pub_type == "Article"
    assert first.issn == "2072-1439"
    assert first.source_line == "1"
    # Accession only in the record link; Embase's conference-abstract type is kept.
    assert ids(second) == ("L629876543", "", "")
    assert second.pub_type == "Conference Abstract"
    assert second.source_line == "33"


def test_cochrane_accession_with_two_spaces_and_pubmed_note() -> None:
    first, second = read("ris_cochrane.ris")
    assert ids(first) == ("CN-01234567", "26001234", "10.1200/jco.2015.33.15_suppl.10512")
    assert ids(second) == ("CN-02345678", "", "")
    assert second.pub_type == "Trial registry record"


def test_web_of_science_ut() -> None:
    (record,) = read("ris_wos.ris")
    assert ids(record) == ("000226539300016", "", "10.1200/jco.2005.04.063")
    assert record.authors == "Kempf-Bielack, B; Bielack, SS; Jürgens, H"
    assert record.journal_abbrev == "J CLIN ONCOL"


def test_scopus_eid_from_link_and_pmid_in_c2() -> None:
    (record,) = read("ris_scopus.ris")
    assert ids(record) == ("2-s2.0-85063355555", "30923668", "10.1016/j.jbo.2019.100230")
    assert record.pages == "100230"  # article number (C7) when there are no pages
    assert record.issn == "22121374"


def test_ovid_numbered_records_medline_and_embase() -> None:
    reader = RisReader()
    medline, embase = reader.read(DATA / "ris_ovid.ris")
    assert ids(medline) == ("19001234", "19001234", "10.1093/annonc/mdn731")  # DOI from M3 link
    assert medline.authors == "Müller, JA; Smith, A"
    assert medline.pub_type == "Journal Article"  # the M3 link is not a type
    assert ids(embase) == ("2009123456", "", "10.1093/annonc/mdn731")
    assert embase.authors == "Muller, J.A."
    assert embase.source_line == "21"
    assert reader.skipped_lines == 2  # the banner and the "1." line


def test_endnote_pubmed_accession_not_pmcid() -> None:
    (record,) = read("ris_endnote.ris")
    assert ids(record) == ("24812345", "24812345", "10.1245/s10434-014-3581-z")
    assert record.pages == "2030-2036"


def test_zotero_pmid_in_note() -> None:
    (record,) = read("ris_zotero.ris")
    assert ids(record) == ("21619910", "21619910", "10.1016/j.athoracsur.2011.02.018")
    assert record.authors == "Letourneau, Paul A.; Xiao, Lianchun"
    assert record.keywords == "Adolescent; Osteosarcoma"


def test_continuation_lines_join_the_value() -> None:
    (record,) = read("ris_continuation.ris")
    assert record.title == "A title that the exporter wrapped onto a second line"
    assert record.abstract == (
        "First line of the abstract. Second line of the abstract. Third line after a blank line."
    )


@pytest.mark.parametrize("name", ["ris_cp1252.ris", "ris_latin1.ris", "ris_utf16.ris"])
def test_encodings_keep_accents(name: str) -> None:
    (record,) = read(name)
    assert record.authors == "Lefèvre, Hélène; Dupré, François"
    assert record.title.startswith("Résection des métastases pulmonaires")
    assert record.title.endswith("résultats à long terme")


def test_mixed_utf8_and_cp1252_lines_both_kept() -> None:
    first, second = read("ris_mixed_encoding.ris")
    assert first.title == "Résection pulmonaire – a UTF-8 record"
    assert first.authors == "Müller, Jörg"
    assert second.title == "Métastases: a record pasted from a cp1252 export"
    assert second.authors == "Lefèvre, Hélène"


def test_cp1252_dash_decoded() -> None:
    (record,) = read("ris_cp1252.ris")
    assert "pulmonaires – résultats" in record.title


def test_missing_er_lists_every_failed_record() -> None:
    # A record without ER before the next TY is a failure; the last one, cut off at the end of
    # the file, is read (reference managers omit the final ER) and only warned about.
    with pytest.raises(InputError) as info:
        read("ris_missing_er.ris")
    message = str(info.value)
    assert "4 record start(s) but 3 record(s) read" in message
    assert (
        "ris_missing_er.ris:6: record has no ER line before the next record at line 10" in message
    )
    assert "end of file" not in message


def test_tag_lines_outside_records_are_a_lost_record() -> None:
    with pytest.raises(InputError, match=r"ris_missing_ty.ris:5: tag 'TI' outside any record"):
        read("ris_missing_ty.ris")


def test_record_without_title_or_identifier_fails() -> None:
    data = b"TY  - JOUR\nPY  - 2001\nER  - \n"
    with pytest.raises(InputError, match=r"<bytes>:1: record has no title and no identifier"):
        list(RisReader().read(data))


def test_not_ris_at_all() -> None:
    with pytest.raises(InputError, match=r"no records found; expected 'TY  - '"):
        list(RisReader().read(b"just some text\n"))


def test_unknown_tags_counted() -> None:
    reader = RisReader()
    list(reader.read(b"TY  - JOUR\nTI  - x\nZZ  - odd\nZZ  - odder\nER  - \n"))
    assert dict(reader.unknown_tags) == {"ZZ": 1}


class _LineByLine(RisReader):
    """The RIS reader without its fast path, as the reference for it."""

    fast_record = None


@pytest.mark.parametrize("block", [1 << 22, 7, 40])
def test_fast_path_reads_exactly_as_the_line_reader(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small text blocks put record boundaries inside blocks and records across two blocks.
    monkeypatch.setattr(inputs, "_TEXT_BLOCK", block)
    fast, slow = RisReader(), _LineByLine()
    records = list(fast.read(DATA / "ris_layouts.ris"))
    assert records == list(slow.read(DATA / "ris_layouts.ris"))
    assert len(records) == 7
    assert [r.source_line for r in records] == ["3", "11", "17", "20", "23", "27", "30"]
    assert (fast.record_starts, fast.skipped_lines) == (slow.record_starts, slow.skipped_lines)


@pytest.mark.parametrize("block", [1 << 22, 11])
def test_fast_path_reports_broken_records_as_the_line_reader(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inputs, "_TEXT_BLOCK", block)
    messages = []
    for reader in (RisReader(), _LineByLine()):
        with pytest.raises(InputError, match="record start") as caught:
            list(reader.read(DATA / "ris_layouts_broken.ris"))
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert ":4: tag 'TI' outside any record" in messages[0]


# Fixtures constructed from the RIS tag-line grammar (tag, one or two spaces, hyphen, spaces):
# ris_preamble.ris (export banner before the first record, "TY  -  " with two spaces, CRLF),
# ris_no_final_er.ris (the last record runs to the end of the file), ris_wos_family.ris.


def test_preamble_skipped_and_named_in_a_warning() -> None:
    reader = RisReader()
    first, second = reader.read(DATA / "ris_preamble.ris")
    assert (first.source_id, first.title, first.year) == (
        "CN-01234567",
        "Pulmonary metastasectomy in osteosarcoma: a randomised trial",
        "2015",
    )
    assert first.source_line == "5"
    assert second.title == "Second record"
    assert reader.skipped_lines == 3
    assert reader.warnings == [
        "3 line(s) before the first record skipped (lines 1-3): 'Exported by a reference "
        "manager' | 'Search: osteosarcoma AND metastasectomy' | 'Date: 31/12/2025'"
    ]


@pytest.mark.parametrize(
    "line", ["TY - JOUR", "TY  - JOUR", "TY  -  JOUR", "TY -JOUR", "TY  -\tJOUR", "TY  -   JOUR"]
)
def test_tag_line_grammar_variants(line: str) -> None:
    data = f"{line}\nTI  -   A title\nER  -\n".encode()
    assert detect_format(data) == "ris"
    (record,) = RisReader().read(data)
    assert (record.title, record.pub_type) == ("A title", "Journal Article")


def test_last_record_without_er_is_read_with_a_warning() -> None:
    reader = RisReader()
    first, last = reader.read(DATA / "ris_no_final_er.ris")
    assert first.title == "Survival after resection of lung metastases"
    assert (last.title, last.authors, last.doi) == (
        "The last record of a reference manager export",
        "Jones, K",
        "10.1000/xyz123",
    )
    assert reader.warnings == [
        "line 7: the last record has no ER line before end of file; read as ending there "
        "(check the export is complete)"
    ]


def test_web_of_science_family_accessions_keep_their_database() -> None:
    reader = RisReader()
    zoo, core, biosis = reader.read(DATA / "ris_wos_family.ris")
    assert zoo.source_id == "ZOOREC:ZOOR15500012345"
    assert core.source_id == "000450000000001"
    assert biosis.source_id == "BCI:BCI201700123456"
    assert dict(reader.databases) == {
        "Zoological Record": 1,
        "Web of Science Core Collection": 1,
        "BIOSIS Citation Index": 1,
    }


def test_endnote_record_number_is_not_a_pmid() -> None:
    # EndNote writes its own record number in ID and keeps Embase's "DB - Medline".
    data = (
        b"TY  - JOUR\nDB  - Medline\nN1  - L643474277\nTI  - A record\n"
        b"UR  - https://www.embase.com/search/results?subaction=viewrecord&id=L643474277\n"
        b"ID  - 887\nER  - \n"
    )
    (record,) = RisReader().read(data)
    assert (record.source_id, record.pmid) == ("L643474277", "")
    # Without another database's accession, a bare AN in a PubMed record is its PMID.
    (pubmed,) = RisReader().read(b"TY  - JOUR\nDB  - PubMed\nAN  - 24812345\nTI  - B\nER  - \n")
    assert (pubmed.source_id, pubmed.pmid) == ("24812345", "24812345")


def test_pmid_inside_a_cited_reference_is_not_the_records() -> None:
    data = (
        b"TY  - JOUR\nTI  - A record\n"
        b"M1  - Anderson, C. J. (1994). A cited article. Child Psychiatry. pp. 67-84. "
        b"PMID: 7842832 1995-13011-001.\n"
        b"N1  - Export Date: 05 August 2024; PMID: 38580657\nER  - \n"
    )
    (record,) = RisReader().read(data)
    assert record.pmid == "38580657"


def test_ris_text_is_rispy_output_that_both_readers_read_back() -> None:
    import rispy

    from evsynth.sources.ris import ris_text

    refs = [
        {"id": "pubmed:1", "title": "Métastases", "authors": ["Doe, J.", "Roe, K."]},
        {"type_of_reference": "CHAP", "doi": "10.1/x", "notes": ["a", "b"]},
    ]
    text = ris_text(refs)
    assert text == (
        "TY  - JOUR\r\nID  - pubmed:1\r\nTI  - Métastases\r\nAU  - Doe, J.\r\nAU  - Roe, K.\r\n"
        "ER  - \r\n\r\nTY  - CHAP\r\nDO  - 10.1/x\r\nN1  - a\r\nN1  - b\r\nER  - \r\n\r\n"
    )
    assert ris_text([]) == ""
    back = rispy.loads(text.replace("\r\n", "\n"))
    assert [b.get("title") for b in back] == ["Métastases", None]
    assert back[1]["notes"] == ["a", "b"]
    reader = RisReader()
    tags = list(reader.read_tags(text.encode("utf-8")))
    assert [start for start, _ in tags] == [1, 8]
    assert tags[0][1]["AU"] == ["Doe, J.", "Roe, K."]
    assert tags[1][1] == {"TY": ["CHAP"], "DO": ["10.1/x"], "N1": ["a", "b"]}
