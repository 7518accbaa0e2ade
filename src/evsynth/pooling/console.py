"""The text summary `evsynth pool` prints: the same numbers as its JSON, for a reader at a terminal.

Kept apart from the commands so that the printed style is one job in one place
(:mod:`evsynth.contracts.format` for p-values and intervals).
"""

from __future__ import annotations

from typing import Any

from evsynth.contracts.format import format_ci, format_number, format_p_clause

__all__ = ["text_report"]


# The console summary keeps 4 decimals, metafor's print default (digits = 4), so that a user can
# hold it against R's output; the log-scale estimate, se and tau2 need them. p-values and
# intervals follow the one style of contracts.format.
_DIGITS = 4


def _fmt(value: Any) -> str:
    return format_number(value, _DIGITS)


def _fmt_ci(low: Any, high: Any) -> str:
    return format_ci(low, high, _DIGITS)


def _fmt_p(value: Any) -> str:
    """``p = 0.012`` or ``p < 0.001`` (never ``p = 0.000``), as in the figures and report."""
    return format_p_clause(value)


def _section(r: dict[str, Any], name: str) -> list[str]:
    """One --all section in text (the same numbers as the JSON)."""
    value = r.get(name)
    if value is None:
        return []
    if name == "egger":
        return [
            f"Egger's regression test: intercept {_fmt(value['intercept'])} "
            f"(se {_fmt(value['se'])}), t = {_fmt(value['t'])}, df {value['df']}, "
            f"{_fmt_p(value['p'])}; limit estimate {_fmt(value['limit_estimate'])} "
            f"{_fmt_ci(value['limit_ci_low'], value['limit_ci_high'])}"
        ]
    if name == "begg":
        exact = "exact" if value.get("exact") else "normal approximation"
        return [
            f"Begg's rank correlation test: Kendall's tau {_fmt(value['tau'])}, "
            f"{_fmt_p(value['p'])} ({exact})"
        ]
    if name == "trim_and_fill":
        line = (
            f"Trim-and-fill ({value.get('estimator')}, {value.get('side')} side): "
            f"{value['k0']} {'study' if value['k0'] == 1 else 'studies'} filled, k = {value['k']}, "
            f"estimate {_fmt(value['estimate'])} "
            f"{_fmt_ci(value['ci_low'], value['ci_high'])}"
        )
        if "exp_estimate" in value:
            line += (
                f"; exp {_fmt(value['exp_estimate'])} "
                f"{_fmt_ci(value['exp_ci_low'], value['exp_ci_high'])}"
            )
        return [line]
    if name == "leave_one_out":
        lines = ["Leave-one-out (estimate [CI], p, I2 without the study):"]
        for row in value:
            lines.append(
                f"  without {row['study']}: {_fmt(row['estimate'])} "
                f"{_fmt_ci(row['ci_low'], row['ci_high'])}, {_fmt_p(row['p'])}, "
                f"I2 {_fmt(row['i2'])}%"
            )
        return lines
    return []


def text_report(r: dict[str, Any]) -> str:
    if r["status"] == "single_study":
        heading = "Single study, not pooled"
    else:
        heading = {"FE": "Fixed-effect model", "MH": "Mantel-Haenszel fixed-effect model"}.get(
            r["method"],
            "Peto fixed-effect model" if r["method"] == "PETO" else "Random-effects model",
        )
    lines = [
        f"{heading} (k = {r['k']}; method {r['method']}; test {r['test']}; level {r['level']})",
        f"estimate {_fmt(r['estimate'])}  se {_fmt(r['se'])}  "
        f"CI {_fmt_ci(r['ci_low'], r['ci_high'])}  stat {_fmt(r['stat'])}  {_fmt_p(r['p'])}",
    ]
    if "exp_estimate" in r:
        lines.append(
            f"exp: {_fmt(r['exp_estimate'])} {_fmt_ci(r['exp_ci_low'], r['exp_ci_high'])}"
            f"  PI {_fmt_ci(r['exp_pi_low'], r['exp_pi_high'])}"
        )
    lines.append(
        f"tau2 {_fmt(r['tau2'])} {_fmt_ci(r['tau2_ci_low'], r['tau2_ci_high'])}  "
        f"I2 {_fmt(r['i2'])}% {_fmt_ci(r['i2_ci_low'], r['i2_ci_high'])}  "
        f"H2 {_fmt(r['h2'])}  Q {_fmt(r['q'])} (df {r['q_df']}, {_fmt_p(r['q_p'])})"
    )
    for name in ("egger", "begg", "trim_and_fill", "leave_one_out"):
        lines.extend(_section(r, name))
    lines.extend(f"note: {n}" for n in r.get("notes", []))
    return "\n".join(lines) + "\n"
