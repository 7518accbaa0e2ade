"""Combining reviewers: dual screening, conflicts, adjudication, member contradictions, full text,
and Cohen's kappa against hand-computed values."""

from __future__ import annotations

from pathlib import Path

import pytest

from evsynth.errors import InputError
from evsynth.screening.agreement import agreement, cohen_kappa
from evsynth.screening.ingest import DecisionFile
from evsynth.screening.run import screen_files
from evsynth.screening.stage import StageSettings

DATA = Path(__file__).parent / "data" / "screening"
UNIQUE = DATA / "unique.tsv"
FT_REASONS = ("wrong population", "no survival outcome")


IRRELEVANT = DecisionFile(
    str(DATA / "covidence_review_123_irrelevant_csv_20260110.csv"), list="irrelevant"
)


def _ta(
    *files: str | DecisionFile,
    adjudication: tuple[str, ...] = (),
    required: int = 2,
    reviewers=("alice", "bob"),
):
    settings = StageSettings(
        stage="title_abstract", reviewers=reviewers, required_reviewers=required
    )
    result, _ = screen_files(
        UNIQUE,
        [f if isinstance(f, DecisionFile) else DecisionFile(str(DATA / f)) for f in files],
        settings=settings,
        adjudication=[DecisionFile(str(DATA / f)) for f in adjudication],
    )
    return result, {r.study_record_id: r for r in result.rows}


def test_kappa_two_categories_hand_computed():
    # 10 records; agree on 8 (3 include, 5 exclude): p_o = 0.8; both say include 4 times:
    # p_e = 0.4*0.4 + 0.6*0.6 = 0.52; kappa = (0.8 - 0.52) / (1 - 0.52) = 0.58333...
    a = ["include"] * 4 + ["exclude"] * 6
    b = ["include"] * 3 + ["exclude"] * 6 + ["include"]
    pair = cohen_kappa(a, b)
    assert pair.raw_agreement == pytest.approx(0.8)
    assert pair.expected_agreement == pytest.approx(0.52)
    assert pair.kappa == pytest.approx(0.28 / 0.48, abs=1e-6)
    assert pair.table == {
        "exclude": {"exclude": 5, "include": 1},
        "include": {"exclude": 1, "include": 3},
    }


def test_kappa_three_categories_hand_computed():
    # a: I I M E E E ; b: I M M E E I  -> agree 4/6; marginals a (I 2, M 1, E 3), b (I 2, M 2, E 2)
    # p_e = (2*2 + 1*2 + 3*2) / 36 = 12/36; kappa = (4/6 - 1/3) / (2/3) = 0.5
    a = ["include", "include", "maybe", "exclude", "exclude", "exclude"]
    b = ["include", "maybe", "maybe", "exclude", "exclude", "include"]
    assert cohen_kappa(a, b).kappa == pytest.approx(0.5)


def test_kappa_undefined_when_only_one_category():
    pair = cohen_kappa(["include"] * 3, ["include"] * 3)
    assert pair.kappa is None and pair.raw_agreement == 1.0 and "undefined" in pair.note


def test_light_kappa_is_mean_of_pairs():
    decisions = {
        "a": {"1": "include", "2": "exclude", "3": "exclude", "4": "include"},
        "b": {"1": "include", "2": "exclude", "3": "include", "4": "include"},
        "c": {"1": "include", "2": "exclude", "3": "exclude", "4": "include"},
    }
    result = agreement(decisions)
    kappas = [p.kappa for p in result.pairs]
    assert [p.reviewers for p in result.pairs] == [("a", "b"), ("a", "c"), ("b", "c")]
    assert kappas[1] == pytest.approx(1.0)
    assert result.kappa == pytest.approx(sum(kappas) / 3, abs=1e-6)


def test_dual_screening_detects_conflicts_and_queues_them():
    result, rows = _ta("alice.csv", "plain_reviewer_column.csv")
    assert rows["pubmed:1001"].decision == "include" and rows["pubmed:1001"].status == "decided"
    assert rows["pubmed:1001"].reviewers == ["alice", "bob"]
    # alice decided on member embase:L5008, bob on pubmed:1008: both count for the study record
    assert rows["pubmed:1008"].decision == "include"
    for sid in ("pubmed:1002", "pubmed:1007"):
        assert rows[sid].conflict == "yes" and rows[sid].decision == "" and rows[sid].queued
        assert "reviewers disagree" in rows[sid].conflict_details
    assert rows["embase:L5004"].reason == "not osteosarcoma"
    counts = result.counts()
    assert counts["conflicts_unresolved"] == 2 and counts["queued"] == 2 and not result.complete
    # 8 records decided by both, agreeing on 6: alice I=5 E=3, bob I=5 E=3
    # p_o = 6/8, p_e = (5*5 + 3*3)/64 = 34/64, kappa = (48/64 - 34/64) / (30/64) = 14/30
    assert result.agreement.kappa == pytest.approx(14 / 30, abs=1e-6)
    assert result.agreement.raw_agreement == pytest.approx(0.75)


def test_adjudication_resolves_conflicts():
    result, rows = _ta(
        "alice.csv", "plain_reviewer_column.csv", adjudication=("adjudication_ta.csv",)
    )
    assert rows["pubmed:1002"].decision == "include"
    assert (rows["pubmed:1002"].conflict, rows["pubmed:1002"].status) == ("resolved", "adjudicated")
    assert "survival reported in table 2" in rows["pubmed:1002"].note
    assert rows["pubmed:1007"].decision == "exclude" and rows["pubmed:1007"].reason == "review"
    assert result.complete and result.counts()["conflicts_resolved"] == 2


def test_too_few_reviewers_leaves_record_awaiting():
    result, rows = _ta("alice.csv", required=2)
    assert all(r.status == "awaiting_reviewers" for r in rows.values())
    assert len(result.queue) == 8
    result, rows = _ta("alice.csv", required=1)
    assert result.complete and rows["pubmed:1006"].decision == "exclude"


def test_member_contradiction_is_a_conflict():
    _result, rows = _ta("member_conflict.csv", required=1)
    row = rows["pubmed:1001"]
    assert row.conflict == "yes" and row.status == "conflict"
    assert "embase:L5001=include" in row.conflict_details
    assert "pubmed:1001=exclude" in row.conflict_details


def test_consensus_lists_count_without_reviewers():
    _result, rows = _ta(IRRELEVANT, required=2, reviewers=("alice", "bob"))
    assert rows["pubmed:1006"].status == "consensus" and rows["pubmed:1006"].decision == "exclude"
    assert rows["pubmed:1001"].status == "awaiting_reviewers"


def _full_text(*files: str, reasons=FT_REASONS, tmp_path: Path):
    ta_settings = StageSettings(stage="title_abstract", reviewers=("alice",))
    ta, records = screen_files(
        UNIQUE, [DecisionFile(str(DATA / "alice.csv"))], settings=ta_settings
    )
    from evsynth.screening.output import write_stage

    write_stage(ta, records, tmp_path)
    settings = StageSettings(stage="full_text", reviewers=("alice",), exclusion_reasons=reasons)
    result, _ = screen_files(
        UNIQUE,
        [DecisionFile(str(DATA / f)) for f in files],
        settings=settings,
        previous_stage=tmp_path / "title_abstract.tsv",
    )
    return result, {r.study_record_id: r for r in result.rows}


def test_full_text_covers_only_title_abstract_includes(tmp_path):
    result, rows = _full_text("ft_decisions.csv", tmp_path=tmp_path)
    assert sorted(rows) == [
        "pubmed:1001",
        "pubmed:1002",
        "pubmed:1003",
        "pubmed:1008",
        "wos:000123",
    ]
    assert rows["pubmed:1002"].reason == "no survival outcome"
    # two reasons: the one listed first in the configured hierarchy counts
    assert rows["pubmed:1003"].reason == "wrong population"
    assert (rows["wos:000123"].decision, rows["wos:000123"].reason) == (
        "exclude",
        "report not retrieved",
    )
    assert result.complete


def test_full_text_decision_on_excluded_record_is_an_error(tmp_path):
    with pytest.raises(
        InputError, match=r"ft_not_included\.csv:2: pubmed:1006 was not included.*exclude"
    ):
        _full_text("ft_not_included.csv", tmp_path=tmp_path)


def test_full_text_exclusion_needs_reason(tmp_path):
    with pytest.raises(
        InputError, match=r"ft_no_reason\.csv:2, field 'reason': a full-text exclusion"
    ):
        _full_text("ft_no_reason.csv", tmp_path=tmp_path)


def test_full_text_reason_must_be_in_list(tmp_path):
    with pytest.raises(InputError, match=r"ft_bad_reason\.csv:2.*'too boring' is not in config"):
        _full_text("ft_bad_reason.csv", tmp_path=tmp_path)


def test_full_text_needs_previous_stage():
    settings = StageSettings(stage="full_text")
    with pytest.raises(InputError, match="needs the title/abstract"):
        screen_files(UNIQUE, [], settings=settings)


def test_required_reviewers_cannot_exceed_configured_reviewers():
    with pytest.raises(InputError, match="required_reviewers is 3 but only 2 reviewer"):
        _ta("alice.csv", required=3)


def test_same_decision_on_two_members_counts_once(tmp_path):
    path = tmp_path / "alice.csv"
    path.write_text("study_record_id,decision\nembase:L5001,include\npubmed:1001,include\n")
    settings = StageSettings(stage="title_abstract", reviewers=("alice",))
    result, _ = screen_files(UNIQUE, [DecisionFile(str(path))], settings=settings)
    row = next(r for r in result.rows if r.study_record_id == "pubmed:1001")
    assert (row.decision, row.conflict, row.reviewers) == ("include", "", ["alice"])
    assert result.votes_per_reviewer == {"alice": 1}


def test_plain_xlsx_decision_file(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Study_Record_ID", "Decision", "Reason"])
    book.active.append(["pubmed:1006", "Exclude", "case report"])
    path = tmp_path / "bob.xlsx"
    book.save(path)
    settings = StageSettings(stage="title_abstract", reviewers=("alice", "bob"))
    result, _ = screen_files(UNIQUE, [DecisionFile(str(path))], settings=settings)
    row = next(r for r in result.rows if r.study_record_id == "pubmed:1006")
    assert (row.decision, row.reason, row.reviewers) == ("exclude", "case report", ["bob"])


def test_consensus_list_contradicted_by_a_reviewer_is_a_conflict():
    _, rows = _ta(IRRELEVANT, "plain_reviewer_column.csv", required=1)
    # Covidence's irrelevant list excludes pubmed:1007; bob included it
    assert rows["pubmed:1007"].conflict == "yes"
    assert "consensus list" in rows["pubmed:1007"].conflict_details
    # both exclude pubmed:1006: no conflict
    assert (rows["pubmed:1006"].status, rows["pubmed:1006"].decision) == ("consensus", "exclude")


def test_asreview_tsv(tmp_path):
    text = (DATA / "asreview_export.csv").read_text(encoding="utf-8")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    path = tmp_path / "alice.tsv"
    path.write_text("\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
    settings = StageSettings(stage="title_abstract", reviewers=("alice",))
    result, _ = screen_files(UNIQUE, [DecisionFile(str(path))], settings=settings)
    decided = {r.study_record_id: r.decision for r in result.rows if r.decision}
    assert decided == {
        "embase:L5004": "exclude",
        "pubmed:1001": "include",
        "pubmed:1006": "exclude",
        "wos:000123": "include",
    }
    assert result.inputs[0].delimiter == "\t" and result.inputs[0].format == "asreview"


def test_not_retrieved_at_title_abstract_is_an_error(tmp_path):
    path = tmp_path / "alice.csv"
    path.write_text("study_record_id,decision\npubmed:1001,not_retrieved\n")
    settings = StageSettings(stage="title_abstract", reviewers=("alice",))
    with pytest.raises(InputError, match=r"alice\.csv:2.*not_retrieved is a full-text decision"):
        screen_files(UNIQUE, [DecisionFile(str(path))], settings=settings)
