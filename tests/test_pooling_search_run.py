"""by_search_run: the cumulative meta-analysis by search run of a living review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evsynth.cli import main
from evsynth.errors import InputError
from evsynth.pooling import effects, pool
from evsynth.pooling.analysis import PoolingSettings, by_search_run, choose_model

DATA = Path(__file__).parent / "data" / "pooling"
FIRST, UPDATE = "2025-12-31", "2026-11-27"
SETTINGS = '{"analysis": {"id": "two_runs", "label": "Two runs"}, "pooling": {}}'


def pool_analysis(tmp_path: Path, table: str, *extra: str) -> dict:
    out = tmp_path / "out.json"
    args = ["pool-analysis", str(DATA / table), "--settings", SETTINGS, "--analysis", "two_runs"]
    assert main([*args, *extra, "--out", str(out)]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_each_run_pools_the_studies_found_up_to_it(tmp_path: Path) -> None:
    data = pool_analysis(tmp_path, "analysis_two_runs.tsv", "--runs", FIRST, UPDATE)
    first, update = data["by_search_run"]
    assert (first["run"], first["k"], update["run"], update["k"]) == (FIRST, 3, UPDATE, 5)
    assert first["new_studies"] == ["Abel 2001", "Baker 2005", "Cole 2010"]
    assert update["new_studies"] == ["Dunn 2026", "Eve 2026"]
    # The first version: the three 2025 studies, both models, the rule applied to them alone.
    before = effects([-0.5, -0.3, -0.4], se=[0.25, 0.20, 0.30])
    fixed = pool(before, method="FE")
    assert first["fixed"]["estimate"] == pytest.approx(fixed.estimate)
    assert first["random"]["method"] == "REML"
    assert first["chosen"] == choose_model(fixed, PoolingSettings())[0] == "fixed"
    assert first["estimate"] == pytest.approx(fixed.estimate)
    assert first["exp_ci_high"] == pytest.approx(first["fixed"]["exp_ci_high"])
    # After the update the heterogeneous 2026 study switches the rule to random effects, and the
    # latest entry is the analysis itself.
    assert update["chosen"] == data["chosen"] == "random"
    assert update["estimate"] == pytest.approx(data["random"]["estimate"])
    assert update["ci_low"] == pytest.approx(data["random"]["ci_low"])
    assert update["status"] == first["status"] == "pooled"


def test_runs_default_to_the_column_values(tmp_path: Path) -> None:
    data = pool_analysis(tmp_path, "analysis_two_runs.tsv")
    assert [e["run"] for e in data["by_search_run"]] == [FIRST, UPDATE]


def test_a_run_with_no_study_is_empty_and_one_study_is_not_pooled(tmp_path: Path) -> None:
    data = pool_analysis(tmp_path, "analysis_update_only.tsv", "--runs", FIRST, UPDATE)
    first, update = data["by_search_run"]
    assert (first["k"], first["status"], first["estimate"], first["chosen"]) == (
        0,
        "empty",
        None,
        None,
    )
    assert first["exp_estimate"] is None and first["exp_ci_low"] is None
    assert (update["k"], update["status"], update["chosen"]) == (1, "single_study", None)
    assert update["estimate"] == pytest.approx(0.6)


def test_without_search_runs_there_is_no_by_search_run(tmp_path: Path) -> None:
    assert "by_search_run" not in pool_analysis(tmp_path, "analysis_bcg.tsv")


def test_excluded_studies_stay_out_of_every_run(tmp_path: Path) -> None:
    settings = '{"analysis": {"id": "x", "exclude_studies": ["S04"]}, "pooling": {}}'
    out = tmp_path / "x.json"
    table = str(DATA / "analysis_two_runs.tsv")
    args = ["pool-analysis", table, "--settings", settings, "--analysis", "x", "--out", str(out)]
    assert main(args) == 0
    update = json.loads(out.read_text(encoding="utf-8"))["by_search_run"][1]
    assert update["k"] == 4 and update["new_studies"] == ["Eve 2026"]


def test_unknown_run_is_an_error() -> None:
    table = effects([0.1, 0.2], se=[0.1, 0.1], study=["A", "B"])
    with pytest.raises(InputError, match=r"search_run 2027-01-01 is not a configured search run"):
        by_search_run(
            table, {"A": FIRST, "B": "2027-01-01"}, PoolingSettings(), run_order=[FIRST, UPDATE]
        )


def test_a_study_without_run_counts_from_the_first_and_is_noted() -> None:
    table = effects([0.1, 0.2], se=[0.1, 0.1], study=["A", "B"])
    entries, notes = by_search_run(
        table, {"A": None, "B": UPDATE}, PoolingSettings(), run_order=[FIRST, UPDATE]
    )
    assert [e["k"] for e in entries] == [1, 2]
    assert notes == ["by_search_run: no search run for A; counted from the first run"]
