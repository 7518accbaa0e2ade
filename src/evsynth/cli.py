"""`evsynth <step>`: one subcommand per stage, so every rule can be audited or rerun by hand.

Each stage module exposes ``register(subparsers)``, which adds its subcommand and sets ``func`` to a
callable taking the parsed arguments and returning an exit code. The CLI is the only place (with the
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

# Modules that register subcommands, in the order they appear in `evsynth --help`.
STAGE_MODULES: tuple[str, ...] = (
    "evsynth.sources.cli",
    "evsynth.search.cli",
    "evsynth.dedup.cli",
    "evsynth.screening.cli",
    "evsynth.extraction.cli",
    "evsynth.pooling.cli",
    "evsynth.figures.cli",
    "evsynth.report.cli",
    "evsynth.update",
)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every stage's subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="evsynth",
        description="Run one step of a systematic review and meta-analysis.",
    )
    parser.add_argument("--version", action="version", version=f"evsynth {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="<step>")
    for name in STAGE_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # A stage still being built must not break the others; any other import error is a bug.
            if exc.name is not None and exc.name.startswith("evsynth"):
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `evsynth` command; returns the process exit code."""
    parser = build_parser()
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
