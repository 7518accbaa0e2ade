"""PubMed XML: fields, identifiers from the right elements, streaming, safety, malformed input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from evsynth.contracts.records import assign_record_ids, read_records, write_records
from evsynth.errors import InputError
from evsynth.sources.pubmed_xml import iter_pubmed_xml

DATA = Path(__file__).parent / "data" / "sources"


def test_article_fields() -> None:
    first = next(iter_pubmed_xml(DATA / "pubmed_articles.xml"))
    assert first.source_id == "19001234"
    assert first.pmid == "19001234"
    assert first.doi == "10.1093/annonc/mdn731"
    assert first.title == "Pulmonary metastasectomy in osteosarcoma: a retrospective study."
    assert first.authors == "Müller, JA; Smith, A Jr; Cooperative Osteosarcoma Study Group"
    assert first.journal.startswith("Annals of oncology")
    assert first.journal_abbrev == "Ann Oncol"
    assert (first.year, first.volume, first.issue, first.pages) == ("2009", "20", "5", "897-902")
    assert first.abstract == (
        "BACKGROUND: Lung metastases are common. "
        "RESULTS: Complete resection improved survival (HR 0.45)."
    )
    assert first.pub_type == "Journal Article; Multicenter Study"
    assert first.language == "eng"
    assert first.keywords.split("; ") == [
        "metastasectomy",
        "Osteosarcoma/surgery",
        "Lung Neoplasms/secondary/surgery",
    ]
    assert first.issn == "1569-8041"
    assert first.source_file == "pubmed_articles.xml"
    assert first.source_line == "4"


def test_medline_date_vernacular_title_and_reference_dois_ignored() -> None:
    second = list(iter_pubmed_xml(DATA / "pubmed_articles.xml"))[1]
    assert second.year == "1998"
    assert second.title == "Résection des métastases pulmonaires."
    assert second.doi == ""  # the reference list's DOI belongs to a cited paper
    assert second.pages == "10-15"
    assert second.journal_abbrev == "J Surg Oncol"
    assert second.issn == "0022-4790"
    assert second.authors == "Dupont, Pierre"


def test_book_article() -> None:
    book = list(iter_pubmed_xml(DATA / "pubmed_articles.xml"))[2]
    assert book.source_id == "20301300"
    assert book.title == "Li-Fraumeni Syndrome"
    assert book.journal == "GeneReviews®"
    assert book.authors == "Schneider, K"  # the editors are not authors
    assert book.year == "1993"
    assert book.abstract == "CLINICAL CHARACTERISTICS: Osteosarcoma risk is raised."
    assert book.source_line == "91"


def test_bytes_and_stream_inputs_match_path() -> None:
    data = (DATA / "pubmed_articles.xml").read_bytes()
    from_path = list(iter_pubmed_xml(DATA / "pubmed_articles.xml"))
    from_bytes = list(iter_pubmed_xml(data, label="batch-00001.xml"))
    from_stream = list(iter_pubmed_xml(io.BytesIO(data), label="x/batch-00001.xml"))
    for record in (*from_bytes, *from_stream):
        assert record.source_file == "batch-00001.xml"
        record.source_file = "pubmed_articles.xml"
    assert from_bytes == from_path == from_stream


def test_utf16_document_is_read() -> None:
    text = (DATA / "pubmed_articles.xml").read_text(encoding="utf-8")
    text = text.replace('<?xml version="1.0" ?>', '<?xml version="1.0" encoding="UTF-16"?>')
    records = list(iter_pubmed_xml(text.encode("utf-16")))
    assert [r.pmid for r in records] == ["19001234", "12345", "20301300"]
    assert records[0].authors.startswith("Müller")


@pytest.mark.parametrize(
    ("name", "line"), [("pubmed_entity_bomb.xml", 3), ("pubmed_external_entity.xml", 2)]
)
def test_entity_declarations_refused(name: str, line: int) -> None:
    with pytest.raises(InputError, match=rf"{name}:{line}: the XML declares entities"):
        list(iter_pubmed_xml(DATA / name))


def test_truncated_file_names_file_and_line() -> None:
    with pytest.raises(InputError, match=r"pubmed_truncated.xml:8: malformed XML"):
        list(iter_pubmed_xml(DATA / "pubmed_truncated.xml"))


def test_error_response_quoted() -> None:
    with pytest.raises(InputError, match=r"error response.*Unable to obtain query #1"):
        list(iter_pubmed_xml(DATA / "pubmed_error_response.xml"))


def test_missing_pmid() -> None:
    with pytest.raises(InputError, match=r"pubmed_no_pmid.xml:3.*field 'PMID'"):
        list(iter_pubmed_xml(DATA / "pubmed_no_pmid.xml"))


def test_wrong_root() -> None:
    with pytest.raises(InputError, match=r"root element is <records>"):
        list(iter_pubmed_xml(b"<records><record/></records>"))


def test_many_records_streamed_in_chunks() -> None:
    # More than one 64 KiB read, so start tags and line numbers cross chunk boundaries.
    body = "".join(
        f"<PubmedArticle>\n<MedlineCitation><PMID>{i}</PMID><Article><ArticleTitle>"
        f"{'x' * 200}</ArticleTitle></Article></MedlineCitation>\n</PubmedArticle>\n"
        for i in range(1, 8001)
    )
    data = f"<PubmedArticleSet>\n{body}</PubmedArticleSet>\n".encode()
    records = list(iter_pubmed_xml(data))
    assert len(records) == 8000
    assert records[-1].pmid == "8000"
    assert [r.source_line for r in records[:2]] == ["2", "5"]
    assert records[-1].source_line == str(2 + 3 * 7999)


def test_round_trip(tmp_path: Path) -> None:
    records = assign_record_ids(list(iter_pubmed_xml(DATA / "pubmed_articles.xml")), "pubmed")
    write_records(tmp_path / "r.tsv", records)
    back = read_records(tmp_path / "r.tsv")
    assert sorted(back, key=lambda r: r.record_id) == sorted(records, key=lambda r: r.record_id)
    assert [r.record_id for r in back] == ["pubmed:12345", "pubmed:19001234", "pubmed:20301300"]


@pytest.mark.parametrize(
    ("article", "message"),
    [
        ("<PubmedArticle><PubmedData/></PubmedArticle>", "PubmedArticle without MedlineCitation"),
        (
            "<PubmedArticle><MedlineCitation><Article/></MedlineCitation></PubmedArticle>",
            "PubmedArticle without a PMID",
        ),
        ("<PubmedBookArticle></PubmedBookArticle>", "PubmedBookArticle without BookDocument"),
        (
            "<PubmedBookArticle><BookDocument><PMID> </PMID></BookDocument></PubmedBookArticle>",
            "PubmedBookArticle without a PMID",
        ),
    ],
)
def test_article_without_its_part_or_pmid_fails_at_once(article: str, message: str) -> None:
    data = f"<PubmedArticleSet>\n{article}\n</PubmedArticleSet>\n".encode()
    with pytest.raises(InputError, match=rf"a.xml:2.*{message}"):
        list(iter_pubmed_xml(data, label="a.xml"))
