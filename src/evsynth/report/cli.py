"""`evsynth report`: build results/report/index.html from the outputs of every stage."""

from __future__ import annotations

import argparse
from typing import Any

from evsynth.commands import add_command
from evsynth.report.build import write_report

__all__ = ["register", "run"]

EPILOG = """\
example:
  evsynth report --config config/config.yaml --results results/ --out results/report/index.html

The inputs are found under --results by the contracts in docs/architecture.md:
search/{run}/{source}.log.json, dedup/summary.json, prisma/counts.json,
screening/agreement.json and {stage}.tsv (optional), extraction/studies.tsv,
extraction/narrative.tsv, extraction/risk_of_bias.tsv (optional), pooling/summary.tsv,
pooling/{analysis}.json and figures/*.svg|png (optional). The analyses are those of the config.
File paths on the page are shown relative to --root (default: the parent of --results).
"""


def run(args: argparse.Namespace) -> int:
    """build the self-contained HTML review report

    Build one self-contained HTML page (figures embedded, no network needed) with the search,
    selection, studies, pooled analyses, methods and provenance.
    """
    # A missing or malformed input is an InputError, which the main CLI prints.
    out = write_report(config_path=args.config, results=args.results, out=args.out, root=args.root)
    print(f"evsynth report: wrote {out}")
    return 0


def register(subparsers: Any) -> None:
    """Add the `report` subcommand."""
    parser = add_command(subparsers, "report", run, epilog=EPILOG)
    parser.add_argument("--config", required=True, help="the review config (YAML) actually used")
    parser.add_argument("--results", required=True, help="the results directory of the workflow")
    parser.add_argument("--out", required=True, help="where to write the HTML page")
    parser.add_argument(
        "--root",
        default=None,
        help="directory file paths on the page are relative to (default: parent of --results)",
    )
