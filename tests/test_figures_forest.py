"""Forest plots read back from their SVG: rows, weights, diamonds, axis, subgroups, edge cases."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from evsynth.errors import InputError
from evsynth.figures.forest import plot_forest
from evsynth.figures.inputs import read_analysis_effects, read_pooling
from evsynth.figures.render import figure_style, save_figure
from evsynth.figures.style import ROW_HEIGHT_IN
from tests.support.svgread import SvgFigure, load_svg

DATA = Path(__file__).parent / "data" / "figures"
FAVOURS = ("Favours complete resection", "Favours incomplete resection")


def draw(tmp_path: Path, pooling: str, effects: str, **options) -> SvgFigure:
    result = read_pooling(DATA / f"{pooling}.json")
    rows = read_analysis_effects(DATA / f"{effects}.tsv")
    svg = tmp_path / f"{pooling}.forest.svg"
    with figure_style():
        save_figure(plot_forest(result, rows, favours=FAVOURS, **options), svg=svg)
    return load_svg(svg)


def axis_position(fig: SvgFigure, axis: str):
    """Map a ratio to its x coordinate from two tick labels, assuming a log axis."""
    ticks = [(float(label), x) for label, x in fig.tick_labels(axis)]
    (v1, x1), (v2, x2) = ticks[0], ticks[-1]
    scale = (x2 - x1) / (math.log(v2) - math.log(v1))
    return lambda v: x1 + (math.log(v) - math.log(v1)) * scale


def test_one_row_per_study_with_label_and_estimate(tmp_path):
    fig = draw(tmp_path, "complete_resection_prs", "complete_resection_prs")
    studies = fig.matching(r"forest-study-\d+")
    assert len(studies) == 8
    labels = [fig.text(f"{s}-label") for s in studies]
    assert labels[0] == "Alvarez 2003" and labels[-1] == "Hansen 2021"
    assert fig.text("forest-study-1-cell-0") == "0.42 [0.25, 0.71]"
    assert fig.text("forest-header-0") == "HR [95% CI]"


def test_weight_columns_show_both_models_weights(tmp_path):
    data = json.loads((DATA / "complete_resection_prs.json").read_text())
    fig = draw(tmp_path, "complete_resection_prs", "complete_resection_prs")
    assert fig.text("forest-header-1") == "Weight (fixed)"
    assert fig.text("forest-header-2") == "Weight (random)"
    for i in range(8):
        assert fig.text(f"forest-study-{i + 1}-cell-1") == f"{data['fixed']['weights'][i]:.1f}%"
        assert fig.text(f"forest-study-{i + 1}-cell-2") == f"{data['random']['weights'][i]:.1f}%"


def test_square_size_follows_weight(tmp_path):
    fig = draw(tmp_path, "complete_resection_prs", "complete_resection_prs")

    sizes = {i: fig.ids[f"forest-study-{i}"] for i in range(1, 9)}
    marker_sides = {}
    for i, element in sizes.items():
        defs = [p for p in element.iter("{http://www.w3.org/2000/svg}path") if p.get("id")]
        numbers = [abs(float(v)) for v in re.findall(r"-?\d+(?:\.\d+)?", defs[0].get("d"))]
        marker_sides[i] = max(numbers)
    # Fujita 2017 has the smallest random-effects weight, Dubois 2013 the largest.
    assert marker_sides[6] == min(marker_sides.values())
    assert marker_sides[4] == max(marker_sides.values())


def test_axis_is_log_scale_with_favours_labels(tmp_path):
    fig = draw(tmp_path, "complete_resection_prs", "complete_resection_prs")
    ticks = fig.tick_labels("forest-axis")
    values = [float(label) for label, _ in ticks]
    assert 1.0 in values and len(values) >= 3
    pos = axis_position(fig, "forest-axis")
    for value, (_, x) in zip(values, ticks, strict=True):
        assert x == pytest.approx(pos(value), abs=0.05)
    assert "Favours complete" in fig.text("forest-favours-left")
    assert "Favours incomplete" in fig.text("forest-favours-right")


def test_both_diamonds_span_their_intervals_and_the_chosen_one_is_solid(tmp_path):
    data = json.loads((DATA / "complete_resection_prs.json").read_text())
    fig = draw(tmp_path, "complete_resection_prs", "complete_resection_prs")
    pos = axis_position(fig, "forest-axis")
    for model in ("fixed", "random"):
        points = fig.path_points(f"forest-diamond-{model}")
        xs = [x for x, _ in points[:4]]
        assert min(xs) == pytest.approx(pos(math.exp(data[model]["ci_low"])), abs=0.05)
        assert max(xs) == pytest.approx(pos(math.exp(data[model]["ci_high"])), abs=0.05)
    assert data["chosen"] == "random"
    random_style = next(fig.ids["forest-diamond-random"].iter("{http://www.w3.org/2000/svg}path"))
    fixed_style = next(fig.ids["forest-diamond-fixed"].iter("{http://www.w3.org/2000/svg}path"))
    assert "fill: #ffffff" in fixed_style.get("style")
    assert "fill: #ffffff" not in random_style.get("style")
    chosen_label = next(
        fig.ids["forest-diamond-random-label"].iter("{http://www.w3.org/2000/svg}text")
    )
    assert "font-weight: 700" in chosen_label.get("style")


def test_prediction_interval_and_heterogeneity_line(tmp_path):
    data = json.loads((DATA / "complete_resection_prs.json").read_text())
    fig = draw(tmp_path, "complete_resection_prs", "complete_resection_prs")
    random = data["random"]
    assert fig.text("forest-prediction-interval-cell-0") == (
        f"[{math.exp(random['pi_low']):.2f}, {math.exp(random['pi_high']):.2f}]"
    )
    het = fig.text("forest-heterogeneity-label")
    assert f"I² = {data['fixed']['i2']:.0f}%" in het
    assert f"τ² = {random['tau2']:.3f}" in het
    assert f"Q = {data['fixed']['q']:.2f} (df = 7)" in het
    assert "p = 0.305" in het


def test_pooling_stage_layout_with_fixed_effect_chosen(tmp_path):
    fig = draw(tmp_path, "pooling_complete_resection_prs", "complete_resection_prs")
    assert "font-weight: 700" in next(
        fig.ids["forest-diamond-fixed-label"].iter("{http://www.w3.org/2000/svg}text")
    ).get("style")
    # The prediction interval always comes from the random-effects model, and says so.
    assert fig.text("forest-prediction-interval-label") == "Prediction interval (random effects)"
    assert "I2 = 15.9% <= 50%" in " ".join(
        fig.text(i) for i in fig.matching(r"forest-footnote-\d+")
    )


def test_subgroup_blocks_with_subtotals_and_difference_test(tmp_path):
    fig = draw(
        tmp_path, "pooling_complete_resection_prs_by_region", "complete_resection_prs_by_region"
    )
    groups = [fig.text(g) for g in fig.matching(r"forest-subgroup-\d+-label")]
    assert groups == ["Europe", "Asia", "North America"]
    assert len(fig.matching(r"forest-subtotal-\d+")) == 3
    assert fig.text("forest-subtotal-1-label") == "Subtotal (k = 3)"
    data = json.loads((DATA / "pooling_complete_resection_prs_by_region.json").read_text())
    asia = data["subgroups"]["groups"]["Asia"]
    assert fig.text("forest-subtotal-2-cell-0") == "{:.2f} [{:.2f}, {:.2f}]".format(
        *(math.exp(asia[k]) for k in ("estimate", "ci_low", "ci_high"))
    )
    assert fig.text("forest-subgroup-test-label").startswith(
        f"Test for subgroup differences: Q = {data['subgroups']['q_between']:.2f}, df = 2"
    )
    assert len(fig.matching(r"forest-study-\d+")) == 8


def test_subgroups_without_pooled_subtotals_are_computed_and_footnoted(tmp_path):
    fig = draw(tmp_path, "complete_resection_prs", "complete_resection_prs_by_region")
    assert len(fig.matching(r"forest-subtotal-\d+")) == 3
    notes = " ".join(fig.text(i) for i in fig.matching(r"forest-footnote-\d+"))
    assert "computed for display" in notes


def test_single_study_is_shown_but_not_pooled(tmp_path):
    fig = draw(tmp_path, "pooling_single_study", "single_study")
    assert len(fig.matching(r"forest-study-\d+")) == 1
    assert not fig.matching(r"forest-diamond-.*")
    assert "Not pooled" in fig.text("forest-not-pooled-label")


def test_empty_analysis_draws_a_message(tmp_path):
    fig = draw(tmp_path, "pooling_empty", "empty")
    assert "k = 0" in fig.text("forest-message")
    assert not fig.matching(r"forest-study-\d+")


def test_whiskers_beyond_the_axis_end_in_arrows(tmp_path):
    fig = draw(tmp_path, "complete_resection_prs", "complete_resection_prs", xlim=(0.2, 5.0))
    # Chen (0.15) and Fujita (0.09) run past 0.2; nobody reaches 5.
    assert fig.matching(r"forest-study-\d+-ci-arrow-left") == [
        "forest-study-3-ci-arrow-left",
        "forest-study-6-ci-arrow-left",
    ]
    assert not fig.matching(r"forest-study-\d+-ci-arrow-right")


def test_height_grows_with_rows_and_sixty_studies_fit(tmp_path):
    small = draw(tmp_path, "complete_resection_prs", "complete_resection_prs")
    large = draw(tmp_path, "many_studies", "many_studies")
    assert len(large.matching(r"forest-study-\d+")) == 60
    extra_rows = 60 - 8
    assert large.size_pt[1] - small.size_pt[1] == pytest.approx(
        extra_rows * ROW_HEIGHT_IN * 72, abs=2 * 72 * ROW_HEIGHT_IN
    )


def test_reruns_are_byte_identical(tmp_path):
    result = read_pooling(DATA / "complete_resection_prs.json")
    rows = read_analysis_effects(DATA / "complete_resection_prs.tsv")
    outputs = []
    for run in (1, 2):
        svg, png = tmp_path / f"{run}.svg", tmp_path / f"{run}.png"
        with figure_style():
            save_figure(plot_forest(result, rows, favours=FAVOURS), svg=svg, png=png, dpi=100)
        outputs.append((svg.read_bytes(), png.read_bytes()))
    assert outputs[0] == outputs[1]
    assert b"<dc:date>" not in outputs[0][0]


def test_studies_excluded_by_the_analysis_are_left_out_and_named(tmp_path):
    # laterality_prs pooled Becker, Dubois and Gomez; the full table has 8 studies.
    fig = draw(tmp_path, "pooling_laterality_prs", "complete_resection_prs")
    assert [fig.text(f"{s}-label") for s in fig.matching(r"forest-study-\d+")] == [
        "Becker 2008",
        "Dubois 2013",
        "Gomez 2019",
    ]
    notes = " ".join(fig.text(i) for i in fig.matching(r"forest-footnote-\d+"))
    assert "Not in this analysis (excluded by its settings): Alvarez 2003, Chen 2011" in notes


def test_studies_that_disagree_with_the_pooling_result_are_an_error(tmp_path):
    with pytest.raises(
        InputError,
        match=r"disagree on the studies: only in the pooling JSON: "
        r"Alvarez 2003",
    ):
        draw(tmp_path, "complete_resection_prs", "laterality_prs")
