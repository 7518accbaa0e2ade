"""Write a figure as byte-stable SVG and 300-dpi PNG.

SVG keeps text as text (``svg.fonttype = 'none'``) so the figure stays editable and testable, uses
a fixed hash salt for its internal ids and carries no creation date, so rerunning the workflow on
unchanged inputs rewrites identical bytes (Snakemake and git see no change).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ParamSpec, TypeVar

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from evsynth import __version__
from evsynth.figures.style import FONT_SIZE, PNG_DPI, RC_PARAMS
from evsynth.tables import atomic_path

__all__ = ["draw_title", "figure_style", "new_figure", "save_figure", "styled"]

_P = ParamSpec("_P")
_R = TypeVar("_R")


@contextlib.contextmanager
def figure_style() -> Iterator[None]:
    """Apply the evsynth rcParams for the duration of one figure."""
    with matplotlib.rc_context(RC_PARAMS):
        yield


def styled(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Draw under the evsynth rcParams, so a figure looks the same whoever calls it."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with figure_style():
            return func(*args, **kwargs)

    return wrapper


def new_figure(width_in: float, height_in: float) -> Figure:
    """A figure not registered with pyplot's global state (no leaks across many figures)."""
    return Figure(figsize=(width_in, height_in))


def draw_title(
    target: Figure | Axes, x: float, y: float, title: str, *, gid: str, size: float | None = None
) -> None:
    """A figure's title as every evsynth figure sets it: top-left at (x, y), bold, 1.5 pt above
    the body text; ``target`` is the figure (figure fractions) or an axes (its data units)."""
    target.text(
        x,
        y,
        title,
        ha="left",
        va="top",
        weight="bold",
        size=FONT_SIZE + 1.5 if size is None else size,
        gid=gid,
    )


def _atomic_save(fig: Figure, path: Path, **kwargs: object) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, **kwargs)


def save_figure(
    fig: Figure, *, svg: str | Path | None = None, png: str | Path | None = None, dpi: int = PNG_DPI
) -> None:
    """Save ``fig`` as SVG and/or PNG (300 dpi by default); both byte-stable across reruns."""
    with matplotlib.rc_context(RC_PARAMS):
        if svg is not None:
            _atomic_save(
                fig,
                Path(svg),
                format="svg",
                metadata={"Date": None, "Creator": f"evsynth {__version__}"},
            )
        if png is not None:
            _atomic_save(
                fig,
                Path(png),
                format="png",
                dpi=dpi,
                metadata={"Software": f"evsynth {__version__}"},
            )
    plt.close(fig)
