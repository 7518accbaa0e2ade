"""Figure text a reader checks: p-values, the test for overall effect, a legend not clipped."""

from __future__ import annotations

import math
import re
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg

from evsynth.contracts.format import format_p_clause
from evsynth.figures.forest import heterogeneity_text, plot_forest
from evsynth.figures.formatting import overall_test_text
from evsynth.figures.funnel import plot_funnel
from evsynth.figures.inputs import ModelSummary, read_analysis_effects, read_pooling
from evsynth.figures.render import figure_style, save_figure
from tests.support.svgread import load_svg

DATA = Path(__file__).parent / "data" / "figures"


def test_heterogeneity_line_prints_p_below_not_p_equals_below() -> None:
    model = ModelSummary("fixed", 0.1, 0.0, 0.2, i2=80.0, q=40.0, q_df=7, q_p=2e-6)
    text = heterogeneity_text(model)
    assert text.endswith("p < 0.001")
    assert "p = <" not in text
    assert format_p_clause(0.0912) == "p = 0.091"


def test_overall_effect_shows_the_statistic_and_p() -> None:
    assert overall_test_text(-3.9744, None, "z", 7.05e-5) == "z = -3.97, p < 0.001"
    assert overall_test_text(-2.104, 5, "knha", 0.0893) == "t = -2.10 (df = 5), p = 0.089"


def test_forest_plot_states_z_and_p_for_the_chosen_model(tmp_path: Path) -> None:
    result = read_pooling(DATA / "pooling_complete_resection_prs.json")
    rows = read_analysis_effects(DATA / "complete_resection_prs.tsv")
    chosen = result.random if result.chosen == "random" else result.fixed
    assert chosen is not None and chosen.stat is not None
    svg = tmp_path / "f.svg"
    with figure_style():
        save_figure(plot_forest(result, rows, favours=("A", "B")), svg=svg)
    text = load_svg(svg).text("forest-overall-test-label")
    letter = "t" if (chosen.test or "z") == "knha" else "z"
    assert re.search(rf"Test for overall effect \(.*\): {letter} = -?\d+\.\d\d", text), text
    assert f"{letter} = {chosen.stat:.2f}" in text
    assert "p = <" not in text and ("p = " in text or "p < " in text)
    het = load_svg(svg).text("forest-heterogeneity-label")
    assert "p = <" not in het


def test_funnel_legend_lies_inside_the_figure() -> None:
    """With contours and trim-and-fill the legend has nine entries; none may fall off the page."""
    result = read_pooling(DATA / "pooling_complete_resection_prs.json")
    rows = read_analysis_effects(DATA / "complete_resection_prs.tsv")
    with figure_style():
        fig = plot_funnel(result, rows, contours=True, title="A title")
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        (legend,) = [a.get_legend() for a in fig.axes if a.get_legend() is not None]
        box = legend.get_window_extent(renderer)
        page = fig.bbox
        assert len(legend.get_texts()) >= 8
        assert box.y0 >= page.y0 and box.x0 >= page.x0 and box.x1 <= page.x1, (box, page)
        xlabel = fig.axes[0].xaxis.label.get_window_extent(renderer)
        assert box.y1 <= xlabel.y0 + 1  # below the axis title, not over it
        assert not math.isclose(box.height, 0)
