"""The osteosarcoma review's extraction sheets: as reported, reproducible, and what they yield."""

from __future__ import annotations

import csv
import importlib.util
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from evsynth.extraction.build import ExtractionResult, extract
from evsynth.extraction.schema import read_sheet
from evsynth.extraction.settings import parse_settings

ROOT = Path(__file__).resolve().parents[1]
SHEETS = ROOT / "resources" / "extraction"


def load_reshape() -> Any:
    spec = importlib.util.spec_from_file_location("reshape", SHEETS / "reshape.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def result() -> ExtractionResult:
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    return extract(
        read_sheet(SHEETS / "studies.csv", "studies"),
        read_sheet(SHEETS / "effects.csv", "effects"),
        parse_settings(config),
    )


def test_sheets_are_reproducible() -> None:
    reshape = load_reshape()
    assert read_csv(SHEETS / "effects.csv") == reshape.build_effects()
    assert read_csv(SHEETS / "studies.csv") == reshape.build_studies()


def test_rows_kept_exactly_as_reported() -> None:
    source = read_csv(SHEETS / "source" / "effects.csv")
    sheet = read_csv(SHEETS / "effects.csv")
    assert len(source) == len(sheet) == 39  # 38 + Liu 2022 (issue 16)
    pairs = {
        "study_id": "study_id",
        "factor": "factor",
        "outcome": "outcome",
        "comparison_as_reported": "comparison_as_reported",
        "hr": "hr",
        "ci_low": "ci_low",
        "ci_high": "ci_high",
        "ci_level": "ci_level",
        "p": "p_value",
        "n": "n_in_analysis",
        "source": "source_url",
        "analysis_as_reported": "analysis",
    }
    for got, want in zip(sheet, source, strict=True):
        assert {k: got[k] for k in pairs} == {k: want[v] for k, v in pairs.items()}


def test_choi_2014_appears_inverted(result: ExtractionResult) -> None:
    (analysis,) = [a for a in result.settings.analyses if a.id == "bilateral_pmos"]
    (row,) = result.analysis_rows(analysis)
    assert row["study"] == "Choi 2014"
    assert row["yi"] == pytest.approx(-math.log(0.291))
    choi = next(e for e in result.effects if e.effect_id == "Choi2014.1")
    hr, low, high = choi.harmonised_ci()
    assert (round(hr, 2), round(low, 2), round(high, 2)) == (3.44, 1.13, 10.42)


def k_of(result: ExtractionResult) -> dict[str, list[str]]:
    return {
        a.id: [r["study_id"] for r in result.analysis_rows(a)]
        for a in result.settings.analyses
        if a.synthesis == "meta_analysis"
    }


def test_what_each_analysis_gets(result: ExtractionResult) -> None:
    assert k_of(result) == {
        # Liu 2022 (added in issue 16) enters all three metastasectomy analyses: it is an
        # osteosarcoma-only cohort reporting PRS itself (Smolle 2023 is mixed and reports PMS)
        "metastasectomy_prs": ["Liu2022", "Smolle2023"],
        "metastasectomy_prs_osteosarcoma_only": ["Liu2022"],
        "metastasectomy_prs_strict_outcome": ["Liu2022"],
        "complete_resection_prs": [],
        "complete_resection_pmos": [],
        "complete_resection_pmos_assumed_direction": ["Glogowski2024"],
        "bilateral_pmos": ["Choi2014"],
        "bilateral_prs": [],
        "vats_mortality": ["Lautz2021"],
        "vats_mortality_oligometastatic": ["Lautz2021"],
    }
    rows = {
        a.id: result.analysis_rows(a)
        for a in result.settings.analyses
        if a.synthesis == "meta_analysis"
    }
    assert rows["metastasectomy_prs"][0]["yi"] == pytest.approx(math.log(0.185))
    assert rows["metastasectomy_prs"][0]["se"] == pytest.approx(
        (math.log(0.330) - math.log(0.103)) / (2 * 1.959963984540054)
    )
    assert rows["metastasectomy_prs"][1]["yi"] == pytest.approx(math.log(0.279))  # IPTW, not naive
    assert rows["vats_mortality"][0]["yi"] == pytest.approx(math.log(2.11))
    assert rows["vats_mortality_oligometastatic"][0]["yi"] == pytest.approx(math.log(1.16))
    assert rows["complete_resection_pmos_assumed_direction"][0]["yi"] == pytest.approx(
        -math.log(5.41)
    )


def test_every_row_is_accounted_for(result: ExtractionResult) -> None:
    poolable = {e.effect_id for e in result.effects if e.poolable}
    assert poolable == {
        "Choi2014.1",
        "Gusho_ND.1",
        "Smolle2023.1",
        "Smolle2023.2",
        "Lautz2021.1",
        "Lautz2021.2",
        "Lautz2021.3",
        "Liu2022.1",
    }
    for e in result.effects:
        assert e.poolable or e.not_poolable_reason, e.effect_id
    glogowski = next(e for e in result.effects if e.effect_id == "Glogowski2024.2")
    assert "direction unknown" in glogowski.not_poolable_reason
    bounds = [e for e in result.effects if e.p is not None and not e.p.exact]
    # a p-value bound alone cannot give an SE; Liu 2022 prints p < 0.001 with its CI, so it pools
    assert {e.effect_id for e in bounds if e.poolable} == {"Liu2022.1"}
    assert all("not exact" in e.not_poolable_reason for e in bounds if not e.poolable)


def test_only_the_flagged_source_inconsistency_warns(result: ExtractionResult) -> None:
    assert [(w.effect_id, w.check) for w in result.warnings] == [("Choi2014.2", "p_vs_ci")]
