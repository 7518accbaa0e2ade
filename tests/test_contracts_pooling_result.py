"""contracts.pooling_result: the one reader and writer of results/pooling/{analysis}.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from evsynth.cli import main
from evsynth.contracts.pooling_result import (
    MODEL_KEYS,
    PoolingResult,
    parse_pooling_result,
    read_pooling_result,
    write_pooling_result,
)
from evsynth.errors import InputError

DATA = Path(__file__).parent / "data" / "contracts"
FIGURES = Path(__file__).parent / "data" / "figures"
REVIEW = ("metastasectomy_prs", "bilateral_pmos", "complete_resection_prs")


def _object(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", REVIEW)
def test_default_review_results_round_trip_byte_for_byte(tmp_path: Path, name: str) -> None:
    source = DATA / f"{name}.json"
    result = read_pooling_result(source)
    out = tmp_path / f"{name}.json"
    write_pooling_result(out, result)
    assert out.read_bytes() == source.read_bytes()
    assert read_pooling_result(out) == result


def test_typed_values_of_the_pooled_analysis() -> None:
    r = read_pooling_result(DATA / "metastasectomy_prs.json")
    raw = _object(DATA / "metastasectomy_prs.json")
    assert (r.status, r.k, r.chosen, r.rule) == ("pooled", 2, "fixed", "heterogeneity")
    assert r.rule_info is not None and r.rule_reason == raw["rule"]["reason"]
    fixed = r.model()
    assert fixed is r.fixed and fixed.name == "fixed" and fixed.ratio
    assert fixed.estimate == raw["fixed"]["estimate"]
    assert fixed.exp_estimate == raw["fixed"]["exp_estimate"]
    assert fixed.pi_low is None and fixed.df is None and fixed.q_df == 1
    assert r.weights() == dict(zip(raw["fixed"]["studies"], raw["fixed"]["weights"], strict=True))
    assert [g.name for g in r.subgroups] == sorted(raw["subgroups"]["groups"])
    assert r.subgroup_test is not None and r.subgroup_test.q == raw["subgroups"]["q_between"]
    assert [row.year for row in r.cumulative] == [2022, 2023]
    assert r.egger is None and r.leave_one_out == ()  # k = 2: not computed
    assert [e.run for e in r.by_search_run] == ["2025-12-31"]
    assert r.settings is not None and r.settings.min_k_report == 10


def test_single_study_and_empty_results() -> None:
    single = read_pooling_result(DATA / "bilateral_pmos.json")
    assert single.status == "single_study" and single.k == 1 and single.chosen is None
    assert single.fixed is not None and single.fixed.weights == (100.0,)
    empty = read_pooling_result(DATA / "complete_resection_prs.json")
    assert empty.status == "empty" and empty.fixed is None and empty.model() is None
    assert empty.rule_reason == empty.rule_info.description  # no choice made: the rule itself


@pytest.mark.parametrize("name", REVIEW)
def test_pool_analysis_still_writes_the_default_review_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # The notes name the input by its path in the project, so run where that path holds.
    tables = tmp_path / "results" / "extraction" / "analyses"
    tables.mkdir(parents=True)
    shutil.copy(DATA / f"{name}.tsv", tables / f"{name}.tsv")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out.json"
    args = ["pool-analysis", f"results/extraction/analyses/{name}.tsv"]
    args += ["--config", str(DATA / "pooling_config.yaml"), "--analysis", name]
    assert main([*args, "--runs", "2025-12-31", "--out", str(out)]) == 0
    assert out.read_bytes() == (DATA / f"{name}.json").read_bytes()


def test_every_section_round_trips(tmp_path: Path) -> None:
    """Egger, Begg, trim-and-fill, leave-one-out, cumulative, subgroups: k = 8 (invented data)."""
    settings = json.dumps(
        {"analysis": {"id": "by_region", "subgroup": "region"}, "pooling": {"min_k_report": 3}}
    )
    first = tmp_path / "first.json"
    table = FIGURES / "complete_resection_prs_by_region.tsv"
    args = ["pool-analysis", str(table), "--settings", settings, "--analysis", "by_region"]
    assert main([*args, "--out", str(first)]) == 0
    result = read_pooling_result(first)
    for name in ("egger", "begg", "trim_and_fill", "subgroup_test"):
        assert getattr(result, name) is not None, name
    assert len(result.leave_one_out) == len(result.cumulative) == result.k == 8
    assert result.trim_and_fill is not None
    assert len(result.trim_and_fill.filled) == result.trim_and_fill.k0
    again = tmp_path / "again.json"
    write_pooling_result(again, result)
    assert again.read_bytes() == first.read_bytes()


def test_optional_keys_absent_are_none_or_empty(tmp_path: Path) -> None:
    path = tmp_path / "minimal_analysis.json"
    path.write_text(json.dumps({"k": 1, "fixed": {"estimate": 0.1, "ci_low": 0, "ci_high": 0.2}}))
    r = read_pooling_result(path)
    assert isinstance(r, PoolingResult) and r.analysis == "minimal_analysis"  # the file's stem
    assert r.status == "single_study" and r.random is None and r.rule is None
    assert r.fixed is not None and r.fixed.se is None and r.fixed.weights == ()
    assert r.egger is r.begg is r.trim_and_fill is r.subgroup_test is r.settings is None
    assert r.leave_one_out == r.cumulative == r.subgroups == r.by_search_run == ()
    assert set(r.fixed.to_dict()) == set(MODEL_KEYS)  # written back with every documented key


def _broken(change: dict) -> dict:
    data = _object(DATA / "metastasectomy_prs.json")
    for dotted, value in change.items():
        *parents, key = dotted.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if value is KeyError:
            del node[key]
        else:
            node[key] = value
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fixed.estimate": KeyError}, "field 'fixed.estimate': a number is required here"),
        ({"random.ci_low": "low"}, "field 'random.ci_low': expected a number, found 'low'"),
        ({"fixed.k": 2.5}, "field 'fixed.k': expected a whole number"),
        ({"fixed.weights": [100.0]}, "field 'fixed.weights': 1 weights but 2 studies"),
        ({"fixed.weights": ["a", "b"]}, r"field 'fixed.weights\[0\]': expected a number"),
        ({"fixed.converged": "yes"}, "field 'fixed.converged': expected true or false"),
        ({"fixed.method": 3}, "field 'fixed.method': expected a string, found 3"),
        ({"chosen": "mixed"}, "field 'chosen': 'mixed' is not a model; valid: fixed, random"),
        ({"status": "done"}, "field 'status': unknown status 'done'"),
        ({"fixed": None, "random": None}, "status is 'pooled' but neither 'fixed' nor 'random'"),
        ({"fixed": [1, 2]}, "field 'fixed': expected an object, found list"),
        ({"rule.i2_threshold": "50"}, "field 'rule.i2_threshold': expected a number"),
        ({"settings.min_k_report": True}, "field 'settings.min_k_report': expected a number"),
        ({"studies": {"a": 1}}, "field 'studies': expected a list, found dict"),
        ({"published": 0.29}, "field 'published': expected an object"),
        ({"cumulative.0.study": KeyError}, r"field 'cumulative\[0\]': needs a 'study' label"),
        ({"cumulative.1.ci_high": None}, r"field 'cumulative\[1\].ci_high': a number is required"),
        ({"cumulative.0.year": 20.5}, r"field 'cumulative\[0\].year': expected a year"),
        (
            {"subgroups.groups.mixed.ci_low": "x"},
            r"field 'subgroups.groups.mixed.ci_low': expected a number",
        ),
        ({"subgroups.q_between": "big"}, "field 'subgroups.q_between': expected a number"),
        ({"by_search_run.0.run": KeyError}, r"field 'by_search_run\[0\].run': needs the search"),
        ({"by_search_run.0.status": "gone"}, r"field 'by_search_run\[0\].status': unknown status"),
        (
            {"by_search_run.0.fixed.p": "0.01"},
            r"field 'by_search_run\[0\].fixed.p': expected a number",
        ),
        ({"egger": {"p": "0.2"}}, "field 'egger.p': expected a number"),
        ({"begg": {"exact": 1}}, "field 'begg.exact': expected true or false"),
        ({"egger": {"reason": 3}}, "field 'egger.reason': expected a string, found 3"),
        ({"trim_and_fill": {"reason": ["k"]}}, "field 'trim_and_fill.reason': expected a string"),
        (
            {"trim_and_fill": {"k0": 1, "filled_yi": [0.1], "filled_vi": []}},
            "field 'trim_and_fill': 1 filled_yi but 0 filled_vi",
        ),
    ],
)
def test_each_broken_key_is_named_with_the_file(tmp_path: Path, change: dict, message: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(_broken(change)))
    with pytest.raises(InputError, match=message) as info:
        read_pooling_result(path)
    assert str(path) in str(info.value)


def test_not_an_object_and_not_json(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")
    with pytest.raises(InputError, match="expected an object, found list"):
        read_pooling_result(path)
    path.write_text('{\n  "k": 2,\n  oops\n}')
    with pytest.raises(InputError, match=r"list.json:3: not valid JSON"):
        read_pooling_result(path)
    with pytest.raises(InputError, match="file not found"):
        read_pooling_result(tmp_path / "absent.json")


def test_metafor_layout_is_read() -> None:
    """R's layout (rule by name, subgroups as {fixed, random}, filled [{yi, se}]) is read."""
    r = read_pooling_result(FIGURES / "complete_resection_prs_by_region.json")
    raw = _object(FIGURES / "complete_resection_prs_by_region.json")
    assert r.rule == "heterogeneity" and r.rule_info is None and r.rule_reason is None
    chosen = raw["chosen"]
    asia = next(g for g in r.subgroups if g.name == "Asia")
    assert asia.model.name == chosen
    assert asia.model.estimate == raw["subgroups"]["Asia"][chosen]["estimate"]
    assert r.trim_and_fill is not None
    assert r.trim_and_fill.filled[0] == tuple(
        raw["trim_and_fill"]["filled"][0][k] for k in "yi se".split()
    )
    assert parse_pooling_result(raw).to_dict()["rule"] == "heterogeneity"  # written as it came


def test_a_small_study_test_s_reason_is_carried_and_written_back_only_when_given() -> None:
    """Another tool may say why a test is absent (``reason``); pooling itself writes none."""
    raw = _object(FIGURES / "pooling_complete_resection_prs.json")
    plain = parse_pooling_result(raw)
    assert plain.egger is not None and plain.egger.reason is None
    for name in ("egger", "begg", "trim_and_fill"):
        assert "reason" not in plain.to_dict()[name]
    raw["begg"] = {"reason": "not run: ties in the ranks"}
    raw["trim_and_fill"]["reason"] = "checked by hand"
    r = parse_pooling_result(raw)
    assert r.begg is not None and r.begg.reason == "not run: ties in the ranks"
    assert r.begg.p is None and r.begg.tau is None
    assert r.trim_and_fill is not None and r.trim_and_fill.reason == "checked by hand"
    again = r.to_dict()
    assert again["begg"]["reason"] == "not run: ties in the ranks"
    assert again["trim_and_fill"] == raw["trim_and_fill"]
