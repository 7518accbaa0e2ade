"""Risk-of-bias plots: the traffic-light table and the weighted-by-study summary bars.

The layouts follow robvis (McGuinness and Higgins 2021, Res Synth Methods 12:55): one coloured
circle with a symbol per study and domain (so the plot also reads in greyscale), and per domain a
100% bar of the proportion of studies at each judgement. Newcastle-Ottawa tables (stars instead
of judgements) get the same two plots with star counts as the categories.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Rectangle

from evsynth.figures.formatting import text_width_in
from evsynth.figures.inputs import RiskOfBiasTable
from evsynth.figures.render import draw_title, new_figure, styled
from evsynth.figures.style import (
    FONT_SIZE,
    ROB_COLOURS,
    ROB_DOMAIN_LABELS,
    ROB_JUDGEMENTS,
    ROB_SYMBOLS,
)

__all__ = ["categories", "domain_label", "plot_rob_summary", "plot_rob_traffic_light"]

_CELL_IN = 0.36
_MARGIN_IN = 0.12
_STAR_COLOURS = ("#bf0000", "#7fcf3f", "#018a00")


def domain_label(name: str) -> str:
    """``comparability`` -> ``Comparability of cohorts``; other names as written."""
    if name in ROB_DOMAIN_LABELS:
        return ROB_DOMAIN_LABELS[name]
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


def categories(table: RiskOfBiasTable) -> list[str]:
    """Categories present, in a fixed order (best first), for legends and bars."""
    present = {c for row in table.judgements for c in row if c}
    if table.kind == "stars" and any(not c for row in table.judgements for c in row):
        present.add("0")
    if table.overall:
        present |= {c for c in table.overall if c}
    if table.kind == "stars":
        return [str(n) for n in sorted((int(c) for c in present), reverse=True)]
    return [j for j in ROB_JUDGEMENTS if j in present]


def _colour(table: RiskOfBiasTable, value: str) -> str:
    if table.kind == "stars":
        # No star is the warning; one star is the maximum in most NOS items, two in comparability.
        return _STAR_COLOURS[min(int(value), len(_STAR_COLOURS) - 1)]
    return ROB_COLOURS[value]


def _label(table: RiskOfBiasTable, value: str) -> str:
    if table.kind == "stars":
        return f"{value} star{'s' if value != '1' else ''}"
    return ROB_JUDGEMENTS[value]


def _symbol(table: RiskOfBiasTable, value: str) -> str:
    return "\u2605" * int(value) if table.kind == "stars" else ROB_SYMBOLS[value]


@styled
def plot_rob_traffic_light(table: RiskOfBiasTable, *, title: str | None = None) -> Figure:
    """One row per study, one circle per domain (D1, D2, ...) and overall; legend below."""
    columns = [f"D{i}" for i in range(1, len(table.domains) + 1)]
    cells = [list(row) for row in table.judgements]
    if table.overall is not None:
        columns.append("Overall")
        for row, value in zip(cells, table.overall, strict=True):
            row.append(value)
    if table.total is not None:
        columns.append("Total")
    n_rows = len(table.studies)
    label_w = (
        max(
            [text_width_in(s, size=FONT_SIZE) for s in table.labels]
            + [text_width_in("Study", size=FONT_SIZE, bold=True)]
        )
        + 0.2
    )
    legend = [f"D{i}: {domain_label(d)}" for i, d in enumerate(table.domains, start=1)]
    cats = categories(table)
    key_size = FONT_SIZE - 0.5
    key_head = "Judgement:" if table.kind != "stars" else "Stars:"
    key_items = (
        [_label(table, c) for c in cats]
        if table.kind != "stars"
        else ["\u2605 star awarded (Newcastle-Ottawa Scale)", "\u2013 no star"]
    )
    key_w = (
        text_width_in(key_head + " ", size=key_size, bold=True)
        + 0.05
        + sum(text_width_in(t, size=key_size) + 0.36 for t in key_items)
    )
    title_h = 0.32 if title else 0.0
    grid_w = len(columns) * _CELL_IN
    width = max(
        2 * _MARGIN_IN + label_w + grid_w,
        2 * _MARGIN_IN + max(text_width_in(t, size=FONT_SIZE) for t in legend) + 0.3,
        2 * _MARGIN_IN + key_w,
    )
    legend_h = 0.3 + len(legend) * 0.17 + 0.25 + 0.12
    height = 2 * _MARGIN_IN + title_h + (n_rows + 1) * _CELL_IN + legend_h
    fig = new_figure(width, height)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    ax.set_gid("rob-traffic-light")
    top = _MARGIN_IN + title_h
    x0 = _MARGIN_IN + label_w
    if title:
        draw_title(ax, _MARGIN_IN, _MARGIN_IN, title, gid="rob-title")
    ax.text(
        _MARGIN_IN,
        top + _CELL_IN / 2,
        "Study",
        ha="left",
        va="center",
        weight="bold",
        size=FONT_SIZE,
    )
    for j, col in enumerate(columns):
        ax.text(
            x0 + (j + 0.5) * _CELL_IN,
            top + _CELL_IN / 2,
            col,
            ha="center",
            va="center",
            weight="bold",
            size=FONT_SIZE - (1 if col == "Overall" else 0),
            gid=f"rob-column-{j + 1}",
        )
    ax.add_patch(
        Rectangle(
            (x0, top + _CELL_IN),
            grid_w,
            n_rows * _CELL_IN,
            facecolor="none",
            edgecolor="#bbbbbb",
            lw=0.6,
        )
    )
    for i, label in enumerate(table.labels):
        y = top + (i + 1.5) * _CELL_IN
        ax.text(
            _MARGIN_IN, y, label, ha="left", va="center", size=FONT_SIZE, gid=f"rob-study-{i + 1}"
        )
        if i:
            ax.add_line(Line2D([x0, x0 + grid_w], [y - _CELL_IN / 2] * 2, color="#dddddd", lw=0.5))
        for j, value in enumerate(cells[i]):
            cx = x0 + (j + 0.5) * _CELL_IN
            if table.kind == "stars" and value in ("", "0"):
                ax.text(
                    cx,
                    y,
                    "\u2013",
                    ha="center",
                    va="center",
                    size=FONT_SIZE,
                    color="#555555",
                    gid=f"rob-cell-{i + 1}-{j + 1}",
                )
                continue
            if not value:
                ax.text(
                    cx,
                    y,
                    "NA",
                    ha="center",
                    va="center",
                    size=FONT_SIZE - 2,
                    color="#777777",
                    gid=f"rob-cell-{i + 1}-{j + 1}",
                )
                continue
            if table.kind == "stars":
                ax.text(
                    cx,
                    y,
                    _symbol(table, value) or "0",
                    ha="center",
                    va="center",
                    size=FONT_SIZE - 2.5 if int(value) > 2 else FONT_SIZE - 1,
                    color=_colour(table, value) if int(value) == 0 else "#333333",
                    gid=f"rob-cell-{i + 1}-{j + 1}",
                )
                continue
            ax.add_patch(
                Circle(
                    (cx, y),
                    _CELL_IN * 0.36,
                    facecolor=_colour(table, value),
                    edgecolor="#444444",
                    lw=0.4,
                    gid=f"rob-cell-{i + 1}-{j + 1}",
                )
            )
            ax.text(
                cx,
                y,
                _symbol(table, value),
                ha="center",
                va="center",
                size=FONT_SIZE,
                weight="bold",
                color="black",
            )
        if table.total is not None:
            ax.text(
                x0 + (len(columns) - 0.5) * _CELL_IN,
                y,
                table.total[i] or "NA",
                ha="center",
                va="center",
                size=FONT_SIZE,
                gid=f"rob-total-{i + 1}",
            )
    y = top + (n_rows + 1) * _CELL_IN + 0.3
    ax.text(_MARGIN_IN, y, "Domains:", ha="left", va="center", weight="bold", size=FONT_SIZE - 0.5)
    for line in legend:
        y += 0.17
        ax.text(_MARGIN_IN, y, line, ha="left", va="center", size=FONT_SIZE - 0.5)
    y += 0.25
    x = _MARGIN_IN
    ax.text(x, y, key_head, ha="left", va="center", weight="bold", size=key_size)
    x += text_width_in(key_head + " ", size=key_size, bold=True) + 0.05
    for cat, text in zip(cats if table.kind != "stars" else ["", ""], key_items, strict=True):
        if table.kind != "stars":
            ax.add_patch(
                Circle(
                    (x + 0.07, y), 0.07, facecolor=_colour(table, cat), edgecolor="#444444", lw=0.4
                )
            )
            ax.text(
                x + 0.07,
                y,
                _symbol(table, cat),
                ha="center",
                va="center",
                size=FONT_SIZE - 3,
                weight="bold",
            )
            x += 0.18
        ax.text(x, y, text, ha="left", va="center", size=key_size)
        x += text_width_in(text, size=key_size) + 0.18
    return fig


@styled
def plot_rob_summary(table: RiskOfBiasTable, *, title: str | None = None) -> Figure:
    """Per domain, a 100% bar of the share of studies at each judgement (or star count)."""
    names = [domain_label(d) for d in table.domains]
    columns = (
        [list(col) for col in zip(*table.judgements, strict=True)]
        if table.judgements
        else [[] for _ in names]
    )
    if table.overall is not None:
        names.append("Overall")
        columns.append(list(table.overall))
    cats = categories(table)
    label_w = max(text_width_in(n, size=FONT_SIZE) for n in names) + 0.2
    bar_w = 3.6
    title_h = 0.32 if title else 0.0
    row_h = 0.3
    width = 2 * _MARGIN_IN + label_w + bar_w + 0.2
    height = 2 * _MARGIN_IN + title_h + len(names) * row_h + 0.95
    fig = new_figure(width, height)
    ax = fig.add_axes(
        (
            (_MARGIN_IN + label_w) / width,
            0.75 / height,
            bar_w / width,
            (len(names) * row_h) / height,
        )
    )
    ax.set_gid("rob-summary")
    ax.set_xlim(0, 100)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xticklabels(["0%", "25%", "50%", "75%", "100%"])
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    for i, values in enumerate(columns):
        # In a Newcastle-Ottawa table an empty cell is a star not awarded.
        judged = [v or "0" for v in values] if table.kind == "stars" else [v for v in values if v]
        n = len(judged)
        left = 0.0
        for cat in cats:
            share = 100.0 * judged.count(cat) / n if n else 0.0
            if share <= 0:
                continue
            ax.barh(
                i,
                share,
                left=left,
                height=0.7,
                color=_colour(table, cat),
                edgecolor="white",
                lw=0.6,
                gid=f"rob-bar-{i + 1}-{cat.replace(' ', '_')}",
            )
            if share >= 8:
                ax.text(
                    left + share / 2,
                    i,
                    f"{share:.0f}%",
                    ha="center",
                    va="center",
                    size=FONT_SIZE - 1.5,
                )
            left += share
        if n < len(values):
            ax.text(
                101,
                i,
                f"({len(values) - n} NA)",
                ha="left",
                va="center",
                size=FONT_SIZE - 2,
                color="#777777",
            )
    handles = [
        Rectangle(
            (0, 0), 1, 1, facecolor=_colour(table, c), edgecolor="none", label=_label(table, c)
        )
        for c in cats
    ]
    legend = ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.18),
        ncol=min(len(cats), 4),
        frameon=False,
        fontsize=FONT_SIZE - 0.5,
        handlelength=1.2,
        columnspacing=1.0,
    )
    legend.set_gid("rob-summary-legend")
    ax.set_xlabel(f"Share of studies (k = {len(table.studies)})", size=FONT_SIZE - 0.5)
    if title:
        draw_title(fig, _MARGIN_IN / width, 1 - _MARGIN_IN / height, title, gid="rob-title")
    return fig
