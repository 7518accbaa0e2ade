"""km-reconstruct on simulated trials: the rebuilt Cox log HR and events against the true data.

Each scenario simulates individual data (exponential or Weibull event times, a true HR, a
censoring pattern), computes the true Kaplan-Meier curves, "digitises" them as a reader would
(the corners of every step, with reading noise on both axes, in click order shuffled, sometimes
in percent), rebuilds the data with the Guyot algorithm and compares the Cox log HR with the Cox
log HR of the true data (same fitter), and the events with the true events.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from evsynth.cli import main
from evsynth.errors import InputError
from evsynth.km.cli import run
from evsynth.km.cox import cox_hr
from evsynth.km.digitised import read_at_risk, read_curve
from evsynth.km.plot import km_step

TMAX = 60.0
RISK_STEP = 6.0


def _simulate(rng, n_ref, n_exp, hr, censoring, shape):
    group = np.r_[np.zeros(n_ref), np.ones(n_exp)].astype(int)
    n = len(group)
    rate = 0.04 * np.where(group == 1, hr, 1.0)
    # Weibull with hazard ratio hr: S(t) = exp(-rate t^shape).
    times = (rng.exponential(1.0, n) / rate) ** (1.0 / shape)
    times = np.round(times, 2) + 0.01
    if censoring == "administrative":
        cens = rng.uniform(24, TMAX, n)  # staggered entry, analysis at a fixed date
    elif censoring == "heavy":
        cens = np.minimum(rng.exponential(25, n), rng.uniform(12, TMAX, n))
    elif censoring == "early":
        cens = np.where(rng.random(n) < 0.3, rng.uniform(0, 12, n), TMAX)
    else:
        cens = np.full(n, TMAX)
    time = np.minimum(times, cens)
    event = (times <= cens).astype(int)
    return time, event, group


def _digitise(path: Path, time, event, rng, s_sd, t_sd, percent, grid=0):
    """Points a reader would take: the top and foot of every step, or (``grid``) that many
    points evenly spaced in time along the curve."""
    kt, ks = km_step(time, event)
    pts_t, pts_s = [0.0], [1.0]
    if grid:
        pts_t = list(np.linspace(0, float(time.max()), grid))
        pts_s = list(ks[np.searchsorted(kt, pts_t, side="right") - 1])
    for j in range(1, len(kt) if not grid else 1):
        pts_t += [kt[j], kt[j]]
        pts_s += [ks[j - 1], ks[j]]
    pts_t.append(float(time.max()))
    pts_s.append(float(ks[-1]))
    t = np.array(pts_t) + rng.normal(0, t_sd * TMAX, len(pts_t))
    s = np.array(pts_s) + rng.normal(0, s_sd, len(pts_s))
    if percent:
        s = s * 100
    order = rng.permutation(len(t))
    lines = ["time,survival"] + [
        f"{a:.4f},{b:.4f}" for a, b in zip(t[order], s[order], strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")


SCENARIOS = [
    # (n_ref, n_exp, hr, censoring, shape, reading sd of survival, give total events[, grid])
    (60, 60, 0.6, "administrative", 1.0, 0.002, True),
    (80, 120, 1.0, "heavy", 1.0, 0.003, False),
    (150, 150, 0.5, "none", 1.3, 0.003, False),
    (150, 100, 1.8, "early", 0.8, 0.003, True),
    (300, 300, 0.75, "heavy", 1.0, 0.004, True),
    (400, 200, 1.4, "administrative", 1.5, 0.003, False),
    (120, 120, 2.5, "administrative", 1.0, 0.002, False),
    (250, 250, 1.0, "early", 1.0, 0.003, True),
    (200, 200, 0.6, "heavy", 1.0, 0.003, False, 250),  # 250 points evenly along each curve
    (100, 150, 1.5, "administrative", 1.2, 0.004, True, 150),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[f"s{i}" for i in range(len(SCENARIOS))])
def test_reconstructed_hr_and_events_match_the_true_data(tmp_path: Path, scenario) -> None:
    n_ref, n_exp, hr, censoring, shape, s_sd, give_total, *grid = scenario
    rng = np.random.default_rng(20121 + SCENARIOS.index(scenario))
    time, event, group = _simulate(rng, n_ref, n_exp, hr, censoring, shape)
    truth = cox_hr(time, event, group)
    curves = {}
    totals = {}
    for arm, g in (("control", 0), ("treated", 1)):
        path = tmp_path / f"{arm}.csv"
        _digitise(path, time[group == g], event[group == g], rng, s_sd, 0.002, g == 1, *grid)
        curves[arm] = str(path)
        if give_total:
            totals[arm] = int(event[group == g].sum())
    risk_times = np.arange(0, TMAX, RISK_STEP)
    lines = ["time,control,treated"]
    for rt in risk_times:
        lines.append(
            f"{rt:g},{int(np.sum(time[group == 0] >= rt))},{int(np.sum(time[group == 1] >= rt))}"
        )
    (tmp_path / "risk.csv").write_text("\n".join(lines) + "\n")
    result = run(
        curves, str(tmp_path / "risk.csv"), "control", tmp_path / "out", total_events=totals
    )
    assert abs(result["log_hr"] - truth["log_hr"]) < 0.05, (result["log_hr"], truth["log_hr"])
    log = json.loads((tmp_path / "out" / "log.json").read_text())
    for arm, g in (("control", 0), ("treated", 1)):
        true_events = int(event[group == g].sum())
        rebuilt = log["arms"][arm]["events"]
        assert abs(rebuilt - true_events) <= 0.1 * true_events, (arm, rebuilt, true_events)
        assert log["arms"][arm]["n"] == int(np.sum(group == g))  # nobody lost or invented
    assert log["arms"]["treated"]["scale"] == "percent"
    ipd = (tmp_path / "out" / "ipd.tsv").read_text().splitlines()
    assert ipd[0] == "arm\ttime\tevent" and len(ipd) == 1 + len(time)


def test_the_check_can_fail_on_a_misread_curve(tmp_path: Path) -> None:
    # The comparison must be able to fail: a survival axis misread by 10 points in one arm
    # (a reader's real mistake) moves the rebuilt HR and events outside the tolerances.
    rng = np.random.default_rng(5)
    time, event, group = _simulate(rng, 150, 150, 0.5, "heavy", 1.0)
    truth = cox_hr(time, event, group)
    curves = {}
    for arm, g in (("control", 0), ("treated", 1)):
        _digitise(
            tmp_path / f"{arm}.csv", time[group == g], event[group == g], rng, 0.003, 0.002, False
        )
        curves[arm] = str(tmp_path / f"{arm}.csv")
    path = tmp_path / "treated.csv"
    rows = [line.split(",") for line in path.read_text().splitlines()[1:]]
    path.write_text(
        "time,survival\n"
        + "".join(f"{t},{max(float(v) - 0.1, 0) if float(t) > 1 else v}\n" for t, v in rows)
    )
    lines = ["time,control,treated"]
    for rt in np.arange(0, TMAX, RISK_STEP):
        lines.append(
            f"{rt:g},{int(np.sum(time[group == 0] >= rt))},{int(np.sum(time[group == 1] >= rt))}"
        )
    (tmp_path / "risk.csv").write_text("\n".join(lines) + "\n")
    result = run(curves, str(tmp_path / "risk.csv"), "control", tmp_path / "out")
    assert abs(result["log_hr"] - truth["log_hr"]) > 0.05


def test_cox_matches_r_coxph() -> None:
    # Reference: R 4.2.2, survival 3.5.3, coef(summary(coxph(Surv(t, e) ~ x))) (Efron ties).
    t = np.array([1, 2, 2, 3, 4, 5, 6, 6, 7, 8, 9, 10], dtype=float)
    e = np.array([1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0])
    x = np.array([1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0])
    fit = cox_hr(t, e, x)
    assert fit["log_hr"] == pytest.approx(1.575820716, abs=1e-7)
    assert fit["se"] == pytest.approx(0.8836572605, abs=1e-7)


def test_cleaning_is_logged(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("time,survival\n5,80\n-0.1,100.4\n2,95\n3,96\n10,60\n")
    curve = read_curve(path, "a")
    actions = [entry["action"] for entry in curve.log]
    assert curve.scale == "percent"
    assert {"rescaled", "clamped", "clipped", "sorted", "smoothed"} <= set(actions)
    assert list(curve.time) == sorted(curve.time)
    assert np.all(np.diff(curve.survival) <= 0) and curve.survival[0] == 1.0
    smoothed = [e for e in curve.log if e["action"] == "smoothed"]
    assert {e["line"] for e in smoothed} == {4, 5}  # 0.95 then 0.96: pooled to 0.955


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("time,survival\n0,1\n2,abc\n", 3, "not a number"),
        ("when,what\n0,1\n", 1, "expected columns time,survival"),
        ("time,survival\n0,1\n3\n", 3, "expected two cells"),
        ("time,survival\n0,1\n3,1.4\n", 3, "outside the fraction scale"),
    ],
)
def test_bad_curve_names_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "c.csv"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        read_curve(path, "a")
    assert f"c.csv:{line}" in str(info.value) and message in str(info.value)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("time,a\n6,10\n", 2, "must start at time 0"),
        ("time,a\n0,10\n6,12\n", 3, "rises"),
        ("time,a\n0,10\n0,9\n", 3, "times must rise"),
        ("time,b\n0,10\n", 1, "no column for arm(s) a"),
        ("time,a\n0,10.5\n", 2, "whole number"),
        ("time,a\n0,0\n", 2, "nobody at risk at time 0 (a); each arm needs >= 1"),
    ],
)
def test_bad_at_risk_names_file_and_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "r.csv"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        read_at_risk(path, ["a"])
    assert f"r.csv:{line}" in str(info.value) and message in str(info.value)


def test_command_writes_stable_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(3)
    time, event, group = _simulate(rng, 50, 50, 0.7, "administrative", 1.0)
    args = ["km-reconstruct", "--reference", "b", "--at-risk", str(tmp_path / "r.csv")]
    for arm, g in (("a", 1), ("b", 0)):
        _digitise(
            tmp_path / f"{arm}.csv", time[group == g], event[group == g], rng, 0.003, 0.002, False
        )
        args += ["--curve", f"{arm}={tmp_path / f'{arm}.csv'}"]
    (tmp_path / "r.csv").write_text(
        "time,a,b\n"
        + "".join(
            f"{rt:g},{int(np.sum(time[group == 1] >= rt))},{int(np.sum(time[group == 0] >= rt))}\n"
            for rt in (0, 12, 24, 36)
        )
    )
    for out in ("o1", "o2"):
        assert main([*args, "--out", str(tmp_path / out)]) == 0
    assert "a vs b: HR" in capsys.readouterr().out
    for name in ("ipd.tsv", "hr.json", "log.json", "km.svg", "km.png"):
        assert (tmp_path / "o1" / name).read_bytes() == (tmp_path / "o2" / name).read_bytes()
    hr = json.loads((tmp_path / "o1" / "hr.json").read_text())
    assert {"hr", "ci_low", "ci_high", "log_hr", "se", "method"} <= set(hr)
    assert hr["ci_low"] < hr["hr"] < hr["ci_high"] and hr["arm"] == "a"
    svg = (tmp_path / "o1" / "km.svg").read_text()
    assert "digitised points" in svg and "rebuilt" in svg
    assert main([*args, "--out", str(tmp_path / "o3"), "--total-events", "c=3"]) == 1


def test_headerless_and_semicolon_exports_are_read(tmp_path: Path) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_text("0,1\n2,0.9\n5,0.7\n")
    semi = tmp_path / "semi.csv"
    semi.write_text("time;survival\n0;100\n2;90,0\n5;70,0\n")
    named = tmp_path / "named.csv"
    named.write_text("point,Survival,Time\n1,1,0\n2,0.9,2\n3,0.7,5\n")
    assert list(read_curve(named, "c").time) == [0, 2, 5]
    a, b = read_curve(plain, "a"), read_curve(semi, "b")
    assert list(a.survival) == pytest.approx([1, 0.9, 0.7])
    assert list(b.survival) == pytest.approx([1, 0.9, 0.7]) and b.scale == "percent"


def test_three_arms_and_at_risk_beyond_the_curve(tmp_path: Path) -> None:
    rng = np.random.default_rng(9)
    curves = {}
    lines = ["time,a,b,c"]
    data = {}
    for arm, hr in (("a", 1.0), ("b", 0.6), ("c", 1.6)):
        t = rng.exponential(1 / (0.05 * hr), 100).round(2) + 0.01
        c = rng.uniform(10, 40, 100)
        time, event = np.minimum(t, c), (t <= c).astype(int)
        data[arm] = (time, event)
        _digitise(tmp_path / f"{arm}.csv", time, event, rng, 0.002, 0.001, False)
        curves[arm] = str(tmp_path / f"{arm}.csv")
    for rt in (0, 10, 20, 30, 50):  # 50 is after every curve's last point
        lines.append(f"{rt}," + ",".join(str(int(np.sum(data[a][0] >= rt))) for a in "abc"))
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n")
    result = run(curves, str(tmp_path / "r.csv"), "a", tmp_path / "out")
    assert [c["arm"] for c in result["comparisons"]] == ["b", "c"] and "hr" not in result
    hrs = {c["arm"]: c["hr"] for c in result["comparisons"]}
    assert hrs["b"] < 1 < hrs["c"]
    log = json.loads((tmp_path / "out" / "log.json").read_text())
    ignored = [e for e in log["arms"]["a"]["reconstruction"] if e["action"] == "ignored_at_risk"]
    assert ignored and ignored[0]["time"] == 50


@pytest.mark.parametrize(
    ("totals", "reference", "message"),
    [({"a": 1000}, "b", "between 0 and"), ({}, "z", "--reference 'z'"), ({"q": 3}, "b", "unknown")],
)
def test_bad_options(tmp_path: Path, totals, reference, message) -> None:
    for arm in "ab":
        (tmp_path / f"{arm}.csv").write_text("time,survival\n0,1\n5,0.8\n10,0.6\n")
    (tmp_path / "r.csv").write_text("time,a,b\n0,20,20\n5,15,15\n")
    curves = {a: str(tmp_path / f"{a}.csv") for a in "ab"}
    with pytest.raises(InputError, match=message):
        run(curves, str(tmp_path / "r.csv"), reference, tmp_path / "o", total_events=totals)
