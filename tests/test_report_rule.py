"""The report_html rule: runs `evsynth report` and re-runs when any input it reads changes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.support.workflow import snakemake

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "report"

SNAKEFILE = """\
configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/config.smk"


# This project holds the report rule only: the other stages produce nothing here, so the report
# reads just the fixture files that exist (as it does for optional inputs in a real review).
def dedup_outputs():
    return []


screening_outputs = extraction_outputs = pooling_outputs = figures_outputs = dedup_outputs


include: "workflow/rules/report.smk"


rule all:
    input:
        report_outputs(),
    default_target: True
"""


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A minimal workflow: the real common.smk and report.smk over the fixture results."""
    (tmp_path / "workflow" / "rules").mkdir(parents=True)
    (tmp_path / "workflow" / "schemas" / "config").mkdir(parents=True)
    (tmp_path / "workflow" / "report").mkdir(parents=True)
    for name in ("common.smk", "config.smk", "report.smk"):
        shutil.copy(ROOT / "workflow" / "rules" / name, tmp_path / "workflow" / "rules" / name)
    shutil.copytree(
        ROOT / "workflow" / "rules" / "common", tmp_path / "workflow" / "rules" / "common"
    )
    shutil.copytree(ROOT / "workflow" / "envs", tmp_path / "workflow" / "envs")
    shutil.copy(
        ROOT / "workflow" / "schemas" / "config.schema.yaml",
        tmp_path / "workflow" / "schemas" / "config.schema.yaml",
    )
    for name in ("review", "report"):
        shutil.copy(
            ROOT / "workflow" / "schemas" / "config" / f"{name}.schema.yaml",
            tmp_path / "workflow" / "schemas" / "config" / f"{name}.schema.yaml",
        )
    shutil.copy(
        ROOT / "workflow" / "report" / "report_html.rst",
        tmp_path / "workflow" / "report" / "report_html.rst",
    )
    (tmp_path / "config").mkdir()
    shutil.copy(DATA / "config.yaml", tmp_path / "config" / "config.yaml")
    shutil.copytree(DATA / "results_fixture", tmp_path / "results")
    (tmp_path / "Snakefile").write_text(SNAKEFILE, encoding="utf-8")
    return tmp_path


def test_rule_builds_the_report_and_reruns_when_an_input_changes(project: Path) -> None:
    run = snakemake(project)
    assert run.returncode == 0, run.stderr
    page = project / "results" / "report" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert (
        "wrote results/report/index.html" in (project / "logs/report/report_html.log").read_text()
    )
    # The config the page describes is the snapshot of the config actually used.
    assert "<code>results/config/report.yaml</code>" in html

    # Every file the page says it read is an input of the rule (so editing it re-runs the rule).
    job = run.stderr[run.stderr.index("rule report_html:") :]
    listed = set(re.search(r"\n\s+input: ([^\n]+)", job).group(1).split(", "))
    used = set(re.findall(r"<tr><td><code>([^<]+)</code></td><td><code>[0-9a-f]{64}", html))
    assert used and used <= listed, used - listed

    narrative = project / "results" / "extraction" / "narrative.tsv"
    with narrative.open("a", encoding="utf-8") as handle:
        handle.write("S02\tbilateral\tPRS\tbilateral vs unilateral\tunivariable\t\t0.3\tnone\tp\n")
    again = snakemake(project, "-n")
    assert again.returncode == 0, again.stderr
    assert "report_html" in again.stdout
    assert "config_snapshot" not in again.stdout  # only what depends on the edited file
