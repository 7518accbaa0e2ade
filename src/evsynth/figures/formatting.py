"""Figure-only formatting (ticks, text widths); numbers come from :mod:`evsynth.contracts.format`.

Estimates, intervals and p-values are printed by :mod:`evsynth.contracts.format` so that a figure
shows the same ``0.034`` as the report and the console; only what is particular to a figure (axis
ticks, the statistic behind a p, text widths) lives here.
"""

from __future__ import annotations

import math

from evsynth.contracts.format import format_estimate_ci as format_ci
from evsynth.contracts.format import format_number, format_p_clause

__all__ = ["format_ci", "format_number", "format_tick", "overall_test_text", "text_width_in"]


def overall_test_text(
    stat: float | None, df: float | None, test: str | None, p: float | None
) -> str:
    """``z = -3.97, p < 0.001`` or, with the Hartung-Knapp-Sidik-Jonkman test, ``t = -2.10
    (df = 5), p = 0.089``: the statistic behind the pooled estimate's p, as RevMan prints it."""
    parts = []
    if stat is not None and math.isfinite(stat):
        if (test or "z").lower() in {"knha", "t"}:
            dof = f" (df = {df:.0f})" if df is not None and math.isfinite(df) else ""
            parts.append(f"t = {stat:.2f}{dof}")
        else:
            parts.append(f"z = {stat:.2f}")
    parts.append(format_p_clause(p))
    return ", ".join(parts)


def format_tick(value: float) -> str:
    """Axis tick labels on the ratio scale: ``0.1``, ``0.25``, ``1``, ``10``."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text


def text_width_in(text: str, *, size: float, bold: bool = False) -> float:
    """Rendered width of a single line of text in inches, to size table columns to their content."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    from evsynth.figures.style import FONT_FAMILY

    prop = FontProperties(family=FONT_FAMILY, size=size, weight="bold" if bold else "normal")
    width = max(
        (
            TextToPath().get_text_width_height_descent(line, prop, ismath=False)[0]
            for line in text.split("\n")
            if line
        ),
        default=0.0,
    )
    return width / 72.0
