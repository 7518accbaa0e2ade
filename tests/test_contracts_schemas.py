"""The sheet and config schemas: found as package data and applied to every sheet a person fills."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from evsynth.contracts.schemas import (
    SHEET_SCHEMAS,
    check_sheet_header,
    check_sheet_row,
    load_schema,
    schema_dir,
)
from evsynth.dedup.decisions import read_decisions as read_pair_decisions
from evsynth.errors import InputError
from evsynth.screening import vocab
from evsynth.screening.ingest import DecisionFile, read_decisions

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "workflow" / "schemas"


def test_every_schema_of_the_workflow_is_read_through_the_package() -> None:
    files = sorted(SCHEMAS.rglob("*.schema.yaml"))
    assert len(files) >= 10
    for path in files:
        name = path.relative_to(SCHEMAS).as_posix().removesuffix(".schema.yaml")
        assert load_schema(name) == yaml.safe_load(path.read_text(encoding="utf-8")), name
    for name in SHEET_SCHEMAS:
        assert schema_dir().joinpath(f"{name}.schema.yaml").is_file(), name


def test_a_missing_schema_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"schema nothing\.schema\.yaml is not installed"):
        load_schema("nothing")


def test_the_screening_schema_lists_exactly_the_words_the_reader_takes() -> None:
    enum = load_schema("screening_decisions")["properties"]["decision"]["enum"]
    assert enum == ["", *vocab.DECISION_WORDS]


def test_a_plain_sheet_with_a_malformed_record_id_names_file_line_and_column(
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "alice.csv"
    sheet.write_text(
        "study_record_id,decision,reason\npubmed:1001,include,\nPubMed 1002,exclude,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as error:
        read_decisions(DecisionFile(str(sheet)))
    text = str(error.value)
    assert text.startswith(f"{sheet}:3, field 'study_record_id': 'PubMed 1002' does not match")


def test_a_plain_sheet_decision_is_folded_before_the_schema_applies(tmp_path: Path) -> None:
    sheet = tmp_path / "bob.csv"
    sheet.write_text(
        "record_id,decision\npubmed:1,Include \npubmed:2,NOT RETRIEVED\npubmed:3,\n",
        encoding="utf-8",
    )
    decisions, summary = read_decisions(DecisionFile(str(sheet)), stage="full_text")
    assert [(d.ids, d.decision, d.reasons) for d in decisions] == [
        (["pubmed:1"], "include", []),
        (["pubmed:2"], "exclude", [vocab.NOT_RETRIEVED]),
    ]
    assert (summary.rows, summary.decided_rows, summary.undecided_rows) == (3, 2, 1)


def test_dedup_decisions_are_checked_against_their_schema(tmp_path: Path) -> None:
    sheet = tmp_path / "decisions.csv"
    known = {"pubmed:1", "embase:L2"}
    sheet.write_text(
        "record_id_a,record_id_b,decision,note\npubmed:1,embase:L2,Same,\n", encoding="utf-8"
    )
    (decision,) = read_pair_decisions(sheet, known)
    assert decision.decision == "same"
    sheet.write_text(
        "record_id_a,record_id_b,decision\npubmed:1,embase L2,different\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"decisions\.csv:2, field 'record_id_b': 'embase L2'"):
        read_pair_decisions(sheet, known)
    sheet.write_text("record_id_a,record_id_b,decision\npubmed:1,embase:L2,maybe\n", "utf-8")
    with pytest.raises(InputError, match=r":2, field 'decision': 'maybe' is not valid; use one "
                                         r"of 'same', 'different'$"):  # fmt: skip
        read_pair_decisions(sheet, known)
    sheet.write_text("record_id_a,decision\npubmed:1,same\n", encoding="utf-8")
    needs = r"decisions\.csv:1: missing column\(s\): the dedup decisions sheet needs record_id_a"
    with pytest.raises(InputError, match=needs):
        read_pair_decisions(sheet, known)


def test_header_check_accepts_either_id_column_of_the_screening_sheet() -> None:
    check_sheet_header("screening_decisions", ["record_id", "decision"], path="x.csv")
    check_sheet_header("screening_decisions", ["study_record_id", "decision"], path="x.csv")
    with pytest.raises(InputError, match="study_record_id, decision or record_id, decision"):
        check_sheet_header("screening_decisions", ["id", "decision"], path="x.csv")


def test_check_sheet_row_ignores_context_columns_and_blank_cells() -> None:
    row = {"study_record_id": "pubmed:1", "decision": "", "title": "Anything", "reason": " "}
    check_sheet_row("screening_decisions", row, path="q.csv", line=2)


@pytest.mark.slow
def test_the_sheets_a_finished_run_hands_to_people_are_valid_sheets(full_run: Path) -> None:
    """What the run writes for a person to fill (the screening queues, dedup's possible.csv) has
    the columns its schema asks for, and the review's own filled sheets pass row by row."""
    import csv

    for stage in ("title_abstract", "full_text"):
        queue = full_run / "results" / "screening" / f"queue_{stage}.csv"
        with queue.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle))
        check_sheet_header("screening_decisions", header, path=str(queue))
        for sheet in sorted((full_run / "resources" / "screening" / stage).glob("*.csv")):
            _, summary = read_decisions(DecisionFile(str(sheet)), stage=stage)
            assert summary.format == "plain" and summary.rows > 0, sheet
            assert summary.rows == summary.decided_rows + summary.undecided_rows
    possible = full_run / "results" / "dedup" / "possible.csv"
    with possible.open(encoding="utf-8-sig", newline="") as handle:
        check_sheet_header("dedup_decisions", next(csv.reader(handle)), path=str(possible))
