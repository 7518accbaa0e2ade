"""The one way evsynth prints a hazard ratio, a confidence interval and a p-value.

Figures, the report and the command-line summaries print the same numbers; printed two ways
(``0.03`` in a figure, ``0.034`` in the report; ``[a, b]`` here, ``a to b`` there) a reader
cannot tell whether they are the same result. The choices, made once:

- estimates and interval bounds with fixed decimals (2 by default), ``NA`` when missing or not
  finite, so a gap in the input is visible, never blank;
- an interval as ``[low, high]`` after its estimate: ``0.45 [0.30, 0.68]``, the layout of the
  Cochrane Handbook's forest plots (RevMan; Higgins et al., Cochrane Handbook v6.4, ch. 10), which
  stays unambiguous for negative differences (``-0.50 [-0.90, -0.10]``);
- a p-value with 3 decimals, ``< 0.001`` below that (the threshold's own precision; BMJ and APA
  style): ``0.034``, ``0.003``, ``< 0.001``.
"""

from __future__ import annotations

import math

__all__ = [
    "NA",
    "format_ci",
    "format_estimate_ci",
    "format_hr",
    "format_number",
    "format_p",
    "format_p_clause",
]

NA = "NA"


def format_number(value: float | None, digits: int = 2) -> str:
    """Fixed decimals; ``NA`` for missing or non-finite values."""
    if value is None or not math.isfinite(value):
        return NA
    return f"{value:.{digits}f}"


def format_hr(value: float | None, digits: int = 2) -> str:
    """A hazard ratio (or any ratio or difference) on its display scale."""
    return format_number(value, digits)


def format_ci(low: float | None, high: float | None, digits: int = 2) -> str:
    """``[0.30, 0.68]``; ``NA`` when both bounds are unknown."""
    if low is None and high is None:
        return NA
    return f"[{format_number(low, digits)}, {format_number(high, digits)}]"


def format_estimate_ci(
    estimate: float | None, low: float | None, high: float | None, *, digits: int = 2
) -> str:
    """``0.45 [0.30, 0.68]``: an estimate and its interval."""
    return f"{format_number(estimate, digits)} {format_ci(low, high, digits)}"


def format_p(p: float | None) -> str:
    """``0.034``, ``0.003``, ``< 0.001``; ``NA`` when missing."""
    if p is None or not math.isfinite(p):
        return NA
    if p < 0.001:
        return "< 0.001"
    return f"{p:.3f}"


def format_p_clause(p: float | None) -> str:
    """``p = 0.034`` or ``p < 0.001`` (no "p = < 0.001"), for running text and figure notes."""
    text = format_p(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"
