"""Forest (and funnel) plots of analyses of counts and means: the measure and its scale are shown.

Pipeline: extraction of tests/data/extraction/measures (metadat's dat.bcg and dat.normand1999),
pool-analysis, then `evsynth plot`; the SVG is read back.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml

from evsynth.cli import main
from tests.support.argv import extract_args
from tests.support.svgread import load_svg

ROOT = Path(__file__).parent
DATA = ROOT / "data" / "extraction" / "measures"
CONFIG = yaml.safe_load((DATA / "config.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pooled(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("measures")
    assert main(extract_args(DATA, "--out", str(out / "extraction"))) == 0
    for entry in CONFIG["analyses"]:
        if entry["id"] in ("bcg_hr", "los_or"):
            continue
        settings = json.dumps({"analysis": entry, "pooling": {}})
        table = out / "extraction" / "analyses" / f"{entry['id']}.tsv"
        argv = ["pool-analysis", str(table), "--settings", settings, "--analysis", entry["id"]]
        assert main([*argv, "--out", str(out / f"{entry['id']}.json")]) == 0
    return out


def plot(pooled: Path, analysis: str, kind: str = "forest", *extra: str):
    svg = pooled / f"{analysis}.{kind}.svg"
    argv = ["plot", kind, "--pooling", str(pooled / f"{analysis}.json"), "--svg", str(svg)]
    if kind in ("forest", "funnel"):
        argv += ["--effects", str(pooled / "extraction" / "analyses" / f"{analysis}.tsv")]
    assert main([*argv, *extra]) == 0
    return load_svg(svg)


def ticks(fig, axis: str) -> list[tuple[float, float]]:
    return [(float(label.replace("\u2212", "-")), x) for label, x in fig.tick_labels(axis)]


@pytest.mark.parametrize(
    "analysis, header, column",
    [
        ("los_md", "Mean difference (linear scale)", "MD [95% CI]"),
        ("los_smd", "Standardised mean difference (linear scale)", "SMD [95% CI]"),
        ("bcg_rd", "Risk difference (linear scale)", "RD [95% CI]"),
    ],
)
def test_differences_are_drawn_on_a_linear_axis_around_zero(pooled, analysis, header, column):
    fig = plot(pooled, analysis)
    text = fig.all_text()
    assert header in text and column in text
    values = ticks(fig, "forest-axis")
    assert 0.0 in [v for v, _ in values] and len(values) >= 3
    (v1, x1), (v2, x2) = values[0], values[-1]
    for v, x in values:  # evenly spaced values at evenly spaced positions: a linear axis
        assert x == pytest.approx(x1 + (v - v1) * (x2 - x1) / (v2 - v1), abs=0.05)
    # The pooled estimate is printed as a difference, not exponentiated.
    result = json.loads((pooled / f"{analysis}.json").read_text(encoding="utf-8"))
    chosen = result[result["chosen"]]
    assert any(t.startswith(f"{chosen['estimate']:.2f} [") for t in text)
    assert "exp_estimate" not in chosen


@pytest.mark.parametrize(
    "analysis, header, column",
    [
        ("bcg_or", "Odds ratio (log scale)", "OR [95% CI]"),
        ("bcg_rr", "Risk ratio (log scale)", "RR [95% CI]"),
        ("los_rom", "Ratio of means (log scale)", "ROM [95% CI]"),
    ],
)
def test_ratios_are_drawn_on_a_log_axis_around_one(pooled, analysis, header, column):
    fig = plot(pooled, analysis)
    text = fig.all_text()
    assert header in text and column in text
    values = ticks(fig, "forest-axis")
    assert 1.0 in [v for v, _ in values]
    (v1, x1), (v2, x2) = values[0], values[-1]
    for v, x in values:
        scale = (x2 - x1) / (math.log(v2) - math.log(v1))
        assert x == pytest.approx(x1 + (math.log(v) - math.log(v1)) * scale, abs=0.05)
    result = json.loads((pooled / f"{analysis}.json").read_text(encoding="utf-8"))
    chosen = result[result["chosen"]]
    assert any(t.startswith(f"{chosen['exp_estimate']:.2f} [") for t in text)


def test_funnel_and_sensitivity_plots_follow_the_measure(pooled):
    funnel = plot(pooled, "los_md", "funnel")
    assert "Mean difference (linear scale)" in funnel.all_text()
    assert "Standard error of MD" in funnel.all_text()
    loo = plot(pooled, "los_md", "leave-one-out")
    assert "MD without the study (linear scale)" in loo.all_text()
    # --measure still overrides the JSON.
    forest = plot(pooled, "bcg_or", "forest", "--measure", "or")
    assert "Odds ratio (log scale)" in forest.all_text()
