"""The output options every figure command shares (`evsynth plot ...`, `evsynth prisma diagram`).

Kept apart from :mod:`evsynth.figures.cli` and free of matplotlib at import time, so a command
that only registers its options (e.g. `evsynth prisma counts`) does not pay for the plotting stack.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from evsynth.errors import InputError
from evsynth.figures.style import PNG_DPI

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["add_output_options", "figure_title", "save_outputs"]


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """Add --svg, --png, --dpi, --title and --no-title to a figure command."""
    parser.add_argument("--svg", help="write the figure as SVG (text kept as text)")
    parser.add_argument("--png", help="write the figure as PNG")
    parser.add_argument("--dpi", type=int, default=PNG_DPI, help=f"PNG resolution ({PNG_DPI})")
    parser.add_argument("--title", help="title above the figure (default: the analysis label)")
    parser.add_argument("--no-title", action="store_true", help="draw no title")


def figure_title(args: argparse.Namespace, default: str | None) -> str | None:
    """The title to draw: none with --no-title, else --title, else ``default``."""
    if args.no_title:
        return None
    return args.title if args.title is not None else default


def save_outputs(args: argparse.Namespace, draw: Callable[[], Figure]) -> int:
    """Draw the figure under the house style and write the requested SVG/PNG files."""
    if not args.svg and not args.png:
        raise InputError("nothing to write: give --svg PATH and/or --png PATH")
    for option, suffix in (("svg", ".svg"), ("png", ".png")):
        path = getattr(args, option)
        if path and Path(path).suffix.lower() != suffix:
            raise InputError(f"--{option} {path}: the file name must end in {suffix}")
    from evsynth.figures.render import figure_style, save_figure

    with figure_style():
        figure = draw()
        save_figure(figure, svg=args.svg, png=args.png, dpi=args.dpi)
    return 0
