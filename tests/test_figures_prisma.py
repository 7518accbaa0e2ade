"""PRISMA 2020 diagrams read back from their SVG: every box's count equals counts.json."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from evsynth.contracts.prisma_counts import read_prisma_counts
from evsynth.errors import InputError
from evsynth.figures.render import figure_style, save_figure
from evsynth.prisma.diagram import plot_prisma
from tests.support.svgread import SvgFigure, load_svg

DATA = Path(__file__).parent / "data" / "figures"


def draw(tmp_path: Path, name: str) -> SvgFigure:
    svg = tmp_path / f"{name}.svg"
    with figure_style():
        save_figure(plot_prisma(read_prisma_counts(DATA / f"{name}.json")), svg=svg)
    return load_svg(svg)


def counts_in(fig: SvgFigure, box: str) -> list[int]:
    return [int(n) for n in re.findall(r"\(n = (\d+)\)", " ".join(fig.lines(f"prisma-text-{box}")))]


def test_new_review_boxes_carry_the_counts(tmp_path):
    counts = json.loads((DATA / "counts_new.json").read_text())
    fig = draw(tmp_path, "counts_new")
    ident = " ".join(fig.lines("prisma-text-identification"))
    assert f"Databases (n = {counts['database_results']})" in ident
    for database, n in counts["database_specific_results"].items():
        assert f"{database} (n = {n})" in ident
    assert counts_in(fig, "removed") == [
        counts["duplicates"],
        counts["excluded_automatic"],
        counts["excluded_other"],
    ]
    assert counts_in(fig, "screened") == [counts["records_screened"]]
    assert counts_in(fig, "screen_excluded") == [counts["records_excluded"]]
    assert counts_in(fig, "sought") == [counts["dbr_sought_reports"]]
    assert counts_in(fig, "not_retrieved") == [counts["dbr_notretrieved_reports"]]
    assert counts_in(fig, "assessed") == [counts["dbr_assessed"]]
    assert sorted(counts_in(fig, "excluded")) == sorted(counts["dbr_excluded"].values())
    excluded = " ".join(fig.lines("prisma-text-excluded"))
    for reason in counts["dbr_excluded"]:
        assert reason.split()[0] in excluded
    assert counts_in(fig, "included") == [counts["new_studies"], counts["new_reports"]]
    assert not fig.has("prisma-box-previous") and not fig.has("prisma-box-total")
    assert fig.text("prisma-header-databases") == (
        "Identification of studies via databases and registers"
    )
    assert len(fig.matching(r"prisma-arrow-.*")) == 8


def test_long_reasons_wrap_without_splitting_a_count(tmp_path):
    fig = draw(tmp_path, "counts_new")
    for line in fig.lines("prisma-text-excluded"):
        assert line.count("(n =") == line.count(")") or "(n =" not in line


def test_updated_review_layout_has_previous_and_total(tmp_path):
    counts = json.loads((DATA / "counts_update.json").read_text())
    fig = draw(tmp_path, "counts_update")
    assert counts_in(fig, "previous") == [counts["previous_studies"], counts["previous_reports"]]
    assert counts_in(fig, "included") == [counts["new_studies"], counts["new_reports"]]
    assert counts_in(fig, "total") == [counts["total_studies"], counts["total_reports"]]
    assert "New studies included in review" in fig.text("prisma-text-included")
    assert fig.text("prisma-header-previous") == "Previous studies"
    assert fig.has("prisma-arrow-previous-total") and fig.has("prisma-arrow-included-total")


def test_other_methods_column(tmp_path):
    counts = json.loads((DATA / "counts_other_methods.json").read_text())
    fig = draw(tmp_path, "counts_other_methods")
    assert counts_in(fig, "other_identification") == [
        counts["website_results"],
        counts["citations_results"],
    ]
    assert counts_in(fig, "other_sought") == [counts["other_sought_reports"]]
    assert counts_in(fig, "other_assessed") == [counts["other_assessed"]]
    assert fig.has("prisma-arrow-other_assessed-included")


def test_bad_count_is_an_error_naming_the_field(tmp_path):
    bad = tmp_path / "counts.json"
    bad.write_text(json.dumps({"records_screened": -3}))
    with pytest.raises(
        InputError,
        match=r"counts.json, field 'records_screened': expected a "
        r"count",
    ):
        read_prisma_counts(bad)
    bad.write_text(json.dumps({"dbr_excluded": {"Wrong design": "7"}}))
    with pytest.raises(InputError, match=r"field 'dbr_excluded'.*'Wrong design'"):
        read_prisma_counts(bad)


def test_source_keys_get_database_names_and_interim_counts_are_flagged(tmp_path):
    counts = read_prisma_counts(DATA / "counts_stage_incomplete.json")
    svg = tmp_path / "prisma.svg"
    with figure_style():
        save_figure(plot_prisma(counts, database_labels={"wos": "Web of Science Core"}), svg=svg)
    fig = load_svg(svg)
    ident = fig.lines("prisma-text-identification")
    assert "    Web of Science Core (n = 266)" in ident
    assert "    PubMed (n = 418)" in ident  # built-in name for the `pubmed` key
    assert "  Registers (n = 0)" in ident
    assert fig.text("prisma-awaiting") == (
        "Screening incomplete: 39 records awaiting screening, 7 reports awaiting assessment."
    )
    assert not draw(tmp_path, "counts_new").has("prisma-awaiting")


def test_update_flow_of_several_runs_fills_the_flow_boxes(tmp_path):
    """With several search runs the diagram shows the latest run's flow (PRISMA 2020 update)."""
    counts = json.loads((DATA / "counts_update_runs.json").read_text())
    flow = counts["update_flow"]
    fig = draw(tmp_path, "counts_update_runs")
    ident = " ".join(fig.lines("prisma-text-identification"))
    assert f"Databases (n = {flow['database_results']})" in ident  # 4, not the 9 of all runs
    assert "PubMed (n = 2)" in ident and "Embase (n = 2)" in ident
    assert counts_in(fig, "removed")[0] == flow["duplicates"]
    assert counts_in(fig, "screened") == [flow["records_screened"]]
    assert counts_in(fig, "screen_excluded") == [flow["records_excluded"]]
    assert counts_in(fig, "assessed") == [flow["dbr_assessed"]]
    assert counts_in(fig, "included") == [flow["new_studies"], flow["new_reports"]]
    assert counts_in(fig, "previous") == [counts["previous_studies"], counts["previous_reports"]]
    assert counts_in(fig, "total") == [counts["total_studies"], counts["total_reports"]]


def test_update_flow_must_be_an_object(tmp_path):
    bad = tmp_path / "counts.json"
    bad.write_text(json.dumps({"update_flow": [4]}))
    with pytest.raises(InputError, match=r"field 'update_flow': expected an object"):
        read_prisma_counts(bad)
    bad.write_text(json.dumps({"update_flow": {"records_screened": -1}}))
    with pytest.raises(InputError, match=r"field 'update_flow.records_screened'"):
        read_prisma_counts(bad)
    bad.write_text(json.dumps({"update_flow": {"dbr_excluded": {"wrong design": -2}}}))
    with pytest.raises(InputError, match=r"field 'update_flow.dbr_excluded': .*'wrong design'"):
        read_prisma_counts(bad)
