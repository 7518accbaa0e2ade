"""Leave-one-out, cumulative and risk-of-bias plots read back from their SVG."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from evsynth.errors import InputError
from evsynth.figures.inputs import read_pooling, read_risk_of_bias
from evsynth.figures.render import figure_style, save_figure
from evsynth.figures.rob import plot_rob_summary, plot_rob_traffic_light
from evsynth.figures.sensitivity import plot_cumulative, plot_leave_one_out
from tests.support.svgread import SvgFigure, load_svg

DATA = Path(__file__).parent / "data" / "figures"


def save(tmp_path: Path, figure, name: str) -> SvgFigure:
    svg = tmp_path / f"{name}.svg"
    save_figure(figure, svg=svg)
    return load_svg(svg)


def test_leave_one_out_rows_and_reference_band(tmp_path):
    data = json.loads((DATA / "pooling_complete_resection_prs.json").read_text())
    with figure_style():
        fig = save(
            tmp_path,
            plot_leave_one_out(read_pooling(DATA / "pooling_complete_resection_prs.json")),
            "loo",
        )
    rows = fig.matching(r"loo-study-\d+")
    assert len(rows) == len(data["leave_one_out"]) == 8
    first = data["leave_one_out"][0]
    assert fig.text("loo-study-1-label") == first["study"]
    assert fig.text("loo-study-1-cell-0") == "{:.2f} [{:.2f}, {:.2f}]".format(
        *(math.exp(first[k]) for k in ("estimate", "ci_low", "ci_high"))
    )
    assert fig.has("loo-reference-band") and fig.has("loo-overall")
    assert fig.text("loo-overall-label") == "All studies (k = 8)"
    assert [float(label) for label, _ in fig.tick_labels("loo-axis")].count(1.0) == 1


def test_cumulative_rows_follow_the_pooling_order(tmp_path):
    data = json.loads((DATA / "pooling_complete_resection_prs.json").read_text())
    with figure_style():
        fig = save(
            tmp_path,
            plot_cumulative(read_pooling(DATA / "pooling_complete_resection_prs.json")),
            "cumulative",
        )
    steps = fig.matching(r"cumulative-step-\d+")
    assert len(steps) == len(data["cumulative"])
    labels = [fig.text(f"{s}-label") for s in steps]
    assert labels == [f"+ {row['study']}" for row in data["cumulative"]]
    assert [fig.text(f"{s}-cell-1") for s in steps] == [str(r["k"]) for r in data["cumulative"]]


def test_sensitivity_plots_say_why_they_are_missing(tmp_path):
    result = read_pooling(DATA / "pooling_single_study.json")
    with figure_style():
        loo = save(tmp_path, plot_leave_one_out(result), "loo1")
        cum = save(tmp_path, plot_cumulative(result), "cum1")
    assert "needs at least 3" in loo.text("loo-message")
    assert "not available (k = 1)" in cum.text("cumulative-message")


def test_rob_traffic_light_cells_and_summary_bars(tmp_path):
    table = read_risk_of_bias(DATA / "rob2.tsv", labels={"alvarez2003": "Alvarez 2003"})
    assert table.kind == "judgement" and len(table.domains) == 5
    with figure_style():
        light = save(tmp_path, plot_rob_traffic_light(table), "light")
        summary = save(tmp_path, plot_rob_summary(table), "summary")
    assert [light.text(s) for s in light.matching(r"rob-study-\d+")] == [
        "Alvarez 2003",
        "becker2008",
        "chen2011",
        "dubois2013",
    ]
    # 4 studies x (5 domains + overall).
    assert len(light.matching(r"rob-cell-\d+-\d+")) == 24
    assert light.text("rob-column-6") == "Overall"
    # Chen 2011 is at high risk overall: red circle.
    cell = light.ids["rob-cell-3-6"]
    assert "#bf0000" in (cell.get("style") or "") or any(
        "#bf0000" in (el.get("style") or "") for el in cell.iter()
    )
    # Domain 2: 2 low, 1 some concerns, 1 high -> three bar segments.
    assert sorted(summary.matching(r"rob-bar-2-.*")) == [
        "rob-bar-2-high",
        "rob-bar-2-low",
        "rob-bar-2-some_concerns",
    ]


def test_rob_newcastle_ottawa_stars(tmp_path):
    table = read_risk_of_bias(DATA / "nos.csv")
    assert table.kind == "stars" and table.total == ("8", "8", "5", "9")
    with figure_style():
        light = save(tmp_path, plot_rob_traffic_light(table), "nos")
    assert light.text("rob-cell-1-5") == "★★"
    assert light.text("rob-cell-3-1") == "–"
    assert light.text("rob-total-4") == "9"


def test_rob_unknown_judgement_is_an_error(tmp_path):
    bad = tmp_path / "rob.tsv"
    bad.write_text("study_id\tConfounding\toverall\nchoi2014\tprobably fine\tlow\n")
    with pytest.raises(
        InputError,
        match=r"rob.tsv:2, field 'Confounding': unknown judgement "
        r"'probably fine'",
    ):
        read_risk_of_bias(bad)


def test_rob_extraction_layout_with_item_names_and_zero_stars(tmp_path):
    path = tmp_path / "risk_of_bias.tsv"
    path.write_text(
        "study_id\ttool\trepresentativeness\tcomparability\ttotal\n"
        "alvarez2003\tNOS\t1\t2\t3\nbecker2008\tNOS\t0\t1\t1\n"
    )
    table = read_risk_of_bias(path)
    assert table.kind == "stars" and table.domains == ("representativeness", "comparability")
    with figure_style():
        light = save(tmp_path, plot_rob_traffic_light(table), "nos_stage")
    assert light.text("rob-cell-2-1") == "–"
    assert light.text("rob-cell-1-2") == "★★"
    assert "D2: Comparability of cohorts" in light.all_text()
