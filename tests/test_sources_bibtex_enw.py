"""BibTeX and EndNote tagged (.enw) exports.

The fixtures are constructed (tests/data/sources/bibtex/README.md, enw/README.md): written from
the formats' rules and each vendor's export layout, with the data of real records from the CC0
tool exports, so the expected values below are those records' own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evsynth.contracts.records import Record
from evsynth.errors import InputError
from evsynth.sources.bibtex import BibtexReader
from evsynth.sources.detect import detect_format
from evsynth.sources.enw import EnwReader

DATA = Path(__file__).parent / "data" / "sources"


def bib(name: str) -> list[Record]:
    return list(BibtexReader().read(DATA / "bibtex" / name))


def enw(name: str) -> list[Record]:
    return list(EnwReader().read(DATA / "enw" / name))


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("bibtex/scopus.bib", "bibtex"),
        ("bibtex/wos.bib", "bibtex"),
        ("bibtex/zotero.bib", "bibtex"),
        ("bibtex/googlescholar.bib", "bibtex"),
        ("bibtex/broken.bib", "bibtex"),
        ("enw/googlescholar.enw", "enw"),
        ("enw/endnote.enw", "enw"),
        ("enw/broken.enw", "enw"),
    ],
)
def test_detected_from_content(name: str, fmt: str) -> None:
    assert detect_format(DATA / name) == fmt
    # The same bytes under another name are detected the same way.
    assert detect_format((DATA / name).read_bytes()) == fmt


def test_scopus_bibtex() -> None:
    first, second = bib("scopus.bib")
    assert first.title == (
        "Global latitudinal gradients and the evolution of body size in dinosaurs and mammals"
    )
    assert first.authors.split("; ")[:2] == ["Wilson, L.N.", "Gardner, J.D."]
    assert len(first.authors.split("; ")) == 8
    assert (first.source_id, first.doi, first.pmid) == (
        "2-s2.0-85189760133",
        "10.1038/s41467-024-46843-2",
        "38580657",
    )
    assert (first.journal, first.journal_abbrev, first.year, first.volume, first.issue) == (
        "Nature Communications",
        "Nat. Commun.",
        "2024",
        "15",
        "1",
    )
    assert first.pages == "2864"  # art_number when there are no pages
    assert (first.pub_type, first.language, first.issn) == ("Article", "English", "20411723")
    # Scopus's index keywords then author keywords; "Models, Biological" is one keyword.
    assert first.keywords.split("; ") == [
        "Animals", "Biological Evolution", "Models, Biological", "body size", "Cenozoic",
        "Cretaceous",
    ]  # fmt: skip
    assert "Bergmann’s rule" in first.abstract  # \textquoteright decoded
    assert second.authors == "Riguetti, F.J.; Apesteguía, S.; Pereda-Suberbiola, X."
    assert second.pages == "11-24"


def test_wos_bibtex_unique_id_and_family_database() -> None:
    reader = BibtexReader()
    core, zoo = reader.read(DATA / "bibtex" / "wos.bib")
    assert core.title == (
        "New Horned Dinosaurs from Utah Provide Evidence for Intracontinental Dinosaur Endemism"
    )
    assert core.authors.split("; ")[3] == "Roberts, Eric M."  # a name wrapped across lines
    assert (core.source_id, core.doi, core.year, core.pages) == (
        "000282053100002",
        "10.1371/journal.pone.0012292",
        "2010",
        "e12292",
    )
    assert (core.journal, core.journal_abbrev, core.pub_type) == ("PLOS ONE", "PLoS One", "Article")
    assert core.keywords.startswith("1ST CERATOPSID DINOSAUR; KAIPAROWITS FORMATION")
    assert zoo.source_id == "ZOOREC:ZOOR14701004321"
    assert dict(reader.databases) == {"Web of Science Core Collection": 1, "Zoological Record": 1}
    assert not reader.unknown_tags


def test_zotero_bibtex_latex_names_and_eprint() -> None:
    article, chapter, preprint = bib("zotero.bib")
    assert (article.source_id, article.pmid, article.doi) == (
        "L2029880245",
        "38773066",
        "10.1038/s41467-024-48400-3",
    )
    assert article.keywords == "keratin; melanin; Psittacosaurus"
    assert (
        chapter.title == "Resektion von Lungenmetastasen beim Osteosarkom: Ergebnisse über 20 Jahre"
    )
    assert chapter.authors == (
        "Müller, Jörg; Étienne, François; van der Berg, Anne-Marie; King Jr., Martin; "
        "World Health Organization"
    )
    assert (chapter.journal, chapter.pages, chapter.pub_type) == (
        "Chirurgie der Lungenmetastasen",
        "101-115",
        "Book Chapter",
    )
    assert (preprint.year, preprint.url, preprint.pub_type) == (
        "2023",
        "https://arxiv.org/abs/2303.01234",
        "Generic",
    )


def test_google_scholar_bibtex() -> None:
    first, second = bib("googlescholar.bib")
    assert first.title == "Did dinosaurs invent flowers? Dinosaur–angiosperm coevolution revisited"
    assert (first.authors, first.year, first.pages) == (
        "Barrett, Paul M; Willis, Katherine J",
        "2001",
        "411-447",
    )
    assert (second.journal, second.volume, second.issue) == ("Alcheringa", "32", "3")


def test_broken_bibtex_lists_every_failed_entry() -> None:
    reader = BibtexReader()
    with pytest.raises(InputError) as info:
        list(reader.read(DATA / "bibtex" / "broken.bib"))
    message = str(info.value)
    assert "5 record start(s) but 3 record(s) read" in message
    assert "broken.bib:11: unreadable BibTeX entry: Unexpected block start" in message
    assert (
        "broken.bib:25: entry has no title and no identifier; expected a title or an identifier "
        "in one of: title, unique-id, doi, pmid" in message
    )
    assert reader.warnings == ["line 20: duplicate key in entry 'third2017'"]


def test_bibtex_string_macro_and_no_entries() -> None:
    first, *_ = [r for r in _read_lenient(DATA / "bibtex" / "broken.bib")]
    assert (first.journal, first.authors) == (
        "Journal of Clinical Oncology",
        "Bielack, Stefan; Smeland, Sigbjørn",
    )
    with pytest.raises(InputError, match="no BibTeX entries found"):
        list(BibtexReader().read(b"@comment{nothing here}\n"))


def _read_lenient(path: Path) -> list[Record]:
    records: list[Record] = []
    try:
        records.extend(BibtexReader().read(path))
    except InputError:
        pass
    return records


def test_enw_google_scholar() -> None:
    first, second = enw("googlescholar.enw")
    assert (first.title, first.authors, first.journal, first.year) == (
        "Polar dinosaurs on parade: a review of dinosaur migration",
        "Bell, Phil R; Snively, Eric",
        "Alcheringa",
        "2008",
    )
    assert (first.volume, first.issue, first.pages, first.issn, first.pub_type) == (
        "32",
        "3",
        "271-284",
        "0311-5518",
        "Journal Article",
    )
    assert second.source_line == "13"


def test_enw_endnote_ids_keywords_and_unknown_tags() -> None:
    reader = EnwReader()
    embase, pubmed, chapter = reader.read(DATA / "enw" / "endnote.enw")
    assert embase.title == (
        "Cellular structure of dinosaur scales reveals retention of reptile-type skin during the "
        "evolutionary transition to feathers"
    )
    assert (embase.source_id, embase.doi, embase.pmid) == (
        "L2029880245",
        "10.1038/s41467-024-48400-3",
        "",
    )
    assert embase.keywords == "keratin; melanin; Psittacosaurus"  # one keyword per line
    assert (embase.journal_abbrev, embase.pub_type, embase.language) == (
        "Nat. Commun.",
        "Article",
        "English",
    )
    # %M of a PubMed record is its PMID, hence its accession.
    assert (pubmed.source_id, pubmed.pmid, pubmed.pub_type) == (
        "24205267",
        "24205267",
        "Journal Article",
    )
    assert (chapter.authors, chapter.pmid, chapter.pub_type) == (
        "Müller, Jörg",
        "31234567",
        "Book Section",
    )
    assert dict(reader.unknown_tags) == {"%Q": 1}


def test_enw_lost_record_start_is_an_error() -> None:
    with pytest.raises(InputError) as info:
        enw("broken.enw")
    message = str(info.value)
    assert "broken.enw:1: tag '%A' outside any record" in message
    assert "broken.enw:4: record has no title and no identifier" in message
