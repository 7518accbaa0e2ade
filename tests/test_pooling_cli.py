"""`evsynth pool`, `pool-analysis` and `pool-summary`: JSON names, files, errors, byte stability."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from evsynth.cli import main
from evsynth.pooling.analysis import SUMMARY_COLUMNS
from evsynth.tables import read_tsv

DATA = Path(__file__).parent / "data" / "pooling"
REFERENCE = json.loads(
    (Path(__file__).parent / "reference" / "metafor_reference.json").read_text(encoding="utf-8")
)

ISSUE_NAMES = (
    "k estimate se ci_low ci_high stat p tau2 tau2_ci_low tau2_ci_high i2 i2_ci_low i2_ci_high "
    "h2 q q_df q_p pi_low pi_high weights method test level exp_estimate exp_ci_low exp_ci_high "
    "exp_pi_low exp_pi_high"
).split()


def run_json(capsys, *argv: str) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def reference_fit(dataset: str, method: str, test: str) -> dict:
    return next(
        f
        for f in REFERENCE["fits"]
        if (f["dataset"], f["method"], f["test"], f["level"]) == (dataset, method, test, 0.95)
    )


def test_pool_json_has_the_issue_names_and_metafor_values(capsys):
    out = run_json(capsys, "pool", str(DATA / "bcg.csv"), "--method", "REML", "--knha", "--json")
    assert set(ISSUE_NAMES) <= set(out)
    want = reference_fit("bcg", "REML", "knha")
    for name in ("estimate", "ci_low", "ci_high", "tau2", "tau2_ci_high", "i2", "pi_low", "p"):
        assert math.isclose(out[name], want[name], rel_tol=1e-6), name
    assert (out["method"], out["test"], out["level"]) == ("REML", "knha", 0.95)
    assert math.isclose(out["exp_estimate"], math.exp(want["estimate"]), rel_tol=1e-9)


def test_pool_all_adds_bias_and_leave_one_out(capsys):
    out = run_json(capsys, "pool", str(DATA / "bcg.csv"), "--method", "DL", "--json", "--all")
    assert set(out["egger"]) >= {"intercept", "se", "t", "df", "p"}
    assert set(out["begg"]) >= {"tau", "p"}
    assert set(out["trim_and_fill"]) >= {"k0", "side", "estimate", "ci_low", "ci_high"}
    assert [r["study"] for r in out["leave_one_out"]] == out["studies"]
    assert set(out["leave_one_out"][0]) >= {"study", "estimate", "ci_low", "ci_high", "tau2", "i2"}
    tf = next(t for t in REFERENCE["trim_and_fill"] if (t["dataset"], t["method"]) == ("bcg", "DL"))
    assert out["trim_and_fill"]["k0"] == tf["k0"]


def test_pool_all_with_too_few_studies_says_why(capsys):
    out = run_json(capsys, "pool", str(DATA / "three.csv"), "--json", "--all", "--min-k", "10")
    assert out["egger"] is None
    assert any("Egger's test needs at least 10 studies" in n for n in out["notes"])


def test_pool_level_and_k2_prediction_interval(capsys):
    out = run_json(
        capsys, "pool", str(DATA / "bcg.csv"), "--method", "DL", "--level", "0.9", "--json"
    )
    want = next(
        f
        for f in REFERENCE["fits"]
        if (f["dataset"], f["method"], f["test"], f["level"]) == ("bcg", "DL", "z", 0.9)
    )
    assert math.isclose(out["ci_low"], want["ci_low"], rel_tol=1e-6)
    out = run_json(capsys, "pool", str(DATA / "bcg.csv"), "--prediction-interval", "k-2", "--json")
    want = reference_fit("bcg", "REML", "z")
    assert math.isclose(out["pi_low"], want["pi_k2_low"], rel_tol=1e-6)
    assert out["pi_type"] == "k-2"


def test_pool_text_report(capsys):
    assert main(["pool", str(DATA / "three.csv"), "--method", "FE"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Fixed-effect model (k = 3; method FE; test z; level 0.95)")
    assert main(["pool", str(DATA / "single.tsv")]) == 0
    assert capsys.readouterr().out.startswith("Single study, not pooled (k = 1;")


def test_pool_effects_tsv_for_one_analysis(capsys):
    out = run_json(
        capsys,
        "pool",
        "--effects",
        str(DATA / "effects.tsv"),
        "--analysis",
        "complete_resection_prs",
        "--method",
        "FE",
        "--json",
    )
    assert out["k"] == 3 and out["studies"] == ["S01", "S02", "S04"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["pool", str(DATA / "zero_se.csv")], "record B 2003, field 'se': se is '0'"),
        (["pool", str(DATA / "empty.csv")], "no studies to pool"),
        (["pool"], "give INPUT"),
        (["pool", "--effects", str(DATA / "effects.tsv")], "--effects needs --analysis"),
    ],
)
def test_pool_errors_are_clean(capsys, argv, message):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def pool_analysis(tmp_path: Path, table: str, analysis: str, name: str) -> dict:
    out = tmp_path / f"{name}.json"
    argv = [
        "pool-analysis",
        str(DATA / table),
        "--config",
        str(DATA / "config.yaml"),
        "--analysis",
        analysis,
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_pool_analysis_writes_both_models_rule_bias_and_sensitivity(tmp_path):
    data = pool_analysis(tmp_path, "analysis_bcg.tsv", "bcg_vaccine", "a")
    assert data["status"] == "pooled" and data["k"] == 13
    assert data["chosen"] == "random"
    # Q's p of BCG is 7e-27: "p < 0.001", never "p = 7.07e-27" or "p = 0.000".
    assert data["rule"]["reason"] == "I2 = 92.1% > 50% and Q p < 0.001 < 0.1"
    assert data["fixed"]["method"] == "FE" and data["random"]["method"] == "REML"
    for model in ("fixed", "random"):
        assert data[model]["studies"] == data["studies"]
        assert math.isclose(sum(data[model]["weights"]), 100.0)
    for key in ("egger", "begg", "trim_and_fill", "leave_one_out", "cumulative", "subgroups"):
        assert data[key], key
    assert data["egger"]["reportable"] is True
    assert data["trim_and_fill"]["method"] == "REML"
    assert set(data["subgroups"]["groups"]) == {"alternate", "random", "systematic"}
    assert data["published"]["hr"] == 0.49
    years = [row["year"] for row in data["cumulative"]]
    assert years == sorted(years)


def test_pool_analysis_applies_exclusions_with_a_note(tmp_path):
    data = pool_analysis(tmp_path, "analysis_bcg.tsv", "bcg_without_two", "b")
    assert data["k"] == 11
    assert "Aronson 1948" not in data["studies"]
    assert data["study_ids"] == [f"S{i:02d}" for i in range(3, 14)]
    assert any("Aronson 1948" in n for n in data["notes"])
    assert "subgroups" not in data


def test_pool_analysis_single_and_empty(tmp_path):
    single = pool_analysis(tmp_path, "analysis_single.tsv", "bcg_vaccine", "s")
    assert single["status"] == "single_study" and single["chosen"] is None
    assert single["fixed"]["estimate"] == -0.35667494393873245
    assert any("not pooled" in n for n in single["notes"])
    empty = pool_analysis(tmp_path, "analysis_empty.tsv", "bcg_vaccine", "e")
    assert (empty["status"], empty["k"], empty["fixed"], empty["random"]) == (
        "empty",
        0,
        None,
        None,
    )


def test_pool_analysis_is_byte_stable(tmp_path):
    pool_analysis(tmp_path, "analysis_bcg.tsv", "bcg_vaccine", "one")
    pool_analysis(tmp_path, "analysis_bcg.tsv", "bcg_vaccine", "two")
    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "two.json").read_bytes()


def test_pool_analysis_settings_json_and_cochrane_preset(tmp_path):
    out = tmp_path / "c.json"
    settings = {"analysis": {"id": "bcg_vaccine", "factor": "bcg"}, "pooling": {"rule": "cochrane"}}
    argv = ["pool-analysis", str(DATA / "analysis_bcg.tsv"), "--settings", json.dumps(settings)]
    assert main([*argv, "--analysis", "bcg_vaccine", "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["chosen"] == "random" and data["random"]["test"] == "knha"
    assert data["random"]["pi_low"] is not None


def test_pool_analysis_unknown_id_is_an_error(tmp_path, capsys):
    argv = ["pool-analysis", str(DATA / "analysis_bcg.tsv"), "--config", str(DATA / "config.yaml")]
    assert main([*argv, "--analysis", "nope", "--out", str(tmp_path / "x.json")]) == 1
    assert "no analysis 'nope'" in capsys.readouterr().err


def test_pool_summary_has_the_contract_columns(tmp_path):
    pool_analysis(tmp_path, "analysis_bcg.tsv", "bcg_vaccine", "bcg_vaccine")
    pool_analysis(tmp_path, "analysis_single.tsv", "bcg_vaccine", "single")
    out = tmp_path / "summary.tsv"
    files = [str(tmp_path / "single.json"), str(tmp_path / "bcg_vaccine.json")]
    assert main(["pool-summary", *files, "--out", str(out)]) == 0
    header = out.read_text(encoding="utf-8").splitlines()[0].split("\t")
    assert header == list(SUMMARY_COLUMNS)
    rows = read_tsv(out)
    pooled = next(r for r in rows if r["chosen"] == "random")
    assert pooled["method"] == "REML" and math.isclose(float(pooled["hr"]), 0.4894209, rel_tol=1e-6)
    assert pooled["published_hr"] == "0.49"
    single = next(r for r in rows if r["chosen"] == "")
    assert single["note"] == "not pooled: single study" and single["method"] == "none"


def test_help_shows_an_example(capsys):
    for command in ("pool", "pool-analysis", "pool-summary"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "example" in capsys.readouterr().out


def test_test_option_is_the_config_name_and_knha_flag_still_works(capsys):
    bcg = str(DATA / "bcg.csv")
    new = run_json(capsys, "pool", bcg, "--method", "REML", "--test", "knha", "--json")
    assert "deprecated" not in capsys.readouterr().err
    main(["pool", bcg, "--method", "REML", "--knha", "--json"])
    captured = capsys.readouterr()
    assert "--knha is deprecated, use --test knha" in captured.err
    assert json.loads(captured.out) == new and new["test"] == "knha"
    assert main(["pool", bcg, "--test", "z", "--knha"]) == 1
    assert "contradicts" in capsys.readouterr().err
