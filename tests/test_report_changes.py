"""The report's "What changed since the previous version" section (living review, two runs)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from evsynth.tables import read_tsv, write_tsv
from tests.support.report import build_report, copy_report_project

FIRST, UPDATE = "2025-12-31", "2026-03-31"
# Study records by first run: the update found Choi 2014 (included), Hu 2020's record and one
# record still awaiting screening; pubmed:16616355 (Harting 2006) was found again but is old.
RECORD_RUNS = [
    ("pubmed:15713796", FIRST, "Kempf-Bielack cohort", "2005"),
    ("pubmed:16616355", FIRST, "Harting cohort", "2006"),
    ("pubmed:15800001", FIRST, "Briccoli cohort", "2005"),
    ("pubmed:20000001", FIRST, "A cohort of Ewing sarcoma", "2010"),
    ("pubmed:24500001", UPDATE, "Choi cohort", "2014"),
    ("pubmed:32000001", UPDATE, "Hu cohort", "2020"),
    ("pubmed:33000001", UPDATE, "An update record awaiting screening", "2026"),
]
STUDY_RUNS = {"S01": FIRST, "S02": FIRST, "S03": FIRST, "S04": UPDATE, "S05": UPDATE}


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """The report fixture project plus the living-review outputs of a two-run review."""
    results = copy_report_project(tmp_path) / "results"
    write_tsv(
        results / "prisma" / "study_record_runs.tsv",
        [
            dict(zip(("study_record_id", "search_run", "title", "year"), r, strict=True))
            for r in RECORD_RUNS
        ],
        ["study_record_id", "search_run", "title", "year"],
    )
    studies = read_tsv(results / "extraction" / "studies.tsv")
    for row in studies:
        row["search_run"] = STUDY_RUNS[row["study_id"]]
    write_tsv(results / "extraction" / "studies.tsv", studies, [*studies[0]])
    rows = read_tsv(results / "screening" / "title_abstract.tsv")
    rows.append({**rows[0], "study_record_id": "pubmed:24500001", "decision": "include"})
    write_tsv(results / "screening" / "title_abstract.tsv", rows, [*rows[0]])
    rows = read_tsv(results / "screening" / "full_text.tsv")
    rows.append({**rows[0], "study_record_id": "pubmed:24500001", "decision": "include"})
    write_tsv(results / "screening" / "full_text.tsv", rows, [*rows[0]])
    counts_path = results / "prisma" / "counts.json"
    counts = json.loads(counts_path.read_text(encoding="utf-8"))
    counts.update(
        previous_studies=3,
        previous_reports=3,
        new_studies=2,
        new_reports=2,
        total_studies=5,
        total_reports=5,
        database_results_per_run={FIRST: 380, UPDATE: 32},
        per_run={
            FIRST: {"study_records": 280, "records_screened": 280, "records_excluded": 245,
                    "dbr_sought_reports": 35, "dbr_notretrieved_reports": 2, "dbr_assessed": 33,
                    "dbr_excluded": {"Not osteosarcoma only": 8, "Review or case report": 22},
                    "new_reports": 3},
            UPDATE: {"study_records": 21, "records_screened": 20, "records_excluded": 16,
                     "dbr_sought_reports": 4, "dbr_notretrieved_reports": 0, "dbr_assessed": 4,
                     "dbr_excluded": {"No hazard ratio or survival data": 2}, "new_reports": 2},
        },
    )  # fmt: skip
    counts_path.write_text(json.dumps(counts), encoding="utf-8")
    pooled = results / "pooling" / "complete_resection_prs.json"
    data = json.loads(pooled.read_text(encoding="utf-8"))
    after = data[data["chosen"]]
    data["by_search_run"] = [
        {"run": FIRST, "k": 3, "status": "pooled", "chosen": "fixed",
         "studies": ["Kempf-Bielack 2005", "Harting 2006", "Briccoli 2005"],
         "new_studies": ["Kempf-Bielack 2005", "Harting 2006", "Briccoli 2005"],
         "estimate": -1.6, "exp_estimate": 0.2019, "exp_ci_low": 0.1402, "exp_ci_high": 0.2907},
        {"run": UPDATE, "k": 4, "status": "pooled", "chosen": data["chosen"],
         "studies": ["Kempf-Bielack 2005", "Harting 2006", "Briccoli 2005", "Choi 2014"],
         "new_studies": ["Choi 2014"], "estimate": after["estimate"],
         "exp_estimate": after["exp_estimate"], "exp_ci_low": after["exp_ci_low"],
         "exp_ci_high": after["exp_ci_high"]},
    ]  # fmt: skip
    pooled.write_text(json.dumps(data), encoding="utf-8")
    return tmp_path


def changes_of(html: str) -> str:
    match = re.search(
        r'<section id="changes"><h2>What changed since the previous version</h2>(.*?)</section>',
        html,
        flags=re.DOTALL,
    )
    assert match, "no 'What changed since the previous version' section"
    return match.group(1)


def test_section_lists_the_update_records_and_studies(project: Path) -> None:
    html = build_report(project)
    assert '<a href="#changes">What changed since the previous version</a>' in html
    section = changes_of(html)
    # The new study records of the update, each with where it stands ...
    records = dict(re.findall(r'<tr data-record="([^"]+)">.*?<td>([^<]*)</td></tr>', section))
    assert records == {
        "pubmed:24500001": "included at full text",
        "pubmed:32000001": "awaiting screening",
        "pubmed:33000001": "awaiting screening",
    }
    # ... and none of the previous version's.
    for rid, run, _, _ in RECORD_RUNS:
        if run == FIRST:
            assert rid not in section
    assert "2 new included studies: Choi 2014, Hu 2020." in section
    assert "It found 32 records, 21 of them new study records after deduplication" in section


def test_per_run_table(project: Path) -> None:
    section = changes_of(build_report(project))
    update = re.search(rf'<tr data-run="{UPDATE}">(.*?)</tr>', section).group(1)
    values = dict(re.findall(r'data-field="([a-z_]+)" data-value="([^"]*)"', update))
    assert values == {
        "records_found": "32.0",
        "study_records": "21.0",
        "records_screened": "20.0",
        "records_excluded": "16.0",
        "full_text_excluded": "2.0",
        "awaiting_screening": "1.0",
        "new_reports": "2.0",
    }
    assert "<td>Choi 2014, Hu 2020</td>" in update
    first = re.search(rf'<tr data-run="{FIRST}">(.*?)</tr>', section).group(1)
    assert "Briccoli 2005, Harting 2006, Kempf-Bielack 2005" in first


def test_pooled_estimates_before_and_after(project: Path) -> None:
    section = changes_of(build_report(project))
    row = re.search(r'<tr data-changes-analysis="complete_resection_prs">(.*?)</tr>', section)
    assert row
    values = dict(re.findall(r'data-field="([a-z_]+)" data-value="([^"]*)"', row.group(1)))
    assert values.keys() == {"k_before", "hr_before", "k_after", "hr_after"}
    assert (values["k_before"], values["k_after"]) == ("3.0", "4.0")
    assert float(values["hr_before"]) == 0.2019
    assert "0.20 [0.14, 0.29], fixed" in row.group(1)
    assert "0.25 [0.12, 0.50], random" in row.group(1)
    assert "<td>Choi 2014</td>" in row.group(1)
    # an analysis whose pooling result has no by_search_run says so
    assert re.search(
        r'data-changes-analysis="bilateral_pmos">.*?Not available', section, flags=re.DOTALL
    )
    assert "updated-review template: studies included in the previous version (n = 3" in section


def test_missing_record_table_is_explained(project: Path) -> None:
    (project / "results" / "prisma" / "study_record_runs.tsv").unlink()
    section = changes_of(build_report(project))
    assert "The new study records are not listed" in section


def test_one_run_is_the_first_version(project: Path) -> None:
    config = yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))
    config["search"]["runs"] = config["search"]["runs"][:1]
    (project / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    section = changes_of(build_report(project))
    assert section == (
        "<p>This is the first version of this review (search run 2025-12-31); an update search "
        "will be reported here.</p>"
    )
