"""PRISMA 2020 flow diagram drawn from ``results/prisma/counts.json``.

Follows the PRISMA 2020 statement's templates (Page et al. 2021, BMJ 372:n71, figure 1): the
databases-and-registers column (records identified per database, removed before screening,
screened, excluded, reports sought, not retrieved, assessed, excluded with reasons, studies and
reports included), an "other methods" column when websites, organisations or citation searching
contributed, and the updated-review layout (a "previous studies" column and a total) when the
counts carry ``previous_studies``/``previous_reports``. Field names are the PRISMA2020 R
package's (Haddaway et al. 2022, Campbell Syst Rev 18:e1230), so its users recognise the file.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from evsynth.contracts.prisma_counts import PrismaFlow
from evsynth.figures.formatting import text_width_in
from evsynth.figures.render import new_figure, styled
from evsynth.figures.style import COLOURS, DATABASE_LABELS, FONT_SIZE

__all__ = ["PrismaBox", "awaiting_note", "plot_prisma", "prisma_boxes"]

_PAD_IN = 0.09
_LINE_IN = 0.155
_GAP_X_IN = 0.38
_GAP_Y_IN = 0.3
_PHASE_W_IN = 0.28
_WRAP = 46


@dataclass(frozen=True)
class PrismaBox:
    """One box of the diagram: its grid cell and its lines of text."""

    key: str
    col: str
    row: str
    lines: tuple[str, ...]


def _n(value: Any) -> str:
    return "NA" if value is None else str(value)


def _items(mapping: Any) -> list[tuple[str, Any]]:
    if not isinstance(mapping, dict):
        return []
    return sorted(mapping.items(), key=lambda kv: (-(kv[1] or 0), str(kv[0])))


def _wrap(line: str, indent: str = "") -> list[str]:
    """Wrap a long line, never splitting a count "(n = 12)" from itself."""
    keep = line.replace("(n = ", "(n\x00=\x00")
    wrapped = textwrap.wrap(keep, _WRAP, subsequent_indent=indent + "  ") or [keep]
    return [part.replace("\x00", " ") for part in wrapped]


def _database_name(name: str, labels: Mapping[str, str]) -> str:
    return labels.get(name) or DATABASE_LABELS.get(name.lower()) or name


def prisma_boxes(
    counts: PrismaFlow, *, database_labels: Mapping[str, str] | None = None
) -> list[PrismaBox]:
    """The boxes of the diagram with their text, in drawing order.

    ``database_labels`` maps the source keys of ``database_specific_results`` (``pubmed``) to
    the database names a reader expects (``PubMed``), as configured per search source.
    """
    labels = database_labels or {}
    c = counts.get
    update = counts.is_update
    boxes: list[PrismaBox] = []
    ident = ["Records identified from:"]
    databases = c("database_specific_results")
    ident.append(f"  Databases (n = {_n(c('database_results'))})")
    for name, n in databases.items() if isinstance(databases, dict) else []:
        ident.extend(_wrap(f"    {_database_name(str(name), labels)} (n = {_n(n)})", "    "))
    registers = c("register_specific_results")
    if c("register_results") is not None or registers:
        ident.append(f"  Registers (n = {_n(c('register_results'))})")
        for name, n in registers.items() if isinstance(registers, dict) else []:
            ident.extend(_wrap(f"    {name} (n = {_n(n)})", "    "))
    boxes.append(PrismaBox("identification", "main", "identification", tuple(ident)))
    removed = [
        "Records removed before screening:",
        f"  Duplicate records removed (n = {_n(c('duplicates'))})",
    ]
    if c("excluded_automatic") is not None:
        removed += _wrap(
            f"  Records marked as ineligible by automation tools (n = {c('excluded_automatic')})",
            "  ",
        )
    if c("excluded_other") is not None:
        removed.append(f"  Records removed for other reasons (n = {c('excluded_other')})")
    boxes.append(PrismaBox("removed", "side", "identification", tuple(removed)))
    boxes.append(
        PrismaBox(
            "screened",
            "main",
            "screened",
            ("Records screened", f"(n = {_n(c('records_screened'))})"),
        )
    )
    boxes.append(
        PrismaBox(
            "screen_excluded",
            "side",
            "screened",
            ("Records excluded", f"(n = {_n(c('records_excluded'))})"),
        )
    )
    boxes.append(
        PrismaBox(
            "sought",
            "main",
            "sought",
            ("Reports sought for retrieval", f"(n = {_n(c('dbr_sought_reports'))})"),
        )
    )
    boxes.append(
        PrismaBox(
            "not_retrieved",
            "side",
            "sought",
            ("Reports not retrieved", f"(n = {_n(c('dbr_notretrieved_reports'))})"),
        )
    )
    boxes.append(
        PrismaBox(
            "assessed",
            "main",
            "assessed",
            ("Reports assessed for eligibility", f"(n = {_n(c('dbr_assessed'))})"),
        )
    )
    reasons = _items(c("dbr_excluded"))
    excluded = ["Reports excluded:"]
    if reasons:
        for reason, n in reasons:
            excluded += _wrap(f"  {reason} (n = {_n(n)})", "  ")
    else:
        excluded.append("  (n = 0)")
    boxes.append(PrismaBox("excluded", "side", "assessed", tuple(excluded)))
    studies = c("new_studies") if c("new_studies") is not None else c("total_studies")
    reports = c("new_reports") if c("new_reports") is not None else c("total_reports")
    if update:
        boxes.append(
            PrismaBox(
                "previous",
                "previous",
                "identification",
                (
                    *_wrap(
                        f"Studies included in previous version of review "
                        f"(n = {_n(c('previous_studies'))})"
                    ),
                    *_wrap(
                        f"Reports of studies included in previous version of review "
                        f"(n = {_n(c('previous_reports'))})"
                    ),
                ),
            )
        )
        boxes.append(
            PrismaBox(
                "included",
                "main",
                "included",
                (
                    f"New studies included in review (n = {_n(c('new_studies'))})",
                    f"Reports of new included studies (n = {_n(c('new_reports'))})",
                ),
            )
        )
        boxes.append(
            PrismaBox(
                "total",
                "main",
                "total",
                (
                    f"Total studies included in review (n = {_n(c('total_studies'))})",
                    f"Reports of total included studies (n = {_n(c('total_reports'))})",
                ),
            )
        )
    else:
        boxes.append(
            PrismaBox(
                "included",
                "main",
                "included",
                (
                    f"Studies included in review (n = {_n(studies)})",
                    f"Reports of included studies (n = {_n(reports)})",
                ),
            )
        )
    if counts.has_other_methods:
        other = ["Records identified from:"]
        for key, label in (
            ("website_results", "Websites"),
            ("organisation_results", "Organisations"),
            ("citations_results", "Citation searching"),
        ):
            if c(key) is not None:
                other.append(f"  {label} (n = {c(key)})")
        boxes.append(PrismaBox("other_identification", "other", "identification", tuple(other)))
        boxes.append(
            PrismaBox(
                "other_sought",
                "other",
                "sought",
                ("Reports sought for retrieval", f"(n = {_n(c('other_sought_reports'))})"),
            )
        )
        boxes.append(
            PrismaBox(
                "other_not_retrieved",
                "other_side",
                "sought",
                ("Reports not retrieved", f"(n = {_n(c('other_notretrieved_reports'))})"),
            )
        )
        boxes.append(
            PrismaBox(
                "other_assessed",
                "other",
                "assessed",
                ("Reports assessed for eligibility", f"(n = {_n(c('other_assessed'))})"),
            )
        )
        other_ex = ["Reports excluded:"]
        for reason, n in _items(c("other_excluded")) or [("", 0)]:
            other_ex += _wrap(f"  {reason} (n = {_n(n)})".replace("   (", "  ("), "  ")
        boxes.append(PrismaBox("other_excluded", "other_side", "assessed", tuple(other_ex)))
    return boxes


def _box_size(lines: tuple[str, ...], *, bold_first: bool = False) -> tuple[float, float]:
    width = max(
        text_width_in(line, size=FONT_SIZE, bold=bold_first and i == 0)
        for i, line in enumerate(lines)
    )
    return width + 2 * _PAD_IN, len(lines) * _LINE_IN + 2 * _PAD_IN


def awaiting_note(counts: PrismaFlow) -> str | None:
    """Say when screening is unfinished, so an interim diagram is never mistaken for a final one."""
    screening = counts.get("awaiting_screening") or 0
    assessment = counts.get("awaiting_assessment") or 0
    if not screening and not assessment and counts.get("screening_complete") is not False:
        return None
    return (
        f"Screening incomplete: {screening} records awaiting screening, {assessment} reports "
        "awaiting assessment."
    )


@styled
def plot_prisma(
    counts: PrismaFlow,
    *,
    title: str | None = None,
    database_labels: Mapping[str, str] | None = None,
) -> Figure:
    """Draw the PRISMA 2020 flow diagram (new or updated review) from the counts."""
    boxes = prisma_boxes(counts, database_labels=database_labels)
    note = awaiting_note(counts)
    update = counts.is_update
    other = counts.has_other_methods
    cols = [
        *(["previous"] if update else []),
        "main",
        "side",
        *(["other", "other_side"] if other else []),
    ]
    rows = [
        "header",
        "identification",
        "screened",
        "sought",
        "assessed",
        "included",
        *(["total"] if update else []),
    ]
    col_w = dict.fromkeys(cols, 1.7)
    row_h = dict.fromkeys(rows, 0.5)
    row_h["header"] = 0.42
    # Phase labels are rotated text: their rows must be tall enough to hold them.
    if not update:
        row_h["included"] = text_width_in("Included", size=FONT_SIZE, bold=True) + 0.2
    row_h["identification"] = text_width_in("Identification", size=FONT_SIZE, bold=True) + 0.2
    for box in boxes:
        w, h = _box_size(box.lines)
        col_w[box.col] = max(col_w[box.col], w)
        row_h[box.row] = max(row_h[box.row], h)
    margin = 0.12
    title_h = 0.34 if title else 0.0
    x0 = margin + _PHASE_W_IN + _GAP_X_IN * 0.6
    col_x: dict[str, float] = {}
    x = x0
    for col in cols:
        col_x[col] = x
        x += col_w[col] + _GAP_X_IN
    width = x - _GAP_X_IN + margin
    row_y: dict[str, float] = {}
    y = margin + title_h
    for row in rows:
        row_y[row] = y
        y += row_h[row] + _GAP_Y_IN
    height = y - _GAP_Y_IN + margin + (0.25 if note else 0.0)

    fig = new_figure(width, height)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_gid("prisma-axis")
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()

    def rect(
        key: str, x: float, y: float, w: float, h: float, *, fill: str, rounded: bool = False
    ) -> None:
        style = "round,pad=0,rounding_size=0.06" if rounded else "square,pad=0"
        ax.add_patch(
            FancyBboxPatch(
                (x, y),
                w,
                h,
                boxstyle=style,
                facecolor=fill,
                edgecolor=COLOURS["box_edge"],
                lw=0.8,
                gid=f"prisma-box-{key}",
            )
        )

    geometry: dict[str, tuple[float, float, float, float]] = {}
    for box in boxes:
        x, y = col_x[box.col], row_y[box.row]
        w, h = col_w[box.col], row_h[box.row]
        if box.key == "total":
            # The total spans the previous-studies and new-studies columns.
            x = col_x["previous"]
            w = col_x["main"] + col_w["main"] - x
        geometry[box.key] = (x, y, w, h)
        rect(box.key, x, y, w, h, fill=COLOURS["box_fill"])
        centred = len(box.lines) == 2 and box.lines[1].startswith("(n = ")
        text = "\n".join(box.lines)
        # A bare "label / (n = N)" box is centred; a box with a list reads from the left.
        align = {"ha": "center", "multialignment": "center"} if centred else {"ha": "left"}
        ax.text(
            x + w / 2 if centred else x + _PAD_IN,
            y + h / 2,
            text,
            va="center",
            size=FONT_SIZE,
            linespacing=1.35,
            gid=f"prisma-text-{box.key}",
            **align,
        )

    # Column headers.
    def header(key: str, first: str, last: str, label: str) -> None:
        x = col_x[first]
        w = col_x[last] + col_w[last] - x
        y, h = row_y["header"], row_h["header"]
        rect(f"header-{key}", x, y, w, h, fill=COLOURS["box_header"], rounded=True)
        ax.text(
            x + w / 2,
            y + h / 2,
            label,
            ha="center",
            va="center",
            size=FONT_SIZE,
            weight="bold",
            gid=f"prisma-header-{key}",
        )

    if update:
        header("previous", "previous", "previous", "Previous studies")
        header(
            "databases", "main", "side", "Identification of new studies via databases and registers"
        )
    else:
        header("databases", "main", "side", "Identification of studies via databases and registers")
    if other:
        header("other", "other", "other_side", "Identification of studies via other methods")

    # Phase labels down the left edge.
    phases = [
        ("identification", "Identification", "identification", "identification"),
        ("screening", "Screening", "screened", "assessed"),
        ("included", "Included", "included", "total" if update else "included"),
    ]
    for key, label, first, last in phases:
        y = row_y[first]
        h = row_y[last] + row_h[last] - y
        rect(f"phase-{key}", margin, y, _PHASE_W_IN, h, fill=COLOURS["box_header"], rounded=True)
        ax.text(
            margin + _PHASE_W_IN / 2,
            y + h / 2,
            label,
            ha="center",
            va="center",
            rotation=90,
            size=FONT_SIZE,
            weight="bold",
            gid=f"prisma-phase-{key}",
        )

    def arrow(a: tuple[float, float], b: tuple[float, float], gid: str) -> None:
        ax.add_patch(
            FancyArrowPatch(
                a,
                b,
                arrowstyle="-|>",
                mutation_scale=9,
                lw=0.8,
                color=COLOURS["box_edge"],
                shrinkA=0,
                shrinkB=0,
                gid=f"prisma-arrow-{gid}",
            )
        )

    def down(src: str, dst: str) -> None:
        xs, ys, ws, hs = geometry[src]
        yd = geometry[dst][1]
        x = xs + ws / 2
        arrow((x, ys + hs), (x, yd), f"{src}-{dst}")

    def right(src: str, dst: str) -> None:
        xs, ys, ws, hs = geometry[src]
        xd, yd, _, hd = geometry[dst]
        y = ys + hs / 2 if hs <= hd else yd + hd / 2
        arrow((xs + ws, y), (xd, y), f"{src}-{dst}")

    for src, dst in (
        ("identification", "screened"),
        ("screened", "sought"),
        ("sought", "assessed"),
        ("assessed", "included"),
    ):
        down(src, dst)
    for src, dst in (
        ("identification", "removed"),
        ("screened", "screen_excluded"),
        ("sought", "not_retrieved"),
        ("assessed", "excluded"),
    ):
        right(src, dst)
    if update:
        xi, yi, wi, hi = geometry["included"]
        yt = geometry["total"][1]
        arrow((xi + wi / 2, yi + hi), (xi + wi / 2, yt), "included-total")
        xp, yp, wp, hp = geometry["previous"]
        arrow((xp + wp / 2, yp + hp), (xp + wp / 2, yt), "previous-total")
    if other:
        down("other_identification", "other_sought")
        down("other_sought", "other_assessed")
        right("other_sought", "other_not_retrieved")
        right("other_assessed", "other_excluded")
        xo, yo, wo, ho = geometry["other_assessed"]
        xi, yi, wi, hi = geometry["included"]
        ymid = yi + hi / 2
        ax.add_line(
            Line2D([xo + wo / 2, xo + wo / 2], [yo + ho, ymid], lw=0.8, color=COLOURS["box_edge"])
        )
        arrow((xo + wo / 2, ymid), (xi + wi, ymid), "other_assessed-included")
    if note:
        ax.text(
            margin,
            height - margin,
            note,
            ha="left",
            va="bottom",
            size=FONT_SIZE,
            color=COLOURS["prediction"],
            gid="prisma-awaiting",
        )
    if title:
        ax.text(
            margin,
            margin,
            title,
            ha="left",
            va="top",
            size=FONT_SIZE + 1.5,
            weight="bold",
            gid="prisma-title",
        )
    return fig
