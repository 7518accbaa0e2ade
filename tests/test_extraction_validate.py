"""Every bad input of the extraction sheets gets a message naming sheet, line and study."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from evsynth.errors import InputError
from evsynth.extraction.build import ExtractionResult, extract
from evsynth.extraction.schema import read_sheet
from evsynth.extraction.settings import parse_settings
from evsynth.tables import read_tsv

DATA = Path(__file__).parent / "data" / "extraction"
CONFIG: dict[str, Any] = yaml.safe_load((DATA / "config.yaml").read_text(encoding="utf-8"))


def run(
    effects: str = "effects.csv",
    *,
    studies: str = "studies.csv",
    config: dict[str, Any] | None = None,
    **kwargs: Any,
) -> ExtractionResult:
    if config is None:
        config = copy.deepcopy(CONFIG)
        if effects != "effects.csv":
            # The edge-case sheets lack the row the fixture config's assumption names.
            config["extraction"]["assumed_directions"] = []
    settings = parse_settings(config, path="config.yaml")
    return extract(
        read_sheet(DATA / studies, "studies"),
        read_sheet(DATA / effects, "effects"),
        settings,
        **kwargs,
    )


def with_extraction(*, keep_assumptions: bool = False, **changes: Any) -> dict[str, Any]:
    config = copy.deepcopy(CONFIG)
    if not keep_assumptions:
        config["extraction"]["assumed_directions"] = []
    config["extraction"].update(changes)
    return config


@pytest.mark.parametrize(
    ("fixture", "match"),
    [
        (
            "ci_low_above_hr",
            r"effects_ci_low_above_hr\.csv:2 \(study Abel2001.*CI 0\.55-0\.83 does not contain "
            r"the HR 0\.5",
        ),
        (
            "hr_above_ci_high",
            r"effects_hr_above_ci_high\.csv:2 \(study Abel2001.*need ci_low < hr < ci_high",
        ),
        ("hr_not_positive", r"effects_hr_not_positive\.csv:2 \(study Abel2001\): column 'hr'"),
        (
            "hr_not_a_number",
            r"effects_hr_not_a_number\.csv:2: column 'hr': '0\.5x' is not a number",
        ),
        (
            "factor_undeclared",
            r":2 \(study Abel2001, effect Abel2001\.1\): factor 'nodule_count' is not declared in "
            r"config extraction\.factors",
        ),
        (
            "outcome_undeclared",
            r":2 \(study Abel2001.*outcome 'EFS' is not declared in config extraction\.outcomes "
            r"\(declared: OS, PRS\)",
        ),
        (
            "ci_level_missing",
            r":2 \(study Abel2001.*'ci_level' is empty but a CI is "
            r"given.*extraction\.default_ci_level",
        ),
        ("p_not_a_pvalue", r":2 \(study Abel2001\): column 'p': 'NS' does not match"),
        (
            "level_unknown",
            r"'partial' is not a level of 'complete_vs_incomplete'; valid: complete, radical, "
            r"incomplete, nonradical, unknown",
        ),
        ("same_level_twice", r"exposure and reference are both 'complete'"),
        ("direction_missing", r"exposure_as_reported and reference_as_reported are required"),
        ("study_unknown", r":2 \(study Zed1999.*study_id 'Zed1999' is not in the studies sheet"),
        ("one_ci_limit", r"give both CI limits"),
        ("oe_without_v", r"give both observed_minus_expected and variance"),
        ("better_group_invalid", r"column 'better_group': 'partial' is not a level"),
        (
            "analysis_type_invalid",
            r"column 'analysis_type': 'cox' is not one of: multivariable, propensity, "
            r"univariable, unknown",
        ),
        (
            "duplicate_effect_id",
            r":3 \(study Abel2001, effect Abel2001\.1\): effect_id 'Abel2001\.1' appears twice",
        ),
        (
            "selection_tie",
            r"study Abel2001, complete_vs_incomplete x OS: the selection rule cannot choose "
            r"between effects Abel2001\.1, Abel2001\.2",
        ),
    ],
)
def test_bad_effects(fixture: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        run(f"effects_{fixture}.csv")


def test_ci_level_default_from_config_is_recorded() -> None:
    result = run("effects_ci_level_missing.csv", config=with_extraction(default_ci_level=95))
    (e,) = result.effects
    assert (e.ci_level, e.ci_level_assumed, e.poolable) == (95.0, True, True)


def test_bad_studies() -> None:
    with pytest.raises(
        InputError,
        match=r"studies_duplicate_id\.csv:3 \(study Abel2001\): study_id 'Abel2001' appears twice",
    ):
        run("effects_ci_asymmetric.csv", studies="studies_duplicate_id.csv")
    with pytest.raises(
        InputError, match=r"studies_bad_doi\.csv:2 \(study Abel2001\): column 'doi'"
    ):
        run(studies="studies_bad_doi.csv")


def test_problems_are_reported_together(tmp_path: Path) -> None:
    text = (DATA / "effects_ci_low_above_hr.csv").read_text(encoding="utf-8")
    extra = (DATA / "effects_outcome_undeclared.csv").read_text(encoding="utf-8").splitlines()[1]
    bad = tmp_path / "effects.csv"
    bad.write_text(text + extra.replace("Abel2001.1", "Abel2001.9") + "\n", encoding="utf-8")
    settings = parse_settings(with_extraction())
    with pytest.raises(InputError, match=r"2 problem\(s\) in the effects sheet") as info:
        extract(read_sheet(DATA / "studies.csv", "studies"), read_sheet(bad, "effects"), settings)
    assert ":2 " in str(info.value) and ":3 " in str(info.value)


@pytest.mark.parametrize(
    ("fixture", "check", "match"),
    [
        ("ci_asymmetric", "ci_asymmetry", r"lower limit implies SE 0\.2606, the upper SE 0\.8212"),
        ("p_inconsistent", "p_vs_ci", r"the CI excludes 1 but p = 0\.30 is not below 0\.05"),
        ("p_significance_disagrees", "p_vs_ci", r"the CI includes 1 but p = 0\.041 is below 0\.05"),
        ("direction_contradicts_better", "direction", r"better_group is 'incomplete'"),
    ],
)
def test_warnings(fixture: str, check: str, match: str) -> None:
    result = run(f"effects_{fixture}.csv")
    (warning,) = result.warnings
    assert (warning.check, warning.sheet, warning.line, warning.study_id) == (
        check,
        "effects",
        2,
        "Abel2001",
    )
    assert pytest.importorskip("re").search(match, warning.message), warning.message


def test_no_warning_when_rounding_explains_asymmetry() -> None:
    assert run("effects_ci_asymmetric_by_rounding.csv").warnings == []


def test_p_inconsistent_with_ci_by_size() -> None:
    config = with_extraction(p_tolerance=0.01, keep_assumptions=True)
    # Abel2001.1 of the main sheet: p 0.007 vs 0.0076 implied: only a strict tolerance flags it.
    assert [w.effect_id for w in run(config=config).warnings] == ["Abel2001.1"]
    assert run().warnings == []


def test_screening_links() -> None:
    screening = read_tsv(DATA / "full_text.tsv")
    records = read_tsv(DATA / "unique.tsv")
    result = run(screening=screening, records=records)
    links = {s["study_id"]: (s["study_record_ids"], s["linked_by"]) for s in result.studies}
    assert links == {
        "Abel2001": ("pubmed:11111111", "pmid"),
        "Baker2005": ("pubmed:22222222", "study_record_ids"),
        "Cole2010": ("embase:L100", "doi"),
        "Dunn2012": ("wos:000001", "title"),
        "Eve2015": ("pubmed:55555555", "title"),
    }
    assert result.links_checked
    assert result.included_without_extraction == ["pubmed:99999999"]


def test_link_to_excluded_record_is_an_error() -> None:
    with pytest.raises(
        InputError,
        match=r"studies\.csv:5 \(study Dunn2012\): study record 'wos:000001' was not included at "
        r"full text \(decision 'exclude', wrong population\)",
    ):
        run(
            screening=read_tsv(DATA / "full_text_excluded.tsv"),
            records=read_tsv(DATA / "unique.tsv"),
        )


def test_link_to_unknown_record_is_an_error() -> None:
    with pytest.raises(
        InputError, match=r"study record 'wos:000001' is unknown to the full-text screening"
    ):
        run(
            screening=read_tsv(DATA / "full_text_missing_record.tsv"),
            records=read_tsv(DATA / "unique.tsv"),
        )


def test_unlinked_study_is_an_error_when_screening_is_checked() -> None:
    with pytest.raises(InputError, match=r"\(study Abel2001\): links to no study record"):
        run(screening=read_tsv(DATA / "full_text.tsv"), records=[])


def test_without_screening_links_are_not_checked() -> None:
    result = run()
    assert not result.links_checked
    assert {s["linked_by"] for s in result.studies} == {"", "study_record_ids"}


def test_risk_of_bias_nos() -> None:
    result = run(risk_of_bias=read_sheet(DATA / "risk_of_bias.csv", "risk_of_bias"))
    assert result.risk_of_bias is not None and len(result.risk_of_bias) == 16
    rob = {s["study_id"]: s["risk_of_bias"] for s in result.studies}
    assert rob == {
        "Abel2001": "NOS 7/9",
        "Baker2005": "NOS 7/9",
        "Cole2010": "not assessed",
        "Dunn2012": "not assessed",
        "Eve2015": "not assessed",
    }


def test_risk_of_bias_quips() -> None:
    result = run(risk_of_bias=read_sheet(DATA / "risk_of_bias_quips.csv", "risk_of_bias"))
    rob = {s["study_id"]: s["risk_of_bias"] for s in result.studies}
    assert rob["Baker2005"] == "QUIPS: 1 of 6 domains at high risk"
    assert rob["Abel2001"] == "not assessed"


def test_risk_of_bias_absent_means_not_assessed() -> None:
    result = run()
    assert result.risk_of_bias is None
    assert {s["risk_of_bias"] for s in result.studies} == {"not assessed"}


@pytest.mark.parametrize(
    ("fixture", "match"),
    [
        (
            "risk_of_bias_too_many_stars",
            r"risk_of_bias_too_many_stars\.csv:6 \(study Abel2001\): column 'stars': 3",
        ),
        (
            "risk_of_bias_mixed_tools",
            r"the sheet mixes tools \(NOS, QUIPS\); use one tool per review",
        ),
        (
            "risk_of_bias_missing_items",
            r"study Abel2001 NOS lacks item\(s\) adequacy_of_follow_up, assessment_of_outcome",
        ),
    ],
)
def test_bad_risk_of_bias(fixture: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        run(risk_of_bias=read_sheet(DATA / f"{fixture}.csv", "risk_of_bias"))


def test_config_cross_references() -> None:
    config = copy.deepcopy(CONFIG)
    config["analyses"][0]["factor"] = "size"
    with pytest.raises(
        InputError, match=r"analyses\[complete_os\]: factor 'size' is not in extraction\.factors"
    ):
        parse_settings(config)
    config = copy.deepcopy(CONFIG)
    config["analyses"][1]["sensitivity_of"] = "nothing"
    with pytest.raises(InputError, match=r"sensitivity_of 'nothing' is not an analysis id"):
        parse_settings(config)
    config = copy.deepcopy(CONFIG)
    config["analyses"][0]["also_outcomes"] = ["EFS"]
    with pytest.raises(InputError, match=r"outcome 'EFS' is not in extraction\.outcomes"):
        parse_settings(config)
    config = copy.deepcopy(CONFIG)
    config["analyses"][0]["subgroup"] = "histologyy"
    with pytest.raises(
        InputError, match=r"subgroup column 'histologyy' is not in the studies sheet"
    ):
        run(config=config)
    config = copy.deepcopy(CONFIG)
    config["analyses"][0]["factor"] = "other"
    with pytest.raises(InputError, match=r"factor 'other' has no exposure/reference"):
        parse_settings(config)
    config = copy.deepcopy(CONFIG)
    config["analyses"].append(config["analyses"][0])
    with pytest.raises(InputError, match=r"duplicate analysis id 'complete_os'"):
        parse_settings(config)
    config = with_extraction(
        assumed_directions=[
            {
                "effect_id": "Abel2001.1",
                "exposure_as_reported": "incomplete",
                "reference_as_reported": "complete",
            }
        ]
    )
    with pytest.raises(InputError, match=r"already gives one"):
        run(config=config)
