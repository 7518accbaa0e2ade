"""Tabular exports (CSV, TSV, XLSX): every real tool export, and fixtures written from the rules.

Expected counts were taken independently of the reader: with pandas (``read_csv`` with
``dtype=str``, ``skiprows=3`` below the Embase preamble, ``sep=";"`` for the Excel-saved copy,
``read_excel`` for the workbooks) and, for Abstrackr, by counting rows whose ``(internal) id``
is a number (its "citations that are not yet labeled" caption row is not a record). Record values
were read from the same pandas frames, and source lines were checked with ``grep -n``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evsynth.cli import main
from evsynth.contracts.records import Record, read_records
from evsynth.errors import InputError
from evsynth.sources.detect import detect_format, importer_for
from evsynth.sources.tabular import TabularReader, clean_author, parse_columns

DATA = Path(__file__).parent / "data" / "sources"
REAL = DATA / "tool-exports"

# file, format, records, source_id of the checked record, title, authors, year, doi, pmid, line
CASES = [
    ("CSV/_baseline.csv", "lens-csv", 100, "001-955-724-285-100",
     "Electrochemotherapy in Mucosal Cancer of the Head and Neck: A Systematic Review.",
     "Strojan, Primož; Grošelj, Aleš; Sersa, Gregor; Plaschke, Christina Caroline; Vermorken, "
     "Jan B.; Nuyts, Sandra; de Bree, Remco; Eisbruch, Avraham; Mendenhall, William M.; Smee, "
     "Robert; Ferlito, Alfio", "2021", "10.3390/cancers13061254", "33809141", "3"),
    ("CSV/_baseline_abstrackr.csv", "abstrackr-csv", 10, "41893421",
     "Erratum: Correction: A juvenile bird with possible crown-group affinities from a "
     "dinosaur-rich Cretaceous ecosystem in North America (BMC ecology and evolution (2024) 24 "
     "1 (20))", "Brownstein, C.D.", "", "", "", "37"),
    ("CSV/_baseline_cinahl.csv", "cinahl-csv", 10, "175875899",
     "Diving dinosaurs? Caveats on the use of bone compactness and pFDA for inferring lifestyle.",
     "Myhrvold, Nathan P.; Baumgart, Stephanie L.; Vidal, Daniel; Fish, Frank E.; Henderson, "
     "Donald M.; Saitta, Evan T.; Sereno, Paul C.", "2024", "10.1371/journal.pone.0298957", "",
     "3"),
    ("CSV/_baseline_cochrane.csv", "cochrane-csv", 3, "CN-02575572",
     "The Incredible Years Parenting and Child Treatment Programs: a Randomized Controlled Trial "
     "in a Child Welfare Setting in Spain", "Arruabarrena, I; Rivas, GR; Cañas, M; Paúl, J",
     "2022", "10.5093/pi2022a2", "37362617", "4"),
    ("CSV/_baseline_covidence.csv", "covidence-csv", 10, "7",
     "Erratum: Correction: A juvenile bird with possible crown-group affinities from a "
     "dinosaur-rich Cretaceous ecosystem in North America (BMC ecology and evolution (2024) 24 "
     "1 (20))", "Brownstein, C.D.", "2024", "10.1186/s12862-024-02216-3", "", "5"),
    # Embase Accession ID is empty in every row: the PUI is the accession.
    ("CSV/_baseline_embase.csv", "embase-csv", 10, "L2030246463",
     "Description of a new specimen of Haplocanthosaurus from the Dry Mesa Dinosaur Quarry",
     "Boisvert, C.; Curtice, B.; Wedel, M.; Wilhite, R.", "2024", "10.1002/ar.25520",
     "38887924", "14"),
    ("CSV/_baseline_excel.csv", "embase-csv", 10, "L2030246463",
     "Description of a new specimen of Haplocanthosaurus from the Dry Mesa Dinosaur Quarry",
     "Boisvert, C.; Curtice, B.; Wedel, M.; Wilhite, R.", "2024", "10.1002/ar.25520",
     "38887924", "14"),
    ("CSV/_baseline_googlescholar.csv", "scholar-csv", 10, "",
     "Ontogeny and the fossil record: what, if anything, is an adult dinosaur?",
     "Hone, David WE; Farke, Andrew A; Wedel, Mathew J", "2016", "", "", "8"),
    ("CSV/_baseline_openalex.csv", "openalex-csv", 9, "W4393870979",
     "Orthoceratoid and coleoid cephalopods from the Middle Triassic of Switzerland with an "
     "updated taxonomic framework for Triassic Orthoceratoidea",
     "Pohle, Alexander; Klug, Christian", "2024", "10.1186/s13358-024-00307-8", "38584612", "4"),
    ("CSV/_baseline_pubmed.csv", "pubmed-csv", 10, "36448670",
     "Spinosaurus is not an aquatic dinosaur",
     "Sereno, PC; Myhrvold, N; Henderson, DM; Fish, FE; Vidal, D; Baumgart, SL; Keillor, TM; "
     "Formoso, KK; Conroy, LL", "2022", "10.7554/elife.80092", "36448670", "4"),
    ("CSV/_baseline_rayyan.csv", "rayyan-csv", 10, "rayyan-42924193",
     "Erratum: Correction: A juvenile bird with possible crown-group affinities from a "
     "dinosaur-rich Cretaceous ecosystem in North America (BMC ecology and evolution (2024) 24 "
     "1 (20))", "Brownstein, C.D.", "2024", "10.1186/s12862-024-02216-3", "", "6"),
    ("CSV/_baseline_scopus.csv", "scopus-csv", 10, "2-s2.0-85151426146",
     "The origin of an invasive air sac system in sauropodomorph dinosaurs",
     "Aureliano, T.; Ghilardi, A.M.; Müller, R.T.; Kerber, L.; Fernandes, M.A.; "
     "Ricardi-Branco, F.; Wedel, M.J.", "2024", "10.1002/ar.25209", "36971057", "3"),
    ("CSV/_baseline_zotero.csv", "zotero-csv", 10, "ACNL49GC",
     "Erratum: Correction: A juvenile bird with possible crown-group affinities from a "
     "dinosaur-rich Cretaceous ecosystem in North America (BMC ecology and evolution (2024) 24 "
     "1 (20))", "Brownstein, C.D.", "2024", "10.1186/s12862-024-02216-3", "", "6"),
    # "null van den Hoven" in Lens: the placeholder given name is dropped.
    ("TSV/_baseline.tsv", "lens-csv", 100, "152-434-819-130-920",
     "The effect of intra-arterial angiotensin II on the hepatic tumor to non-tumor blood flow "
     "ratio for radioembolization: a systematic review",
     "van den Hoven; Smits, Maarten L. J.; Rosenbaum, Charlotte E.N.M.; Verkooijen, L.; "
     "van den Bosch, M. A. A. J.; Lam, Marnix G.E.H.", "2014", "10.1016/j.jvir.2013.12.293", "",
     "101"),
    ("TSV/_baseline_refworks.tsv", "refworks-tab", 100, "doc:61b997e48f08e21cc56b3954",
     "A systematic review and external validation of stroke prediction models demonstrates poor "
     "performance in dialysis patients",
     "de Jong, Ype; Ramspek, Chava L.; van der Endt, Vera H. W.; Rookmaaker, Maarten B.; "
     "Blankestijn, Peter J.; Vernooij, Robin W. M.; Verhaar, Marianne C.; Bos, Willem Jan W.; "
     "Dekker, Friedo W.; Ocak, Gurbey; van Diepen, Merel", "2020",
     "10.1016/j.jclinepi.2020.03.015", "", "3"),
    # XLSX source_line is the sheet row (row 1 holds the sheet title "_baseline").
    ("XLSX/_baseline.xlsx", "lens-csv", 100, "049-286-329-480-789",
     "Wernicke encephalopathy in patients with depression: A systematic review", "Oudman, Erik",
     "2020", "10.1111/pcn.13113", "32657502", "53"),
    ("XLSX/_baseline_embase.xlsx", "embase-csv", 10, "L2029880245",
     "Cellular structure of dinosaur scales reveals retention of reptile-type skin during the "
     "evolutionary transition to feathers", "Yang, Z.; Jiang, B.; Xu, J.; McNamara, M.E.",
     "2024", "10.1038/s41467-024-48400-3", "38773066", "5"),
    ("XLSX/_baseline_eppireviewer.xlsx", "eppi-xlsx", 10, "102199188",
     "Erratum: Correction: A juvenile bird with possible crown-group affinities from a "
     "dinosaur-rich Cretaceous ecosystem in North America (BMC ecology and evolution (2024) 24 "
     "1 (20))", "", "2024", "", "", "11"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "fmt", "count", "source_id", "title", "authors", "year", "doi", "pmid", "line"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_real_tool_export(
    name: str,
    fmt: str,
    count: int,
    source_id: str,
    title: str,
    authors: str,
    year: str,
    doi: str,
    pmid: str,
    line: str,
) -> None:
    path = REAL / name
    assert detect_format(path) == fmt
    records = list(importer_for(fmt).read(path))
    assert len(records) == count
    assert all(r.title for r in records)
    (record,) = [r for r in records if r.source_line == line]
    assert (record.source_id, record.title, record.authors) == (source_id, title, authors)
    assert (record.year, record.doi, record.pmid) == (year, doi, pmid)
    assert record.source_file == Path(name).name


def test_every_real_tabular_file_is_covered() -> None:
    files = {
        str(p.relative_to(REAL))
        for folder in ("CSV", "TSV", "XLSX")
        for p in (REAL / folder).glob("*")
        if p.name not in {"README.md", "LICENSE-CC0"}
    }
    assert files == {case[0] for case in CASES}


def test_embase_preamble_query_and_skipped_rows() -> None:
    reader = TabularReader()
    records = list(reader.read(REAL / "CSV/_baseline_excel.csv"))
    assert reader.layout == "embase-csv"
    assert reader.search_queries == ["dinosaur:ti"]
    assert [n for n, _why in reader.skipped_rows] == [1, 2]
    assert reader.skipped_lines == 1  # the blank ";;;;" row
    assert all(r.source_id.startswith("L") for r in records)


def test_abstrackr_caption_row_is_listed_not_read() -> None:
    reader = TabularReader()
    records = list(reader.read(REAL / "CSV/_baseline_abstrackr.csv"))
    assert reader.skipped_rows == [
        (36, "a caption row, not a record: 'citations that are not yet labeled by anyone'")
    ]
    assert reader.record_starts == len(records) == 10
    assert reader.unknown_tags["Anonymous"] == 6  # a reviewer's label column, reported


def test_cli_log_keeps_the_exported_query(tmp_path: Path) -> None:
    out, log = tmp_path / "e.tsv", tmp_path / "e.json"
    argv = ["import", str(REAL / "XLSX/_baseline_embase.xlsx"), "--source", "embase",
            "--out", str(out), "--log", str(log)]  # fmt: skip
    assert main(argv) == 0
    data = json.loads(log.read_text())
    assert data["query"] == "dinosaur:ti"
    entry = data["files"][0]
    assert (entry["format"], entry["records"], entry["search_query"]) == (
        "embase-csv",
        10,
        "dinosaur:ti",
    )
    assert entry["skipped_rows"][0] == (
        "_baseline_embase.xlsx:1: above the header row: search query 'dinosaur:ti'"
    )
    assert "embase:L2029880245" in {r.record_id for r in read_records(out)}


# --- fixtures written from the rules ---------------------------------------------------------


def read(data: bytes, reader: TabularReader | None = None) -> list[Record]:
    return list((reader or TabularReader()).read(data, label="t.csv"))


def test_semicolon_and_decimal_comma_with_cp1252() -> None:
    data = (
        "Title;Authors;Year;Source title;Cited by;Relevance;EID\r\n"
        '"Résection, métastases";"García J.; Smith A.B.";2020;"J Thorac Dis";3;0,75;'
        "2-s2.0-85000000001\r\n"
        "Second;Doe C.;2021;Ann Surg;12;1,5;2-s2.0-85000000002\r\n"
    ).encode("cp1252")
    reader = TabularReader()
    first, second = read(data, reader)
    assert reader.layout == "scopus-csv"
    assert "semicolon" in reader.container and "cp1252" in reader.container
    assert (first.title, first.authors) == ("Résection, métastases", "García, J.; Smith, A.B.")
    assert (first.source_id, first.year, first.journal) == (
        "2-s2.0-85000000001",
        "2020",
        "J Thorac Dis",
    )
    assert (second.source_id, second.source_line) == ("2-s2.0-85000000002", "3")


def test_utf16_tsv_with_preamble_and_multiline_cell() -> None:
    text = (
        "My export of 2 records\n"
        "\n"
        "Lens ID\tTitle\tAuthor/s\tPublication Year\tDOI\tAbstract\n"
        "000-000-000-000-001\tOne\tJane Q. Public; T.W. van der Vaart\t2019\t10.1000/ABC\t"
        '"two\nlines"\n'
        "000-000-000-000-002\tTwo\tErik Oudman\t2020\t\t\n"
    )
    reader = TabularReader()
    first, second = read(text.encode("utf-16"), reader)
    assert reader.layout == "lens-csv"
    assert reader.skipped_rows == [(1, "above the header row: 'My export of 2 records'")]
    assert (first.authors, first.doi, first.abstract) == (
        "Public, Jane Q.; van der Vaart, T.W.",
        "10.1000/abc",
        "two lines",
    )
    assert (first.source_line, second.source_line) == ("4", "6")


def test_cochrane_csv_from_the_rules() -> None:
    data = (
        b"CENTRAL ID,Author(s),Title,Source,Year,PubMed ID,DOI,Database Name\n"
        b'CN-01234567,"Bielack, S; Smeland, S",Trial,J Clin Oncol,2015,PUBMED 26001234,'
        b"10.1200/JCO.2015.1,CENTRAL\n"
    )
    (record,) = read(data)
    assert (record.source_id, record.pmid, record.doi) == (
        "CN-01234567",
        "26001234",
        "10.1200/jco.2015.1",
    )
    assert record.authors == "Bielack, S; Smeland, S"


def test_embase_pui_fallback_without_links() -> None:
    data = (
        b"Title,Author Names,Source,Embase Accession ID,PUI,Medline PMID\n"
        b'A,Smith J.,"J (2020) 1:2 (3-4)",L2005812345,L2005812345,\n'
        b'B,Doe A.,"J (2021) 2:1 (5-6)",,L633990898,25705707\n'
    )
    first, second = read(data)
    assert first.source_id == "L2005812345"
    assert (second.source_id, second.pmid) == ("L633990898", "25705707")


def test_unparsable_row_is_listed_with_its_line() -> None:
    data = (
        b"Title,Authors,Published Year,Journal,Covidence #\n"
        b'Good,"Smith, J.",2020,J,#1\n'
        b",,2021,J,\n"  # no title and no identifier
        b'Bad,"Doe, A.",2021,J,#3,extra\n'  # more cells than the header
        b'Fine,"Roe, K.",2022,J,#4\n'
    )
    with pytest.raises(InputError) as info:
        read(data)
    message = str(info.value)
    assert "4 record start(s) but 2 record(s) read" in message
    assert "t.csv:3: row has no title and no identifier" in message
    assert "t.csv:4: 6 cells but the header has 5 columns" in message


def test_unknown_header_lists_columns_and_the_columns_option(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("Article Name,Writers,Yr,Ident\nA study,Smith J; Doe A,2020,X1\n")
    with pytest.raises(InputError) as info:
        detect_format(path)
    message = str(info.value)
    assert "'Article Name', 'Writers', 'Yr', 'Ident'" in message
    assert "match no known layout" in message and "--columns 'title=" in message


def test_unknown_xlsx_header(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Name of paper", "Who", "When"])
    book.active.append(["A study", "Smith, J", 2020])
    book.save(tmp_path / "mine.xlsx")
    with pytest.raises(InputError, match=r"'Name of paper', 'Who', 'When'.*--columns"):
        detect_format(tmp_path / "mine.xlsx")


def test_columns_option_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(
        "Note: exported by hand\n"
        "Article Name,Writers,Yr,Ident,Authors, Primary\n"
        "A study,Smith J; Doe A,2020,X1,ignored\n"
        '"B, a study","Roe, K | Poe, E",2021,X2,\n'
    )
    out = tmp_path / "r.tsv"
    argv = ["import", str(path), "--source", "mine", "--out", str(out), "--columns",
            "title=Article Name,authors=Writers,year=Yr,accession=Ident"]  # fmt: skip
    assert main(argv) == 0
    first, second = read_records(out)
    assert (first.record_id, first.title, first.authors, first.year) == (
        "mine:X1", "A study", "Smith, J; Doe, A", "2020",
    )  # fmt: skip
    assert (second.title, second.authors, second.source_line) == (
        "B, a study",
        "Roe, K; Poe, E",
        "4",
    )


def test_columns_option_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("Article Name,Writers\nA,B\n")
    reader = TabularReader(parse_columns("title=Title,authors=Writers"))
    with pytest.raises(InputError, match=r"no header row holds every --columns column \('Title'"):
        list(reader.read(path))


def test_parse_columns_allows_commas_in_names() -> None:
    assert parse_columns("title=Title Primary, authors=Authors, Primary,doi=DOI") == {
        "title": "Title Primary",
        "authors": "Authors, Primary",
        "doi": "DOI",
    }
    with pytest.raises(InputError, match="cannot read 'colour=Red'"):
        parse_columns("colour=Red,title=T")


def test_endnote_tab_delimited_from_the_rules() -> None:
    data = (
        b"*Journal Article\n"
        b"Reference Type\tAuthor\tYear\tTitle\tSecondary Title\tVolume\tNumber\tPages\tDOI\t"
        b"Record Number\n"
        b"Journal Article\tSmith, John//Doe, A. B.\t2020\tA title\tJ Clin Oncol\t38\t4\t"
        b"100-110\t10.1200/x.1\t17\n"
    )
    reader = TabularReader()
    (record,) = read(data, reader)
    assert reader.layout == "endnote-tab"
    assert (record.authors, record.journal, record.issue) == (
        "Smith, John; Doe, A. B.", "J Clin Oncol", "4",
    )  # fmt: skip
    assert (record.source_id, record.doi, record.source_line) == ("17", "10.1200/x.1", "3")


def test_repeated_header_of_joined_exports_is_listed() -> None:
    data = b"key,title,authors,journal,notes\nrayyan-1,A,X,J,\nkey,title,authors,journal,notes\n"
    reader = TabularReader()
    records = read(data + b"rayyan-2,B,Y,J,\n", reader)
    assert [r.source_id for r in records] == ["rayyan-1", "rayyan-2"]
    assert reader.skipped_rows == [(3, "the header row again (joined exports?)")]


@pytest.mark.parametrize(
    ("name", "given_first", "expected"),
    [
        ("Smits,Maarten L. J.", False, "Smits, Maarten L. J."),
        ("van den Hoven,null", False, "van den Hoven"),
        ("T. ten Doesschate", True, "ten Doesschate, T."),
        ("Jan B. Vermorken", True, "Vermorken, Jan B."),
        ("Plato", True, "Plato"),
    ],
)
def test_author_clean_up(name: str, given_first: bool, expected: str) -> None:
    assert clean_author(name, given_first=given_first) == expected


def test_endnote_tab_fixture_pmid_from_the_database_name() -> None:
    first, second = TabularReader().read(DATA / "endnote_tab.txt")
    assert (first.source_id, first.pmid, first.doi) == (
        "12",
        "30923668",
        "10.1016/j.jbo.2019.100230",
    )
    assert (first.authors, first.keywords) == (
        "Huang, X.; Zhao, J.",
        "osteosarcoma; lung metastasis",
    )
    assert (second.source_id, second.pmid, second.pages) == ("13", "", "1760-1765")


def test_unclosed_quote_at_the_end_is_not_swallowed_silently() -> None:
    data = (
        b"Title,Authors,Published Year,Journal,Covidence #\n"
        b'Good,"Smith, J.",2020,J,#1\n'
        b'Bad,"Doe, A.,2021,J,#3\n'
        b"Lost,X,2022,J,#4\n"
    )
    with pytest.raises(InputError, match=r"t.csv:3: .*never closed: lines 3-4"):
        read(data)


def test_zip_and_old_xls_get_a_clear_error() -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("articles.csv", "key,title\n")
    with pytest.raises(InputError, match=r"a zip archive, not an XLSX workbook; it holds articles"):
        detect_format(buffer.getvalue(), label="rayyan.zip")
    with pytest.raises(InputError, match=r"old Excel \.xls"):
        detect_format(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), label="old.xls")


def test_url_cell_keeps_one_link() -> None:
    records = list(TabularReader().read(REAL / "CSV/_baseline_rayyan.csv"))
    assert records[0].url == (
        "https://www.embase.com/search/results?subaction=viewrecord&id=L2029880245&from=export"
    )


@pytest.mark.parametrize(
    ("header", "row", "fmt", "source_id"),
    [
        # Reordered, fewer columns than the real exports, plus a column no layout knows.
        ("My Notes,EID,Title,Authors,Year", "x,2-s2.0-1,A title,Doe A.,2020", "scopus-csv",
         "2-s2.0-1"),
        ("PUI,Title,Author Names,Extra", "L633990898,A title,Doe A.,x", "embase-csv",
         "L633990898"),
        ("Title,CENTRAL ID,Year", "A title,CN-01234567,2020", "cochrane-csv", "CN-01234567"),
        ("DOI,Title,Lens ID", "10.1000/x,A title,000-463-679-101-319", "lens-csv",
         "000-463-679-101-319"),
        ("title,id,authorships.author.display_name",
         "A title,https://openalex.org/W1,Jane Doe", "openalex-csv", "W1"),
        ("Title,PMID,Journal/Book", "A title,12345,J", "pubmed-csv", "12345"),
        ("Article Title,PLink,Accession Number", "A title,http://x?AN=9&db=c,9", "cinahl-csv", "9"),
        ("Title,Key,Item Type,Author", "A title,ABCD2345,journalArticle,\"Doe, J\"",
         "zotero-csv", "ABCD2345"),
        ("Title Primary,Reference Id,Authors, Primary", "A title,doc:ab12,\"Doe,J\"",
         "refworks-tab", "doc:ab12"),
        ("Covidence #,Title", "#12,A title", "covidence-csv", "12"),
        ("title,(internal) id,authors", "A title,77,\"Doe, J.\"", "abstrackr-csv", "77"),
        ("notes,journal,authors,title,key", ",J,\"Doe, J.\",A title,rayyan-5", "rayyan-csv",
         "rayyan-5"),
        ("Title,ShortTitle,ID", "A title,Doe (2020),42", "eppi-xlsx", "42"),
        ("Year,Publication,Title,Authors", "2020,J,A title,\"Doe, J; \"", "scholar-csv", ""),
    ],
)  # fmt: skip
def test_layouts_read_other_column_sets(header: str, row: str, fmt: str, source_id: str) -> None:
    data = f"{header}\n{row}\n".encode()
    assert detect_format(data, label="t.csv") == fmt
    (record,) = list(importer_for(fmt).read(data, label="t.csv"))
    assert (record.title, record.source_id) == ("A title", source_id)


def test_lens_csv_tsv_and_xlsx_give_the_same_records() -> None:
    # The same 100 Lens records in three containers: only source_file and source_line differ.
    def fields(name: str) -> list[tuple[str, ...]]:
        return [
            tuple(
                v for k, v in sorted(vars_of(r).items()) if k not in ("source_file", "source_line")
            )
            for r in TabularReader().read(REAL / name)
        ]

    csv_rows = fields("CSV/_baseline.csv")
    assert len(csv_rows) == 100
    assert csv_rows == fields("TSV/_baseline.tsv") == fields("XLSX/_baseline.xlsx")


def vars_of(record: Record) -> dict[str, str]:
    import dataclasses

    return dataclasses.asdict(record)
