"""`evsynth init`: a review of one's own from an empty folder, and what the terminal shows."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml

from evsynth.cli import main
from evsynth.errors import InputError
from evsynth.scaffold import workflow_file
from evsynth.scaffold.build import init_review, parse_export, source_name
from evsynth.scaffold.terminal import failed_rule_logs, on_error, summary_lines

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "init"
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
EXPORTS = [f"PubMed={DATA / 'pubmed.nbib'}", f"Scopus={DATA / 'scopus.ris'}"]
# Words of the shipped review's protocol that must not leak into a new review.
SHIPPED = re.compile(r"osteosarc|metastasectom|pulmonary|lung|Ning et al|Lautz|Glogowski", re.I)


def _init(tmp_path: Path, *extra: str) -> Path:
    review = tmp_path / "review"
    args = ["init", str(review), "--title", "Drug X and survival", "--date", "2026-05-01"]
    for export in EXPORTS:
        args += ["--export", export]
    assert main([*args, *extra]) == 0
    return review


def _snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SNAKEMAKE, "--cores", "4", *args], cwd=workdir, capture_output=True, text=True
    )


def test_init_writes_a_commented_protocol_with_the_exports_declared(tmp_path: Path) -> None:
    review = _init(tmp_path)
    text = (review / "config" / "config.yaml").read_text()
    assert not SHIPPED.search(text)
    assert text.count("\n  # ") > 20  # a commented protocol, not bare keys
    config = yaml.safe_load(text)
    assert config["review"]["title"] == "Drug X and survival"
    (run,) = config["search"]["runs"]
    assert run["id"] == "2026-05-01"
    assert run["sources"] == {
        "pubmed": {
            "database": "PubMed",
            "mode": "import",
            "files": ["resources/searches/2026-05-01/pubmed.nbib"],
            "format": "auto",
        },
        "scopus": {
            "database": "Scopus",
            "mode": "import",
            "files": ["resources/searches/2026-05-01/scopus.ris"],
            "format": "auto",
        },
    }
    placed = review / "resources/searches/2026-05-01/scopus.ris"
    assert placed.read_bytes() == (DATA / "scopus.ris").read_bytes()
    snakefile = (review / "Snakefile").read_text()
    assert "module evsynth:" in snakefile and "use rule * from evsynth" in snakefile


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 1, f"{path} should hold its header only"
    return rows[0]


def test_every_sheet_is_there_with_its_header(tmp_path: Path) -> None:
    review = _init(tmp_path)
    for sheet in ("studies", "effects"):
        schema = yaml.safe_load(
            (ROOT / f"workflow/schemas/extraction_{sheet}.schema.yaml").read_text()
        )
        assert _header(review / f"resources/extraction/{sheet}.csv") == list(schema["properties"])
    assert _header(review / "resources/dedup/decisions.csv")[:3] == [
        "record_id_a",
        "record_id_b",
        "decision",
    ]
    config = yaml.safe_load((review / "config/config.yaml").read_text())
    for stage in ("title_abstract", "full_text"):
        folder = review / "resources/screening" / stage
        assert config["screening"]["stages"][stage]["decisions"] == [
            f"resources/screening/{stage}/"
        ]
        names = sorted(p.stem for p in folder.iterdir())
        assert names == sorted(config["screening"]["reviewers"])
        for path in folder.iterdir():
            assert _header(path)[:2] == ["record_id", "decision"]


def test_init_refuses_a_folder_with_files_and_bad_exports(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not empty"):
        init_review(tmp_path / "old", exports=[parse_export(EXPORTS[0])])
    with pytest.raises(InputError, match="expected DATABASE=FILE"):
        parse_export("pubmed.nbib")
    with pytest.raises(InputError, match="export file not found"):
        parse_export("PubMed=missing.nbib")
    with pytest.raises(InputError, match="at least one export"):
        init_review(tmp_path / "new")


def test_source_names_and_two_files_of_one_database(tmp_path: Path) -> None:
    assert source_name("Web of Science") == "web_of_science"
    assert source_name("2nd db") == "db_2nd_db"
    review = tmp_path / "r"
    init_review(
        review,
        exports=[parse_export(EXPORTS[1]), parse_export(f"Scopus={DATA / 'pubmed.nbib'}")],
        run_date="2026-05-01",
    )
    config = yaml.safe_load((review / "config/config.yaml").read_text())
    assert config["search"]["runs"][0]["sources"]["scopus"]["files"] == [
        "resources/searches/2026-05-01/scopus.ris",
        "resources/searches/2026-05-01/pubmed.nbib",
    ]


def test_the_workflow_ships_in_the_package() -> None:
    """Editable installs read it through the links, wheels hold it: package-data must cover it."""
    assert Path(workflow_file("Snakefile")).read_text() == (ROOT / "Snakefile").read_text()
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["evsynth"]
    files = [p for p in (ROOT / "workflow").rglob("*") if p.is_file()]
    assert files
    for path in files:
        rel = "scaffold/" + path.relative_to(ROOT).as_posix()
        assert any(fnmatch(rel, pattern) for pattern in patterns), rel
        assert Path(workflow_file(path.relative_to(ROOT).as_posix())).is_file()


def test_failed_rules_are_read_from_snakemake_s_log(tmp_path: Path) -> None:
    rule_log = tmp_path / "logs" / "dedup.log"
    rule_log.parent.mkdir()
    rule_log.write_text("reading...\nevsynth dedup: error: decisions.csv, line 2: bad decision\n")
    run_log = tmp_path / "run.log"
    run_log.write_text(
        "[Wed Dec  2 20:17:37 2026]\nError in rule dedup_records:\n    message: None\n"
        "    jobid: 1\n    output: results/dedup/pairs.tsv\n"
        f"    log: {rule_log} (check log file(s) for error details)\n    shell:\n        evsynth\n"
        "Exiting because a job execution failed. Look above for error messages\n"
    )
    assert failed_rule_logs(run_log.read_text()) == [("dedup_records", [str(rule_log)])]

    class Out:
        text = ""

        def write(self, s: str) -> None:
            Out.text += s

        def flush(self) -> None:
            pass

    on_error([str(run_log)], stream=Out())
    assert "evsynth: rule dedup_records failed" in Out.text
    assert "evsynth dedup: error: decisions.csv, line 2: bad decision" in Out.text
    assert "reading..." not in Out.text


def test_summary_lists_extraction_warnings_and_ends_with_the_report(tmp_path: Path) -> None:
    (tmp_path / "results/extraction").mkdir(parents=True)
    (tmp_path / "results/extraction/warnings.tsv").write_text(
        "sheet\tline\tstudy_id\teffect_id\tcheck\tmessage\n"
        "effects\t3\tS1\tS1.1\tci_asymmetry\tCI asymmetric on the log scale (likely a typo)\n"
    )
    lines = summary_lines(tmp_path)
    assert lines[-1].startswith("evsynth: finished; this run did not build the report")
    (tmp_path / "results/report").mkdir()
    (tmp_path / "results/report/index.html").write_text("<html></html>")
    lines = summary_lines(tmp_path)
    assert lines[0].startswith("evsynth: 1 extraction warning to check")
    assert "S1.1 (effects sheet line 3): CI asymmetric on the log scale (likely a typo)" in lines[1]
    assert lines[-1].startswith("evsynth: the report is results/report/index.html")


@pytest.mark.slow
def test_init_and_one_snakemake_run_reach_the_title_abstract_queue(tmp_path: Path) -> None:
    review = _init(tmp_path)
    result = _snakemake(review)
    assert result.returncode == 1, result.stderr[-3000:]
    summary = json.loads((review / "results/dedup/summary.json").read_text())
    assert summary["records_per_source"] == {
        "pubmed": 50,
        "scopus": 10,
    }  # 10 ER lines (the first TY has a BOM)
    assert summary["records_total"] == summary["unique_records"] + summary["duplicates_removed"]
    with (review / "results/screening/queue_title_abstract.csv").open(newline="") as handle:
        queue = list(csv.DictReader(handle))
    assert len(queue) == summary["unique_records"]
    # the stop is on the terminal, from the handler (not only in logs/), naming the queue
    tail = result.stderr[result.stderr.index("Exiting because a job execution failed") :]
    assert "evsynth: rule screening_agreement failed" in tail
    assert "queue_title_abstract.csv" in tail
    assert f"{summary['unique_records']} of {summary['unique_records']} records" in tail


@pytest.mark.slow
def test_a_failing_rule_shows_its_evsynth_error_on_the_terminal(tmp_path: Path) -> None:
    review = _init(tmp_path)
    with (review / "resources/dedup/decisions.csv").open("a") as handle:
        handle.write("pubmed:1,scopus:2,perhaps,\n")
    result = _snakemake(review)
    assert result.returncode == 1
    assert "evsynth: rule dedup_records failed; logs/dedup/dedup_records.log says:" in result.stderr
    assert "evsynth dedup: error:" in result.stderr and "perhaps" in result.stderr


@pytest.mark.slow
def test_a_module_review_s_config_is_validated(tmp_path: Path) -> None:
    review = _init(tmp_path)
    config = review / "config/config.yaml"
    config.write_text(config.read_text().replace("rule: cochrane", "rule: bogus"))
    result = _snakemake(review, "-n")
    assert result.returncode == 1
    assert (
        "config/config.yaml: pooling/rule: 'bogus' is not one of" in result.stdout + result.stderr
    )
