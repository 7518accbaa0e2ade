"""The one way a stage adds its `evsynth <step>` subcommand, so every command's help has one layout.

Descriptions and epilogs are printed as written (``RawDescriptionHelpFormatter``): the epilogs are
worked examples whose line breaks and indentation are part of the text.
"""

from __future__ import annotations

import argparse

__all__ = ["add_command"]


def add_command(
    subparsers: argparse._SubParsersAction,
    name: str,
    *,
    help: str,
    description: str | None = None,
    epilog: str | None = None,
) -> argparse.ArgumentParser:
    """Add subcommand ``name`` with the house help layout and return its parser."""
    return subparsers.add_parser(
        name,
        help=help,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
