"""Readers of the figure inputs: tolerant of optional keys, precise about broken ones."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from evsynth.errors import InputError
from evsynth.figures.inputs import read_analysis_effects, read_pooling

DATA = Path(__file__).parent / "data" / "figures"


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "analysis.json"
    path.write_text(json.dumps(data))
    return path


MINIMAL = {
    "k": 2,
    "chosen": "fixed",
    "fixed": {
        "estimate": -0.5,
        "ci_low": -0.9,
        "ci_high": -0.1,
        "weights": [60, 40],
        "studies": ["A 2001", "B 2002"],
    },
}


def test_minimal_result_without_optional_keys(tmp_path):
    result = read_pooling(write(tmp_path, MINIMAL))
    assert result.status == "pooled" and result.random is None
    assert result.egger is None and result.trim_and_fill is None
    assert result.leave_one_out == () and result.subgroups == ()
    assert result.weights() == {"A 2001": 60.0, "B 2002": 40.0}
    assert result.analysis == "analysis"


def test_both_trim_and_fill_layouts_give_standard_errors(tmp_path):
    r_layout = read_pooling(DATA / "complete_resection_prs.json").trim_and_fill
    stage = read_pooling(DATA / "pooling_complete_resection_prs.json").trim_and_fill
    raw = json.loads((DATA / "pooling_complete_resection_prs.json").read_text())["trim_and_fill"]
    assert r_layout is not None and r_layout.k0 == len(r_layout.filled) == 2
    assert stage is not None
    assert stage.filled[0] == (raw["filled_yi"][0], math.sqrt(raw["filled_vi"][0]))


def test_rule_as_object_or_name(tmp_path):
    stage = read_pooling(DATA / "pooling_complete_resection_prs.json")
    assert stage.rule == "heterogeneity" and stage.rule_reason.startswith("I2 = 15.9%")
    named = read_pooling(DATA / "complete_resection_prs.json")
    assert named.rule == "heterogeneity" and named.rule_reason is None


def test_weights_and_studies_must_pair_up(tmp_path):
    data = json.loads(json.dumps(MINIMAL))
    data["fixed"]["weights"] = [100]
    with pytest.raises(InputError, match=r"field 'fixed.weights': 1 weights but 2 studies"):
        read_pooling(write(tmp_path, data))


def test_bad_values_name_the_key(tmp_path):
    data = json.loads(json.dumps(MINIMAL))
    data["fixed"]["ci_low"] = "low"
    with pytest.raises(InputError, match=r"field 'fixed.ci_low': expected a number, found 'low'"):
        read_pooling(write(tmp_path, data))
    data = json.loads(json.dumps(MINIMAL))
    data["chosen"] = "mixed"
    with pytest.raises(InputError, match=r"'mixed' is not a model; valid: fixed, random"):
        read_pooling(write(tmp_path, data))
    data = {"k": 3, "status": "pooled"}
    with pytest.raises(InputError, match=r"neither 'fixed' nor 'random' has an estimate"):
        read_pooling(write(tmp_path, data))


def test_invalid_json_reports_the_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "k": 2,\n  oops\n}')
    with pytest.raises(InputError, match=r"broken.json:3: not valid JSON"):
        read_pooling(path)


def test_analysis_table_errors(tmp_path):
    path = tmp_path / "a.tsv"
    path.write_text("study\tyi\tse\nA 2001\t-0.2\t0\n")
    with pytest.raises(InputError, match=r"a.tsv:2, field 'se': standard error must be > 0"):
        read_analysis_effects(path)
    path.write_text("study\tyi\tse\nA 2001\t-0.2\t0.1\nA 2001\t-0.3\t0.2\n")
    with pytest.raises(
        InputError,
        match=r"a.tsv:3, field 'study': study label 'A 2001' "
        r"appears twice",
    ):
        read_analysis_effects(path)
    path.write_text("study\tse\nA 2001\t0.1\n")
    with pytest.raises(InputError, match=r"missing column\(s\) yi"):
        read_analysis_effects(path)


def test_header_only_table_is_empty():
    assert read_analysis_effects(DATA / "empty.tsv") == ()
