"""Bad input, too few studies, k = 0 and k = 1, and the result object's bookkeeping."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from evsynth import __version__
from evsynth.errors import InputError
from evsynth.pooling import (
    TooFewStudiesError,
    effects,
    estimate_tau2,
    pool,
    read_effects_csv,
    select_effects_rows,
)
from evsynth.pooling.bias import begg, egger, trim_and_fill
from evsynth.pooling.sensitivity import cumulative, leave_one_out, subgroups

DATA = Path(__file__).parent / "data" / "pooling"


@pytest.mark.parametrize(
    ("fixture", "pattern"),
    [
        ("zero_se.csv", r"zero_se\.csv:3, record B 2003, field 'se': se is '0'; it must be > 0"),
        ("negative_se.csv", r"negative_se\.csv:4, record C 2005, field 'se': se is '-0.3'"),
        ("missing_se.csv", r"missing_se\.csv:3, record B 2003, field 'se': se is missing"),
        ("nonfinite_yi.csv", r"nonfinite_yi\.csv:3, record B 2003, field 'yi': .* must be finite"),
        ("wrong_columns.csv", r"wrong_columns\.csv:1: missing column\(s\) yi"),
    ],
)
def test_bad_input_names_the_row(fixture, pattern):
    with pytest.raises(InputError, match=pattern):
        read_effects_csv(DATA / fixture)


def test_a_repeated_label_is_kept_apart_not_refused():
    """As metafor does; was an error before issue 16 (see tests/test_pooling_cli_inputs.py)."""
    warnings: list[str] = []
    table = read_effects_csv(DATA / "duplicate_study.csv", warnings=warnings)
    assert table.study == ("A 2001", "B 2003", "A 2001 (2)")
    assert warnings == ["study label 'A 2001' is repeated; kept apart as 'A 2001', 'A 2001 (2)'"]


def test_missing_file_is_an_input_error():
    with pytest.raises(InputError, match="file not found"):
        read_effects_csv(DATA / "no_such_file.csv")


def test_effects_needs_exactly_one_of_se_and_vi():
    with pytest.raises(InputError, match="exactly one of se= or vi="):
        effects([0.1], se=[0.1], vi=[0.01])
    with pytest.raises(InputError, match="vi has 1 values but yi has 2"):
        effects([0.1, 0.2], vi=[0.01])


def test_nan_and_text_values_are_rejected():
    with pytest.raises(InputError, match=r"record S2, field 'vi'.*must be finite"):
        effects([0.1, 0.2], vi=[0.01, math.nan], study=["S1", "S2"])
    with pytest.raises(InputError, match="record S1, field 'yi': yi is 'abc', not a number"):
        effects(["abc"], se=[0.1], study=["S1"])


def test_empty_table_refuses_with_a_clear_message():
    table = read_effects_csv(DATA / "empty.csv")
    assert table.k == 0
    with pytest.raises(TooFewStudiesError, match="no studies to pool"):
        pool(table)


def test_single_study_is_not_pooled_and_keeps_its_estimate():
    table = read_effects_csv(DATA / "single.tsv")
    fit = pool(table, method="REML", test="knha")
    assert fit.status == "single_study" and not fit.pooled
    assert fit.estimate == -0.2 and math.isclose(fit.se, 0.1)
    assert fit.test == "z"  # as metafor: one study, z interval
    assert math.isclose(fit.ci_low, -0.2 - 1.959963984540054 * 0.1)
    assert any("not pooled" in n for n in fit.to_dict()["notes"])


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda t: egger(t), "Egger's test needs at least 3 studies; this analysis has 2"),
        (lambda t: begg(t), "Begg's test needs at least 3 studies"),
        (lambda t: trim_and_fill(t), "trim-and-fill needs at least 3 studies"),
        (lambda t: leave_one_out(t), "leave-one-out needs at least 3 studies"),
        (lambda t: egger(t, min_k=10), "needs at least 10 studies"),
    ],
)
def test_methods_refuse_below_their_minimum_k(call, pattern):
    table = effects([0.1, 0.3], se=[0.1, 0.2], study=["A", "B"], year=[2000, 2001])
    with pytest.raises(TooFewStudiesError, match=pattern):
        call(table)


def test_cumulative_needs_two_studies_or_the_configured_minimum():
    """A cumulative meta-analysis refits from the second study on: one study is refused, and
    the configured minimum k wins when it is higher."""
    one = effects([0.1], se=[0.1], study=["A"], year=[2000])
    with pytest.raises(
        TooFewStudiesError,
        match="cumulative meta-analysis needs at least 2 studies; this analysis has 1",
    ):
        cumulative(one)
    two = effects([0.1, 0.3], se=[0.1, 0.2], study=["A", "B"], year=[2000, 2001])
    assert len(cumulative(two).fits) == 2
    with pytest.raises(TooFewStudiesError, match="needs at least 5 studies; this analysis has 2"):
        cumulative(two, min_k=5)


def test_configurable_minimum_k_for_small_study_tests():
    table = read_effects_csv(DATA / "bcg.csv")
    with pytest.raises(TooFewStudiesError, match="needs at least 20 studies; this analysis has 13"):
        begg(table, min_k=20)
    assert egger(table, min_k=13).k == 13


def test_cumulative_needs_years_and_subgroups_need_groups():
    table = effects(
        [0.1, 0.3, 0.2], se=[0.1, 0.2, 0.3], study=["A", "B", "C"], year=[2000, None, 1]
    )
    with pytest.raises(InputError, match=r"needs a year for every study; missing for study 'B'"):
        cumulative(table)
    with pytest.raises(InputError, match="needs a subgroup for every study"):
        subgroups(table)
    one_group = effects([0.1, 0.3], se=[0.1, 0.2], study=["A", "B"], subgroup=["x", "x"])
    with pytest.raises(TooFewStudiesError, match="at least 2 subgroups; found 1"):
        subgroups(one_group)


def test_unknown_settings_are_refused():
    table = read_effects_csv(DATA / "three.csv")
    with pytest.raises(InputError, match="unknown method 'XX'; valid: FE, DL, REML"):
        pool(table, method="XX")
    with pytest.raises(InputError, match="unknown test 't'"):
        pool(table, test="t")
    with pytest.raises(InputError, match="level 95 must lie strictly between 0 and 1"):
        pool(table, level=95)
    with pytest.raises(InputError, match="unknown prediction interval"):
        pool(table, pi_type="riley")


def test_result_carries_inputs_settings_version_and_checksum():
    table = read_effects_csv(DATA / "three.csv")
    fit = pool(table, method="DL", test="knha", level=0.9)
    data = fit.to_dict()
    assert fit.effects is table
    assert (data["method"], data["test"], data["level"]) == ("DL", "knha", 0.9)
    assert data["version"] == __version__
    assert data["input_checksum"] == table.checksum and table.checksum.startswith("sha256:")
    assert data["studies"] == ["A 2001", "B 2003", "C 2005"]
    assert math.isclose(sum(data["weights"]), 100.0)
    assert math.isclose(data["exp_estimate"], math.exp(data["estimate"]))
    changed = effects([-0.2, 0.1, -0.41], se=[0.1, 0.2, 0.3], study=list(table.study))
    assert changed.checksum != table.checksum


def test_difference_scale_has_no_exp_values():
    table = read_effects_csv(DATA / "three.csv", ratio=False)
    assert "exp_estimate" not in pool(table).to_dict()


def test_fisher_scoring_reports_convergence_and_matches_brent_root():
    table = read_effects_csv(DATA / "bcg.csv")
    y, v = np.array(table.yi), np.array(table.vi)
    tau2, conv = estimate_tau2(y, v, method="REML")
    assert conv.converged and conv.algorithm == "Fisher scoring" and conv.iterations > 1
    # The REML score at the solution is zero (Viechtbauer 2005, eq. 10).
    w = 1 / (v + tau2)
    mu = np.sum(w * y) / np.sum(w)
    score = np.sum(w**2 * (y - mu) ** 2) - (np.sum(w) - np.sum(w**2) / np.sum(w))
    assert abs(score) < 1e-9


def test_effects_tsv_rows_selected_for_an_analysis():
    table = select_effects_rows(DATA / "effects.tsv", "complete_resection_prs")
    # S01's univariable row is not selected; S03 enters another analysis only.
    assert table.study == ("S01", "S02", "S04")
    assert table.rows == (2, 4, 6)
    assert math.isclose(table.vi[0], 0.26**2)


def test_huge_k_is_fast_enough_to_run():
    rng = np.random.default_rng(1)
    k = 2000
    yi = rng.normal(-0.3, 0.3, size=k)
    se = rng.uniform(0.05, 0.5, size=k)
    fit = pool(effects(list(yi), se=list(se), study=[f"S{i}" for i in range(k)]))
    assert fit.k == k and fit.tau2 > 0


def test_scoring_fallback_finds_the_same_root(monkeypatch):
    from evsynth.pooling import models

    table = read_effects_csv(DATA / "bcg.csv")
    y, v = np.array(table.yi), np.array(table.vi)
    want, _ = estimate_tau2(y, v, method="REML")
    monkeypatch.setattr(models, "MAXITER", 1)
    got, conv = estimate_tau2(y, v, method="REML")
    assert conv.converged and "Brent root of the score" in conv.algorithm
    assert math.isclose(got, want, rel_tol=1e-9)
    ml, conv = estimate_tau2(y, v, method="ML")
    assert "Brent" in conv.algorithm and ml > 0
