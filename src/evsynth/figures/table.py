"""The row-table layout shared by forest, leave-one-out and cumulative plots.

A published forest plot is a table whose rows line up with an interval plot: labels on the left,
the log-scale plot in the middle, numeric columns on the right. :class:`IntervalTable` describes
the rows; :func:`draw_interval_table` measures every text, sizes the columns to their content and
the figure height to the number of rows (so 2 and 60 studies are equally readable), and draws.
Artists carry SVG ids (``gid``) so tests and the report can find study rows and diamonds.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, NullLocator

from evsynth.figures.axis import auto_xlim, choose_ticks, linear_ticks
from evsynth.figures.formatting import format_tick, text_width_in
from evsynth.figures.marks import draw_marks
from evsynth.figures.render import new_figure
from evsynth.figures.style import COLOURS, FONT_SIZE, ROW_HEIGHT_IN

__all__ = ["IntervalTable", "Row", "draw_interval_table", "measure_table"]

_MARGIN_IN = 0.12
_GAP_IN = 0.12
_CELL_PAD_IN = 0.22


@dataclass(frozen=True)
class Row:
    """One table row. ``kind``: study, point, diamond, prediction, group, text, blank."""

    kind: str
    label: str = ""
    cells: tuple[str, ...] = ()
    estimate: float | None = None  # log scale
    low: float | None = None
    high: float | None = None
    size: float | None = None  # marker side, points
    bold: bool = False
    italic: bool = False
    indent: bool = False
    filled: bool = True
    colour: str | None = None
    gid: str | None = None
    span: bool = False  # label may run across the plot (heterogeneity lines)


@dataclass(frozen=True)
class IntervalTable:
    """Everything a row-table figure shows; values on the log scale, limits on the ratio scale."""

    rows: tuple[Row, ...]
    left_header: str
    right_headers: tuple[str, ...]
    plot_header: str = "Hazard ratio (log scale)"
    title: str | None = None
    favours: tuple[str, str] | None = None
    null_value: float = 1.0
    reference: tuple[float, float, float] | None = None  # log estimate, low, high: line + band
    footnotes: tuple[str, ...] = ()
    xlim: tuple[float, float] | None = None
    plot_width_in: float = 2.8
    gid_prefix: str = "table"
    extra_values: tuple[float, ...] = field(default=())  # log values the axis must show
    # False for difference measures (RD, MD, SMD): values are drawn as they are on a linear axis
    # around null_value 0, instead of exp() on a log axis.
    log_scale: bool = True


def measure_table(
    rows: Sequence[Row],
    *,
    ratio: bool,
    axis_label: str,
    left_header: str,
    right_headers: tuple[str, ...],
    favours: tuple[str, str] | None,
    title: str | None,
    footnotes: tuple[str, ...],
    xlim: tuple[float, float] | None,
    gid_prefix: str,
    reference: tuple[float, float, float] | None = None,
) -> IntervalTable:
    """The table on its measure's scale, as the forest, leave-one-out and cumulative plots all
    draw it: a ratio exponentiated on a log axis around 1, a difference (RD, MD, SMD) as it is on
    a linear axis around 0, and the favours labels pointing away from the null line."""
    return IntervalTable(
        rows=tuple(rows),
        left_header=left_header,
        right_headers=right_headers,
        plot_header=f"{axis_label} ({'log' if ratio else 'linear'} scale)",
        null_value=1.0 if ratio else 0.0,
        log_scale=ratio,
        title=title,
        favours=(f"\u2190 {favours[0]}", f"{favours[1]} \u2192") if favours else None,
        reference=reference,
        footnotes=footnotes,
        xlim=xlim,
        gid_prefix=gid_prefix,
    )


def _wrap_to_width(text: str, width_in: float, size: float) -> str:
    if text_width_in(text, size=size) <= width_in:
        return text
    for chars in range(len(text), 4, -1):
        wrapped = textwrap.fill(text, chars)
        if max(text_width_in(line, size=size) for line in wrapped.split("\n")) <= width_in:
            return wrapped
    return text


def draw_interval_table(table: IntervalTable) -> Figure:
    """Lay out and draw a row table with a log-scale interval plot; returns the Figure."""
    rows = table.rows
    n = len(rows) + 1  # + header row 0
    size = FONT_SIZE
    # Column widths from the measured text.
    label_w = (
        max(
            [text_width_in(table.left_header, size=size, bold=True)]
            + [
                text_width_in(r.label, size=size, bold=r.bold) + (0.12 if r.indent else 0.0)
                for r in rows
                if not r.span
            ]
        )
        + _GAP_IN
    )
    n_cols = len(table.right_headers)
    col_w = []
    for j in range(n_cols):
        texts = [r.cells[j] for r in rows if j < len(r.cells)]
        col_w.append(
            max(
                [text_width_in(table.right_headers[j], size=size, bold=True)]
                + [text_width_in(t, size=size, bold=True) for t in texts]
            )
            + _CELL_PAD_IN
        )
    plot_w = max(table.plot_width_in, text_width_in(table.plot_header, size=size, bold=True) + 0.1)
    width = _MARGIN_IN + label_w + plot_w + _GAP_IN + sum(col_w) + _MARGIN_IN
    span_w = (
        max([text_width_in(r.label, size=size, bold=r.bold) for r in rows if r.span], default=0.0)
        + 2 * _MARGIN_IN
    )
    if span_w > width:
        plot_w += span_w - width
        width = span_w
    # Favours labels under the axis, wrapped to half the plot width.
    fav = None
    fav_lines = 0
    if table.favours:
        fav = tuple(_wrap_to_width(t, plot_w / 2 - 0.12, size - 0.5) for t in table.favours)
        fav_lines = max(t.count("\n") + 1 for t in fav)
    # Long analysis titles wrap to the figure's width instead of running off its edge.
    title_w = 0.9 * (width - 2 * _MARGIN_IN)  # bold text runs about a tenth wider
    title = _wrap_to_width(table.title, title_w, size + 1.5) if table.title else None
    title_h = 0.12 + 0.2 * (title.count("\n") + 1) if title else 0.0
    top = _MARGIN_IN + title_h
    rows_h = n * ROW_HEIGHT_IN
    notes = [
        line
        for note in table.footnotes
        for line in _wrap_to_width(note, width - 2 * _MARGIN_IN, size - 1).split("\n")
    ]
    foot_h = len(notes) * 0.15
    bottom = 0.28 + (0.08 + fav_lines * 0.14 if fav else 0.0) + foot_h + _MARGIN_IN
    height = top + rows_h + bottom

    fig = new_figure(width, height)
    x_plot = _MARGIN_IN + label_w
    rect_rows = (0, bottom / height, 1, rows_h / height)
    ax = fig.add_axes((x_plot / width, bottom / height, plot_w / width, rows_h / height))
    ax.set_gid(f"{table.gid_prefix}-axis")
    tab = fig.add_axes(rect_rows)
    tab.set_gid(f"{table.gid_prefix}-table")
    tab.patch.set_visible(False)
    tab.set_axis_off()
    tab.set_xlim(0, width)
    for a in (ax, tab):
        a.set_ylim(n - 0.5, -0.5)

    # Plot axis: log scale (linear for differences), ticks from the 1-2-5 series, bottom spine.
    to_axis = math.exp if table.log_scale else float
    xlim = table.xlim
    if xlim is None:
        pts = [r.estimate for r in rows if r.kind in ("study", "point") and r.estimate is not None]
        sums = [
            v
            for r in rows
            if r.kind in ("diamond", "prediction")
            for v in (r.estimate, r.low, r.high)
            if v is not None
        ]
        ints = [
            v
            for r in rows
            if r.kind in ("study", "point")
            for v in (r.low, r.high)
            if v is not None
        ]
        xlim = auto_xlim(
            pts,
            [*sums, *table.extra_values],
            ints,
            null_value=table.null_value,
            log_scale=table.log_scale,
        )
    ax.set_xscale("log" if table.log_scale else "linear")
    ax.set_xlim(*xlim)
    ticks = choose_ticks(xlim) if table.log_scale else linear_ticks(xlim)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([format_tick(t) for t in ticks])
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.patch.set_visible(False)
    ax.tick_params(axis="x", length=3, pad=2)

    # Null line, and the overall estimate with its CI as a band (leave-one-out, cumulative).
    null = Line2D(
        [table.null_value] * 2,
        [0.5, n - 0.5],
        color=COLOURS["null_line"],
        lw=0.8,
        zorder=1,
        gid=f"{table.gid_prefix}-null-line",
    )
    ax.add_line(null)
    if table.reference is not None:
        est, lo, hi = (to_axis(v) for v in table.reference)
        ax.fill_betweenx(
            [0.5, n - 0.5],
            max(lo, xlim[0]),
            min(hi, xlim[1]),
            color=COLOURS["band"],
            lw=0,
            zorder=0,
            gid=f"{table.gid_prefix}-reference-band",
        )
        ax.add_line(
            Line2D(
                [est] * 2,
                [0.5, n - 0.5],
                color=COLOURS["summary_line"],
                lw=0.8,
                ls=(0, (4, 2)),
                zorder=1,
                gid=f"{table.gid_prefix}-reference-line",
            )
        )

    # Header row with rules above and below, as in a journal table.
    cell_right = []
    x = x_plot + plot_w + _GAP_IN
    for w in col_w:
        x += w
        cell_right.append(x - 0.04)
    headers = [
        (_MARGIN_IN, table.left_header, "left", "label"),
        (x_plot + plot_w / 2, table.plot_header, "center", "plot"),
    ]
    headers += [
        (cell_right[j], head, "right", str(j)) for j, head in enumerate(table.right_headers)
    ]
    for x_head, head, ha, name in headers:
        tab.text(
            x_head,
            0,
            head,
            ha=ha,
            va="center",
            weight="bold",
            size=size,
            gid=f"{table.gid_prefix}-header-{name}",
        )
    for yline in (-0.5, 0.5):
        tab.add_line(
            Line2D([_MARGIN_IN, width - _MARGIN_IN], [yline, yline], color="black", lw=0.6)
        )

    for i, row in enumerate(rows, start=1):
        colour = row.colour or COLOURS["study"]
        gid = row.gid
        if row.label:
            style = "italic" if row.italic else "normal"
            text = tab.text(
                _MARGIN_IN + (0.12 if row.indent else 0.0),
                i,
                row.label,
                ha="left",
                va="center",
                size=size,
                weight="bold" if row.bold else "normal",
                style=style,
                gid=f"{gid}-label" if gid else None,
            )
            if row.span:
                text.set_bbox({"facecolor": "white", "edgecolor": "none", "pad": 0.6})
        for j, cell in enumerate(row.cells):
            if cell:
                tab.text(
                    cell_right[j],
                    i,
                    cell,
                    ha="right",
                    va="center",
                    size=size,
                    weight="bold" if row.bold else "normal",
                    gid=f"{gid}-cell-{j}" if gid else None,
                )
        draw_marks(ax, i, row, xlim, colour=colour, gid=gid, log_scale=table.log_scale)

    if fav:
        ax.annotate(
            fav[0],
            xy=(table.null_value, 0),
            xycoords=("data", "axes fraction"),
            xytext=(-5, -17),
            textcoords="offset points",
            ha="right",
            va="top",
            size=size - 0.5,
            gid=f"{table.gid_prefix}-favours-left",
            multialignment="right",
        )
        ax.annotate(
            fav[1],
            xy=(table.null_value, 0),
            xycoords=("data", "axes fraction"),
            xytext=(5, -17),
            textcoords="offset points",
            ha="left",
            va="top",
            size=size - 0.5,
            gid=f"{table.gid_prefix}-favours-right",
        )
    if title:
        fig.text(
            _MARGIN_IN / width,
            1 - _MARGIN_IN / height,
            title,
            ha="left",
            va="top",
            weight="bold",
            size=size + 1.5,
            gid=f"{table.gid_prefix}-title",
        )
    for k, note in enumerate(notes):
        fig.text(
            _MARGIN_IN / width,
            (_MARGIN_IN + (len(notes) - 1 - k) * 0.15) / height,
            note,
            ha="left",
            va="bottom",
            size=size - 1,
            color="#333333",
            gid=f"{table.gid_prefix}-footnote-{k}",
        )
    return fig
