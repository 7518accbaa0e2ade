"""`evsynth <step>`: one subcommand per stage, so every rule can be audited or rerun by hand.

Each stage module exposes ``register(subparsers)``, which adds its subcommand with
:func:`evsynth.commands.add_command`: its handler (parsed arguments in, exit code out) becomes
``func``, and the handler's docstring the command's help. The CLI is the only place (with the
Snakemake rules) that wires stages together.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from evsynth import __version__
from evsynth.errors import EvsynthError

__all__ = ["build_parser", "main"]

# Each step and the module that registers it, in the order of `evsynth --help`. A command imports
# only its own module, so `evsynth import` does not pay for scipy and matplotlib at start-up (each
# Snakemake job starts the CLI once).
COMMANDS: dict[str, str] = {
    "import": "evsynth.sources.cli",
    "search": "evsynth.search.cli",
    "dedup": "evsynth.dedup.cli",
    "dedup-prepare": "evsynth.dedup.cli",
    "dedup-score": "evsynth.dedup.cli",
    "dedup-merge": "evsynth.dedup.cli",
    "screen": "evsynth.screening.cli",
    "screen-agreement": "evsynth.screening.cli",
    "prisma": "evsynth.prisma.cli",
    "prisma-counts": "evsynth.prisma.cli",
    "km-reconstruct": "evsynth.km.cli",
    "extract": "evsynth.extraction.cli",
    "effect-size": "evsynth.pooling.cli",
    "pool": "evsynth.pooling.cli",
    "pool-analysis": "evsynth.pooling.cli",
    "pool-summary": "evsynth.pooling.cli",
    "plot": "evsynth.figures.cli",
    "grade": "evsynth.grade.cli",
    "report": "evsynth.report.cli",
    "update": "evsynth.update",
    "init": "evsynth.scaffold.cli",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The top-level parser with the subcommands registered (only ``command``'s module if given)."""
    parser = argparse.ArgumentParser(
        prog="evsynth",
        description="Run one step of a systematic review and meta-analysis.",
    )
    parser.add_argument("--version", action="version", version=f"evsynth {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="<step>")
    modules = [COMMANDS[command]] if command in COMMANDS else list(dict.fromkeys(COMMANDS.values()))
    for name in modules:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `evsynth` command; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except EvsynthError as exc:
        print(f"evsynth {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
