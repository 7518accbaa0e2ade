"""Harmonisation, selection, overlapping cohorts, analyses, outputs and the CLI of extraction."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from evsynth.cli import main
from evsynth.contracts.study_tables import ANALYSIS_COLUMNS
from evsynth.extraction.build import ExtractionResult, extract
from evsynth.extraction.schema import read_sheet, render_manual
from evsynth.extraction.settings import parse_settings
from evsynth.extraction.write import write_result
from evsynth.tables import read_tsv
from tests.support.argv import extract_args

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "extraction"
CONFIG: dict[str, Any] = yaml.safe_load((DATA / "config.yaml").read_text(encoding="utf-8"))


def run(effects: str = "effects.csv", config: dict[str, Any] | None = None) -> ExtractionResult:
    if config is None:
        config = copy.deepcopy(CONFIG)
        if effects != "effects.csv":
            config["extraction"]["assumed_directions"] = []
    return extract(
        read_sheet(DATA / "studies.csv", "studies"),
        read_sheet(DATA / effects, "effects"),
        parse_settings(config),
    )


def rows_of(result: ExtractionResult, analysis_id: str) -> list[dict[str, Any]]:
    (analysis,) = [a for a in result.settings.analyses if a.id == analysis_id]
    return result.analysis_rows(analysis)


def by_id(result: ExtractionResult) -> dict[str, Any]:
    return {e.effect_id: e for e in result.effects}


def test_inversion_of_rows_reported_the_other_way() -> None:
    e = by_id(run())["Baker2005.1"]  # incomplete vs complete 2.0 (1.0-4.0)
    assert e.inverted is True
    assert e.log_hr == pytest.approx(-math.log(2.0))
    hr, low, high = e.harmonised_ci()
    assert (hr, low, high) == (0.5, 0.25, 1.0)
    assert e.direction_text() == "Favours complete resection"


def test_synonyms_name_levels_and_tierney_row_is_poolable() -> None:
    e = by_id(run())["Cole2010.1"]  # radical vs nonradical, p 0.05, 100 events, 50 vs 50
    assert (e.exposure_level, e.inverted, e.derived.method) == ("complete", False, "p_events")
    assert e.log_hr == pytest.approx(-0.391993, abs=1e-6)
    assert e.derived.se == pytest.approx(0.2)


def test_selection_rule_prefers_multivariable() -> None:
    effects = by_id(run())
    assert effects["Abel2001.1"].selected and not effects["Abel2001.2"].selected
    assert "Abel2001.1 ranks higher" in effects["Abel2001.2"].selection_reason


def test_select_prefer_overrides_the_rule() -> None:
    effects = by_id(run("effects_select_prefer.csv"))
    assert effects["Abel2001.2"].selected and not effects["Abel2001.1"].selected
    assert effects["Abel2001.2"].selection_reason == "select: prefer in the sheet"


def test_select_never_keeps_a_row_out() -> None:
    result = run("effects_select_never.csv")
    effects = by_id(result)
    assert not effects["Abel2001.1"].selected and effects["Abel2001.2"].selected
    assert [r["study_id"] for r in rows_of(result, "complete_os")] == ["Abel2001"]
    assert rows_of(result, "complete_os")[0]["yi"] == pytest.approx(math.log(0.40))


def test_whole_cohort_beats_subset() -> None:
    effects = by_id(run("effects_subset_vs_whole.csv"))
    assert effects["Abel2001.2"].selected  # univariable whole cohort over multivariable subset
    config = copy.deepcopy(CONFIG)
    config["extraction"]["assumed_directions"] = []
    config["extraction"]["selection"]["prefer_whole_cohort"] = False
    assert by_id(run("effects_subset_vs_whole.csv", config))["Abel2001.1"].selected


def test_main_analysis_overlaps_and_unknown_direction() -> None:
    result = run()
    rows = rows_of(result, "complete_os")
    assert [r["study"] for r in rows] == ["Abel 2001", "Baker 2005", "Cole 2010"]
    assert [r["subgroup"] for r in rows] == ["osteosarcoma", "osteosarcoma", "mixed"]
    left_out = {
        m.study_id: m.reason
        for m in result.members
        if m.analysis == "complete_os" and not m.included
    }
    assert left_out == {"Dunn2012": "overlapping cohort: Cole2010 enters instead (same registry)"}
    eve = by_id(result)["Eve2015.1"]
    assert not eve.poolable and "direction unknown" in eve.not_poolable_reason


def test_exclude_studies_lets_the_overlapping_study_in() -> None:
    rows = rows_of(run(), "complete_os_without_abel")
    assert [r["study_id"] for r in rows] == ["Baker2005", "Cole2010"]


def test_assumed_direction_only_in_its_sensitivity_analysis() -> None:
    result = run()
    rows = {r["study_id"]: r for r in rows_of(result, "complete_os_assumed")}
    assert rows["Eve2015"]["yi"] == pytest.approx(-math.log(5.0))
    assert (
        "direction assumed in config: incomplete vs complete, inverted" in rows["Eve2015"]["label"]
    )
    assert "Eve2015" not in {r["study_id"] for r in rows_of(result, "complete_os")}


def test_prefer_effects_per_analysis() -> None:
    rows = {r["study_id"]: r for r in rows_of(run(), "complete_os_univariable_abel")}
    assert rows["Abel2001"]["yi"] == pytest.approx(math.log(0.40))


def test_oe_v_row_enters_its_analysis() -> None:
    (row,) = rows_of(run(), "bilateral_prs")
    assert (row["study_id"], row["yi"]) == ("Baker2005", -0.25)
    assert row["se"] == pytest.approx(1 / math.sqrt(20))


def test_outputs(tmp_path: Path) -> None:
    result = run()
    summary = write_result(result, tmp_path)
    effects = read_tsv(tmp_path / "effects.tsv")
    assert len(effects) == len(result.effects) == summary["effects_in"] == 9
    # Abel2001.2 is meta-analysed by complete_os_univariable_abel, so no row is a bare alternative.
    assert summary["accounting"] == {
        "meta_analysed": 6,
        "narrative": 3,
        "alternative_not_selected": 0,
    }
    narrative = {r["effect_id"]: r for r in read_tsv(tmp_path / "narrative.tsv")}
    assert narrative["Abel2001.3"]["reason"].startswith(
        "not poolable: p-value only, given as a bound (<0.001)"
    )
    assert narrative["Abel2001.3"]["direction"] == "Favours unilateral"
    assert narrative["Cole2010.2"]["reason"].startswith("not poolable: factor 'other'")
    assert narrative["Eve2015.1"]["direction"] == "Favours complete resection"
    assert (
        narrative["Baker2005.2"]["reason"] == "narrative synthesis by config (laterality_narrative)"
    )
    assert narrative["Dunn2012.1"]["reason"] == (
        "poolable, but left out of every analysis: overlapping cohort: Cole2010 enters instead "
        "(same registry)"
    )
    with (tmp_path / "analyses" / "complete_os.tsv").open(encoding="utf-8") as handle:
        assert handle.readline().rstrip("\n").split("\t") == ANALYSIS_COLUMNS
    studies = read_tsv(tmp_path / "studies.tsv")
    first = "study_id study_record_ids label year country design period n_total n_with_factor"
    assert list(studies[0])[:9] == first.split()
    assert not (tmp_path / "risk_of_bias.tsv").exists()
    assert summary["analyses"]["complete_os"]["left_out"] == {
        "Dunn2012": "overlapping cohort: Cole2010 enters instead (same registry)"
    }


def test_empty_analysis_has_a_header(tmp_path: Path) -> None:
    write_result(run("effects_select_never.csv"), tmp_path)  # no laterality rows
    assert (tmp_path / "analyses" / "bilateral_prs.tsv").read_text(encoding="utf-8") == "\t".join(
        ANALYSIS_COLUMNS
    ) + "\n"


def test_cli_is_byte_stable(tmp_path: Path) -> None:
    args = extract_args(
        DATA,
        *("--screening", str(DATA / "full_text.tsv"), "--records", str(DATA / "unique.tsv")),
        *("--risk-of-bias", str(DATA / "risk_of_bias.csv")),
    )
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    files = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    assert len(files) == 13
    rob = read_tsv(tmp_path / "a" / "risk_of_bias.tsv")
    assert list(rob[0]) == [
        "study_id",
        "tool",
        "representativeness",
        "selection_non_exposed",
        "ascertainment_of_exposure",
        "outcome_absent_at_start",
        "comparability",
        "assessment_of_outcome",
        "follow_up_long_enough",
        "adequacy_of_follow_up",
        "total",
    ]
    assert [(r["study_id"], r["comparability"], r["total"]) for r in rob] == [
        ("Abel2001", "1", "7"),
        ("Baker2005", "1", "7"),
    ]
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_cli_reports_errors_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(extract_args(DATA, "--out", str(tmp_path), effects="effects_ci_low_above_hr.csv"))
    assert code == 1
    assert "does not contain the HR" in capsys.readouterr().err


def test_cli_says_when_links_are_not_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(extract_args(DATA, "--out", str(tmp_path))) == 0  # no --screening, --records
    assert "were NOT checked" in capsys.readouterr().err


def test_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["extract", "--help"])
    out = capsys.readouterr().out
    assert "example:" in out and "evsynth extract --studies" in out


def test_manual_is_current() -> None:
    """docs/extraction.md is rendered from the schemas; regenerate it when a schema changes."""
    assert (ROOT / "docs" / "extraction.md").read_text(encoding="utf-8") == render_manual()


def test_overlap_falls_to_the_next_study_when_the_first_is_excluded() -> None:
    config = copy.deepcopy(CONFIG)
    config["analyses"][1]["exclude_studies"] = ["Cole2010"]
    result = run(config=config)
    rows = rows_of(result, "complete_os_without_abel")
    assert [r["study_id"] for r in rows] == ["Abel2001", "Baker2005", "Dunn2012"]
    assert [r["study_id"] for r in rows_of(result, "complete_os")] == [
        "Abel2001",
        "Baker2005",
        "Cole2010",
    ]
