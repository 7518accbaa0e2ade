"""End to end through the CLI: from an empty decisions folder to finished screening and PRISMA
counts; the require_complete switch; CSV-injection neutralisation; PRISMA identities."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from evsynth.cli import main
from evsynth.errors import InputError
from evsynth.prisma.counts import prisma_counts
from evsynth.screening.output import neutralise_cell
from evsynth.tables import read_tsv
from tests.support.argv import prisma_counts_args

DATA = Path(__file__).parent / "data" / "screening"
UNIQUE = str(DATA / "unique.tsv")
REASONS = ["--reason", "wrong population", "--reason", "no survival outcome"]


def _queue(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _fill(queue: Path, target: Path, reviewer: str, decide) -> None:
    """What a reviewer does: open the queue, write their name and decisions, save it."""
    rows = _queue(queue)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            row["reviewer"] = reviewer
            row["decision"], row["reason"] = decide(row["study_record_id"])
            writer.writerow(row)


def _screen_ta(decisions: Path, out: Path, *extra: str) -> int:
    return main(
        [
            "screen",
            "--records",
            UNIQUE,
            "--stage",
            "title_abstract",
            "--out",
            str(out),
            "--decisions",
            str(decisions),
            "--reviewers",
            "alice,bob",
            "--required-reviewers",
            "2",
            *list(extra),
        ]
    )


def test_neutralise_cell():
    for bad in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise_cell(bad) == "'" + bad
    assert neutralise_cell("osteosarcoma = bone") == "osteosarcoma = bone"
    assert neutralise_cell("") == ""


def test_queue_csv_neutralises_formula_cells(tmp_path):
    empty = tmp_path / "decisions"
    empty.mkdir()
    assert _screen_ta(empty, tmp_path / "out", "--no-require-complete") == 0
    rows = {r["study_record_id"]: r for r in _queue(tmp_path / "out" / "queue_title_abstract.csv")}
    row = rows["embase:L5004"]
    assert row["title"] == "'+Chemotherapy and surgery for relapsed osteosarcoma"
    assert row["authors"] == "'-Anon, Group"
    assert row["journal"] == "'@Lung"
    assert row["abstract"].startswith("'=HYPERLINK")
    raw = (tmp_path / "out" / "queue_title_abstract.csv").read_text(encoding="utf-8-sig")
    for line in raw.splitlines():
        for cell in next(csv.reader([line])):
            assert not cell.startswith(("=", "+", "-", "@")), cell


def test_require_complete_stops_with_counts_and_queue_path(tmp_path, capsys):
    empty = tmp_path / "decisions"
    empty.mkdir()
    out = tmp_path / "out"
    assert _screen_ta(empty, out, "--require-complete") == 1
    err = capsys.readouterr().err
    assert "8 of 8 records still need a decision" in err
    assert str(out / "queue_title_abstract.csv") in err
    # everything is written before stopping, so the reviewer has the queue
    assert len(_queue(out / "queue_title_abstract.csv")) == 8
    doc = json.loads((out / "agreement_title_abstract.json").read_text())
    assert doc["complete"] is False and doc["counts"]["queued"] == 8
    # the combining step enforces it for the workflow
    agreement = ["screen-agreement", str(out / "agreement_title_abstract.json")]
    assert main([*agreement, "--out", str(out / "agreement.json"), "--require-complete"]) == 1
    assert not (out / "agreement.json").exists()
    assert main([*agreement, "--out", str(out / "agreement.json"), "--no-require-complete"]) == 0
    combined = json.loads((out / "agreement.json").read_text())
    assert combined["complete"] is False and combined["incomplete_stages"] == ["title_abstract"]


TA = {"pubmed:1006": "exclude", "pubmed:1007": "exclude", "embase:L5004": "exclude"}
FT = {"pubmed:1002": ("exclude", "no survival outcome"), "pubmed:1003": ("not_retrieved", "")}


def test_from_empty_folder_to_prisma_counts(tmp_path):
    decisions = tmp_path / "decisions"
    (decisions / "title_abstract").mkdir(parents=True)
    (decisions / "full_text").mkdir(parents=True)
    out = tmp_path / "results" / "screening"
    assert _screen_ta(decisions / "title_abstract", out, "--no-require-complete") == 0
    queue = out / "queue_title_abstract.csv"
    assert len(_queue(queue)) == 8
    ris = (out / "queue_title_abstract.ris").read_text(encoding="utf-8")
    assert ris.count("TY  - JOUR") == 8 and "ID  - pubmed:1001" in ris
    # two reviewers fill the queue independently; they disagree on one record
    _fill(
        queue,
        decisions / "title_abstract" / "alice.csv",
        "alice",
        lambda s: (TA.get(s, "include"), ""),
    )
    _fill(
        queue,
        decisions / "title_abstract" / "bob.csv",
        "bob",
        lambda s: ("include" if s == "pubmed:1007" else TA.get(s, "include"), ""),
    )
    assert _screen_ta(decisions / "title_abstract", out, "--no-require-complete") == 0
    rows = _queue(queue)
    assert [r["study_record_id"] for r in rows] == ["pubmed:1007"]
    assert rows[0]["status"] == "conflict: needs adjudication"
    assert "alice=exclude" in rows[0]["conflict_details"]
    # the adjudicator fills the remaining queue as the adjudication file
    adjudication = tmp_path / "adjudication_ta.csv"
    _fill(queue, adjudication, "carol", lambda s: ("exclude", "review"))
    assert _screen_ta(decisions / "title_abstract", out, "--adjudication", str(adjudication)) == 0
    assert _queue(queue) == []
    ta = {r["study_record_id"]: r for r in read_tsv(out / "title_abstract.tsv")}
    assert ta["pubmed:1007"]["conflict"] == "resolved"
    assert list(ta["pubmed:1001"])[-2:] == ["reviewer:alice", "reviewer:bob"]

    def full_text(*extra: str) -> int:
        return main(
            [
                "screen",
                "--records",
                UNIQUE,
                "--stage",
                "full_text",
                "--out",
                str(out),
                "--decisions",
                str(decisions / "full_text"),
                "--reviewers",
                "alice,bob",
                "--previous-stage",
                str(out / "title_abstract.tsv"),
                *REASONS,
                *extra,
            ]
        )

    assert full_text("--require-complete") == 1
    ft_queue = out / "queue_full_text.csv"
    assert sorted(r["study_record_id"] for r in _queue(ft_queue)) == [
        "pubmed:1001",
        "pubmed:1002",
        "pubmed:1003",
        "pubmed:1008",
        "wos:000123",
    ]
    _fill(
        ft_queue,
        decisions / "full_text" / "alice.csv",
        "alice",
        lambda s: FT.get(s, ("include", "")),
    )
    assert full_text("--require-complete") == 0
    agreement = out / "agreement.json"
    assert (
        main(
            [
                "screen-agreement",
                str(out / "agreement_title_abstract.json"),
                str(out / "agreement_full_text.json"),
                "--out",
                str(agreement),
                "--require-complete",
            ]
        )
        == 0
    )
    doc = json.loads(agreement.read_text())
    assert doc["complete"] is True
    assert doc["stages"]["title_abstract"]["agreement"]["pairs"][0]["n"] == 8

    counts_path = tmp_path / "results" / "prisma" / "counts.json"
    assert (
        main(
            [
                "prisma",
                "counts",
                *prisma_counts_args(
                    DATA / "dedup_summary.json", out / "title_abstract.tsv", out / "full_text.tsv"
                ),
                "--studies",
                str(DATA / "studies.tsv"),
                "--out",
                str(counts_path),
            ]
        )
        == 0
    )
    counts = json.loads(counts_path.read_text())
    expected = {
        "database_results": 11,
        "database_specific_results": {"embase": 3, "pubmed": 7, "wos": 1},
        "duplicates": 3,
        "records_screened": 8,
        "records_excluded": 3,
        "dbr_sought_reports": 5,
        "dbr_notretrieved_reports": 1,
        "dbr_assessed": 4,
        "dbr_excluded": {"no survival outcome": 1},
        "new_reports": 3,
        "new_studies": 2,  # smith2010 groups pubmed:1001 and pubmed:1008
        "total_studies": 2,
        "total_reports": 3,
        "screening_complete": True,
        "database_results_per_run": {"2025-12-31": 9, "2026-11-27": 2},
    }
    assert {k: counts[k] for k in expected} == expected
    # per search run: each study record counts in the earliest run holding one of its members
    runs = {
        "2025-12-31": [
            "pubmed:1001",
            "pubmed:1002",
            "pubmed:1003",
            "pubmed:1006",
            "pubmed:1007",
            "embase:L5001",
            "embase:L5004",
        ],
        "2026-11-27": ["pubmed:1001", "pubmed:1008", "embase:L5008", "wos:000123"],
    }
    search_records = []
    for run, ids in runs.items():
        path = tmp_path / "results" / "search" / run / "all.records.tsv"
        path.parent.mkdir(parents=True)
        path.write_text("record_id\tsource\ttitle\n" + "".join(f"{i}\tx\tt\n" for i in ids))
        search_records.append(str(path))
    assert (
        main(
            [
                "prisma-counts",
                *prisma_counts_args(
                    DATA / "dedup_summary.json", out / "title_abstract.tsv", out / "full_text.tsv"
                ),
                "--records",
                UNIQUE,
                "--search-records",
                *search_records,
                "--out",
                str(counts_path),
            ]
        )
        == 0
    )
    per_run = json.loads(counts_path.read_text())["per_run"]
    assert per_run["2025-12-31"] == {
        "study_records": 6,
        "records_screened": 6,
        "records_excluded": 3,
        "dbr_sought_reports": 3,
        "dbr_notretrieved_reports": 1,
        "dbr_assessed": 2,
        "dbr_excluded": {"no survival outcome": 1},
        "new_reports": 1,
    }
    assert per_run["2026-11-27"] == {
        "study_records": 2,
        "records_screened": 2,
        "records_excluded": 0,
        "dbr_sought_reports": 2,
        "dbr_notretrieved_reports": 0,
        "dbr_assessed": 2,
        "dbr_excluded": {},
        "new_reports": 2,
    }
    # byte-stable rerun
    before = {p: p.read_bytes() for p in out.iterdir()}
    assert full_text("--require-complete") == 0
    assert {p: p.read_bytes() for p in out.iterdir()} == before


def _stage_rows(decisions: dict[str, tuple[str, str, str]]) -> list[dict[str, str]]:
    return [
        {"study_record_id": s, "decision": d, "reason": r, "status": st}
        for s, (d, r, st) in sorted(decisions.items())
    ]


SUMMARY = {
    "records_per_source": {"pubmed": 5},
    "records_total": 5,
    "duplicates_removed": 1,
    "unique_records": 4,
}


def test_prisma_counts_with_incomplete_screening_still_add_up():
    ta = _stage_rows(
        {
            "a": ("include", "", "decided"),
            "b": ("exclude", "", "decided"),
            "c": ("", "", "conflict"),
            "d": ("maybe", "", "decided"),
        }
    )
    ft = _stage_rows({"a": ("include", "", "decided"), "d": ("maybe", "", "maybe")})
    counts = prisma_counts(SUMMARY, ta, ft, previous_studies=4, previous_reports=5)
    assert (counts.records_screened, counts.awaiting_screening) == (3, 1)
    assert (counts.dbr_sought_reports, counts.dbr_assessed, counts.awaiting_assessment) == (2, 1, 1)
    assert (counts.total_studies, counts.total_reports) == (5, 6)
    assert counts.to_dict()["screening_complete"] is False


def test_prisma_counts_reject_stale_screening():
    ta = _stage_rows({"a": ("include", "", "decided")})
    with pytest.raises(InputError, match="1 study records but the dedup summary has 4"):
        prisma_counts(SUMMARY, ta, [])


def test_prisma_counts_reject_full_text_not_matching_title_abstract():
    ta = _stage_rows({s: ("include" if s == "a" else "exclude", "", "decided") for s in "abcd"})
    ft = _stage_rows({"b": ("include", "", "decided")})
    with pytest.raises(InputError, match="do not cover exactly"):
        prisma_counts(SUMMARY, ta, ft)


def test_prisma_not_retrieved_list():
    ta = _stage_rows({s: ("include" if s in "ab" else "exclude", "", "decided") for s in "abcd"})
    ft = _stage_rows({"a": ("include", "", "decided"), "b": ("", "", "awaiting_reviewers")})
    counts = prisma_counts(SUMMARY, ta, ft, not_retrieved=["b"])
    assert (counts.dbr_notretrieved_reports, counts.awaiting_assessment) == (1, 0)
    with pytest.raises(InputError, match="has a full-text decision"):
        prisma_counts(SUMMARY, ta, ft, not_retrieved=["a"])


def test_help_shows_examples(capsys):
    for command in (["screen"], ["screen-agreement"], ["prisma", "counts"], ["prisma-counts"]):
        with pytest.raises(SystemExit):
            main([*command, "--help"])
        assert "example:" in capsys.readouterr().out


def test_copy_of_fixture_dir_not_modified(tmp_path):
    # the CLI never writes next to its inputs
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    assert sorted(p.name for p in copy.iterdir()) == sorted(p.name for p in DATA.iterdir())


def test_prisma_names_databases_from_search_logs(tmp_path):
    logs = []
    for run, source, database in (
        ("2025-12-31", "pubmed", "PubMed"),
        ("2026-11-27", "pubmed", "PubMed"),
        ("2025-12-31", "embase", "Embase"),
    ):
        path = tmp_path / run / f"{source}.log.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps({"source": source, "database": database}))
        logs.append(path)
    summary = {
        "records_per_source": {"pubmed": 3, "embase": 1, "wos": 1},
        "records_total": 5,
        "duplicates_removed": 1,
        "unique_records": 4,
    }
    summary_path = tmp_path / "summary.json"
    summary_path.write_text(json.dumps(summary))
    ta = tmp_path / "ta.tsv"
    ta.write_text(
        "study_record_id\tdecision\treason\tstatus\n"
        + "".join(f"{s}\texclude\t\tdecided\n" for s in "abcd")
    )
    ft = tmp_path / "ft.tsv"
    ft.write_text("study_record_id\tdecision\treason\n")
    out = tmp_path / "counts.json"
    args = [
        "prisma-counts",
        *prisma_counts_args(summary_path, ta, ft),
        "--out",
        str(out),
        "--search-logs",
        *map(str, logs),
    ]
    assert main(args) == 0
    counts = json.loads(out.read_text())
    assert counts["database_specific_results"] == {"Embase": 1, "PubMed": 3, "wos": 1}
    assert counts["records_excluded"] == 4 and counts["dbr_sought_reports"] == 0
    logs[1].write_text(json.dumps({"source": "pubmed", "database": "MEDLINE"}))
    assert main(args) == 1


def test_gate_publishes_tables_only_when_complete(tmp_path):
    out = tmp_path / "screening"
    unchecked = out / "unchecked" / "title_abstract.tsv"
    base = ["screen", "--records", UNIQUE, "--stage", "title_abstract", "--out", str(out)]
    assert main([*base, "--table", str(unchecked), "--decisions"]) == 0
    assert unchecked.exists() and not (out / "title_abstract.tsv").exists()
    gate = [
        "screen-agreement",
        str(out / "agreement_title_abstract.json"),
        "--out",
        str(out / "agreement.json"),
        "--publish",
        str(unchecked),
        str(out / "title_abstract.tsv"),
    ]
    assert main([*gate, "--require-complete"]) == 1
    assert not (out / "title_abstract.tsv").exists()
    assert main([*gate, "--no-require-complete"]) == 0
    assert (out / "title_abstract.tsv").read_bytes() == unchecked.read_bytes()
    assert main([*base, "--table", str(unchecked), "--decisions", str(DATA / "alice.csv")]) == 0
    (out / "title_abstract.tsv").unlink()
    assert main([*gate, "--require-complete"]) == 0
    assert (out / "title_abstract.tsv").read_bytes() == unchecked.read_bytes()


@pytest.mark.slow
def test_workflow_passes_declared_lists_and_reason_aliases(tmp_path):
    """config `{file, list}` entries and `screening.reason_aliases` reach `evsynth screen`."""
    import subprocess
    import sys

    import yaml

    root = Path(__file__).resolve().parents[1]
    for name in ("Snakefile", "config", "workflow", "resources"):
        src = root / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, tmp_path / name)
    export = tmp_path / "resources" / "screening" / "covidence_irrelevant.csv"
    shutil.copy(DATA / "covidence_review_123_irrelevant_csv_20260110.csv", export)
    config_path = tmp_path / "config" / "config.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    stage = config["screening"]["stages"]["title_abstract"]
    stage["decisions"] = [
        *stage["decisions"],
        {"file": "resources/screening/covidence_irrelevant.csv", "list": "irrelevant"},
    ]
    config["screening"]["reason_aliases"] = {"wrong study design": "wrong_design"}
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "1", "-n", "-p",
         "results/screening/unchecked/title_abstract.tsv"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    text = result.stdout + result.stderr
    assert "--list resources/screening/covidence_irrelevant.csv=irrelevant" in text
    assert "--reason-alias 'wrong study design=wrong_design'" in text
