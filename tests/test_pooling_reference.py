"""Agreement with R's metafor 3.8.1 on public datasets and edge cases.

The reference numbers are in tests/reference/metafor_reference.json, written by
tests/reference/make_reference.R (see docs/pooling.md); R is never needed to run these tests.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from evsynth.pooling import effects, pool
from evsynth.pooling.bias import begg, egger, kendall_exact_cdf, trim_and_fill
from evsynth.pooling.sensitivity import cumulative, leave_one_out, subgroups

REFERENCE = json.loads(
    (Path(__file__).parent / "reference" / "metafor_reference.json").read_text(encoding="utf-8")
)
DATASETS = REFERENCE["datasets"]

# The one tolerance table: relative, with an absolute floor for values near zero.
TOLERANCE = {"rel": 1e-6, "abs": 1e-8}

FIT_FIELDS = (
    "k estimate se ci_low ci_high stat p tau2 tau2_ci_low tau2_ci_high i2 i2_ci_low i2_ci_high "
    "h2 h2_ci_low h2_ci_high q q_df q_p pi_low pi_high"
).split()


def close(got, want) -> bool:
    if want is None:
        return got is None
    if got is None:
        return False
    return math.isclose(got, want, rel_tol=TOLERANCE["rel"], abs_tol=TOLERANCE["abs"])


def assert_fields(got: dict, want: dict, fields, context: str) -> None:
    wrong = [
        f"{name}: evsynth {got.get(name)!r} vs metafor {want.get(name)!r}"
        for name in fields
        if name in want and not close(got.get(name), want.get(name))
    ]
    assert not wrong, f"{context}: " + "; ".join(wrong)


def table(name: str):
    d = DATASETS[name]
    return effects(
        d["yi"], vi=d["vi"], study=d["study"], year=d.get("year"), subgroup=d.get("subgroup")
    )


def _id(case: dict) -> str:
    parts = [case["dataset"], case.get("method", ""), case.get("test", "")]
    if case.get("level", 0.95) != 0.95:
        parts.append(str(case["level"]))
    return "-".join(p for p in parts if p)


def test_reference_covers_every_method_test_and_edge_case():
    covered = {(f["method"], f["test"]) for f in REFERENCE["fits"]}
    methods = ("FE", "DL", "REML", "PM", "ML", "SJ", "HE", "EB", "HS")
    assert covered == {(m, t) for m in methods for t in ("z", "knha")}
    assert {"k2", "boundary0", "unequal", "huge"} <= set(DATASETS)
    assert REFERENCE["metafor_version"] == "3.8.1"


@pytest.mark.parametrize("case", REFERENCE["fits"], ids=_id)
def test_fit_matches_metafor(case):
    fit = pool(
        table(case["dataset"]), method=case["method"], test=case["test"], level=case["level"]
    )
    got = fit.to_dict()
    assert_fields(got, case, FIT_FIELDS, _id(case))
    assert len(got["weights"]) == len(case["weights"])
    for i, (g, w) in enumerate(zip(got["weights"], case["weights"], strict=True)):
        assert close(g, w), f"{_id(case)} weight {i}: {g} vs {w}"
    assert fit.convergence.converged


@pytest.mark.parametrize("case", [f for f in REFERENCE["fits"] if "pi_k2_low" in f], ids=_id)
def test_higgins_k2_prediction_interval_matches_metafor_riley(case):
    fit = pool(
        table(case["dataset"]),
        method=case["method"],
        test=case["test"],
        level=case["level"],
        pi_type="k-2",
    )
    assert close(fit.pi_low, case["pi_k2_low"]) and close(fit.pi_high, case["pi_k2_high"])


def test_boundary_case_puts_every_estimator_at_zero():
    # SJ is positive by construction (tau0 * Q(tau0)/(k-1)), so it is not on the boundary.
    assert pool(table("boundary0"), method="SJ").tau2 > 0
    for method in ("DL", "REML", "PM", "ML", "HE", "EB", "HS"):
        fit = pool(table("boundary0"), method=method)
        assert fit.tau2 is not None and fit.tau2 < 1e-8, method
        assert fit.tau2_ci_low == 0.0


@pytest.mark.parametrize("case", REFERENCE["egger"], ids=_id)
def test_egger_matches_regtest_lm(case):
    got = egger(table(case["dataset"])).to_dict()
    fields = "intercept se t df p limit_estimate limit_ci_low limit_ci_high".split()
    assert_fields(got, case, fields, _id(case))


@pytest.mark.parametrize("case", REFERENCE["begg"], ids=_id)
def test_begg_matches_ranktest(case):
    got = begg(table(case["dataset"])).to_dict()
    assert_fields(got, case, ("tau", "p"), _id(case))


def test_kendall_exact_distribution_sums_to_one_and_is_symmetric():
    n = 7
    total = n * (n - 1) // 2
    assert kendall_exact_cdf(total, n) == 1.0
    for q in range(total):
        assert math.isclose(
            kendall_exact_cdf(q, n), 1 - kendall_exact_cdf(total - q - 1, n), abs_tol=1e-12
        )


@pytest.mark.parametrize("case", REFERENCE["trim_and_fill"], ids=_id)
def test_trim_and_fill_matches_metafor(case):
    result = trim_and_fill(table(case["dataset"]), method=case["method"])
    got = result.to_dict()
    assert (got["k0"], got["side"]) == (case["k0"], case["side"])
    assert_fields(got, case, ("estimate", "se", "ci_low", "ci_high", "tau2", "k"), _id(case))


def _per_study(got_rows, case, fields, context):
    for name in fields:
        want = case.get(name)
        if want is None:  # metafor reports no tau2 for fixed-effect refits
            continue
        for i, row in enumerate(got_rows):
            assert close(row[name], want[i]), f"{context} {name}[{i}]: {row[name]} vs {want[i]}"


@pytest.mark.parametrize("case", REFERENCE["leave_one_out"], ids=_id)
def test_leave_one_out_matches_leave1out(case):
    rows = leave_one_out(table(case["dataset"]), method=case["method"], test=case["test"]).to_list()
    fields = ("estimate", "se", "ci_low", "ci_high", "tau2", "i2", "q", "q_p")
    _per_study(rows, case, fields, _id(case))


@pytest.mark.parametrize("case", REFERENCE["cumulative"], ids=_id)
def test_cumulative_matches_cumul_by_year(case):
    rows = cumulative(table(case["dataset"]), method=case["method"], test=case["test"]).to_list()
    assert [r["study"] for r in rows] == case["study"]
    _per_study(rows, case, ("estimate", "se", "ci_low", "ci_high", "tau2", "i2"), _id(case))


@pytest.mark.parametrize("case", REFERENCE["subgroups"], ids=_id)
def test_subgroups_and_q_between_match(case):
    got = subgroups(table(case["dataset"]), method=case["method"]).to_dict()
    assert set(got["groups"]) == set(case["groups"])
    for name, want in case["groups"].items():
        fields = ("k", "estimate", "se", "ci_low", "ci_high", "tau2")
        assert_fields(got["groups"][name], want, fields, f"{_id(case)} {name}")
    assert_fields(got, case, ("q_between", "df", "p"), _id(case))
