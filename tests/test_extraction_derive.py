"""Log HR and SE derivations against hand-worked values (Parmar et al. 1998; Tierney et al. "
"2007)."""

from __future__ import annotations

import math

import pytest

from evsynth.extraction.derive import (
    ci_asymmetry,
    from_ci,
    from_hr_p,
    from_oe_v,
    from_p_events,
    p_from_estimate,
    parse_p,
    z_for_level,
)

# Hand-worked values, 6 decimals; one named tolerance for all.
TOL = 1e-6


def test_z_for_level() -> None:
    assert z_for_level(95) == pytest.approx(1.959964, abs=TOL)
    assert z_for_level(90) == pytest.approx(1.644854, abs=TOL)
    assert z_for_level(99) == pytest.approx(2.575829, abs=TOL)


def test_from_ci_95() -> None:
    # ln 2 = 0.693147; SE = ln(4/1) / (2 x 1.959964) = 1.386294 / 3.919928 = 0.353653
    d = from_ci(2.0, 1.0, 4.0, 95)
    assert d.method == "hr_ci"
    assert d.log_hr == pytest.approx(0.693147, abs=TOL)
    assert d.se == pytest.approx(0.353653, abs=TOL)


def test_from_ci_90() -> None:
    # SE = ln(1.0/0.25) / (2 x 1.644854) = 1.386294 / 3.289707 = 0.421404
    d = from_ci(0.5, 0.25, 1.0, 90)
    assert d.se == pytest.approx(0.421404, abs=TOL)


def test_from_oe_v() -> None:
    # Parmar 1998: log HR = (O-E)/V = -5/20 = -0.25; SE = 1/sqrt(20) = 0.223607
    d = from_oe_v(-5.0, 20.0)
    assert (d.log_hr, d.method) == (-0.25, "oe_v")
    assert d.se == pytest.approx(0.223607, abs=TOL)


def test_from_hr_p() -> None:
    # SE = |ln 0.5| / z(0.025) = 0.693147 / 1.959964 = 0.353653
    d = from_hr_p(0.5, 0.05)
    assert d.log_hr == pytest.approx(-0.693147, abs=TOL)
    assert d.se == pytest.approx(0.353653, abs=TOL)


def test_from_hr_p_refuses_uninformative() -> None:
    with pytest.raises(ValueError, match="no information"):
        from_hr_p(1.0, 0.5)
    with pytest.raises(ValueError, match="no information"):
        from_hr_p(0.8, 1.0)


def test_from_p_events_equal_groups() -> None:
    # Tierney 2007: V = 100 x 50 x 50 / 100^2 = 25; log HR = -1.959964 / 5 = -0.391993; SE = 0.2
    d = from_p_events(0.05, 100, 50, 50, exposure_better=True)
    assert d.method == "p_events"
    assert d.log_hr == pytest.approx(-0.391993, abs=TOL)
    assert d.se == pytest.approx(0.2, abs=TOL)


def test_from_p_events_unequal_groups_and_sign() -> None:
    # V = 60 x 30 x 90 / 120^2 = 11.25; log HR = +2.575829 / 3.354102 = 0.767963; SE = 0.298142
    d = from_p_events(0.01, 60, 30, 90, exposure_better=False)
    assert d.log_hr == pytest.approx(0.767963, abs=TOL)
    assert d.se == pytest.approx(0.298142, abs=TOL)


def test_methods_agree_on_one_estimate() -> None:
    """Tierney 2007's identities: V = 1/SE^2 and O-E = ln HR x V recover the CI-derived estimate;
    the p-value implied by it gives back the same SE."""
    by_ci = from_ci(0.291, 0.096, 0.883, 95)
    variance = 1 / by_ci.se**2
    by_oe = from_oe_v(by_ci.log_hr * variance, variance)
    assert by_oe.log_hr == pytest.approx(by_ci.log_hr, abs=1e-12)
    assert by_oe.se == pytest.approx(by_ci.se, abs=1e-12)
    p = p_from_estimate(by_ci.log_hr, by_ci.se)
    assert from_hr_p(0.291, p).se == pytest.approx(by_ci.se, abs=1e-9)


def test_choi_2014_inversion() -> None:
    """Choi 2014: unilateral vs bilateral 0.291 (0.096-0.883) is bilateral vs unilateral
    3.436 (1.133-10.417): log HR changes sign, the SE does not."""
    d = from_ci(0.291, 0.096, 0.883, 95)
    inverted = math.exp(-d.log_hr)
    assert round(inverted, 3) == 3.436
    assert (round(1 / 0.883, 2), round(1 / 0.096, 3)) == (1.13, 10.417)
    assert from_ci(1 / 0.291, 1 / 0.883, 1 / 0.096, 95).se == pytest.approx(d.se, abs=1e-12)


@pytest.mark.parametrize(
    ("text", "value", "relation", "exact"),
    [
        ("0.029", 0.029, "=", True),
        ("<0.001", 0.001, "<", False),
        ("<=0.0005", 0.0005, "<=", False),
        ("≤0.0005", 0.0005, "<=", False),
        ("< .0001", 0.0001, "<", False),
        ("=0.62", 0.62, "=", True),
    ],
)
def test_parse_p(text: str, value: float, relation: str, exact: bool) -> None:
    p = parse_p(text)
    assert (p.value, p.relation, p.exact) == (value, relation, exact)


def test_parse_p_rejects() -> None:
    with pytest.raises(ValueError, match="outside"):
        parse_p("1.5")


def test_ci_asymmetry() -> None:
    # ln 0.5 - ln 0.3 = 0.510826; ln 2.5 - ln 0.5 = 1.609438; / 1.959964
    se_low, se_high, rel, explained = ci_asymmetry(
        0.5, 0.3, 2.5, 95, printed=("0.50", "0.30", "2.50")
    )
    assert se_low == pytest.approx(0.260631, abs=TOL)
    assert se_high == pytest.approx(0.821157, abs=TOL)
    assert rel > 2 and not explained


def test_ci_asymmetry_explained_by_rounding() -> None:
    # 1.1 (1.0-1.3) is lopsided, but 1.14 (0.96-1.34) rounds to it and is nearly symmetric.
    _, _, rel, explained = ci_asymmetry(1.1, 1.0, 1.3, 95, printed=("1.1", "1.0", "1.3"))
    assert rel > 0.5 and explained
