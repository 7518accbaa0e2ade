"""The figures rules in a Snakemake dry run: names, outputs, and the favours labels from config."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "figures"

EXTRA_CONFIG = """
analyses:
  - id: complete_resection_prs
    label: Complete resection and post-relapse survival
    factor: complete_vs_incomplete
    outcome: PRS
    synthesis: meta_analysis
    exclude_studies: []
    sensitivity_of: null
    subgroup: null
    published: null
"""


@pytest.mark.slow
def test_dry_run_schedules_every_figure_rule(tmp_path):
    snakemake = shutil.which("snakemake") or str(Path(sys.executable).with_name("snakemake"))
    (tmp_path / "results/pooling").mkdir(parents=True)
    (tmp_path / "results/extraction/analyses").mkdir(parents=True)
    (tmp_path / "results/prisma").mkdir(parents=True)
    shutil.copy(
        DATA / "pooling_complete_resection_prs.json",
        tmp_path / "results/pooling/complete_resection_prs.json",
    )
    shutil.copy(
        DATA / "complete_resection_prs.tsv",
        tmp_path / "results/extraction/analyses/complete_resection_prs.tsv",
    )
    shutil.copy(DATA / "counts_new.json", tmp_path / "results/prisma/counts.json")
    (tmp_path / "extra.yaml").write_text(EXTRA_CONFIG)
    targets = [
        f"results/figures/complete_resection_prs.{kind}.svg"
        for kind in ("forest", "funnel", "leave_one_out", "cumulative")
    ]
    targets.append("results/figures/prisma.png")
    run = subprocess.run(
        [
            snakemake,
            "-s",
            str(ROOT / "Snakefile"),
            "--directory",
            str(tmp_path),
            "--configfile",
            str(ROOT / "config/config.yaml"),
            str(tmp_path / "extra.yaml"),
            "-n",
            "-p",
            "--allowed-rules",
            "figures_analysis",
            "figures_prisma",
            "config_snapshot",  # results/config/figures/{id}.yaml: what the figures are drawn with
            "--",
            *targets,
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr[-3000:] + run.stdout[-3000:]
    out = run.stdout
    for rule in ("figures_analysis", "figures_prisma"):
        assert f"rule {rule}:" in out
    assert "evsynth plot analysis" in out
    assert "--favours-exposure 'Favours complete resection'" in out
    assert "--png results/figures/prisma.png" in out
