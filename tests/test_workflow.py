"""The default review, run end to end by Snakemake in a scratch copy of the repository.

One run (the session's ``full_run`` fixture, tests/conftest.py) feeds several checks: key numbers
against an independent computation, PRISMA counts that add up, deduplication against the
duplicates the resource builder planted, and incremental behaviour read from Snakemake's own
dry-run output.
"""

from __future__ import annotations

import csv
import json
import math
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from tests.support.workflow import copy_review, planned_jobs, snakemake

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return snakemake(workdir, *args, cores=2)


@pytest.fixture()
def review(full_run: Path) -> Path:
    """The session's one full run of the default review (tests/conftest.py)."""
    return full_run


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


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


def test_each_pooled_analysis_is_graded_and_the_report_shows_it(review: Path) -> None:
    summary = _read_tsv(review / "results/pooling/summary.tsv")
    assert summary
    for row in summary:
        grade = json.loads((review / f"results/grade/{row['analysis']}.json").read_text())
        assert grade["k"] == int(row["k"])
        # the review has no risk-of-bias sheet: stated as not assessed, never scored
        assert grade["domains"]["risk_of_bias"]["rating"] == "not_assessed"
        assert (grade["certainty"] is None) == (int(row["k"]) == 0)
    html = (review / "results/report/index.html").read_text(encoding="utf-8")
    assert 'id="grade-sof"' in html and "Risk of bias: not assessed" in html


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
    assert set(planned_jobs(review, cores=2)) == set()


def _copy_finished(review: Path, dest: Path, *, metadata: bool) -> Path:
    """A copy of the finished review (file times kept), with or without .snakemake/."""
    ignore = None if metadata else shutil.ignore_patterns(".snakemake")
    shutil.copytree(review, dest, ignore=ignore, symlinks=True)
    return dest


def test_a_successful_run_lists_warnings_and_ends_with_the_report(review: Path) -> None:
    stderr = (review / "snakemake.stderr").read_text(encoding="utf-8")
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("evsynth: the report is results/report/index.html"), lines[-3:]
    warnings = _read_tsv(review / "results/extraction/warnings.tsv")
    assert warnings  # the shipped sheets have at least one (Choi 2014's p vs CI)
    assert f"evsynth: {len(warnings)} extraction warning" in stderr
    assert warnings[0]["message"] in stderr


def test_config_snapshots_compare_content_without_snakemake_metadata(
    review: Path, tmp_path: Path
) -> None:
    copy = _copy_finished(review, tmp_path / "copy", metadata=False)
    assert planned_jobs(copy, cores=2) == {}
    config = copy / "config/config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("\n  level: 0.95", "\n  level: 0.9", 1), "utf-8")
    counts = planned_jobs(copy, cores=2)
    analyses = len(list((review / "results/pooling").glob("*.json")))
    assert counts.get("pooling_analysis") == analyses, counts
    assert "report_html" in counts, counts


def test_editing_one_analysis_reruns_only_its_pooling_and_figures(
    review: Path, tmp_path: Path
) -> None:
    copy = _copy_finished(review, tmp_path / "copy", metadata=True)
    config = copy / "config/config.yaml"
    text = config.read_text(encoding="utf-8")
    old = "published: {hr: 1.69, ci_low: 1.01, ci_high: 2.82"
    assert text.count(old) == 1
    config.write_text(text.replace(old, "published: {hr: 1.7, ci_low: 1.01, ci_high: 2.82"))
    counts = planned_jobs(copy, cores=2)
    assert counts.get("pooling_analysis") == 1, counts
    assert counts.get("figures_analysis") == 1, counts
    assert "extraction_tables" not in counts, counts
    touched = copy / "results/extraction/analyses/vats_mortality.tsv"
    config.write_text(text)
    touched.write_text(touched.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    counts = planned_jobs(copy, cores=2)
    assert counts.get("pooling_analysis") == 1 and counts.get("figures_analysis") == 1, counts


UPSTREAM = {"import_export", "search_pubmed", "dedup_records"}


def test_editing_a_screening_file_reruns_screening_and_below(review: Path) -> None:
    decisions = review / "resources/screening/full_text/reviewer_1.csv"
    original = decisions.read_bytes()
    backup = review / "reviewer_1.csv.bak"
    shutil.copy2(decisions, backup)
    try:
        decisions.write_bytes(original + b"\n")
        jobs = set(planned_jobs(review, cores=2))
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
        jobs = set(planned_jobs(review, cores=2))
    finally:
        shutil.copy2(backup, config)
    assert "pooling_analysis" in jobs and "report_html" in jobs
    allowed = {"config_snapshot", "pooling_analysis", "pooling_summary", "grade_analysis"}
    allowed |= {"report_html", "all"}
    assert {j for j in jobs if not j.startswith("figures_")} <= allowed, jobs


def test_changing_a_grade_setting_reruns_only_grading_and_the_report(review: Path) -> None:
    config = review / "config/config.yaml"
    original = config.read_text(encoding="utf-8")
    backup = review / "config.yaml.grade.bak"
    shutil.copy2(config, backup)
    try:
        assert "\n    harm: 1.25" in original
        config.write_text(original.replace("\n    harm: 1.25", "\n    harm: 1.5", 1), "utf-8")
        jobs = set(planned_jobs(review, cores=2))
    finally:
        shutil.copy2(backup, config)
    assert "grade_analysis" in jobs and "report_html" in jobs
    assert jobs <= {"config_snapshot", "grade_analysis", "report_html", "all"}, jobs


def test_a_bad_analysis_entry_stops_the_workflow_naming_it(tmp_path: Path) -> None:
    # `analyses` is a list: snakemake's own validate would skip it; the workflow must not.
    workdir = copy_review(tmp_path)
    config = workdir / "config/config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("\n  - id: ", "\n  - colour: red\n    id: ", 1), "utf-8")
    result = _snakemake(workdir, "-n")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "config/config.yaml: analyses/0" in output and "'colour'" in output


def test_metastasectomy_prs_pools_liu_2022_and_smolle_2023_beside_the_published(
    review: Path,
) -> None:
    """k = 2 since Liu 2022 was extracted (issue 16): an inverse-variance fixed effect (the
    heterogeneity rule's choice at I2 = 0), beside the published 0.29 with the reason."""
    sheet = {
        r["effect_id"]: r
        for r in csv.DictReader((review / "resources/extraction/effects.csv").open())
    }
    z = 1.959963984540054
    studies = []
    for effect_id in ("Liu2022.1", "Smolle2023.2"):
        row = sheet[effect_id]
        hr, low, high = (float(row[c]) for c in ("hr", "ci_low", "ci_high"))
        studies.append((math.log(hr), (math.log(high) - math.log(low)) / (2 * z)))
    weights = [1 / se**2 for _, se in studies]
    pooled = sum(w * y for w, (y, _) in zip(weights, studies, strict=True)) / sum(weights)
    summary = {r["analysis"]: r for r in _read_tsv(review / "results/pooling/summary.tsv")}
    row = summary["metastasectomy_prs"]
    assert row["k"] == "2" and row["chosen"] == "fixed"
    assert float(row["hr"]) == pytest.approx(math.exp(pooled), rel=1e-9)
    assert float(row["ci_high"]) == pytest.approx(math.exp(pooled + z / math.sqrt(sum(weights))))
    assert (row["published_hr"], row["published_ci_low"], row["published_ci_high"]) == (
        "0.29",
        "0.18",
        "0.46",
    )
    html = (review / "results/report/index.html").read_text(encoding="utf-8")
    assert "k = 2 here; the published analysis does not state its k." in html


def test_snakemake_report_has_the_result_tables_with_captions(review: Path) -> None:
    import zipfile

    out = review / "report.zip"
    result = _snakemake(review, "--report", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        page = next(archive.read(n).decode("utf-8") for n in names if n.endswith("report.html"))
    for table in ("summary.tsv", "effects.tsv", "counts.json"):
        assert any(n.endswith(f"/{table}") for n in names), table
    for caption in (
        "Pooled estimates, one row per configured meta-analysis",
        "Every row of the effects sheet as extracted",
        "The PRISMA 2020 flow counts",
    ):
        assert caption in page, caption


def test_editing_one_effect_row_reruns_only_the_analyses_it_enters(
    review: Path, tmp_path: Path
) -> None:
    """Extraction reruns, but only bilateral_pmos's table changes (Choi 2014 is its one study):
    the checkpoint lets Snakemake see that, so one pooling and one figures job run, not ten."""
    copy = _copy_finished(review, tmp_path / "copy", metadata=True)
    sheet = copy / "resources/extraction/effects.csv"
    text = sheet.read_text(encoding="utf-8")
    assert text.count(",0.291,0.096,0.883,") == 1
    sheet.write_text(text.replace(",0.291,0.096,0.883,", ",0.292,0.096,0.883,"), "utf-8")
    result = _snakemake(copy)
    assert result.returncode == 0, result.stderr[-3000:]
    ran = re.findall(r"^(?:local)?(?:rule|checkpoint) (\w+):", result.stderr, re.M)
    assert ran.count("extraction_tables") == 1
    assert ran.count("pooling_analysis") == 1 and ran.count("figures_analysis") == 1, ran
    pooled = json.loads((copy / "results/pooling/bilateral_pmos.json").read_text())
    assert pooled["fixed"]["exp_estimate"] == pytest.approx(1 / 0.292)
    assert planned_jobs(copy, cores=2) == {}
