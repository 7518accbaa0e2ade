"""Reading digitised Kaplan-Meier points and numbers-at-risk tables, and cleaning the points.

Digitising software (e.g. WebPlotDigitizer) exports clicked points as ``time,survival`` pairs, in
click order, with reading error: points out of time order, a point a hair above the one before it
(a survival curve never rises), survival printed in percent, times a hair below zero. Each repair
is logged with its reason, so the reviewer can see what was changed and why; nothing is dropped
silently.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.optimize import isotonic_regression

from evsynth.errors import InputError

__all__ = ["AtRisk", "Curve", "read_at_risk", "read_curve"]

# Survival read above this is taken as percent (a 0-1 curve read with noise stays below ~1.05).
_PERCENT_THRESHOLD = 1.5


@dataclass
class Curve:
    """Cleaned points of one arm: times ascending, survival non-increasing from (0, 1)."""

    arm: str
    path: str
    time: np.ndarray
    survival: np.ndarray
    raw_time: np.ndarray
    raw_survival: np.ndarray
    scale: str
    log: list[dict[str, object]] = field(default_factory=list)


@dataclass
class AtRisk:
    """A numbers-at-risk table: times and, per arm, the number at risk at each time."""

    path: str
    time: list[float]
    counts: dict[str, list[int]]
    lines: list[int]


def _sniff_rows(path: Path) -> list[tuple[int, list[str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("file not found", path=str(path)) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", path=str(path)) from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if "\t" in first else (";" if ";" in first else ",")
    rows = []
    for lineno, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        cells = [c.strip() for c in row]
        if any(cells):
            if delimiter == ";":  # a semicolon export writes decimal commas
                cells = [c.replace(",", ".") for c in cells]
            rows.append((lineno, cells))
    if not rows:
        raise InputError("no rows; expected a header and one row per time point", path=str(path))
    return rows


def _number(text: str, path: Path, line: int, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            f"{what} {text!r} is not a number; give a decimal number such as 12.5",
            path=str(path),
            line=line,
        ) from None
    if not math.isfinite(value):
        raise InputError(f"{what} {text!r} is not a finite number", path=str(path), line=line)
    return value


def read_curve(path: str | Path, arm: str) -> Curve:
    """Read and clean one arm's digitised points (``time,survival``; header optional).

    Cleaning, each step logged: survival in percent is detected (largest value above 1.5) and
    divided by 100; negative times become 0 and survival outside [0, 1] is clipped; points are
    sorted by time (ties: higher survival first, the top of a step before its foot); survival is
    made non-increasing by an antitonic least-squares fit (pool-adjacent-violators), which averages
    a jittered point with its neighbours instead of letting one low reading drag every later point
    down; the curve starts at (0, 1).
    """
    path = Path(path)
    rows = _sniff_rows(path)
    start, it, is_ = 0, 0, 1
    head = [c.lower() for c in rows[0][1]]
    try:
        float(rows[0][1][0])
    except (ValueError, IndexError):
        start = 1
        time_names, surv_names = {"time", "t", "x"}, {"survival", "s", "y", "surv", "probability"}
        found_t = [i for i, c in enumerate(head) if c in time_names]
        found_s = [i for i, c in enumerate(head) if c in surv_names]
        if not found_t or not found_s:
            raise InputError(
                f"header {','.join(rows[0][1])!r}: expected columns time,survival",
                path=str(path),
                line=rows[0][0],
            ) from None
        it, is_ = found_t[0], found_s[0]
    times: list[float] = []
    survs: list[float] = []
    lines: list[int] = []
    for lineno, cells in rows[start:]:
        if len(cells) <= max(it, is_):
            raise InputError(
                f"expected two cells (time, survival), found {len(cells)}",
                path=str(path),
                line=lineno,
            )
        times.append(_number(cells[it], path, lineno, "time"))
        survs.append(_number(cells[is_], path, lineno, "survival"))
        lines.append(lineno)
    if len(times) < 2:
        raise InputError("a curve needs at least two digitised points", path=str(path))
    t = np.array(times, dtype=float)
    s = np.array(survs, dtype=float)
    line_arr = np.array(lines)
    log: list[dict[str, object]] = []
    scale = "fraction"
    if s.max() > _PERCENT_THRESHOLD:
        scale = "percent"
        s = s / 100.0
        log.append(
            {
                "action": "rescaled",
                "reason": f"largest survival {max(survs):g} > "
                f"{_PERCENT_THRESHOLD}: read as percent and divided by 100",
            }
        )
    if s.max() > 1.0 + 0.1 or s.min() < -0.1:
        bad = int(np.argmax(s > 1.1) if s.max() > 1.1 else np.argmin(s))
        raise InputError(
            f"survival {survs[bad]:g} is outside the {scale} scale by more than reading error "
            f"(valid: {'0 to 1' if scale == 'fraction' else '0 to 100'}, give or take 10%)",
            path=str(path),
            line=int(line_arr[bad]),
        )
    raw_t, raw_s = t.copy(), s.copy()
    for i in np.flatnonzero(t < 0):
        log.append(
            {
                "action": "clamped",
                "line": int(line_arr[i]),
                "from": float(t[i]),
                "to": 0.0,
                "reason": "time below 0 (reading error)",
            }
        )
    t = np.maximum(t, 0.0)
    for i in np.flatnonzero((s > 1) | (s < 0)):
        to = float(min(max(s[i], 0.0), 1.0))
        log.append(
            {
                "action": "clipped",
                "line": int(line_arr[i]),
                "from": float(s[i]),
                "to": to,
                "reason": "survival outside [0, 1] (reading error)",
            }
        )
    s = np.clip(s, 0.0, 1.0)
    order = np.lexsort((-s, t))
    if np.any(order != np.arange(len(t))):
        log.append(
            {
                "action": "sorted",
                "reason": f"{int(np.sum(order != np.arange(len(t))))} "
                "points were not in time order",
            }
        )
    t, s, line_arr = t[order], s[order], line_arr[order]
    fitted = isotonic_regression(s, increasing=False).x
    for i in np.flatnonzero(np.abs(fitted - s) > 1e-12):
        log.append(
            {
                "action": "smoothed",
                "line": int(line_arr[i]),
                "from": float(s[i]),
                "to": float(fitted[i]),
                "reason": "survival rose between points (a KM curve "
                "never rises): antitonic least-squares fit",
            }
        )
    s = fitted
    if t[0] > 0 or s[0] < 1.0:
        if t[0] <= 0:
            log.append(
                {
                    "action": "set",
                    "line": int(line_arr[0]),
                    "from": float(s[0]),
                    "to": 1.0,
                    "reason": "survival at time 0 is 1",
                }
            )
            s[0] = 1.0
        else:
            log.append(
                {
                    "action": "added",
                    "time": 0.0,
                    "survival": 1.0,
                    "reason": "the curve starts at (0, 1)",
                }
            )
            t = np.concatenate([[0.0], t])
            s = np.concatenate([[1.0], s])
    return Curve(arm, str(path), t, s, raw_t, raw_s, scale, log)


def read_at_risk(path: str | Path, arms: list[str]) -> AtRisk:
    """Read a numbers-at-risk table: column ``time`` then one column per arm (header required).

    Times must rise strictly and start at 0 (the number analysed); counts are non-negative
    integers that never rise.
    """
    path = Path(path)
    rows = _sniff_rows(path)
    header_line, header = rows[0]
    if not header or header[0].lower() != "time":
        raise InputError(
            f"first column must be 'time', found {header[:1]}", path=str(path), line=header_line
        )
    missing = [a for a in arms if a not in header]
    if missing:
        raise InputError(
            f"no column for arm(s) {', '.join(missing)}; the header has {', '.join(header)}",
            path=str(path),
            line=header_line,
        )
    idx = {a: header.index(a) for a in arms}
    times: list[float] = []
    counts: dict[str, list[int]] = {a: [] for a in arms}
    lines: list[int] = []
    for lineno, cells in rows[1:]:
        if len(cells) != len(header):
            raise InputError(
                f"{len(cells)} cells but the header has {len(header)}", path=str(path), line=lineno
            )
        tm = _number(cells[0], path, lineno, "time")
        if times and tm <= times[-1]:
            raise InputError(
                f"time {cells[0]} does not follow {times[-1]:g}: times must rise",
                path=str(path),
                line=lineno,
            )
        times.append(tm)
        lines.append(lineno)
        for arm, j in idx.items():
            value = _number(cells[j], path, lineno, f"number at risk of {arm}")
            if value < 0 or value != int(value):
                raise InputError(
                    f"number at risk of {arm} {cells[j]!r} is not a whole number >= 0",
                    path=str(path),
                    line=lineno,
                )
            if counts[arm] and value > counts[arm][-1]:
                raise InputError(
                    f"number at risk of {arm} rises ({counts[arm][-1]} -> {int(value)}); "
                    "numbers at risk can only stay or fall over time",
                    path=str(path),
                    line=lineno,
                )
            counts[arm].append(int(value))
    if not times:
        raise InputError("no rows below the header", path=str(path))
    if times[0] != 0:
        raise InputError(
            f"the first time is {times[0]:g}: the table must start at time 0 (the number analysed)",
            path=str(path),
            line=lines[0],
        )
    if any(counts[a][0] == 0 for a in arms):
        empty = [a for a in arms if counts[a][0] == 0]
        raise InputError(
            f"an arm has nobody at risk at time 0 ({', '.join(empty)}); each arm needs >= 1",
            path=str(path),
            line=lines[0],
        )
    return AtRisk(str(path), times, counts, lines)
