"""The default review, run end to end by Snakemake in a scratch copy of the repository.

One run (module-scoped fixture) feeds several checks: key numbers against an independent
computation, PRISMA counts that add up, deduplication against the duplicates the resource builder
planted, and incremental behaviour read from Snakemake's own dry-run output.
"""

from __future__ import annotations

import csv
import json
import math
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from tests.support.workflow import snakemake

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _copy_review(dest: Path) -> Path:
    for name in ("Snakefile", "config", "workflow", "resources"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        else:
            shutil.copy2(src, dest / name)
    return dest


def _snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return snakemake(workdir, *args, cores=2)


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = _copy_review(tmp_path_factory.mktemp("review"))
    result = _snakemake(workdir)
    assert result.returncode == 0, result.stderr[-4000:]
    return workdir


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def _jobs_in_dry_run(workdir: Path) -> set[str]:
    """Rule names Snakemake would run now, read from its dry-run job table."""
    result = _snakemake(workdir, "-n")
    assert result.returncode == 0, result.stderr[-4000:]
    text = result.stdout + result.stderr
    if "Nothing to be done" in text:
        return set()
    jobs = set()
    in_table = False
    for line in text.splitlines():
        if line.startswith("Job stats:"):
            in_table = True
            continue
        if in_table:
            parts = line.split()
            if not parts:
                if jobs:
                    break
                continue
            if parts[0] in ("job", "total") or set(parts[0]) == {"-"}:
                continue
            jobs.add(parts[0])
    return jobs


def test_report_and_contract_files_exist(review: Path) -> None:
    for rel in (
        "results/dedup/unique.tsv",
        "results/screening/title_abstract.tsv",
        "results/screening/full_text.tsv",
        "results/extraction/effects.tsv",
        "results/pooling/summary.tsv",
        "results/prisma/counts.json",
        "results/report/index.html",
    ):
        assert (review / rel).is_file(), rel


def test_choi_2014_is_harmonised_to_bilateral_vs_unilateral(review: Path) -> None:
    # Choi 2014 reports unilateral vs bilateral HR 0.291 (0.096-0.883); the review's direction is
    # bilateral vs unilateral, so the pipeline must invert it: 1/0.291 with the CI limits swapped.
    rows = [
        r
        for r in _read_tsv(review / "results/extraction/effects.tsv")
        if r["study_id"] == "Choi2014" and r["factor"] == "bilateral_vs_unilateral"
    ]
    assert len(rows) == 1
    row = rows[0]
    assert math.isclose(math.exp(float(row["log_hr"])), 1 / 0.291, rel_tol=1e-9)
    z = 1.959963984540054
    se = (math.log(0.883) - math.log(0.096)) / (2 * z)
    assert math.isclose(float(row["se"]), se, rel_tol=1e-9)
    low, high = math.exp(-math.log(0.291) - z * se), math.exp(-math.log(0.291) + z * se)
    assert (round(1 / 0.291, 2), round(low, 2), round(high, 2)) == (3.44, 1.13, 10.42)


def test_prisma_counts_add_up(review: Path) -> None:
    counts = json.loads((review / "results/prisma/counts.json").read_text(encoding="utf-8"))
    assert counts["database_results"] == sum(counts["database_specific_results"].values())
    unique = counts["database_results"] - counts["duplicates"]
    unique -= (counts["excluded_automatic"] or 0) + (counts["excluded_other"] or 0)
    # Records still awaiting a decision are counted apart, never silently dropped.
    assert counts["records_screened"] + counts["awaiting_screening"] == unique
    assert counts["dbr_sought_reports"] == counts["records_screened"] - counts["records_excluded"]
    assert counts["dbr_assessed"] == (
        counts["dbr_sought_reports"]
        - counts["dbr_notretrieved_reports"]
        - counts["awaiting_assessment"]
    )
    assert counts["new_reports"] + sum(counts["dbr_excluded"].values()) == counts["dbr_assessed"]
    # The review's data leave five full-text decisions unrecorded, and the counts say so.
    assert counts["screening_complete"] is False
    assert counts["awaiting_assessment"] == 5


def test_dedup_finds_exactly_the_planted_duplicates(review: Path) -> None:
    manifest = _read_tsv(review / "resources/searches/2025-12-31/manifest.tsv")
    # Map each imported record (source file order) to the bibliographic item it renders.
    item_of: dict[str, str] = {}
    for source in ("pubmed", "embase", "wos", "cochrane"):
        records = _read_tsv(review / f"results/search/2025-12-31/{source}.records.tsv")
        if source == "pubmed":
            by_pmid = {r["pmid"]: r["record_id"] for r in records}
            for row in manifest:
                if row["database"] == "pubmed":
                    item_of[by_pmid[row["pmid"]]] = row["item"]
            continue
        by_line = sorted(records, key=lambda r: int(r["source_line"]))
        planted = [row for row in manifest if row["database"] == source]
        assert len(by_line) == len(planted), source
        for record, row in zip(by_line, planted, strict=True):
            item_of[record["record_id"]] = row["item"]
    clusters: dict[str, set[str]] = defaultdict(set)
    for row in _read_tsv(review / "results/dedup/clusters.tsv"):
        clusters[row["study_record_id"]].add(item_of[row["record_id"]])
    found = sorted(tuple(sorted(items)) for items in clusters.values())
    # No cluster mixes two items (no false merge) ...
    assert all(len(items) == 1 for items in found), [i for i in found if len(i) > 1]
    # ... and every item is one cluster (no missed duplicate).
    assert len(found) == len({row["item"] for row in manifest})


def test_rerun_with_nothing_changed_does_nothing(review: Path) -> None:
    assert _jobs_in_dry_run(review) == set()


UPSTREAM = {"import_export", "search_pubmed", "dedup_records"}


def test_editing_a_screening_file_reruns_screening_and_below(review: Path) -> None:
    decisions = review / "resources/screening/full_text/reviewer_1.csv"
    original = decisions.read_bytes()
    backup = review / "reviewer_1.csv.bak"
    shutil.copy2(decisions, backup)
    try:
        decisions.write_bytes(original + b"\n")
        jobs = _jobs_in_dry_run(review)
    finally:
        shutil.copy2(backup, decisions)
    assert "screening_full_text" in jobs
    assert {"extraction_tables", "report_html"} <= jobs
    assert not jobs & UPSTREAM, jobs & UPSTREAM
    assert "screening_title_abstract" not in jobs


def test_changing_a_pooling_setting_reruns_only_pooling_figures_and_report(review: Path) -> None:
    config = review / "config/config.yaml"
    original = config.read_text(encoding="utf-8")
    backup = review / "config.yaml.bak"
    shutil.copy2(config, backup)
    try:
        assert "\n  level: 0.95" in original
        config.write_text(original.replace("\n  level: 0.95", "\n  level: 0.9", 1), "utf-8")
        jobs = _jobs_in_dry_run(review)
    finally:
        shutil.copy2(backup, config)
    assert "pooling_analysis" in jobs and "report_html" in jobs
    allowed = {"config_snapshot", "pooling_analysis", "pooling_summary", "report_html", "all"}
    assert {j for j in jobs if not j.startswith("figures_")} <= allowed, jobs


def test_a_bad_analysis_entry_stops_the_workflow_naming_it(tmp_path: Path) -> None:
    # `analyses` is a list: snakemake's own validate would skip it; the workflow must not.
    workdir = _copy_review(tmp_path)
    config = workdir / "config/config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("\n  - id: ", "\n  - colour: red\n    id: ", 1), "utf-8")
    result = _snakemake(workdir, "-n")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "config/config.yaml: analyses/0" in output and "'colour'" in output
