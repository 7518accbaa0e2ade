"""End to end: runs, accounting, study record ids, decisions, determinism, outputs, CLI."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from evsynth.cli import main
from evsynth.dedup import deduplicate, engine, load_inputs, write_outputs
from evsynth.dedup.engine import run_of
from evsynth.dedup.progress import Progress
from evsynth.errors import InputError

DATA = Path(__file__).parent / "data" / "dedup"
RUN1 = sorted((DATA / "runs" / "2025-12-31").glob("*.records.tsv"))
RUN2 = sorted((DATA / "runs" / "2026-06-30").glob("*.records.tsv"))
FOUR = DATA / "same_article_four_databases.records.tsv"
OUTPUTS = ("pairs.tsv", "clusters.tsv", "unique.tsv", "possible.csv", "summary.json")


def study_ids(paths, **kwargs) -> dict[str, str]:
    return deduplicate(load_inputs(paths), progress=False, **kwargs).study_of


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_run_is_the_dated_parent_directory() -> None:
    assert run_of("results/search/2025-12-31/embase.records.tsv", 3) == "2025-12-31"
    assert run_of("somewhere/embase.records.tsv", 3) == "input-3"


def test_summary_accounts_for_every_record_across_runs() -> None:
    result = deduplicate(load_inputs([*RUN2, *RUN1]), progress=False)
    s = result.summary
    assert s["records_total"] == 6
    assert s["records_per_run"] == {"2025-12-31": 3, "2026-06-30": 3}
    assert s["records_per_source"] == {"cochrane": 1, "embase": 3, "pubmed": 2}
    assert s["removed_by_reason"] == {
        "same_record_id_in_earlier_run": 1,
        "duplicate_of_study_record": 2,
    }
    assert s["unique_records"] == 3
    assert s["records_total"] == s["unique_records"] + s["duplicates_removed"]


def test_study_record_id_is_stable_when_a_later_run_adds_records() -> None:
    before = study_ids(RUN1)
    after = study_ids([*RUN1, *RUN2])
    for record_id, study in before.items():
        assert after[record_id] == study
    # The PubMed record (with a PMID) joined the Embase study from the first run, which keeps
    # its id; within one run the PMID-carrying member would have been chosen.
    assert after["pubmed:39000001"] == "embase:L700000001"
    assert after["pubmed:39000002"] == "cochrane:CN-02000002"
    assert study_ids(RUN2)["pubmed:39000001"] == "pubmed:39000001"


def test_study_record_id_prefers_pmid_then_doi_within_a_run() -> None:
    ids = study_ids([FOUR])
    assert set(ids.values()) == {"pubmed:16487786"}


def test_decision_same_overrides_an_identifier_conflict() -> None:
    result = deduplicate(
        load_inputs([DATA / "series_numbers.records.tsv"]),
        decisions=DATA / "decisions_force_same.csv",
        progress=False,
    )
    assert len(result.studies) == 1
    (p,) = result.pairs
    assert (p.rule, p.decision) == ("decision_file:pmid_conflict", "same")


def test_decision_different_splits_a_pmid_match_and_blank_rows_are_ignored() -> None:
    result = deduplicate(
        load_inputs([FOUR]), decisions=DATA / "decisions_force_different.csv", progress=False
    )
    assert result.study_of["cochrane:CN-00556677"] != result.study_of["pubmed:16487786"]
    assert result.summary["decisions_applied"] == 1


def test_decisions_survive_a_new_search_run(tmp_path: Path) -> None:
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(
        "record_id_a,record_id_b,decision,note\n"
        "embase:L700000001,pubmed:39000001,different,conference version\n",
        encoding="utf-8",
    )
    result = deduplicate(load_inputs([*RUN1, *RUN2]), decisions=decisions, progress=False)
    assert result.study_of["pubmed:39000001"] == "pubmed:39000001"
    assert result.study_of["embase:L700000001"] == "embase:L700000001"


def test_unknown_record_id_in_decisions_names_the_line() -> None:
    with pytest.raises(InputError, match=r"decisions_unknown_id\.csv:2.*unknown record id "
                                         r"'pubmed:16600001'"):  # fmt: skip
        deduplicate(
            load_inputs([FOUR]), decisions=DATA / "decisions_unknown_id.csv", progress=False
        )


def test_invalid_decision_value_names_the_line() -> None:
    with pytest.raises(InputError, match=r"decisions_bad_value\.csv:2.*'maybe' is not valid"):
        deduplicate(
            load_inputs([DATA / "series_numbers.records.tsv"]),
            decisions=DATA / "decisions_bad_value.csv",
            progress=False,
        )


def test_contradictory_decisions_are_an_error(tmp_path: Path) -> None:
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(
        "record_id_a,record_id_b,decision,note\n"
        "pubmed:16487786,embase:L43123456,same,\n"
        "embase:L43123456,wos:000235012300033,same,\n"
        "pubmed:16487786,wos:000235012300033,different,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"decisions\.csv:4.*contradiction"):
        deduplicate(load_inputs([FOUR]), decisions=decisions, progress=False)


def test_possible_csv_filled_in_is_a_decisions_file(tmp_path: Path) -> None:
    inputs = load_inputs([DATA / "chain_different_dois.records.tsv"])
    write_outputs(deduplicate(inputs, progress=False), tmp_path / "out")
    possible = (tmp_path / "out" / "possible.csv").read_text(encoding="utf-8").splitlines()
    assert possible[0].startswith("record_id_a,record_id_b,decision,note,score,rule,title_a")
    assert len(possible) == 3
    first = possible[1].split(",")
    first[2] = "same"
    possible[1] = ",".join(first)
    decisions = tmp_path / "decisions.csv"
    decisions.write_text("\n".join(possible) + "\n", encoding="utf-8")
    result = deduplicate(inputs, decisions=decisions, progress=False)
    assert len(result.studies) == 2
    assert result.summary["possible_pairs"] == 0


def test_merged_record_keeps_the_most_complete_values_and_says_where_from(
    tmp_path: Path,
) -> None:
    write_outputs(deduplicate(load_inputs([FOUR]), progress=False), tmp_path)
    (row,) = read_tsv(tmp_path / "unique.tsv")
    assert row["study_record_id"] == row["record_id"] == "pubmed:16487786"
    assert row["pages"] == "194-199"
    assert row["authors"].startswith("Harting, Mark T")
    assert row["journal"] == "Journal of Pediatric Surgery"
    assert not row["title"].isupper()
    assert row["sources"] == "cochrane; embase; pubmed; wos"
    assert row["member_ids"].count(";") == 3
    origin = dict(item.split("=", 1) for item in row["field_sources"].split("; "))
    assert origin["authors"] == "pubmed:16487786"
    assert origin["pages"] in {"embase:L43123456", "wos:000235012300033"}
    assert origin["doi"] == "pubmed:16487786"


def test_output_headers_follow_the_contract(tmp_path: Path) -> None:
    write_outputs(deduplicate(load_inputs([FOUR]), progress=False), tmp_path)
    header = (tmp_path / "pairs.tsv").read_text(encoding="utf-8").splitlines()[0].split("\t")
    assert header == ["a", "b", "score", "title_sim", "author_sim", "journal_sim", "year_match",
                      "doi_match", "pmid_match", "rule", "decision"]  # fmt: skip
    clusters = (tmp_path / "clusters.tsv").read_text(encoding="utf-8").splitlines()
    assert clusters[0] == "record_id\tstudy_record_id" and len(clusters) == 5
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    for key in ("records_per_source", "records_per_run", "records_total", "duplicates_removed",
                "unique_records", "possible_pairs"):  # fmt: skip
        assert key in summary


def test_outputs_are_byte_identical_across_reruns_orders_and_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [*RUN1, *RUN2, *sorted(DATA.glob("*.records.tsv"))]
    copies = []
    for k, path in enumerate(files):  # distinct undated copies in one argument order
        target = tmp_path / "in" / f"{k:02d}" / path.name
        target.parent.mkdir(parents=True)
        shutil.copy(path, target)
        copies.append(str(target))
    assert main(["dedup", *copies, "--out", str(tmp_path / "a"), "--quiet"]) == 0
    assert main(["dedup", *copies, "--out", str(tmp_path / "b"), "--quiet"]) == 0
    monkeypatch.setattr(engine, "CHUNK", 2)  # force the multi-process path on small input
    assert main(["dedup", *copies, "--out", str(tmp_path / "c"), "--threads", "2",
                 "--quiet"]) == 0  # fmt: skip
    for name in OUTPUTS:
        first = (tmp_path / "a" / name).read_bytes()
        assert first == (tmp_path / "b" / name).read_bytes(), name
        assert first == (tmp_path / "c" / name).read_bytes(), name
    # Dated runs: argument order does not matter.
    for target, order in (("d", [*RUN1, *RUN2]), ("e", [*RUN2[::-1], *RUN1[::-1]])):
        assert main(["dedup", *map(str, order), "--out", str(tmp_path / target), "--quiet"]) == 0
    for name in OUTPUTS:
        assert (tmp_path / "d" / name).read_bytes() == (tmp_path / "e" / name).read_bytes()


def test_cli_missing_input_is_a_clean_error(tmp_path: Path, capsys) -> None:
    assert main(["dedup", str(tmp_path / "none.tsv"), "--out", str(tmp_path)]) == 1
    assert "records TSV not found" in capsys.readouterr().err


def test_cli_help_shows_an_example(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["dedup", "--help"])
    assert "evsynth dedup results/search/*/*.records.tsv --out results/dedup/" in (
        capsys.readouterr().out
    )


def test_progress_bar_goes_to_the_stream_only_for_long_runs() -> None:
    stream = io.StringIO()
    bar = Progress("scoring", 100, min_total=10, stream=stream)
    for _ in range(10):
        bar.update(10)
    bar.close()
    assert "scoring: 100/100 (100%" in stream.getvalue()
    quiet = io.StringIO()
    Progress("scoring", 5, min_total=10, stream=quiet).update(5)
    assert quiet.getvalue() == ""


def test_pubmeds_own_record_names_the_study_when_several_carry_the_pmid() -> None:
    from evsynth.contracts.records import Record
    from evsynth.dedup.merge import priority_key

    members = [
        Record(record_id="cochrane:30559126", source="cochrane", pmid="30559126", doi="10.1/x"),
        Record(record_id="pubmed:30559126", source="pubmed", pmid="30559126", doi="10.1/x"),
        Record(record_id="embase:L1", source="embase", doi="10.1000/x"),
    ]
    ordered = sorted(members, key=lambda r: priority_key(0, r))
    assert [r.record_id for r in ordered] == [
        "pubmed:30559126", "cochrane:30559126", "embase:L1"
    ]  # fmt: skip
    # An earlier run still wins: adding a run never renames a study.
    assert (
        min(members, key=lambda r: priority_key(1 if r.source == "pubmed" else 0, r))
        is (members[0])
    )


def test_cli_names_a_missing_decisions_file(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "decisions.csv"
    assert main(["dedup", str(FOUR), "--out", str(tmp_path), "--decisions", str(missing)]) == 1
    assert f"{missing}: decisions file not found" in capsys.readouterr().err
