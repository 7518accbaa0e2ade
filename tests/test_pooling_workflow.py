"""The pooling rules on a tiny project: one JSON per meta-analysis, a summary, reruns on change."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from tests.support.workflow import snakemake

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "pooling"

pytestmark = pytest.mark.slow


def test_pooling_rules_build_every_analysis_and_the_summary(tmp_path):
    config = yaml.safe_load((DATA / "config.yaml").read_text(encoding="utf-8"))
    # One meta-analysis keeps the run short; the narrative one must get no pooling job.
    config["analyses"] = [a for a in config["analyses"] if a["id"] == "bcg_without_two"]
    config["analyses"].append({"id": "story_only", "synthesis": "narrative"})
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (tmp_path / "Snakefile").write_text(
        f'configfile: "config.yaml"\n'
        f'include: "{ROOT / "workflow" / "rules" / "common" / "analyses.smk"}"\n'
        # the pooling rule reads its analysis's config snapshot (results/config/pooling/{id}.yaml)
        f'include: "{ROOT / "workflow" / "rules" / "common" / "config.smk"}"\n'
        f'include: "{ROOT / "workflow" / "rules" / "common" / "pooling.smk"}"\n'
        f'include: "{ROOT / "workflow" / "rules" / "config.smk"}"\n'
        f'include: "{ROOT / "workflow" / "rules" / "pooling.smk"}"\n'
        "refresh_config_snapshots()\n"
        "rule all:\n    input: pooling_outputs()\n",
        encoding="utf-8",
    )
    inputs = tmp_path / "results" / "extraction" / "analyses"
    inputs.mkdir(parents=True)
    shutil.copy(DATA / "analysis_bcg.tsv", inputs / "bcg_without_two.tsv")
    run = snakemake(tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    out = tmp_path / "results" / "pooling"
    assert sorted(p.name for p in out.iterdir()) == [
        "bcg_without_two.json",
        "summary.tsv",
    ]
    assert json.loads((out / "bcg_without_two.json").read_text("utf-8"))["k"] == 11
    assert (tmp_path / "logs" / "pooling" / "bcg_without_two.log").exists()
    # Nothing changed: nothing to do. A changed pooling setting re-runs the pooling jobs.
    same = snakemake(tmp_path, "-n")
    assert "Nothing to be done" in same.stdout + same.stderr
    config["pooling"]["rule"] = "cochrane"
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    dry = snakemake(tmp_path, "-n")
    assert "pooling_analysis" in dry.stdout + dry.stderr
    assert "Nothing to be done" not in dry.stdout + dry.stderr
