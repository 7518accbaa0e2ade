"""The marks of a row table's interval plot: CI whiskers clipped at the axis with arrow heads,
study squares, summary diamonds and prediction bars (:mod:`evsynth.figures.table` lays them out)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from matplotlib.lines import Line2D
from matplotlib.patches import Polygon

if TYPE_CHECKING:
    from evsynth.figures.table import Row

__all__ = ["clip_segment", "draw_marks"]


def clip_segment(
    ax: Any,
    y: float,
    low: float,
    high: float,
    xlim: tuple[float, float],
    *,
    colour: str,
    lw: float,
    gid: str | None,
    zorder: float = 2,
    log_scale: bool = True,
) -> None:
    """Draw a CI whisker; where it leaves the axis, stop at the edge and draw an arrow head."""
    lo_x, hi_x = xlim
    a, b = (math.exp(low), math.exp(high)) if log_scale else (low, high)
    if b < lo_x or a > hi_x:
        a, b = (lo_x, lo_x) if b < lo_x else (hi_x, hi_x)
    start, end = max(a, lo_x), min(b, hi_x)
    line = Line2D([start, end], [y, y], color=colour, lw=lw, zorder=zorder, solid_capstyle="butt")
    if gid:
        line.set_gid(gid)
    ax.add_line(line)
    for x, outside, marker, side in ((lo_x, a < lo_x, "<", "left"), (hi_x, b > hi_x, ">", "right")):
        if outside:
            ax.add_line(
                Line2D(
                    [x],
                    [y],
                    marker=marker,
                    markersize=4,
                    color=colour,
                    zorder=zorder,
                    markeredgewidth=0,
                    gid=f"{gid}-arrow-{side}" if gid else None,
                    clip_on=False,
                )
            )


def draw_marks(
    ax: Any,
    i: int,
    row: Row,
    xlim: tuple[float, float],
    *,
    colour: str,
    gid: str | None,
    log_scale: bool,
) -> None:
    """Draw row ``i``'s interval marks on the plot axis: a study's square (a point's circle) on
    its clipped CI, a summary's diamond, or a prediction interval's bar with end ticks."""
    to_axis = math.exp if log_scale else float
    if row.estimate is None or row.low is None or row.high is None:
        return
    prediction = row.kind == "prediction"
    if row.kind in ("study", "point") or prediction:
        # A study's whisker is thin and carries "-ci"; a prediction interval is a thick bar.
        clip_segment(
            ax,
            i,
            row.low,
            row.high,
            xlim,
            colour=colour,
            lw=2.2 if prediction else 0.9,
            gid=gid if prediction else (f"{gid}-ci" if gid else None),
            log_scale=log_scale,
        )
    if row.kind in ("study", "point"):
        est = to_axis(row.estimate)
        if xlim[0] <= est <= xlim[1]:
            marker = "s" if row.kind == "study" else "o"
            ax.add_line(
                Line2D(
                    [est],
                    [i],
                    marker=marker,
                    markersize=row.size or 4.0,
                    color=colour,
                    markeredgewidth=0,
                    zorder=3,
                    gid=gid,
                    clip_on=False,
                )
            )
    elif row.kind == "diamond":
        lo = max(to_axis(row.low), xlim[0])
        hi = min(to_axis(row.high), xlim[1])
        est = min(max(to_axis(row.estimate), xlim[0]), xlim[1])
        h = 0.34
        poly = Polygon(
            [(lo, i), (est, i - h), (hi, i), (est, i + h)],
            closed=True,
            facecolor=colour if row.filled else "white",
            edgecolor=colour,
            lw=0.9,
            zorder=3,
            gid=gid,
        )
        ax.add_patch(poly)
    elif prediction:
        for v in (row.low, row.high):
            xv = to_axis(v)
            if xlim[0] <= xv <= xlim[1]:
                ax.add_line(Line2D([xv, xv], [i - 0.22, i + 0.22], color=colour, lw=0.9, zorder=3))
