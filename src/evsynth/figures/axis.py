"""The interval axis of the figures: limits and ticks from the 1-2-5 series.

A ratio axis (log scale) shows nice ratios (0.5, 1, 2), a difference axis (linear) multiples of a
1-2-5 step; limits show every point and summary and let a long study interval be clipped, as RevMan
and metafor do. Used by the row tables (:mod:`evsynth.figures.table`) and the funnel plot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["auto_xlim", "choose_ticks", "linear_ticks"]

# Nice ratio-scale limits and ticks (1-2-5 series), as in RevMan and metafor.
_NICE = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)


def choose_ticks(xlim: tuple[float, float]) -> list[float]:
    """Ticks from the 1-2-5 series inside the limits; powers of ten only when too many."""
    lo, hi = xlim
    ticks = [t for t in _NICE if lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9)]
    if len(ticks) > 7:
        ticks = [t for t in ticks if math.isclose(math.log10(t), round(math.log10(t)))]
    if len(ticks) < 3:
        ticks = sorted({*ticks, lo, hi})
    return ticks


def auto_xlim(
    points: Sequence[float],
    summaries: Sequence[float],
    intervals: Sequence[float],
    *,
    null_value: float = 1.0,
    log_scale: bool = True,
) -> tuple[float, float]:
    """Axis limits (ratio scale) that show every point and summary and most of each study CI.

    Study intervals may extend the view by at most a factor of 3 beyond the points and summaries;
    longer whiskers are clipped and drawn with an arrow, as RevMan and metafor do, so one
    imprecise study does not squash the rest.
    """
    if not log_scale:
        return _linear_xlim(points, summaries, intervals, null_value=null_value)
    core = [math.exp(v) for v in (*points, *summaries) if v is not None and math.isfinite(v)]
    core.append(null_value)
    full = [math.exp(v) for v in intervals if v is not None and math.isfinite(v)]
    lo_core, hi_core = min(core), max(core)
    lo = max(min([lo_core, *full]), lo_core / 3)
    hi = min(max([hi_core, *full]), hi_core * 3)
    lo = min(lo, null_value / 2)
    hi = max(hi, null_value * 2)
    lo_nice = max([t for t in _NICE if t <= lo * (1 + 1e-9)], default=_NICE[0])
    hi_nice = min([t for t in _NICE if t >= hi * (1 - 1e-9)], default=_NICE[-1])
    return lo_nice, hi_nice


def _nice_step(span: float) -> float:
    """A 1-2-5 step giving about five intervals over ``span`` (linear axes)."""
    raw = span / 5 if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))


def _linear_xlim(
    points: Sequence[float],
    summaries: Sequence[float],
    intervals: Sequence[float],
    *,
    null_value: float,
) -> tuple[float, float]:
    """Linear-axis limits: every point, summary and the null line; study CIs may extend the view
    by at most the core range on each side (longer whiskers are clipped with an arrow)."""
    core = [v for v in (*points, *summaries) if v is not None and math.isfinite(v)]
    core.append(null_value)
    full = [v for v in intervals if v is not None and math.isfinite(v)]
    lo_core, hi_core = min(core), max(core)
    span = (hi_core - lo_core) or max(abs(hi_core), 1.0)
    lo = max(min([lo_core, *full]), lo_core - span)
    hi = min(max([hi_core, *full]), hi_core + span)
    step = _nice_step(hi - lo)
    return math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step


def linear_ticks(xlim: tuple[float, float]) -> list[float]:
    """Ticks on a linear axis: multiples of a 1-2-5 step inside the limits."""
    lo, hi = xlim
    step = _nice_step(hi - lo)
    first = math.ceil(lo / step - 1e-9)
    ticks = []
    k = first
    while k * step <= hi + step * 1e-9:
        ticks.append(round(k * step, 12) + 0.0)
        k += 1
    return ticks
