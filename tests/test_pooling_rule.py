"""The review's model-selection rule and the pooling settings read from config."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from evsynth.errors import InputError
from evsynth.pooling import effects, pool
from evsynth.pooling.analysis import PoolingSettings, choose_model, run_analysis

HOMOGENEOUS = effects(
    [0.10, 0.12, 0.08, 0.11, 0.09], vi=[0.04, 0.05, 0.03, 0.06, 0.05], year=[1, 2, 3, 4, 5]
)
# Moderate heterogeneity: I2 below 50% but Q's p below 0.10 (k = 30, Q about 40 on 29 df).
MODERATE = effects([round(0.2735 * (-1 + 2 * i / 29), 4) for i in range(30)], vi=[0.02] * 30)


def test_defaults_are_the_seed_review_rule():
    settings = PoolingSettings.from_config(None)
    assert (settings.rule, settings.random_method, settings.test) == ("heterogeneity", "REML", "z")
    assert (settings.i2_threshold, settings.q_p_threshold) == (50.0, 0.10)
    assert (settings.min_k_compute, settings.min_k_report) == (3, 10)


def test_homogeneous_studies_get_the_fixed_effect_model():
    chosen, reason = choose_model(pool(HOMOGENEOUS, method="FE"), PoolingSettings())
    assert chosen == "fixed" and "I2 = 0.0% <= 50%" in reason


def test_q_p_alone_can_trigger_random_effects():
    fixed = pool(MODERATE, method="FE")
    assert fixed.i2 < 50 and fixed.q_p < 0.10
    chosen, reason = choose_model(fixed, PoolingSettings())
    assert chosen == "random" and reason == f"Q p = {fixed.q_p:.3f} < 0.1"


def test_thresholds_are_configurable():
    fixed = pool(MODERATE, method="FE")
    strict = PoolingSettings.from_config({"q_p_threshold": 0.001, "i2_threshold": 90})
    assert choose_model(fixed, strict)[0] == "fixed"


def test_cochrane_preset_always_random_with_knha():
    settings = PoolingSettings.from_config({"rule": "cochrane", "test": "z"})
    assert (settings.random_method, settings.test) == ("REML", "knha")
    result = run_analysis(HOMOGENEOUS, {"id": "x"}, settings)
    assert result.chosen == "random" and result.random is not None
    assert result.random.test == "knha" and result.fixed is not None


def test_both_models_always_reported_and_small_k_marked_not_reportable():
    result = run_analysis(HOMOGENEOUS, {"id": "x"}, PoolingSettings())
    data = result.to_dict()
    assert data["fixed"]["method"] == "FE" and data["random"]["method"] == "REML"
    assert data["chosen"] == "fixed"
    assert data["egger"]["reportable"] is False
    assert any("not for reporting" in n for n in data["notes"])


def test_disabled_sensitivity_analyses_are_left_out():
    settings = PoolingSettings.from_config(
        {"sensitivity": {"leave_one_out": False, "cumulative": False}}
    )
    data = run_analysis(HOMOGENEOUS, {"id": "x"}, settings).to_dict()
    assert "leave_one_out" not in data and "cumulative" not in data


@pytest.mark.parametrize(
    ("section", "pattern"),
    [
        ({"rule": "bayes"}, "unknown rule 'bayes'; valid: heterogeneity, cochrane"),
        ({"random_method": "FE"}, "random_method 'FE' must be one of DL, REML"),
        ({"test": "t"}, "test 't' must be one of z, knha"),
        ({"prediction_interval": "riley"}, "prediction_interval 'riley' must be one of"),
    ],
)
def test_bad_pooling_settings(section, pattern):
    with pytest.raises(InputError, match=pattern):
        PoolingSettings.from_config(section)


ROOT = Path(__file__).resolve().parents[1]


def test_config_pooling_section_is_valid_and_readable():
    schema = yaml.safe_load(
        (ROOT / "workflow" / "schemas" / "config" / "pooling.schema.yaml").read_text("utf-8")
    )
    section = yaml.safe_load((ROOT / "config" / "config.yaml").read_text("utf-8"))["pooling"]
    jsonschema.validate(section, schema)
    assert PoolingSettings.from_config(section).rule in {"heterogeneity", "cochrane"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**section, "rule": "bayes"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**section, "unknown_key": 1}, schema)


def test_subgroup_analysis_leaves_out_studies_without_a_group_with_a_note():
    table = effects(
        [0.1, 0.3, 0.2, -0.1, 0.4],
        se=[0.1, 0.2, 0.3, 0.2, 0.25],
        study=["A", "B", "C", "D", "E"],
        subgroup=["x", "y", None, "x", "y"],
    )
    data = run_analysis(table, {"id": "x", "subgroup": "histology"}, PoolingSettings()).to_dict()
    assert data["subgroups"]["left_out"] == ["C"]
    assert data["subgroups"]["column"] == "histology"
    assert sum(g["k"] for g in data["subgroups"]["groups"].values()) == 4
    assert any("column 'histology': C" in n for n in data["notes"])
