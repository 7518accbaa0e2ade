"""`evsynth plot ...` end to end: each figure kind writes SVG and a 300-dpi PNG."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from evsynth.cli import main
from tests.support.svgread import load_svg

DATA = Path(__file__).parent / "data" / "figures"


def png_dpi(path: Path) -> float:
    """Horizontal resolution from the PNG pHYs chunk (pixels per metre -> dpi)."""
    data = path.read_bytes()
    at = data.index(b"pHYs")
    ppm = struct.unpack(">I", data[at + 4 : at + 8])[0]
    return ppm * 0.0254


@pytest.mark.parametrize(
    ("kind", "args", "expect_id"),
    [
        (
            "forest",
            [
                "--pooling",
                str(DATA / "pooling_complete_resection_prs.json"),
                "--effects",
                str(DATA / "complete_resection_prs.tsv"),
                "--favours-exposure",
                "Favours complete resection",
                "--favours-reference",
                "Favours incomplete resection",
            ],
            "forest-diamond-fixed",
        ),
        (
            "funnel",
            [
                "--pooling",
                str(DATA / "pooling_complete_resection_prs.json"),
                "--effects",
                str(DATA / "complete_resection_prs.tsv"),
                "--contours",
            ],
            "funnel-contour-0.05",
        ),
        (
            "leave-one-out",
            ["--pooling", str(DATA / "pooling_complete_resection_prs.json")],
            "loo-overall",
        ),
        (
            "cumulative",
            ["--pooling", str(DATA / "pooling_complete_resection_prs.json")],
            "cumulative-step-8",
        ),
        ("prisma", ["--counts", str(DATA / "counts_update.json")], "prisma-box-total"),
        ("rob", ["--risk-of-bias", str(DATA / "rob2.tsv"), "--style", "summary"], "rob-bar-1-low"),
    ],
)
def test_each_kind_writes_svg_and_png(tmp_path, kind, args, expect_id):
    svg, png = tmp_path / "figure.svg", tmp_path / "figure.png"
    assert main(["plot", kind, *args, "--svg", str(svg), "--png", str(png), "--dpi", "300"]) == 0
    assert load_svg(svg).has(expect_id)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png_dpi(png) == pytest.approx(300, abs=0.5)


def test_title_comes_from_the_label_and_can_be_dropped(tmp_path):
    svg = tmp_path / "f.svg"
    base = [
        "plot",
        "forest",
        "--pooling",
        str(DATA / "complete_resection_prs.json"),
        "--effects",
        str(DATA / "complete_resection_prs.tsv"),
        "--svg",
        str(svg),
    ]
    assert main(base) == 0
    assert load_svg(svg).text("forest-title") == "Complete resection and post-relapse survival"
    assert main([*base, "--no-title"]) == 0
    assert not load_svg(svg).has("forest-title")


def test_rob_labels_come_from_the_studies_table(tmp_path):
    studies = tmp_path / "studies.tsv"
    studies.write_text("study_id\tlabel\tyear\nalvarez2003\tAlvarez\t2003\n")
    svg = tmp_path / "rob.svg"
    assert (
        main(
            [
                "plot",
                "rob",
                "--risk-of-bias",
                str(DATA / "rob2.tsv"),
                "--studies",
                str(studies),
                "--svg",
                str(svg),
            ]
        )
        == 0
    )
    assert load_svg(svg).text("rob-study-1") == "Alvarez 2003"


def test_errors_are_reported_cleanly(tmp_path, capsys):
    pooling = str(DATA / "complete_resection_prs.json")
    effects = str(DATA / "complete_resection_prs.tsv")
    assert main(["plot", "forest", "--pooling", pooling, "--effects", effects]) == 1
    assert "nothing to write: give --svg PATH and/or --png PATH" in capsys.readouterr().err
    assert (
        main(
            [
                "plot",
                "forest",
                "--pooling",
                pooling,
                "--effects",
                effects,
                "--png",
                str(tmp_path / "f.svg"),
            ]
        )
        == 1
    )
    assert "the file name must end in .png" in capsys.readouterr().err
    assert (
        main(
            [
                "plot",
                "forest",
                "--pooling",
                pooling,
                "--effects",
                effects,
                "--xlim",
                "2",
                "5",
                "--svg",
                str(tmp_path / "f.svg"),
            ]
        )
        == 1
    )
    assert "need 0 < LOW < 1 < HIGH" in capsys.readouterr().err
    assert (
        main(
            [
                "plot",
                "prisma",
                "--counts",
                str(tmp_path / "missing.json"),
                "--svg",
                str(tmp_path / "p.svg"),
            ]
        )
        == 1
    )
    assert "missing.json: file not found" in capsys.readouterr().err


def test_analysis_draws_the_four_figures_exactly_as_the_single_commands(tmp_path):
    common = [
        "--pooling",
        str(DATA / "pooling_complete_resection_prs.json"),
        "--favours-exposure",
        "Favours complete resection",
        "--favours-reference",
        "Favours incomplete resection",
    ]
    effects = ["--effects", str(DATA / "complete_resection_prs.tsv")]
    prefix = tmp_path / "all" / "crp"
    (tmp_path / "all").mkdir()
    argv = ["plot", "analysis", *common, *effects, "--contours", "--out-prefix", str(prefix)]
    assert main(argv) == 0
    singles = {
        "forest": ["forest", *common, *effects],
        "funnel": ["funnel", *common[:2], *effects, "--contours"],
        "leave_one_out": ["leave-one-out", *common],
        "cumulative": ["cumulative", *common],
    }
    for part, args in singles.items():
        svg, png = tmp_path / f"{part}.svg", tmp_path / f"{part}.png"
        assert main(["plot", *args, "--svg", str(svg), "--png", str(png)]) == 0
        assert Path(f"{prefix}.{part}.svg").read_bytes() == svg.read_bytes(), part
        assert Path(f"{prefix}.{part}.png").read_bytes() == png.read_bytes(), part
