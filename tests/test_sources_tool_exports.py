"""Real exports from databases, reference managers and screening tools (RIS folder).

The files are asreview/citation-file-formatting's one record set exported by each tool (commit
06639d0, CC0 1.0; see tests/data/sources/tool-exports/RIS/README.md). Each is read with format
detection, as a user would, and checked against counts and values read from the file here
independently of the importer: records are counted by their ``ER`` lines (``PMID-`` lines for
the MEDLINE-format file), titles taken from each record's first ``TI``/``T1`` line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evsynth.contracts.records import Record
from evsynth.sources.detect import detect_format, importer_for
from evsynth.sources.ris import RisReader

DATA = Path(__file__).parent / "data" / "sources" / "tool-exports" / "RIS"

# file: (records, format, first record's title start, first author, year, doi, pmid, source_id)
EXPECTED = {
    "_baseline.ris": (100, "ris", "The Value of Radiologic Interventions and 18 F-DOPA PET",
                      "Blomberg, Björn A.", "2012", "10.1007/s11307-012-0572-0", "22752652",
                      "000-463-679-101-319"),
    "_baseline_cinahl.ris": (9, "ris", "Osteohistological insight into the growth dynamics",
                             "Curry Rogers, Kristina", "2024", "10.1371/journal.pone.0298242", "",
                             "176404503"),
    "_baseline_citavi.ris": (100, "ris", "Postoperative headache after surgical treatment",
                             "Pogoda, Louis", "2021", "10.1007/s00405-021-06627-6", "",
                             "084-036-012-777-223"),
    "_baseline_cochrane_endnote.ris": (3, "ris", "The Incredible Years Therapeutic Dinosaur",
                                       "Bywater, T", "2011", "10.1186/1745-6215-12-39",
                                       "21314913", "CN-00778158"),
    "_baseline_cochrane_procite.ris": (3, "ris", "The Incredible Years Therapeutic Dinosaur",
                                       "Bywater, T", "2011", "10.1186/1745-6215-12-39",
                                       "21314913", "CN-00778158"),
    "_baseline_cochrane_refman.ris": (3, "ris", "The Incredible Years Therapeutic Dinosaur",
                                      "Bywater, T", "2011", "10.1186/1745-6215-12-39",
                                      "21314913", "CN-00778158"),
    "_baseline_covidence_endnote.ris": (10, "ris", "Cellular structure of dinosaur scales",
                                        "Yang, Z.", "2024", "10.1038/s41467-024-48400-3", "",
                                        "L2029880245"),
    "_baseline_covidence_mendeley.ris": (10, "ris", "Cellular structure of dinosaur scales",
                                         "Yang, Z.", "2024", "10.1038/s41467-024-48400-3", "",
                                         "L2029880245"),
    "_baseline_covidence_refworks.ris": (10, "ris", "Cellular structure of dinosaur scales",
                                         "Yang, Z.", "2024", "10.1038/s41467-024-48400-3", "",
                                         "L2029880245"),
    "_baseline_covidence_zotero.ris": (10, "ris", "Cellular structure of dinosaur scales",
                                       "Yang, Z.", "2024", "10.1038/s41467-024-48400-3", "",
                                       "L2029880245"),
    "_baseline_embase.ris": (10, "ris", "Cellular structure of dinosaur scales", "Yang, Z.",
                             "2024", "10.1038/s41467-024-48400-3", "38773066", "L2029880245"),
    # EndNote's "ID  - 889" is its own record number, never a PMID.
    "_baseline_endnote.ris": (10, "ris", "Description of a new specimen of Haplocanthosaurus",
                              "Boisvert, C.", "2024", "10.1002/ar.25520", "", "L2030246463"),
    "_baseline_eppireviewer.ris": (10, "ris", "A juvenile bird with possible crown-group",
                                   "Brownstein, C D", "2024", "10.1186/s12862-024-02210-9", "",
                                   "L643474277"),
    "_baseline_eric_ovid.ris": (10, "ris", "Creationism and the Dinosaur Boom.",
                                "Stokes, William Lee", "1989", "", "", "EJ389705"),
    "_baseline_googlescholar.ris": (10, "ris", "Did dinosaurs invent flowers?",
                                    "Barrett, Paul M", "2001", "", "", ""),
    "_baseline_mdpi.ris": (11, "ris", "Oil and the Best Brain of the 20th Century",
                           "Banks, Ferdinand E.", "2010", "10.3390/en3050940", "", ""),
    "_baseline_mendeley.ris": (10, "ris", "Description of a new specimen of Haplocanthosaurus",
                               "Boisvert, C", "2024", "10.1002/ar.25520", "", "L2030246463"),
    "_baseline_openalex.ris": (9, "ris", "A bioprovince for the Barremian–Aptian charophytes",
                               "Vicente, Alba", "2024", "10.1016/j.cretres.2023.105752", "", ""),
    # The "PMID: 7842832" in this file's M1 lines belongs to a cited reference.
    "_baseline_psychInfo_ovid.ris": (10, "ris", "DINOSAUR: An integrated cognitive-behavioral",
                                     "Keefer, Amy", "2021", "10.1186/s11689-021-09396-9", "",
                                     "2021-94054-001"),
    # Named .ris, but PubMed's MEDLINE (nbib) layout: detection goes by content.
    "_baseline_pubmed.ris": (50, "nbib", "Time lapse: A glimpse into prehistoric genomics.",
                             "Griffin, Darren K", "2020", "10.1016/j.ejmg.2019.03.004",
                             "30922926", "30922926"),
    "_baseline_rayyan.ris": (10, "ris", "Cellular structure of dinosaur scales", "Yang, Z.",
                             "2024", "10.1038/s41467-024-48400-3", "", "L2029880245"),
    "_baseline_refworks.ris": (10, "ris", "Description of a new specimen of Haplocanthosaurus",
                               "Boisvert, C.", "2024", "10.1002/ar.25520", "", "L2030246463"),
    "_baseline_scopus.ris": (10, "ris", "Global latitudinal gradients and the evolution",
                             "Wilson, L.N.", "2024", "10.1038/s41467-024-46843-2", "38580657",
                             "2-s2.0-85189760133"),
    "_baseline_webofscience.ris": (10, "ris", "New Horned Dinosaurs from Utah",
                                   "Sampson, SD", "2010", "10.1371/journal.pone.0012292", "",
                                   "000282053100002"),
    "_baseline_zotero.ris": (10, "ris", "Cellular structure of dinosaur scales", "Yang, Z.",
                             "2024", "10.1038/s41467-024-48400-3", "", "L2029880245"),
}  # fmt: skip

_END = re.compile(r"^ER {1,2}-")
_TITLE = re.compile(r"^(?:TI|T1) {1,2}-\s*(.*)$")


def _read(name: str) -> tuple[str, list[Record], object]:
    path = DATA / name
    fmt = detect_format(path)
    importer = importer_for(fmt)
    return fmt, list(importer.read(path)), importer


def _independent(name: str) -> tuple[int, list[str]]:
    """Records and titles counted from the file's lines, without the importer."""
    text = (DATA / name).read_text(encoding="utf-8-sig")
    lines = text.replace("\r\n", "\n").split("\n")
    if not any(_END.match(line) for line in lines):
        return sum(line.startswith("PMID-") for line in lines), []
    count, titles, seen = 0, [], False
    for line in lines:
        line = line.lstrip("\ufeff")
        if _END.match(line):
            count, seen = count + 1, False
            continue
        match = _TITLE.match(line)
        if match and not seen:
            titles.append(" ".join(match.group(1).split()))
            seen = True
    return count, titles


def test_every_ris_file_is_listed() -> None:
    assert sorted(p.name for p in DATA.glob("*.ris")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_tool_export_reads_exactly(name: str) -> None:
    count, fmt, title, author, year, doi, pmid, source_id = EXPECTED[name]
    got_format, records, _importer = _read(name)
    independent_count, titles = _independent(name)
    assert independent_count == count
    assert got_format == fmt
    assert len(records) == count
    if titles:
        assert [r.title for r in records] == titles
    first = records[0]
    assert first.title.startswith(title)
    assert first.authors.split("; ")[0] == author
    assert (first.year, first.doi, first.pmid, first.source_id) == (year, doi, pmid, source_id)
    assert all(r.title for r in records)


@pytest.mark.parametrize(
    "name", ["_baseline_cochrane_endnote.ris", "_baseline_cochrane_procite.ris",
             "_baseline_cochrane_refman.ris"],
)  # fmt: skip
def test_cochrane_download_preamble_is_skipped_and_named(name: str) -> None:
    _fmt, records, importer = _read(name)
    assert [r.source_id for r in records] == ["CN-00778158", "CN-02677909", "CN-02575572"]
    # Each record of the download comes with its own three-line header.
    assert importer.skipped_lines == 9
    first, between = importer.warnings
    assert first.startswith("3 line(s) before the first record skipped (lines 1-3)")
    assert "'Record #3 of 18'" in first and "Provider: John Wiley & Sons, Ltd." in first
    assert between.startswith("6 line(s) between records skipped (lines 75-129)")
    assert records[2].authors == "Arruabarrena, I; Rivas, GR; Cañas, M; Paúl, J"


def test_screening_tool_ris_keeps_keywords_and_clean_links() -> None:
    _fmt, rayyan, _importer = _read("_baseline_rayyan.ris")
    # Rayyan runs the next tag into the link ("...&from=export     U2  - L2029880245").
    assert rayyan[0].url == (
        "https://www.embase.com/search/results?subaction=viewrecord&id=L2029880245&from=export"
    )
    assert "Psittacosaurus" in rayyan[0].keywords.split("; ")
    _fmt, eppi, _importer = _read("_baseline_eppireviewer.ris")
    assert all("eppi-reviewer" in r.keywords.split("; ") for r in eppi)
    assert eppi[0].url.startswith("https://www.embase.com/") and " " not in eppi[0].url


def test_web_of_science_records_are_labelled_by_their_database() -> None:
    _fmt, _records, importer = _read("_baseline_webofscience.ris")
    assert dict(importer.databases) == {"Web of Science Core Collection": 10}


def test_raw_tags_keep_screening_fields_intact() -> None:
    # For readers of decision fields: Rayyan's N1 exactly as written, every KW value.
    rows = list(RisReader().read_tags(DATA / "_baseline_rayyan.ris"))
    assert len(rows) == 10
    line, tags = rows[0]
    assert line == 1
    assert tags["AN"] == ["rayyan-42924189"]
    assert tags["N1"] == ['RAYYAN-INCLUSION: {"Emily"=>"Included"}']
    assert len(tags["KW"]) == 25
