"""Web of Science, Embase and Scopus CSV, Cochrane text, MEDLINE, Ovid text, EndNote XML."""

from __future__ import annotations

from pathlib import Path

import pytest

from evsynth.contracts.records import Record
from evsynth.errors import InputError
from evsynth.sources.cochrane import CochraneReader
from evsynth.sources.delimited import EmbaseCsvReader, ScopusCsvReader
from evsynth.sources.endnote_xml import EndnoteXmlReader
from evsynth.sources.nbib import NbibReader
from evsynth.sources.ovid import OvidReader
from evsynth.sources.wos import WosReader, WosTabReader

DATA = Path(__file__).parent / "data" / "sources"


def ids(record: Record) -> tuple[str, str, str]:
    return record.source_id, record.pmid, record.doi


def test_wos_plain_text_continuations_and_ids() -> None:
    first, second = WosReader().read(DATA / "wos_part1.txt")
    assert ids(first) == ("000226539300016", "15659502", "10.1200/jco.2005.04.063")
    assert first.authors == "Kempf-Bielack, B; Bielack, SS; Jurgens, H"
    assert first.title == (
        "Osteosarcoma relapse after combined modality therapy: an analysis of unselected "
        "patients in the Cooperative Osteosarcoma Study Group (COSS)"
    )
    assert first.abstract == (
        "Purpose: To analyse outcome after relapse. Patients and methods: 576 patients."
    )
    assert (
        first.keywords
        == "osteosarcoma; relapse; metastasectomy; SURGICAL-TREATMENT; LUNG METASTASES"
    )
    assert (first.journal, first.journal_abbrev) == (
        "JOURNAL OF CLINICAL ONCOLOGY",
        "J. Clin. Oncol.",
    )
    assert (first.year, first.volume, first.issue, first.pages) == ("2005", "23", "3", "559-568")
    assert first.source_line == "3"
    assert second.pub_type == "Article; Proceedings Paper"
    assert second.source_line == "44"


def test_wos_missing_er() -> None:
    data = b"FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI One\nPT J\nTI Two\nER\nEF\n"
    with pytest.raises(InputError, match=r"<bytes>:3: record has no ER line"):
        list(WosReader().read(data))


def test_wos_records_are_labelled_by_their_own_database() -> None:
    # Constructed: an "All Databases" export mixing Zoological Record and the Core Collection.
    reader = WosReader()
    zoo, core = reader.read(DATA / "wos_family.txt")
    assert (zoo.source_id, core.source_id) == ("ZOOREC:ZOOR15500012345", "000450000000001")
    assert dict(reader.databases) == {"Zoological Record": 1, "Web of Science Core Collection": 1}


def test_wos_tab_utf16_with_alias_column() -> None:
    first, second = WosTabReader().read(DATA / "wos_tab.txt")
    assert ids(first) == ("000226539300016", "15659502", "10.1200/jco.2005.04.063")
    assert first.authors == "Kempf-Bielack, B; Bielack, SS"
    assert first.source_line == "2"
    assert ids(second) == ("000235093500036", "", "10.1016/j.jpedsurg.2005.10.089")
    assert second.pages == "194-199"


def test_embase_csv_classic_layout() -> None:
    first, second = EmbaseCsvReader().read(DATA / "embase_classic.csv")
    assert ids(first) == ("L2005812345", "32274212", "10.21037/jtd.2020.01.12")
    assert first.authors == "García, J.; Okafor, N.; Lee, S.-H."
    assert (first.journal, first.volume, first.issue, first.pages) == (
        "Journal of Thoracic Disease",
        "12",
        "3",
        "845-852",
    )
    assert (
        first.abstract
        == "BACKGROUND: Lung metastases are frequent. RESULTS: Two lines in one quoted cell."
    )
    assert first.source_line == "2"
    assert ids(second) == ("L633456789", "", "")
    assert (second.volume, second.pages, second.pub_type) == ("11", "562220", "Conference Abstract")
    assert second.source_line == "4"  # the quoted abstract of row 1 spans two lines


def test_embase_csv_new_layout_without_identifiers() -> None:
    (record,) = EmbaseCsvReader().read(DATA / "embase_new.csv")
    assert ids(record) == ("", "", "")
    assert (record.journal, record.year, record.pages) == (
        "Journal of Thoracic Disease",
        "2020",
        "845-852",
    )


def test_embase_csv_broken_row() -> None:
    data = b'Title,Author Names,Source\n"ok",A B.,"J (2020) 1:2 (3-4)"\n"broken",A,B,C\n'
    with pytest.raises(InputError, match=r"<bytes>:3: 4 cells but the header has 3 columns"):
        list(EmbaseCsvReader().read(data))


def test_scopus_csv_both_author_separators() -> None:
    first, second = ScopusCsvReader().read(DATA / "scopus.csv")
    assert ids(first) == ("2-s2.0-85063355555", "30923668", "10.1016/j.jbo.2019.100230")
    assert first.authors == "Huang, X.; Zhao, J.; Bai, J."
    assert first.pages == "100230"
    assert first.keywords == "Lung metastasis; Osteosarcoma; adult; human"
    assert second.authors == "Letourneau, P.A.; Xiao, L."
    assert second.pages == "1760-1765"


def test_cochrane_text_records_and_unknown_tags() -> None:
    reader = CochraneReader()
    first, second = reader.read(DATA / "cochrane_central.txt")
    assert ids(first) == ("CN-01234567", "26001234", "10.1200/jco.2015.33.15_suppl.10512")
    assert first.authors == "Bielack, S; Smeland, S"
    assert first.abstract == "Trial of 200 patients. The abstract continues on a second line."
    assert (first.year, first.volume, first.issue, first.pages) == (
        "2015",
        "33",
        "15_suppl",
        "10512",
    )
    assert first.source_line == "6"
    assert ids(second) == ("CN-02345678", "", "")
    assert dict(reader.unknown_tags) == {"ZZ": 1}
    assert reader.skipped_lines == 4  # the export banner


def test_nbib_records() -> None:
    first, second = NbibReader().read(DATA / "pubmed.nbib")
    assert ids(first) == ("19001234", "19001234", "10.1093/annonc/mdn731")
    assert first.authors == "Müller, Jörg A; Smith, Anna; Cooperative Osteosarcoma Study Group"
    assert first.title.endswith("of 120 patients treated at one centre.")
    assert (first.journal_abbrev, first.issn, first.pages) == ("Ann Oncol", "1569-8041", "897-902")
    assert second.authors == "Dupont, P"  # AU when there is no FAU
    assert second.year == "1998"
    assert second.source_line == "36"


def test_ovid_text_with_search_history() -> None:
    reader = OvidReader()
    medline, embase = reader.read(DATA / "ovid_medline.txt")
    assert ids(medline) == ("19001234", "19001234", "10.1093/annonc/mdn731")
    assert (medline.journal, medline.volume, medline.issue, medline.pages) == (
        "Annals of Oncology",
        "20",
        "5",
        "897-902",
    )  # parsed from SO
    assert medline.title.endswith("a retrospective study of 120 patients.")
    assert ids(embase) == ("2009123456", "19001234", "")
    assert embase.source_line == "26"
    assert reader.skipped_lines == 8


def test_endnote_xml_style_wrapped() -> None:
    reader = EndnoteXmlReader()
    first, second = reader.read(DATA / "endnote.xml")
    assert ids(first) == ("24812345", "24812345", "10.1245/s10434-014-3581-z")
    assert first.title == "Prognostic factors after pulmonary metastasectomy in osteosarcoma"
    assert first.authors == "Choi, Yoon; Kim, Han-Soo"
    assert (first.journal, first.journal_abbrev) == (
        "Annals of surgical oncology",
        "Ann Surg Oncol",
    )
    assert first.pub_type == "Journal Article"
    assert ids(second) == ("L2005812345", "", "10.21037/jtd.2020.01.12")
    assert dict(reader.unknown_tags) == {"unknown-element": 1}


def test_endnote_xml_refuses_entities() -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY e "x">]><xml><records></records></xml>'
    with pytest.raises(InputError, match="declares entities"):
        list(EndnoteXmlReader().read(data))
