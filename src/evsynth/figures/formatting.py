"""Figure-only formatting (ticks, text widths); numbers come from :mod:`evsynth.contracts.format`.

``format_p`` here still prints 2 significant digits (``0.03``) for the forest and funnel plots,
whose modules are being reworked; they move to :func:`evsynth.contracts.format.format_p`
(``0.034``) next, see docs/architecture.md.
"""

from __future__ import annotations

import math

from evsynth.contracts.format import format_estimate_ci as format_ci
from evsynth.contracts.format import format_number

__all__ = ["format_ci", "format_number", "format_p", "format_tick", "text_width_in"]


def format_p(p: float | None) -> str:
    """p to 2 significant digits, ``< 0.001`` below that (APA / BMJ style)."""
    if p is None or not math.isfinite(p):
        return "NA"
    if p < 0.001:
        return "< 0.001"
    if p >= 0.995:
        return "1.00"
    return f"{p:.2g}" if p < 0.01 else f"{p:.2f}"


def p_text(p: float | None) -> str:
    """``p = 0.04`` or ``p < 0.001`` (never ``p = < 0.001``)."""
    shown = format_p(p)
    return f"p {shown}" if shown.startswith("<") else f"p = {shown}"


def overall_test_text(
    stat: float | None, df: float | None, test: str | None, p: float | None
) -> str:
    """``z = -3.97, p < 0.001`` or, with the Hartung-Knapp-Sidik-Jonkman test, ``t = -2.10
    (df = 5), p = 0.09``: the statistic behind the pooled estimate's p, as RevMan prints it."""
    parts = []
    if stat is not None and math.isfinite(stat):
        if (test or "z").lower() in {"knha", "t"}:
            dof = f" (df = {df:.0f})" if df is not None and math.isfinite(df) else ""
            parts.append(f"t = {stat:.2f}{dof}")
        else:
            parts.append(f"z = {stat:.2f}")
    parts.append(p_text(p))
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
