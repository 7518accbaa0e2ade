"""The check figure: digitised points over the Kaplan-Meier curves of the rebuilt data.

A reviewer compares the two by eye: a rebuilt curve that leaves the clicked points shows a misread
axis, a wrong arm or a wrong numbers-at-risk row.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from evsynth.figures.render import new_figure, save_figure, styled

__all__ = ["km_step", "plot_reconstruction"]

_COLOURS = ["#1f4e79", "#b03a2e", "#1e8449", "#7d3c98", "#b9770e", "#5d6d7e"]


def km_step(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier estimate of individual data: (event times with 0 first, survival after each)."""
    order = np.argsort(time, kind="stable")
    t = np.asarray(time)[order]
    e = np.asarray(event)[order]
    times = np.unique(t[e == 1])
    at_risk = len(t) - np.searchsorted(t, times, side="left")
    deaths = np.array([int(np.sum((t == u) & (e == 1))) for u in times], dtype=float)
    surv = np.cumprod(1.0 - deaths / at_risk) if len(times) else np.array([])
    return np.concatenate([[0.0], times]), np.concatenate([[1.0], surv])


@styled
def plot_reconstruction(
    arms: list[dict[str, object]], *, svg: str | Path, png: str | Path, time_label: str = "Time"
) -> None:
    """Draw each arm's digitised points (dots) and rebuilt KM curve (steps) to SVG and PNG."""
    fig = new_figure(5.5, 3.6)
    ax = fig.add_axes((0.11, 0.13, 0.86, 0.8))
    t_end = 0.0
    for i, arm in enumerate(arms):
        colour = _COLOURS[i % len(_COLOURS)]
        km_t, km_s = km_step(arm["time"], arm["event"])  # type: ignore[arg-type]
        last = float(np.max(arm["time"]))  # type: ignore[arg-type]
        t_end = max(t_end, last, float(np.max(arm["raw_time"])))  # type: ignore[arg-type]
        ax.step(
            np.append(km_t, last),
            np.append(km_s, km_s[-1]),
            where="post",
            color=colour,
            linewidth=1.0,
            label=f"{arm['arm']}: rebuilt (n={len(arm['time'])}, "  # type: ignore[arg-type]
            f"{int(np.sum(arm['event']))} events)",
        )  # type: ignore[arg-type]
        ax.plot(
            arm["raw_time"],
            arm["raw_survival"],
            linestyle="none",
            marker="o",
            markersize=2.0,
            markerfacecolor="none",
            markeredgewidth=0.5,
            color=colour,
            label=f"{arm['arm']}: digitised points",
        )
    ax.set_xlim(0, t_end * 1.02 if t_end > 0 else 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(time_label)
    ax.set_ylabel("Survival probability")
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.legend(loc="upper right", frameon=False, fontsize=6.5)
    save_figure(fig, svg=svg, png=png)
