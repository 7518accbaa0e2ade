"""Reading decision files: one fixture per tool format, odd encodings, and every bad-input case."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from evsynth.errors import InputError
from evsynth.screening.ingest import DecisionFile, read_decisions
from evsynth.screening.matching import StudyIndex
from evsynth.screening.raw import FileSummary, RawDecision, decide_rows
from evsynth.screening.run import screen_files
from evsynth.screening.stage import StageSettings
from evsynth.tables import read_tsv

DATA = Path(__file__).parent / "data" / "screening"
UNIQUE = DATA / "unique.tsv"


@pytest.fixture(scope="module")
def index() -> StudyIndex:
    return StudyIndex.build(read_tsv(UNIQUE))


def _matched(
    path: Path | str, index: StudyIndex, stage: str = "title_abstract", **spec
) -> list[tuple[str, str, str, str]]:
    items, _ = read_decisions(DecisionFile(str(path), **spec), stage=stage)
    out = []
    for item in items:
        match = index.match(item)
        assert not isinstance(match, str), (item.where, match)
        out.append((match.study_record_id, item.reviewer, item.decision, "; ".join(item.reasons)))
    return sorted(out)


def test_plain_file_per_reviewer_takes_reviewer_from_file_name(index):
    got = _matched(DATA / "alice.csv", index)
    assert ("pubmed:1008", "alice", "include", "") in got  # decided on member embase:L5008
    assert ("embase:L5004", "alice", "exclude", "not osteosarcoma") in got
    assert len(got) == 8


def test_plain_file_with_reviewer_column(index):
    got = _matched(DATA / "plain_reviewer_column.csv", index)
    assert ("pubmed:1001", "bob", "include", "") in got  # "Include" is case-insensitive
    assert ("pubmed:1002", "bob", "exclude", "no survival outcome") in got


def test_reviewer_from_spec_overrides_file_name(index):
    got = _matched(DATA / "alice.csv", index, reviewer="Alice A.")
    assert {r for _, r, _, _ in got} == {"Alice A."}


def test_asreview_csv(index):
    _items, summary = read_decisions(
        DecisionFile(str(DATA / "asreview_export.csv"), reviewer="alice")
    )
    assert summary.format == "asreview"
    assert (summary.rows, summary.decisions, summary.undecided_rows) == (5, 4, 1)
    got = _matched(DATA / "asreview_export.csv", index, reviewer="alice")
    assert got == [
        ("embase:L5004", "alice", "exclude", ""),  # by DOI
        ("pubmed:1001", "alice", "include", ""),  # DOI with resolver prefix and upper case
        ("pubmed:1006", "alice", "exclude", ""),
        ("wos:000123", "alice", "include", ""),  # no ids: title + year? no year -> title match
    ]


def test_asreview_xlsx(index, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["record_id", "title", "authors", "doi", "asreview_label", "asreview_note"])
    sheet.append([0, "Review of osteosarcoma treatment", "Garcia, Ana", "10.1000/a7", 1.0, None])
    sheet.append([1, "Survival after lung metastases of osteosarcoma", None, "10.1000/a2", 0, "x"])
    sheet.append(
        [2, "Case report: a rare metastasis of osteosarcoma", None, "10.1000/a6", None, None]
    )
    path = tmp_path / "bob.xlsx"
    book.save(path)
    assert _matched(path, index) == [
        ("pubmed:1002", "bob", "exclude", ""),
        ("pubmed:1007", "bob", "include", ""),
    ]


def test_asreview_ris(index):
    _items, summary = read_decisions(
        DecisionFile(str(DATA / "asreview_export.ris"), reviewer="bob")
    )
    assert summary.format == "asreview_ris" and summary.undecided_rows == 1
    assert _matched(DATA / "asreview_export.ris", index, reviewer="bob") == [
        ("pubmed:1001", "bob", "include", ""),  # ID tag carries the study record id
        ("wos:000123", "bob", "exclude", ""),  # continuation line joined; title + year + author
    ]


def test_rayyan_articles_csv_has_several_reviewers_per_row(index):
    got = _matched(DATA / "rayyan_articles.csv", index)
    assert got == [
        ("pubmed:1001", "alice", "include", ""),
        ("pubmed:1001", "bob", "include", ""),
        ("pubmed:1002", "alice", "include", ""),
        ("pubmed:1002", "bob", "exclude", "no survival outcome"),
        ("wos:000123", "alice", "maybe", ""),
    ]
    items, summary = read_decisions(DecisionFile(str(DATA / "rayyan_articles.csv")))
    assert summary.format == "rayyan" and summary.undecided_rows == 1
    assert [i.note for i in items if i.reviewer == "bob" and i.decision == "exclude"] == [
        "adults only?"
    ]


def test_rayyan_zip(index, tmp_path):
    path = tmp_path / "rayyan-export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(DATA / "rayyan_articles.csv", "articles.csv")
        archive.writestr("customizations_log.csv", "key,user,action\n")
    assert _matched(path, index) == _matched(DATA / "rayyan_articles.csv", index)


def test_covidence_lists_take_decision_from_declared_list_and_notes(index):
    got = _matched(
        DATA / "covidence_review_123_irrelevant_csv_20260110.csv", index, list="irrelevant"
    )
    assert got == [
        ("pubmed:1006", "covidence", "exclude", ""),  # Accession Number = study record id
        ("pubmed:1007", "covidence", "exclude", ""),
    ]
    # "Exclusion reason:" in Notes: the excluded list, told from the content alone; a full-text
    # exclusion, so at title/abstract the record was included
    path = DATA / "covidence_review_123_excluded_csv_20260201.csv"
    got = _matched(path, index, stage="full_text")
    assert got == [("pubmed:1003", "covidence", "exclude", "no survival outcome")]
    assert _matched(path, index) == [("pubmed:1003", "covidence", "include", "")]
    # the irrelevant list says nothing at full text (those records never got there)
    items, summary = read_decisions(
        DecisionFile(
            str(DATA / "covidence_review_123_irrelevant_csv_20260110.csv"), list="irrelevant"
        ),
        stage="full_text",
    )
    assert items == [] and summary.rows == summary.undecided_rows == 2


def test_covidence_list_not_told_by_content_is_an_error_saying_how_to_declare_it(tmp_path):
    # the file name says "irrelevant", but names are not content: it must be declared
    path = tmp_path / "review_123_irrelevant_csv_20260110.csv"
    shutil.copy(DATA / "covidence_review_123_irrelevant_csv_20260110.csv", path)
    with pytest.raises(InputError, match=r"cannot be told from its content.*list: irrelevant"):
        read_decisions(DecisionFile(str(path)))


def test_covidence_declared_list_contradicting_content_is_an_error():
    path = DATA / "covidence_review_123_excluded_csv_20260201.csv"
    with pytest.raises(InputError, match="only the excluded list has"):
        read_decisions(DecisionFile(str(path), list="included"))


def test_semicolon_windows_1252_csv_is_read_correctly(index):
    items, summary = read_decisions(DecisionFile(str(DATA / "semicolon_cp1252.csv")))
    assert (summary.encoding, summary.delimiter) == ("cp1252", ";")
    assert [(i.decision, i.note, i.reasons) for i in items] == [
        ("include", "Müller et al. cited", []),
        ("exclude", "", ["keine Überlebensdaten"]),
    ]


def test_utf16_unicode_text_is_read_correctly():
    items, summary = read_decisions(DecisionFile(str(DATA / "utf16_unicode_text.txt")))
    assert (summary.encoding, summary.delimiter) == ("utf-16", "\t")
    assert [(i.ids, i.decision, i.note) for i in items] == [
        (["pubmed:1001"], "include", "Grüße"),
        (["pubmed:1002"], "exclude", ""),
    ]


def _screen(*files: str, reviewers=("alice", "bob"), **kw):
    settings = StageSettings(stage="title_abstract", reviewers=reviewers, **kw)
    return screen_files(UNIQUE, [DecisionFile(str(DATA / f)) for f in files], settings=settings)


def test_unknown_ids_are_listed_in_one_error():
    with pytest.raises(InputError, match=r"2 decision row\(s\)") as err:
        _screen("bad_unknown_id.csv")
    assert "bad_unknown_id.csv:3: unknown record id 'pubmed:9999'" in str(err.value)
    assert "bad_unknown_id.csv:4: unknown record id 'scopus:2-s2.0-1'" in str(err.value)


def test_unmatched_tool_rows_are_listed_in_one_error():
    with pytest.raises(InputError, match=r"2 decision row\(s\)") as err:
        _screen("bad_unmatched_rayyan.csv")
    message = str(err.value)
    assert "bad_unmatched_rayyan.csv:2" in message and "A study that dedup never saw" in message
    assert "bad_unmatched_rayyan.csv:4" in message and ":3" not in message


def test_duplicate_rows_are_an_error():
    with pytest.raises(InputError, match=r"bad_duplicate\.csv:4: duplicate decision.*csv:2"):
        _screen("bad_duplicate.csv")


def test_duplicate_across_files_is_an_error():
    with pytest.raises(InputError, match=r"duplicate decision: reviewer 'alice'"):
        _screen("alice.csv", "semicolon_cp1252.csv")


def test_unknown_decision_word_is_an_error():
    with pytest.raises(
        InputError, match=r"bad_decision_word\.csv:3, field 'decision': unknown decision 'perhaps"
    ):
        _screen("bad_decision_word.csv")


def test_reviewer_not_in_config_is_an_error():
    with pytest.raises(InputError, match=r"bad_reviewer\.csv:3.*'mallory' is not in config"):
        _screen("bad_reviewer.csv")


def test_reviewer_names_match_case_insensitively():
    result, _ = _screen("bad_reviewer.csv", reviewers=("Alice", "Mallory"))
    assert result.reviewers == ["Alice", "Mallory"]


def test_unknown_format_is_an_error():
    with pytest.raises(InputError, match=r"bad_unknown_format\.csv:1: cannot tell which tool"):
        _screen("bad_unknown_format.csv")


def test_missing_file_is_an_error():
    with pytest.raises(InputError, match="does not exist"):
        _screen("no_such_file.csv")


def test_ragged_row_is_an_error(tmp_path):
    path = tmp_path / "alice.csv"
    path.write_text("study_record_id,decision\npubmed:1001,include,extra,cells\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"alice\.csv:2: 4 cells but the header has 2"):
        read_decisions(DecisionFile(str(path)))


def test_undecodable_bytes_are_an_error(tmp_path):
    path = tmp_path / "alice.csv"
    path.write_bytes(b"study_record_id,decision\npubmed:1001,include\x81\xff\n")
    with pytest.raises(InputError, match=r"alice\.csv:2: is neither UTF-8 nor Windows-1252"):
        read_decisions(DecisionFile(str(path)))


def test_ris_without_asreview_labels_is_an_error(tmp_path):
    path = tmp_path / "zotero.ris"
    path.write_text("TY  - JOUR\nTI  - Something\nER  - \n", encoding="utf-8")
    with pytest.raises(InputError, match=r"RIS file without ASReview labels.*list: included"):
        read_decisions(DecisionFile(str(path)))


def test_decision_spec_parses_reviewer_prefix():
    assert DecisionFile.parse("alice=exports/a.csv") == DecisionFile("exports/a.csv", "alice")
    assert DecisionFile.parse(str(DATA / "alice.csv")).reviewer is None


def test_queue_ris_reads_back_after_asreview_labels_it(index, tmp_path):
    from evsynth.screening.output import queue_ris_text
    from evsynth.screening.stage import StageSettings, screen_stage

    result = screen_stage(index, [], settings=StageSettings(stage="title_abstract"))
    text = queue_ris_text(result, index.records)
    labelled = text.replace("ER  - ", "N1  - ASReview_relevant\r\nER  - ")
    path = tmp_path / "alice.ris"
    path.write_text(labelled, encoding="utf-8")
    got = _matched(path, index)
    assert [g[0] for g in got] == sorted(index.records)
    assert {g[2] for g in got} == {"include"}


def test_plain_fixtures_follow_the_decision_sheet_schema():
    import csv

    from evsynth.contracts.schemas import check_sheet_row

    for name in (
        "alice.csv",
        "plain_reviewer_column.csv",
        "adjudication_ta.csv",
        "ft_decisions.csv",
    ):
        with (DATA / name).open(encoding="utf-8") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                folded = " ".join((row.get("decision") or "").lower().split())
                check_sheet_row(
                    "screening_decisions", {**row, "decision": folded}, path=name, line=line
                )
    with pytest.raises(InputError, match=r"x\.csv:2, field 'decision': 'perhaps' is not valid"):
        check_sheet_row(
            "screening_decisions",
            {"study_record_id": "pubmed:1", "decision": "perhaps"},
            path="x.csv",
            line=2,
        )


def test_decision_ris_cut_short_or_with_a_stray_tag_is_an_error(tmp_path):
    # One RIS codec for importers and decision files; a decision file must end its last record.
    path = tmp_path / "alice.ris"
    path.write_text(
        "TY  - JOUR\nTI  - One\nN1  - ASReview_relevant\nER  - \n\n"
        "TY  - JOUR\nTI  - Two\nN1  - ASReview_irrelevant\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"alice\.ris:6: record has no ER line before end of file"):
        read_decisions(DecisionFile(str(path)))
    path.write_text("TY  - JOUR\nTI  - One\nER  - \nN1  - ASReview_relevant\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"alice\.ris:4: tag 'N1' outside any record"):
        read_decisions(DecisionFile(str(path)))


def test_decision_ris_keeps_each_tags_first_line_and_continuations(tmp_path):
    from evsynth.screening.readers import read_decision_file

    path = tmp_path / "rayyan.ris"
    path.write_text(
        "TY  - JOUR\r\nTI  - A title\r\n  carried on\r\nN1  - first note\r\nN1  - second\r\n"
        "ER  - \r\n\r\nTY  - JOUR\r\nAU  - Doe, J.\r\nER  - \r\n",
        encoding="utf-8",
    )
    ris = read_decision_file(path)
    first, second = ris.records
    assert (first.line, second.line) == (1, 8)
    assert first.tags == {
        "TY": ["JOUR"],
        "TI": ["A title carried on"],
        "N1": ["first note", "second"],
    }
    assert first.lines == {"TY": 1, "TI": 2, "N1": 4}
    assert second.lines == {"TY": 8, "AU": 9}


def test_every_row_is_counted_once_decided_or_not():
    """The one row loop all tool parsers share: a row with no decision is counted undecided, a
    row with several (Rayyan, Abstrackr) adds them all and is still one row."""

    def decide(n: int) -> list[RawDecision]:
        return [RawDecision("f.csv", n, "plain", f"r{i}", "include") for i in range(n)]

    summary = FileSummary("f.csv", "plain", "utf-8", ",")
    out = decide_rows([2, 0, 1, 0], summary, decide)
    assert [(d.line, d.reviewer) for d in out] == [(2, "r0"), (2, "r1"), (1, "r0")]
    assert (summary.rows, summary.undecided_rows) == (4, 2)
