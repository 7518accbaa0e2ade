"""Funnel plots read back from their SVG: points, inverted SE axis, limits, trim-and-fill, Egger."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from evsynth.figures.funnel import egger_text, plot_funnel
from evsynth.figures.inputs import read_analysis_effects, read_pooling
from evsynth.figures.render import figure_style, save_figure
from tests.support.svgread import SvgFigure, load_svg

DATA = Path(__file__).parent / "data" / "figures"


def draw(tmp_path: Path, pooling: str, effects: str, **options) -> SvgFigure:
    result = read_pooling(DATA / f"{pooling}.json")
    rows = read_analysis_effects(DATA / f"{effects}.tsv")
    svg = tmp_path / f"{pooling}.funnel.svg"
    with figure_style():
        save_figure(plot_funnel(result, rows, **options), svg=svg)
    return load_svg(svg)


def test_points_hollow_imputed_points_and_pseudo_limits(tmp_path):
    fig = draw(tmp_path, "pooling_complete_resection_prs", "complete_resection_prs")
    assert len(fig.matching(r"funnel-study-\d+")) == 8
    data = json.loads((DATA / "pooling_complete_resection_prs.json").read_text())
    filled = fig.matching(r"funnel-filled-\d+")
    assert len(filled) == data["trim_and_fill"]["k0"] == 2
    styles = [el.get("style") or "" for el in fig.ids[filled[0]].iter()]
    assert any("fill: #ffffff" in s and "stroke: #b03a2e" in s for s in styles)
    study_styles = [el.get("style") or "" for el in fig.ids["funnel-study-1"].iter()]
    assert not any("fill: #ffffff" in s for s in study_styles)
    assert fig.has("funnel-pseudo-ci-left") and fig.has("funnel-pseudo-ci-right")
    assert fig.has("funnel-trim-and-fill-estimate")
    assert not fig.matching(r"funnel-contour-.*")


def test_standard_error_axis_is_inverted_and_effect_axis_is_log(tmp_path):
    fig = draw(tmp_path, "pooling_complete_resection_prs", "complete_resection_prs")
    y_ticks = fig.tick_labels("funnel-axis", axis="y")
    values = [float(label) for label, _ in y_ticks]
    positions = [y for _, y in y_ticks]
    assert values[0] == 0.0
    # SVG y grows downwards: SE 0 must be at the top, so positions grow with the SE.
    assert positions == sorted(positions)
    x_ticks = [(float(label), x) for label, x in fig.tick_labels("funnel-axis")]
    (v1, x1), (v2, x2) = x_ticks[0], x_ticks[-1]
    for v, x in x_ticks:
        assert x == pytest.approx(x1 + (x2 - x1) * math.log(v / v1) / math.log(v2 / v1), abs=0.05)


def test_contour_enhanced_option_shades_three_regions(tmp_path):
    fig = draw(tmp_path, "pooling_complete_resection_prs", "complete_resection_prs", contours=True)
    assert fig.matching(r"funnel-contour-.*") == [
        "funnel-contour-0.01",
        "funnel-contour-0.05",
        "funnel-contour-0.10",
    ]
    assert fig.has("funnel-null-line")


def test_egger_result_is_printed_under_the_title(tmp_path):
    data = json.loads((DATA / "pooling_complete_resection_prs.json").read_text())
    fig = draw(
        tmp_path,
        "pooling_complete_resection_prs",
        "complete_resection_prs",
        title="Complete resection",
    )
    text = fig.text("funnel-egger")
    assert text.startswith("Egger's test: intercept = ")
    assert f"p = {data['egger']['p']:.3f}" in text
    assert "k = 8 < 10, low power" in text
    assert "Trim-and-fill: 2 studies imputed (right side)" in fig.text("funnel-trim-and-fill")


def test_funnel_needs_three_studies(tmp_path):
    fig = draw(tmp_path, "pooling_single_study", "single_study")
    assert "needs at least 3" in fig.text("funnel-message")
    assert not fig.matching(r"funnel-study-\d+")


def test_missing_egger_is_explained():
    result = read_pooling(DATA / "pooling_single_study.json")
    assert egger_text(result).startswith("Egger's test: not computed (k = 1")
