"""GRADE domains: each rule on inputs built to sit on either side of its declared threshold."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pytest
import yaml

from evsynth.cli import main
from evsynth.contracts.pooling_result import (
    PooledModel,
    PoolingResult,
    parse_pooling_result,
    parse_sections,
    read_pooling_result,
)
from evsynth.errors import InputError
from evsynth.extraction.rob_items import QUIPS_DOMAINS
from evsynth.grade import rules
from evsynth.grade.assess import assess, merge_settings
from evsynth.tables import read_tsv
from tests.support.report import build_report, copy_report_project

ROOT = Path(__file__).parent.parent
FIXTURE = Path(__file__).parent / "data" / "report" / "results_fixture"
S = rules.DEFAULTS


def _model_data(hr=0.5, lo=0.3, hi=0.8, i2=10.0, pi=(0.25, 0.9), k=4, weights=None):
    """A random-effects model object as pooling writes it (log scale plus the HRs)."""
    return {
        "estimate": math.log(hr),
        "ci_low": math.log(lo),
        "ci_high": math.log(hi),
        "exp_estimate": hr,
        "exp_ci_low": lo,
        "exp_ci_high": hi,
        "i2": i2,
        "exp_pi_low": pi[0] if pi else None,
        "exp_pi_high": pi[1] if pi else None,
        "k": k,
        "level": 95,
        "studies": [f"Study {i}" for i in range(k)],
        "weights": weights or [100 / k] * k,
    }


def _model(**kwargs) -> PooledModel:
    """:func:`_model_data` read through the pooling contract, as `evsynth grade` reads it."""
    model = parse_pooling_result({"random": _model_data(**kwargs)}, "a1.json").random
    assert model is not None
    return model


# ---------------------------------------------------------------- risk of bias
def _nos(total):
    return {"study_id": "x", "tool": "NOS", "total": str(total)}


@pytest.mark.parametrize(
    ("total", "risk"),
    [(9, "low"), (7, "low"), (6, "moderate"), (5, "moderate"), (4, "high"), (0, "high")],
)
def test_nos_total_to_risk(total: int, risk: str) -> None:
    assert rules.study_risk(_nos(total), S["risk_of_bias"]) == risk


def test_quips_any_high_is_high_all_low_is_low_and_blank_is_not_assessed() -> None:
    # A row as extraction writes risk_of_bias.tsv: one column per QUIPS domain.
    row = {"study_id": "x", "tool": "QUIPS", **dict.fromkeys(QUIPS_DOMAINS, "low")}
    assert {"study_attrition", "study_confounding"} <= row.keys()
    assert rules.study_risk(row, S["risk_of_bias"]) == "low"
    assert rules.study_risk({**row, "study_attrition": "moderate"}, S["risk_of_bias"]) == "moderate"
    assert rules.study_risk({**row, "study_confounding": "high"}, S["risk_of_bias"]) == "high"
    assert rules.study_risk({**row, "study_confounding": ""}, S["risk_of_bias"]) is None


def test_risk_of_bias_by_weight_share() -> None:
    ids = ["a", "b", "c"]
    rob = {
        "a": {**_nos(8), "study_id": "a"},
        "b": {**_nos(5), "study_id": "b"},
        "c": {**_nos(3), "study_id": "c"},
    }
    s = S["risk_of_bias"]
    assert rules.risk_of_bias(ids, [70, 20, 10], rob, s).rating == "not_serious"
    assert rules.risk_of_bias(ids, [30, 40, 30], rob, s).rating == "serious"
    very = rules.risk_of_bias(ids, [10, 20, 70], rob, s)
    assert very.rating == "very_serious" and very.downgrade == 2
    assert "high risk 70%" in very.reason


def test_no_rob_table_is_stated_never_scored() -> None:
    d = rules.risk_of_bias(["a", "b"], [50, 50], None, S["risk_of_bias"])
    assert d.rating == "not_assessed" and d.downgrade == 0
    assert "no risk-of-bias table" in d.reason
    partial = rules.risk_of_bias(
        ["a", "b", "c"], [20, 40, 40], {"a": {**_nos(9), "study_id": "a"}}, S["risk_of_bias"]
    )
    assert partial.rating == "not_assessed" and "2 of 3 studies" in partial.reason
    assert partial.data["studies"] == {"a": "low", "b": "not_assessed", "c": "not_assessed"}


# ---------------------------------------------------------------- inconsistency
@pytest.mark.parametrize(
    ("i2", "pi", "ci", "rating"),
    [
        (10.0, (0.3, 0.9), (0.4, 0.7), "not_serious"),
        (49.9, (0.3, 0.95), (0.4, 0.7), "not_serious"),
        (50.0, (0.3, 0.95), (0.4, 0.7), "serious"),
        (30.0, (0.2, 1.4), (0.4, 0.7), "serious"),  # PI includes 1, CI does not
        (30.0, (0.2, 1.4), (0.4, 1.1), "not_serious"),  # both include 1: imprecision's matter
        (80.0, (0.05, 3.0), (0.4, 0.7), "very_serious"),
        (80.0, (0.2, 0.9), (0.3, 0.6), "serious"),  # I2 high but every setting benefits
    ],
)
def test_inconsistency(i2, pi, ci, rating) -> None:
    d = rules.inconsistency(_model(lo=ci[0], hi=ci[1], i2=i2, pi=pi), 5, S["inconsistency"])
    assert d.rating == rating, d.reason


def test_inconsistency_single_study_and_without_pi_rule() -> None:
    assert rules.inconsistency(_model(k=1), 1, S["inconsistency"]).rating == "not_applicable"
    no_pi = {**S["inconsistency"], "use_prediction_interval": False}
    assert rules.inconsistency(_model(i2=30, pi=(0.2, 1.4)), 5, no_pi).rating == "not_serious"


# ---------------------------------------------------------------- imprecision
@pytest.mark.parametrize(
    ("ci", "rating"),
    [
        ((0.3, 0.7), "not_serious"),
        ((0.85, 0.95), "not_serious"),  # excludes 1, stays inside the thresholds
        ((0.6, 1.1), "serious"),  # no effect and appreciable benefit
        ((0.9, 1.4), "serious"),  # no effect and appreciable harm
        ((0.85, 1.15), "not_serious"),  # includes 1 but no appreciable effect either way
        ((0.5, 1.6), "very_serious"),
    ],
)
def test_imprecision_against_thresholds(ci, rating) -> None:
    d = rules.imprecision(_model(lo=ci[0], hi=ci[1]), 500, S["imprecision"])
    assert d.rating == rating, d.reason


def test_imprecision_information_size() -> None:
    s = {**S["imprecision"], "min_participants": 400}
    assert rules.imprecision(_model(), 300, s).rating == "serious"
    assert rules.imprecision(_model(), 400, s).rating == "not_serious"


# ---------------------------------------------------------------- publication bias
def _publication_bias(k: int, **sections) -> rules.Domain:
    """The domain for the funnel-plot sections given as the pooling file writes them."""
    typed = parse_sections(sections, "a1.json")
    return rules.publication_bias(
        k,
        S["publication_bias"],
        egger=typed["egger"],
        begg=typed["begg"],
        trim_and_fill=typed["trim_and_fill"],
    )


def test_publication_bias_needs_ten_studies() -> None:
    d = _publication_bias(9, egger={"p": 0.01})
    assert d.rating == "not_assessed" and "need at least 10" in d.reason
    assert _publication_bias(10, egger={"p": 0.01}).rating == "serious"
    ok = _publication_bias(12, egger={"p": 0.4}, trim_and_fill={"k0": 2})
    assert ok.rating == "not_serious" and "trim-and-fill adds 2" in ok.reason
    begg = _publication_bias(12, begg={"p": 0.05})
    assert begg.rating == "serious" and "Begg" in begg.reason
    # Egger's test without a p value gives way to Begg's; neither is not assessed
    assert "Begg" in _publication_bias(12, egger={"intercept": 1.2}, begg={"p": 0.5}).reason
    none = _publication_bias(12, egger={"intercept": 1.2})
    assert none.rating == "not_assessed" and "no funnel-plot test" in none.reason


# ---------------------------------------------------------------- indirectness, overrides, level
def test_indirectness_is_declared_or_not_assessed() -> None:
    assert rules.indirectness(None).rating == "not_assessed"
    d = rules.indirectness({"rating": "serious", "reason": "adults only"})
    assert d.rating == "serious" and d.reason == "adults only"


@pytest.mark.parametrize(
    ("start", "downs", "level"),
    [
        ("low", [], "low"),
        ("low", ["serious"], "very_low"),
        ("high", ["serious"], "moderate"),
        ("high", ["very_serious", "serious"], "very_low"),
        ("low", ["very_serious"] * 2, "very_low"),
    ],
)
def test_certainty_levels(start, downs, level) -> None:
    domains = [rules.Domain("x", r, "") for r in downs]
    assert rules.certainty(start, domains) == level


def _result_data(k=4, i2=20.0, ci=(0.3, 0.7), pi=(0.2, 0.9)):
    ids = [f"S{i}" for i in range(k)]
    return {
        "analysis": "a1",
        "status": "pooled" if k > 1 else "single_study",
        "chosen": "random",
        "study_ids": ids,
        "label": "Analysis one",
        "random": _model_data(lo=ci[0], hi=ci[1], i2=i2, pi=pi, k=k),
    }


def _result(data: dict | None = None, **kwargs) -> PoolingResult:
    """A pooling result read through the contract: ``data`` or :func:`_result_data`'s."""
    return parse_pooling_result(data or _result_data(**kwargs), "results/pooling/a1.json")


def test_assess_applies_overrides_with_reasons_and_start_level() -> None:
    settings = merge_settings(
        {
            "start": {"level": "high", "reason": "prognostic factor cohort (Iorio 2015)"},
            "indirectness": {"rating": "not_serious", "reason": "population as asked"},
            "overrides": [
                {"domain": "imprecision", "rating": "serious", "reason": "few events"},
                {
                    "analysis": "other",
                    "domain": "inconsistency",
                    "rating": "very_serious",
                    "reason": "not this analysis",
                },
            ],
        }
    )
    studies = [{"study_id": f"S{i}", "n_total": "100 patients"} for i in range(4)]
    out = assess(_result(), analysis="a1", settings=settings, risk_of_bias=None, studies=studies)
    imp = out["domains"]["imprecision"]
    assert imp["rating"] == "serious" and imp["overridden"] and imp["proposed"] == "not_serious"
    assert imp["reason"] == "few events"
    assert out["domains"]["inconsistency"]["rating"] == "not_serious"
    assert out["domains"]["risk_of_bias"]["rating"] == "not_assessed"
    assert out["start"]["level"] == "high" and out["certainty"] == "moderate"
    assert out["participants"] == 400


@pytest.mark.parametrize(
    "override",
    [
        {"domain": "imprecision", "rating": "serious", "reason": " "},
        {"domain": "bias", "rating": "serious", "reason": "x"},
        {"domain": "imprecision", "rating": "bad", "reason": "x"},
    ],
)
def test_bad_override_is_an_error(override) -> None:
    settings = merge_settings({"overrides": [override]})
    with pytest.raises(InputError):
        assess(_result(), analysis="a1", settings=settings, risk_of_bias=None, studies=None)


def test_study_id_count_error_names_the_pooling_file() -> None:
    data = _result_data()
    data["study_ids"] = data["study_ids"][:3]
    with pytest.raises(InputError) as info:
        assess(
            _result(data),
            analysis="a1",
            settings=merge_settings({}),
            risk_of_bias=None,
            studies=None,
            source="results/pooling/a1.json",
        )
    text = str(info.value)
    assert text.startswith("results/pooling/a1.json, record a1")
    assert "3 study_ids for k = 4; expected one study_id per pooled study" in text


def test_older_result_without_study_ids_resolves_labels_via_studies_tsv() -> None:
    data = _result_data(k=2)
    del data["study_ids"]  # an older pooling result: studies by label only
    studies = [
        {"study_id": "S01", "label": "Study 0", "n_total": "120"},
        {"study_id": "S02", "label": "Study 1", "n_total": "80"},
    ]
    settings = merge_settings({})
    out = assess(
        _result(data), analysis="a1", settings=settings, risk_of_bias=None, studies=studies
    )
    assert out["studies"] == ["S01", "S02"] and out["participants"] == 200
    with pytest.raises(InputError) as info:
        assess(
            _result(data), analysis="a1", settings=settings, risk_of_bias=None, studies=studies[:1]
        )
    text = str(info.value)  # the file the result was read from, when no source is given
    assert text.startswith("results/pooling/a1.json, record a1, field 'studies'")
    assert "studies Study 1 have no study_id" in text


def test_result_without_a_pooled_model_is_not_rated() -> None:
    empty = _result({"analysis": "a1", "status": "empty", "k": 0})
    out = assess(empty, analysis="a1", settings=merge_settings({}), risk_of_bias=None, studies=None)
    assert out["certainty"] is None and out["note"].startswith("no poolable estimate")
    assert out["domains"]["inconsistency"]["rating"] == "not_applicable"
    assert out["domains"]["imprecision"]["rating"] == "not_assessed"
    assert out["relative_effect"]["hr"] is None and out["relative_effect"]["model"] == "random"


@pytest.mark.parametrize(
    ("key", "change", "message"),
    [
        ("random.i2", lambda d: d["random"].update(i2="high"), "expected a number, found 'high'"),
        ("egger.p", lambda d: d.update(egger={"p": [0.2]}), "expected a number, found [0.2]"),
        ("chosen", lambda d: d.update(chosen="both"), "'both' is not a model"),
    ],
)
def test_malformed_pooling_file_fails_naming_file_and_key(
    tmp_path: Path, capsys, key, change, message
) -> None:
    data = json.loads((FIXTURE / "pooling" / "complete_resection_prs.json").read_text())
    change(data)
    pooling = tmp_path / "complete_resection_prs.json"
    pooling.write_text(json.dumps(data))
    out = tmp_path / "g.json"
    assert main(["grade", "--pooling", str(pooling), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"evsynth grade: error: {pooling}, field {key!r}: {message}" in err
    assert not out.exists()


def test_schema_defaults_are_the_rules_defaults() -> None:
    schema = yaml.safe_load(
        (ROOT / "workflow" / "schemas" / "config" / "grade.schema.yaml").read_text()
    )
    for section in ("risk_of_bias", "inconsistency", "imprecision", "publication_bias"):
        props = schema["properties"][section]["properties"]
        assert {k: v.get("default") for k, v in props.items()} == S[section], section


def test_command_on_the_report_fixture(tmp_path: Path, capsys) -> None:
    settings = tmp_path / "grade.yaml"
    settings.write_text(yaml.safe_dump({"grade": {"imprecision": {"benefit": 0.9, "harm": 1.1}}}))
    out = tmp_path / "g.json"
    assert (
        main(
            [
                "grade",
                "--pooling",
                str(FIXTURE / "pooling" / "complete_resection_prs.json"),
                "--studies",
                str(FIXTURE / "extraction" / "studies.tsv"),
                "--risk-of-bias",
                str(FIXTURE / "extraction" / "risk_of_bias.tsv"),
                "--settings",
                str(settings),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    g = json.loads(out.read_text())
    assert g["domains"]["inconsistency"]["rating"] == "very_serious"  # I2 79%, PI 0.01-5.55
    assert g["domains"]["risk_of_bias"]["data"]["studies"]["S04"] == "moderate"  # NOS 5
    assert g["domains"]["publication_bias"]["rating"] == "not_assessed"  # k = 4
    assert g["certainty"] == "very_low"
    assert "certainty very_low" in capsys.readouterr().out


def test_report_shows_the_ratings_with_their_reasons(tmp_path: Path) -> None:
    base = build_report(copy_report_project(tmp_path))
    assert "grade-sof" not in base  # nothing graded: no section
    (tmp_path / "results" / "grade").mkdir()
    settings = copy.deepcopy(S)
    studies = read_tsv(FIXTURE / "extraction" / "studies.tsv")
    settings["overrides"] = [
        {
            "analysis": "complete_resection_prs",
            "domain": "indirectness",
            "rating": "serious",
            "reason": "children and adults mixed",
        }
    ]
    for name in ("complete_resection_prs", "bilateral_pmos"):
        result = read_pooling_result(FIXTURE / "pooling" / f"{name}.json")
        g = assess(result, analysis=name, settings=settings, risk_of_bias=None, studies=studies)
        (tmp_path / "results" / "grade" / f"{name}.json").write_text(json.dumps(g))
    html = build_report(tmp_path)
    assert 'id="grade-sof"' in html and "Certainty of the evidence (GRADE)" in html
    assert "\u2116 of participants (studies)" in html and "Relative effect (95% CI)" in html
    table = html.split('id="grade-sof"')[1].split("</table>")[0]
    row = table.split('data-analysis="complete_resection_prs"><th')[1].split("</tr>")[0]
    assert 'data-value="very_low"' in row and "\u2a01\u25ef\u25ef\u25ef Very low" in row
    assert "HR 0.25 [0.12, 0.50]" in row
    assert "Indirectness: serious (rated down one level) \u2013 children and adults mixed." in html
    assert "Reviewer&#x27;s judgement; proposed from the data: not assessed" in html
    assert "Risk of bias: not assessed \u2013 no risk-of-bias table." in html
    assert (
        "Inconsistency: very serious (rated down two levels) \u2013 considerable heterogeneity"
        in html
    )
    assert "Publication bias: not assessable \u2013 4 studies; funnel-plot tests need" in html
    # one footnote per distinct reason: both analyses share the risk-of-bias note
    assert html.count("Risk of bias: not assessed \u2013 no risk-of-bias table.") == 1
