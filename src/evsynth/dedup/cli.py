"""`evsynth dedup`: deduplicate the records of every search run."""

from __future__ import annotations

import argparse

from evsynth.dedup.engine import deduplicate, load_inputs, paused_gc
from evsynth.dedup.write import write_outputs

__all__ = ["register", "run"]

EPILOG = """\
example:
  evsynth dedup results/search/*/*.records.tsv --out results/dedup/ \\
      --decisions resources/dedup/decisions.csv --threads 2

Writes pairs.tsv (every candidate pair, its similarities, rule and decision), clusters.tsv,
unique.tsv (one merged record per study record), possible.csv (pairs for a person to decide:
fill in `decision` with same|different and save as the decisions file) and summary.json.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `dedup` subcommand."""
    parser = subparsers.add_parser(
        "dedup",
        help="find duplicate records across databases and search runs",
        description=(
            "Deduplicate records TSVs: normalise, block, score, cluster without chaining, merge. "
            "A records TSV in a directory named like a date (results/search/2025-12-31/) belongs "
            "to that search run."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("tsv", nargs="+", metavar="TSV", help="records TSVs of all runs")
    parser.add_argument("--out", required=True, metavar="DIR", help="output directory")
    parser.add_argument(
        "--decisions",
        metavar="CSV",
        default=None,
        help="a person's pair decisions (record_id_a,record_id_b,decision,note); they always "
        "win over the rules",
    )
    parser.add_argument(
        "--threads", type=int, default=1, metavar="N", help="processes for scoring (default 1)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run deduplication from parsed arguments; returns the exit code."""
    with paused_gc():
        tables = load_inputs(args.tsv, slim=True)
        result = deduplicate(
            tables, decisions=args.decisions, threads=max(1, args.threads), progress=not args.quiet
        )
        write_outputs(result, args.out)
    return 0
