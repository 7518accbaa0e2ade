"""`evsynth plot forest|funnel|leave-one-out|cumulative|rob`: one figure per call.

`evsynth plot prisma` is kept as a deprecated alias of `evsynth prisma diagram`.

Each command reads the contract files of earlier stages and writes the figure as SVG and/or
300-dpi PNG. Factor labels ("Favours ...") come as options so a figure never needs the config.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from evsynth.commands import add_command, show_help
from evsynth.contracts.options import add_renamed
from evsynth.contracts.pooling_result import PoolingResult, read_pooling_result
from evsynth.errors import InputError
from evsynth.figures.common import is_ratio
from evsynth.figures.forest import plot_forest
from evsynth.figures.funnel import plot_funnel
from evsynth.figures.inputs import read_analysis_effects, read_risk_of_bias
from evsynth.figures.options import add_output_options, figure_title, save_outputs
from evsynth.figures.rob import plot_rob_summary, plot_rob_traffic_light
from evsynth.figures.sensitivity import plot_cumulative, plot_leave_one_out
from evsynth.figures.style import PNG_DPI
from evsynth.tables import read_tsv

__all__ = ["register"]

_EXAMPLES = {
    "forest": """example:
  evsynth plot forest --pooling results/pooling/complete_resection_prs.json \\
      --effects results/extraction/analyses/complete_resection_prs.tsv \\
      --favours-exposure "Favours complete resection" \\
      --favours-reference "Favours incomplete resection" \\
      --svg results/figures/complete_resection_prs.forest.svg \\
      --png results/figures/complete_resection_prs.forest.png""",
    "funnel": """example:
  evsynth plot funnel --pooling results/pooling/complete_resection_prs.json \\
      --effects results/extraction/analyses/complete_resection_prs.tsv --contours \\
      --svg results/figures/complete_resection_prs.funnel.svg \\
      --png results/figures/complete_resection_prs.funnel.png""",
    "leave-one-out": """example:
  evsynth plot leave-one-out --pooling results/pooling/complete_resection_prs.json \\
      --favours-exposure "Favours complete resection" \\
      --favours-reference "Favours incomplete resection" \\
      --svg results/figures/complete_resection_prs.leave_one_out.svg \\
      --png results/figures/complete_resection_prs.leave_one_out.png""",
    "cumulative": """example:
  evsynth plot cumulative --pooling results/pooling/complete_resection_prs.json \\
      --svg results/figures/complete_resection_prs.cumulative.svg \\
      --png results/figures/complete_resection_prs.cumulative.png""",
    "analysis": """example (writes the forest, funnel, leave-one-out and cumulative figures):
  evsynth plot analysis --pooling results/pooling/complete_resection_prs.json \\
      --effects results/extraction/analyses/complete_resection_prs.tsv \\
      --favours-exposure "Favours complete resection" \\
      --favours-reference "Favours incomplete resection" --contours \\
      --out-prefix results/figures/complete_resection_prs""",
    "prisma": """deprecated: use `evsynth prisma diagram` (same options), for example:
  evsynth prisma diagram --counts results/prisma/counts.json \\
      --svg results/figures/prisma.svg --png results/figures/prisma.png""",
    "rob": """example:
  evsynth plot rob --risk-of-bias results/extraction/risk_of_bias.tsv \\
      --studies results/extraction/studies.tsv --style traffic-light \\
      --svg results/figures/rob_traffic_light.svg --png results/figures/rob_traffic_light.png""",
}


def _favours(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--favours-exposure",
        default="Favours exposure",
        help="label left of the null line, where HR < 1 (config "
        "extraction.factors.<factor>.favours_exposure)",
    )
    parser.add_argument(
        "--favours-reference",
        default="Favours reference",
        help="label right of the null line (favours_reference)",
    )
    parser.add_argument(
        "--measure",
        type=str.upper,
        help="effect measure shown (default: the pooling JSON's `measure`, else HR); RD, MD and "
        "SMD are drawn on a linear axis",
    )
    parser.add_argument(
        "--xlim",
        nargs=2,
        type=float,
        metavar=("LOW", "HIGH"),
        help="axis limits on the ratio scale (default: from the data)",
    )


def _check_xlim(args: argparse.Namespace, measure: str = "HR") -> tuple[float, float] | None:
    if not getattr(args, "xlim", None):
        return None
    low, high = args.xlim
    if not is_ratio(measure):
        if not low < high:
            raise InputError(f"--xlim {low} {high}: need LOW < HIGH")
        return low, high
    if not 0 < low < 1 < high:
        raise InputError(f"--xlim {low} {high}: need 0 < LOW < 1 < HIGH (ratio scale)")
    return low, high


def _measure(args: argparse.Namespace, result: PoolingResult) -> str:
    """--measure, else the analysis's declared measure (pooling JSON ``measure``), else HR."""
    return args.measure or (result.measure or "HR").upper()


def _forest(args: argparse.Namespace) -> int:
    """forest plot of one analysis (studies, weights, both models, PI)"""
    result = read_pooling_result(args.pooling)
    effects = read_analysis_effects(args.effects)
    return save_outputs(
        args,
        lambda: plot_forest(
            result,
            effects,
            favours=(args.favours_exposure, args.favours_reference),
            measure=_measure(args, result),
            title=figure_title(args, result.label or result.analysis or ""),
            xlim=_check_xlim(args, _measure(args, result)),
            effects_source=args.effects,
        ),
    )


def _funnel(args: argparse.Namespace) -> int:
    """funnel plot with pseudo 95% limits, trim-and-fill and Egger's test"""
    result = read_pooling_result(args.pooling)
    effects = read_analysis_effects(args.effects)
    return save_outputs(
        args,
        lambda: plot_funnel(
            result,
            effects,
            contours=args.contours,
            measure=_measure(args, result),
            title=figure_title(args, result.label or result.analysis or ""),
        ),
    )


def _leave_one_out(args: argparse.Namespace) -> int:
    """leave-one-out plot: the estimate without each study"""
    result = read_pooling_result(args.pooling)
    return save_outputs(
        args,
        lambda: plot_leave_one_out(
            result,
            favours=(args.favours_exposure, args.favours_reference),
            measure=_measure(args, result),
            title=figure_title(args, result.label or result.analysis or ""),
            xlim=_check_xlim(args, _measure(args, result)),
        ),
    )


def _cumulative(args: argparse.Namespace) -> int:
    """cumulative meta-analysis plot, studies added by year"""
    result = read_pooling_result(args.pooling)
    return save_outputs(
        args,
        lambda: plot_cumulative(
            result,
            favours=(args.favours_exposure, args.favours_reference),
            measure=_measure(args, result),
            title=figure_title(args, result.label or result.analysis or ""),
            xlim=_check_xlim(args, _measure(args, result)),
        ),
    )


# The figures of one analysis, in the order `evsynth plot analysis` draws them, with the file-name
# part of each (results/figures/{analysis}.{part}.svg|png).
ANALYSIS_FIGURES: tuple[tuple[str, Callable[[argparse.Namespace], int]], ...] = (
    ("forest", _forest),
    ("funnel", _funnel),
    ("leave_one_out", _leave_one_out),
    ("cumulative", _cumulative),
)


# All figures of one analysis in one process: one matplotlib start-up instead of four.
def _analysis(args: argparse.Namespace) -> int:
    """every figure of one analysis: forest, funnel, leave-one-out and cumulative plots"""
    for part, draw in ANALYSIS_FIGURES:
        one = argparse.Namespace(**vars(args))
        one.svg = f"{args.out_prefix}.{part}.svg"
        one.png = f"{args.out_prefix}.{part}.png"
        draw(one)
    return 0


def _prisma(args: argparse.Namespace) -> int:
    """deprecated: use `evsynth prisma diagram` (same options)"""
    from evsynth.prisma.cli import deprecated, draw_diagram

    deprecated("plot prisma", "prisma diagram")
    return draw_diagram(args)


def _study_labels(path: str | None) -> dict[str, str]:
    if not path:
        return {}
    labels = {}
    for row in read_tsv(path, required=("study_id",)):
        label = (row.get("label") or "").strip()
        year = (row.get("year") or "").strip()
        if label and year and year not in label:
            label = f"{label} {year}"
        labels[row["study_id"].strip()] = label or row["study_id"].strip()
    return labels


def _rob(args: argparse.Namespace) -> int:
    """risk-of-bias traffic-light or summary plot"""
    table = read_risk_of_bias(args.rob, labels=_study_labels(args.studies))
    draw = plot_rob_traffic_light if args.style == "traffic-light" else plot_rob_summary
    return save_outputs(args, lambda: draw(table, title=figure_title(args, None)))


def _plot(args: argparse.Namespace) -> int:
    """draw a review figure (forest, funnel, PRISMA, sensitivity, risk of bias)

    Draw one review figure as SVG and/or 300-dpi PNG from the pipeline's contract files.
    """
    return show_help(args)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `evsynth plot` and its figure kinds."""
    plot = add_command(subparsers, "plot", _plot, epilog=_EXAMPLES["forest"])
    kinds = plot.add_subparsers(dest="figure", metavar="<figure>")

    def sub(name: str, func: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        return add_command(kinds, name, func, epilog=_EXAMPLES[name])

    p = sub("forest", _forest)
    p.add_argument("--pooling", required=True, help="results/pooling/{analysis}.json")
    p.add_argument("--effects", required=True, help="results/extraction/analyses/{analysis}.tsv")
    _favours(p)
    add_output_options(p)

    p = sub("funnel", _funnel)
    p.add_argument("--pooling", required=True, help="results/pooling/{analysis}.json")
    p.add_argument("--effects", required=True, help="results/extraction/analyses/{analysis}.tsv")
    p.add_argument(
        "--contours",
        action="store_true",
        help="contour-enhanced: shade p < 0.10 / 0.05 / 0.01 regions (Peters 2008)",
    )
    p.add_argument(
        "--measure",
        type=str.upper,
        help="effect measure shown (default: the pooling JSON's `measure`, else HR)",
    )
    add_output_options(p)

    for name, func in (("leave-one-out", _leave_one_out), ("cumulative", _cumulative)):
        p = sub(name, func)
        p.add_argument("--pooling", required=True, help="results/pooling/{analysis}.json")
        _favours(p)
        add_output_options(p)

    p = sub("analysis", _analysis)
    p.add_argument("--pooling", required=True, help="results/pooling/{analysis}.json")
    p.add_argument("--effects", required=True, help="results/extraction/analyses/{analysis}.tsv")
    p.add_argument(
        "--out-prefix",
        required=True,
        metavar="PREFIX",
        help="write PREFIX.{forest,funnel,leave_one_out,cumulative}.{svg,png}",
    )
    p.add_argument("--contours", action="store_true", help="contour-enhanced funnel plot")
    _favours(p)
    p.add_argument("--dpi", type=int, default=PNG_DPI, help=f"PNG resolution ({PNG_DPI})")
    p.add_argument("--title", help="title above each figure (default: the analysis label)")
    p.add_argument("--no-title", action="store_true", help="draw no title")

    p = sub("prisma", _prisma)
    from evsynth.prisma.cli import add_diagram_options

    add_diagram_options(p)

    p = sub("rob", _rob)
    add_renamed(
        p,
        "plot rob",
        "--risk-of-bias",
        "--rob",
        dest="rob",
        required=True,
        help="risk-of-bias table (TSV or CSV): study_id, one column per domain, optional "
        "overall / total",
    )
    p.add_argument("--studies", help="results/extraction/studies.tsv, for study labels")
    p.add_argument(
        "--style",
        choices=("traffic-light", "summary"),
        default="traffic-light",
        help="traffic-light (per study) or summary (share per domain)",
    )
    add_output_options(p)
