"""PRISMA 2020 updated-review counts when the review has more than one search run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evsynth.cli import main
from evsynth.prisma.counts import load_prisma_inputs, prisma_counts

FIRST, UPDATE = "2025-12-31", "2026-11-27"
# Run 2025-12-31: p1-p4 from PubMed, e1 (= p1) from Embase. Run 2026-11-27: p5, p6 from PubMed,
# e2 (= p5) and e3 (= p2, a record of a study already known) from Embase.
SEARCH = {
    (FIRST, "pubmed"): ["pubmed:1", "pubmed:2", "pubmed:3", "pubmed:4"],
    (FIRST, "embase"): ["embase:1"],
    (UPDATE, "pubmed"): ["pubmed:5", "pubmed:6"],
    (UPDATE, "embase"): ["embase:2", "embase:3"],
}
MEMBERS = {
    "pubmed:1": "embase:1; pubmed:1",
    "pubmed:2": "embase:3; pubmed:2",
    "pubmed:3": "pubmed:3",
    "pubmed:4": "pubmed:4",
    "pubmed:5": "embase:2; pubmed:5",
    "pubmed:6": "pubmed:6",
}
SUMMARY = {
    "records_per_source": {"embase": 3, "pubmed": 6},
    "records_per_run": {FIRST: 5, UPDATE: 4},
    "records_total": 9,
    "duplicates_removed": 3,
    "unique_records": 6,
}
TITLE_ABSTRACT = {"1": "include", "2": "include", "3": "exclude", "4": "include", "5": "include"}
TITLE_ABSTRACT["6"] = "exclude"
FULL_TEXT = {"1": ("include", ""), "2": ("include", ""), "4": ("exclude", "wrong population")}
FULL_TEXT["5"] = ("include", "")
STUDIES = {"S1": "pubmed:1", "S2": "pubmed:2", "S3": "pubmed:5"}


def write_review(root: Path, runs: tuple[str, ...] = (FIRST, UPDATE)) -> dict[str, object]:
    """The files prisma-counts reads, for the given runs only."""
    tables = []
    for (run, source), ids in SEARCH.items():
        if run not in runs:
            continue
        path = root / "search" / run / f"{source}.records.tsv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("record_id\n" + "".join(f"{i}\n" for i in ids), encoding="utf-8")
        tables.append(str(path))
        log = path.with_name(f"{source}.log.json")
        log.write_text(json.dumps({"source": source, "database": source.title()}), "utf-8")
    keep = {f"pubmed:{n}" for n in TITLE_ABSTRACT if runs != (FIRST,) or n in "1234"}
    (root / "unique.tsv").write_text(
        "study_record_id\tmember_ids\n"
        + "".join(f"{s}\t{m}\n" for s, m in sorted(MEMBERS.items()) if s in keep),
        encoding="utf-8",
    )
    header = "study_record_id\tdecision\treason\tstatus\n"
    ta = "".join(
        f"pubmed:{n}\t{d}\t\tdecided\n" for n, d in TITLE_ABSTRACT.items() if f"pubmed:{n}" in keep
    )
    ft = "".join(
        f"pubmed:{n}\t{d}\t{r}\tdecided\n"
        for n, (d, r) in FULL_TEXT.items()
        if f"pubmed:{n}" in keep
    )
    (root / "title_abstract.tsv").write_text(header + ta, encoding="utf-8")
    (root / "full_text.tsv").write_text(header + ft, encoding="utf-8")
    (root / "studies.tsv").write_text(
        "study_id\tstudy_record_ids\n"
        + "".join(f"{s}\t{r}\n" for s, r in STUDIES.items() if r in keep),
        encoding="utf-8",
    )
    summary = dict(SUMMARY)
    if runs == (FIRST,):
        summary = {
            "records_per_source": {"embase": 1, "pubmed": 4},
            "records_per_run": {FIRST: 5},
            "records_total": 5,
            "duplicates_removed": 1,
            "unique_records": 4,
        }
    (root / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return {
        "dedup_summary": root / "summary.json",
        "title_abstract": root / "title_abstract.tsv",
        "full_text": root / "full_text.tsv",
        "studies": root / "studies.tsv",
        "records": root / "unique.tsv",
        "search_records": tables,
        "search_logs": sorted(str(p) for p in root.glob("search/*/*.log.json")),
    }


def counts_of(paths: dict[str, object], **options: object) -> dict[str, object]:
    inputs = load_prisma_inputs(**paths)  # type: ignore[arg-type]
    counts = prisma_counts(
        inputs["summary"],
        inputs["title_abstract"],
        inputs["full_text"],
        studies=inputs["studies"],
        database_names=inputs["database_names"],
        per_run=inputs["per_run"],
        study_record_runs=inputs["study_record_runs"],
        run_order=inputs["run_order"],
        database_results_per_run_source=inputs["database_results_per_run_source"],
        **options,  # type: ignore[arg-type]
    )
    return counts.to_dict()


def test_previous_and_new_studies_come_from_the_runs(tmp_path: Path) -> None:
    counts = counts_of(write_review(tmp_path))
    assert (counts["previous_studies"], counts["previous_reports"]) == (2, 2)  # S1, S2
    assert (counts["new_studies"], counts["new_reports"]) == (1, 1)  # S3 of the update
    assert (counts["total_studies"], counts["total_reports"]) == (3, 3)
    # The top-level flow still counts every run ...
    assert (counts["database_results"], counts["records_screened"], counts["dbr_assessed"]) == (
        9,
        6,
        4,
    )
    # ... and update_flow is the update search's own flow, as the updated-review diagram shows it.
    flow = counts["update_flow"]
    assert flow == {
        "run": UPDATE,
        "previous_runs": [FIRST],
        "database_specific_results": {"Embase": 2, "Pubmed": 2},
        "database_results": 4,
        "duplicates": 2,  # embase:2 (= pubmed:5) and embase:3 (a known study's record)
        "records_screened": 2,
        "records_excluded": 1,
        "dbr_sought_reports": 1,
        "dbr_notretrieved_reports": 0,
        "dbr_assessed": 1,
        "dbr_excluded": {},
        "new_reports": 1,
        "new_studies": 1,
        "awaiting_screening": 0,
        "awaiting_assessment": 0,
    }


def test_configured_previous_values_win(tmp_path: Path) -> None:
    counts = counts_of(write_review(tmp_path), previous_studies=10, previous_reports=12)
    assert (counts["previous_studies"], counts["previous_reports"]) == (10, 12)
    assert (counts["new_studies"], counts["total_studies"], counts["total_reports"]) == (1, 11, 13)


def test_one_run_changes_nothing(tmp_path: Path) -> None:
    counts = counts_of(write_review(tmp_path, runs=(FIRST,)))
    assert (counts["previous_studies"], counts["previous_reports"]) == (None, None)
    assert (counts["new_studies"], counts["new_reports"], counts["total_studies"]) == (2, 2, 2)
    assert counts["update_flow"] is None


def test_cli_orders_runs_by_runs_option(tmp_path: Path) -> None:
    paths = write_review(tmp_path)
    out = tmp_path / "counts.json"
    args = ["prisma", "counts", "--out", str(out)]
    for key in ("dedup_summary", "title_abstract", "full_text", "studies", "records"):
        args += [f"--{key.replace('_', '-')}", str(paths[key])]
    args += ["--search-records", *paths["search_records"]]  # type: ignore[list-item]
    assert main([*args, "--runs", FIRST, UPDATE]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["new_studies"] == 1
    # Declared the other way round, the 2025 run is the update: S1 is its only new study (S2's
    # record embase:3 now counts as found earlier, with S3).
    assert main([*args, "--runs", UPDATE, FIRST]) == 0
    counts = json.loads(out.read_text(encoding="utf-8"))
    assert (counts["new_studies"], counts["previous_studies"]) == (1, 2)
    assert (counts["update_flow"]["run"], counts["update_flow"]["database_results"]) == (FIRST, 5)


def test_cli_rejects_a_run_missing_from_runs(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    paths = write_review(tmp_path)
    args = ["prisma", "counts", "--out", str(tmp_path / "c.json"), "--runs", FIRST]
    for key in ("dedup_summary", "title_abstract", "full_text", "records"):
        args += [f"--{key.replace('_', '-')}", str(paths[key])]
    args += ["--search-records", *paths["search_records"]]  # type: ignore[list-item]
    assert main(args) != 0
    assert "records tables of run(s) 2026-11-27 but --runs lists only 2025-12-31" in (
        capsys.readouterr().err
    )


def test_cli_writes_each_study_records_first_run(tmp_path: Path) -> None:
    paths = write_review(tmp_path)
    out = tmp_path / "runs.tsv"
    args = ["prisma", "counts", "--out", str(tmp_path / "c.json"), "--study-record-runs", str(out)]
    for key in ("dedup_summary", "title_abstract", "full_text", "records"):
        args += [f"--{key.replace('_', '-')}", str(paths[key])]
    assert main([*args, "--search-records", *paths["search_records"]]) == 0  # type: ignore[list-item]
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "study_record_id\tsearch_run\ttitle\tyear"
    runs = dict(line.split("\t")[:2] for line in lines[1:])
    assert runs == {
        "pubmed:1": FIRST,
        "pubmed:2": FIRST,  # embase:3 found it again in the update
        "pubmed:3": FIRST,
        "pubmed:4": FIRST,
        "pubmed:5": UPDATE,
        "pubmed:6": UPDATE,
    }
