"""`evsynth init DIR`: start a review of one's own from an empty folder."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from evsynth.commands import add_command
from evsynth.scaffold.build import init_review, parse_export

__all__ = ["register"]

EPILOG = (
    'example: evsynth init my-review --title "Drug X and survival" \\\n'
    '    --export "PubMed=pubmed.nbib" --export "Embase=embase.ris"'
)


def _run(args: argparse.Namespace) -> int:
    """start a new review folder that runs the installed workflow

    Write a review folder: a Snakefile that uses the installed evsynth workflow as a Snakemake
    module, a commented config/config.yaml, the exports placed under resources/searches/<date>/
    and declared per database, and every sheet (screening decisions, extraction studies/effects,
    dedup decisions) with its header.
    """
    exports = [parse_export(text) for text in args.export or []]
    written = init_review(Path(args.dir), title=args.title, exports=exports, run_date=args.date)
    print(f"evsynth init: wrote {len(written)} files to {args.dir}:")
    for path in written:
        print(f"    {path}")
    print(
        "Next:\n"
        f"  1. cd {shlex.quote(str(args.dir))}\n"
        "  2. Edit config/config.yaml where it says TODO (question, strategies as run).\n"
        "  3. snakemake --cores 4   (imports, deduplicates and stops at the title/abstract queue)"
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(subparsers, "init", _run, epilog=EPILOG)
    parser.add_argument("dir", help="the new review folder (must be empty or not exist)")
    parser.add_argument("--title", help="the review's title (config review.title)")
    parser.add_argument(
        "--export",
        action="append",
        metavar="DATABASE=FILE",
        help="an export of one database's search (repeat for each file and database)",
    )
    parser.add_argument(
        "--date", help="the first search run's date, YYYY-MM-DD (default: today, UTC)"
    )
