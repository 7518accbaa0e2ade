"""Funnel plot: study effects against their standard errors, for small-study effects.

SE runs down the y axis (0 at the top, so large studies sit at the apex), the effect on a log
axis. Pseudo 95% confidence limits (summary +/- 1.96 SE) follow Sterne and Egger (2001, J Clin
Epidemiol 54:1046); the contour-enhanced variant shades where studies would be significant at
10%, 5% and 1% around the null (Peters et al. 2008, J Clin Epidemiol 61:991). Studies imputed by
trim-and-fill (Duval and Tweedie 2000, Biometrics 56:455) are drawn hollow. Egger's regression
test (Egger et al. 1997, BMJ 315:629) is printed under the title, with the Cochrane Handbook's
caution when k < 10 (section 13.3.5.4).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, NullLocator

from evsynth.contracts.format import format_p_clause
from evsynth.contracts.pooling_result import PoolingResult
from evsynth.figures.axis import auto_xlim, choose_ticks, linear_ticks
from evsynth.figures.common import is_ratio, measure_name, message_figure, pooled_effects
from evsynth.figures.formatting import format_ci, format_number, format_tick
from evsynth.figures.inputs import StudyEffect
from evsynth.figures.render import draw_title, new_figure, styled
from evsynth.figures.style import COLOURS, FONT_SIZE, MODEL_LABELS

__all__ = ["egger_text", "plot_funnel", "trim_and_fill_text"]

_Z = {"0.10": 1.6448536269514722, "0.05": 1.959963984540054, "0.01": 2.5758293035489004}
_MIN_K = 3
# Legend under the axis: its top this far below the axis (tick labels and axis title), and the
# height of one of its rows, in inches.
LEGEND_OFFSET_IN = 0.42
LEGEND_ROW_IN = 0.19


def egger_text(result: PoolingResult) -> str:
    """One line reporting Egger's test, or why it is absent."""
    egger = result.egger
    if egger is None or egger.p is None:
        return f"Egger's test: not computed (k = {result.k}; it needs at least {_MIN_K} studies)"
    bits = []
    if egger.intercept is not None:
        se = f" (SE {format_number(egger.se)})" if egger.se is not None else ""
        bits.append(f"intercept = {format_number(egger.intercept)}{se}")
    if egger.t is not None:
        df = f" (df = {egger.df:.0f})" if egger.df is not None else ""
        bits.append(f"t = {format_number(egger.t)}{df}")
    bits.append(format_p_clause(egger.p))
    text = "Egger's test: " + ", ".join(bits)
    if result.k < 10:
        text += f"; k = {result.k} < 10, low power"
    return text


def trim_and_fill_text(result: PoolingResult, *, measure: str = "HR") -> str | None:
    """``Trim-and-fill: 2 studies imputed (left); adjusted HR 0.52 [0.41, 0.66]``."""
    tf = result.trim_and_fill
    if tf is None:
        return None
    side = f" ({tf.side} side)" if tf.side else ""
    text = f"Trim-and-fill: {tf.k0} {'study' if tf.k0 == 1 else 'studies'} imputed{side}"
    if tf.k0 and None not in (tf.estimate, tf.ci_low, tf.ci_high):
        shown = math.exp if is_ratio(measure) else float
        est, lo, hi = (shown(v) for v in (tf.estimate, tf.ci_low, tf.ci_high))  # type: ignore[arg-type]
        text += f"; adjusted {measure} {format_ci(est, lo, hi)}"
    return text


def _summary_line(
    ax: Any, handles: list[object], x: float, se_max: float, *, gid: str, label: str, **style: Any
) -> None:
    """A summary estimate's line from the funnel's apex to its foot, and its legend entry."""
    ax.add_line(Line2D([x] * 2, [0, se_max], zorder=2, gid=gid, **style))
    handles.append(Line2D([], [], label=label, **style))


def _dots(
    ax: Any,
    handles: list[object],
    points: Sequence[tuple[float, float]],
    *,
    gid: str,
    label: str,
    edge: dict[str, Any],
    **style: Any,
) -> None:
    """One dot per (effect, SE), ``gid-1``, ``gid-2``...; the legend entry has their ``style``
    without the ``edge`` that sets the dots apart on the plot."""
    for i, (x, se) in enumerate(points, start=1):
        ax.add_line(
            Line2D(
                [x],
                [se],
                marker="o",
                markersize=4.5,
                ls="none",
                zorder=4,
                gid=f"{gid}-{i}",
                **style,
                **edge,
            )
        )
    handles.append(Line2D([], [], marker="o", ls="none", markersize=4.5, label=label, **style))


@styled
def plot_funnel(
    result: PoolingResult,
    effects: Sequence[StudyEffect],
    *,
    contours: bool = False,
    measure: str = "HR",
    title: str | None = None,
) -> Figure:
    """Draw the funnel plot; fewer than 3 studies give a figure saying why none is drawn."""
    effects, _ = pooled_effects(result, effects)
    if result.status != "pooled" or len(effects) < _MIN_K:
        return message_figure(
            title,
            f"Funnel plot not drawn: k = {len(effects)} (it needs at least {_MIN_K} studies).",
            gid="funnel",
        )
    model = result.model()
    assert model is not None
    centre = model.estimate
    filled = result.trim_and_fill.filled if result.trim_and_fill else ()
    se_all = [e.se for e in effects] + [se for _, se in filled]
    se_max = max(se_all) * 1.08
    ys = [e.yi for e in effects] + [y for y, _ in filled]
    limits = [centre - _Z["0.05"] * se_max, centre + _Z["0.05"] * se_max]
    # Ratios on a log axis around 1; differences (RD, MD, SMD) as they are around 0.
    ratio = is_ratio(measure)
    tx = np.exp if ratio else np.asarray  # arrays
    sx = math.exp if ratio else float  # scalars
    null = 1.0 if ratio else 0.0
    xlim = auto_xlim(ys, [centre, *limits], [], null_value=null, log_scale=ratio)

    subtitle = [egger_text(result)]
    tf_text = trim_and_fill_text(result, measure=measure)
    if tf_text:
        subtitle.append(tf_text)
    width, height = 5.6, 4.6 + 0.16 * len(subtitle)
    fig = new_figure(width, height)
    top = 0.12 + (0.28 if title else 0.0) + 0.17 * len(subtitle) + 0.1
    ax = fig.add_axes(
        (0.75 / width, 1.15 / height, (width - 1.0) / width, (height - 1.15 - top) / height)
    )
    ax.set_gid("funnel-axis")
    ax.set_xscale("log" if ratio else "linear")
    ax.set_xlim(*xlim)
    ax.set_ylim(se_max, 0)
    ticks = choose_ticks(xlim) if ratio else linear_ticks(xlim)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([format_tick(t) for t in ticks])
    for side in ("right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(f"{measure_name(measure)} ({'log' if ratio else 'linear'} scale)")
    ax.set_ylabel(f"Standard error of {'log ' if ratio else ''}{measure}")

    grid = np.linspace(0, se_max, 200)
    handles: list[object] = []
    if contours:
        # Peters' contours are centred on the null: shade by the p-value a study would have.
        ax.set_facecolor(COLOURS["contour_3"])
        bands = (
            ("0.01", COLOURS["contour_2"], "0.01 < p < 0.05"),
            ("0.05", "#efefef", "0.05 < p < 0.10"),
            ("0.10", COLOURS["contour_1"], "p > 0.10"),
        )
        for key, colour, _label in bands:
            z = _Z[key]
            ax.fill_betweenx(
                grid,
                tx(-z * grid),
                tx(z * grid),
                color=colour,
                lw=0,
                zorder=0,
                gid=f"funnel-contour-{key}",
            )
        for _key, colour, label in reversed(bands):
            handles.append(Patch(facecolor=colour, edgecolor="#999999", lw=0.5, label=label))
        handles.append(
            Patch(facecolor=COLOURS["contour_3"], edgecolor="#999999", lw=0.5, label="p < 0.01")
        )
        ax.add_line(
            Line2D(
                [null, null],
                [0, se_max],
                color=COLOURS["null_line"],
                lw=0.6,
                zorder=1,
                gid="funnel-null-line",
            )
        )
    # Pseudo 95% confidence limits around the summary estimate.
    z = _Z["0.05"]
    for side, limit in (("left", centre - z * grid), ("right", centre + z * grid)):
        ax.plot(
            tx(limit),
            grid,
            color="#555555",
            lw=0.8,
            ls=(0, (4, 2)),
            zorder=2,
            gid=f"funnel-pseudo-ci-{side}",
        )
    handles.append(
        Line2D(
            [], [], color="#555555", lw=0.8, ls=(0, (4, 2)), label="Pseudo 95% confidence limits"
        )
    )
    _summary_line(
        ax,
        handles,
        sx(centre),
        se_max,
        gid="funnel-estimate-line",
        label=f"{MODEL_LABELS[model.name]} estimate",
        color=COLOURS["study"],
        lw=0.9,
    )
    _dots(
        ax,
        handles,
        [(sx(e.yi), e.se) for e in effects],
        gid="funnel-study",
        label=f"Studies (k = {len(effects)})",
        edge={"markeredgecolor": "white", "markeredgewidth": 0.4},
        color=COLOURS["study"],
    )
    if filled:
        _dots(
            ax,
            handles,
            [(sx(y), se) for y, se in filled],
            gid="funnel-filled",
            label=f"Imputed by trim-and-fill (k0 = {len(filled)})",
            edge={"markeredgewidth": 0.9},
            markerfacecolor="white",
            markeredgecolor=COLOURS["filled"],
        )
        tf = result.trim_and_fill
        if tf is not None and tf.estimate is not None:
            _summary_line(
                ax,
                handles,
                sx(tf.estimate),
                se_max,
                gid="funnel-trim-and-fill-estimate",
                label="Trim-and-fill adjusted estimate",
                color=COLOURS["filled"],
                lw=0.9,
                ls=(0, (1, 1.5)),
            )
    # The legend sits under the axis in as many rows as it needs: the figure grows to hold it
    # (with contours and trim-and-fill it has nine entries; a fixed margin clipped the last row).
    axes_height = height - 1.15 - top
    rows = math.ceil(len(handles) / 2)
    bottom = LEGEND_OFFSET_IN + LEGEND_ROW_IN * rows + 0.12
    height = top + axes_height + bottom
    fig.set_size_inches(width, height)
    ax.set_position((0.75 / width, bottom / height, (width - 1.0) / width, axes_height / height))
    legend = ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -LEGEND_OFFSET_IN / axes_height),
        ncol=2,
        frameon=False,
        fontsize=FONT_SIZE - 0.5,
        handlelength=2.2,
        columnspacing=1.2,
    )
    legend.set_gid("funnel-legend")
    y = 1 - 0.12 / height
    if title:
        draw_title(fig, 0.12 / width, y, title, gid="funnel-title")
        y -= 0.28 / height
    for k, line in enumerate(subtitle):
        fig.text(
            0.12 / width,
            y,
            line,
            ha="left",
            va="top",
            size=FONT_SIZE,
            gid="funnel-egger" if k == 0 else "funnel-trim-and-fill",
        )
        y -= 0.17 / height
    return fig
