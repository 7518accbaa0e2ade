"""Individual patient data from a digitised Kaplan-Meier curve and its numbers at risk.

The algorithm of Guyot, Ades, Ouwens and Welton (2012), "Enhanced secondary analysis of survival
data: reconstructing the data from published Kaplan-Meier survival curves", BMC Medical Research
Methodology 12:9, written from the paper's description:

- the follow-up is cut into the intervals between the times at which the numbers at risk are
  printed; within an interval nobody is known to leave except by an event or censoring;
- in interval i a first guess of the number censored is
  ``round(n_i * S(t_{i+1}) / S(t_i) - n_{i+1})``, and those censorings are spread evenly over the
  interval (censoring assumed uniform within it);
- at each digitised point k the number of events is
  ``d_k = round(n_k * (1 - S_k / S^_{k-1}))``, with ``S^`` the Kaplan-Meier estimate of the
  rebuilt data so far (so rounding does not accumulate), and ``n_{k+1} = n_k - d_k - c_k``;
- the number censored is then adjusted by the difference between the rebuilt and the printed
  number at risk at the start of the next interval, and steps 2-3 repeated until they agree;
- in the last interval (no printed number at its end) the number censored is fitted to the
  reported total number of events when given, else set from the censoring rate of the earlier
  intervals; whoever is still at risk after the last point is censored at its time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Reconstruction", "reconstruct"]

_MAX_ITERATIONS = 1000


@dataclass
class Reconstruction:
    """The rebuilt data of one arm and how the algorithm got there."""

    time: np.ndarray  # one row per patient
    event: np.ndarray  # 1 = event, 0 = censored
    km_time: np.ndarray  # the rebuilt Kaplan-Meier estimate at each curve point
    km_survival: np.ndarray
    intervals: list[dict[str, object]] = field(default_factory=list)
    log: list[dict[str, object]] = field(default_factory=list)

    @property
    def events(self) -> int:
        return int(self.event.sum())


@dataclass
class _Pass:
    n_end: int
    events: int
    d: np.ndarray
    km: np.ndarray
    n_at: np.ndarray
    censor_times: list[float]


def _one_pass(
    t: np.ndarray,
    s: np.ndarray,
    lo: int,
    hi: int,
    start: float,
    end: float,
    n_start: int,
    km_prev: float,
    n_censor: int,
) -> _Pass:
    """Events and censorings at points lo..hi given ``n_censor`` spread evenly over (start, end)."""
    step = (end - start) / (n_censor + 1)
    cens = start + step * np.arange(1, n_censor + 1)
    size = hi - lo + 1
    d = np.zeros(size, dtype=int)
    km = np.zeros(size)
    n_at = np.zeros(size, dtype=int)
    # Censorings falling in [t_k, t_{k+1}) happen after the events at t_k.
    upper_edges = np.append(t[lo + 1 : hi + 1], end)
    counts = np.diff(np.searchsorted(cens, np.concatenate([[t[lo]], upper_edges]), side="left"))
    counts[0] += int(np.sum(cens < t[lo]))
    n = n_start
    used: list[float] = []
    pos = 0
    for j in range(size):
        k = lo + j
        n_at[j] = n
        if n > 0 and km_prev > 0:
            dk = round(n * (1.0 - s[k] / km_prev))
            dk = min(max(dk, 0), n)
        else:
            dk = 0
        if dk:
            km_prev = km_prev * (1.0 - dk / n)
        d[j] = dk
        km[j] = km_prev
        n -= dk
        ck = min(int(counts[j]), n)
        used.extend(cens[pos : pos + ck].tolist())
        pos += int(counts[j])
        n -= ck
    return _Pass(n, int(d.sum()), d, km, n_at, used)


def _fit_censoring(
    run: Callable[[int], _Pass],
    guess: int,
    upper: int,
    discrepancy: Callable[[_Pass], int],
) -> tuple[int, _Pass, int, int]:
    """Adjust the number censored by the discrepancy until it is 0 (or cannot improve).

    Returns ``(n_censor, pass, discrepancy, iterations)``; the best pass seen is kept when the
    adjustment cycles (rounding can make two neighbouring counts overshoot each other).
    """
    nc = min(max(guess, 0), upper)
    best: tuple[int, int, _Pass] | None = None
    seen: set[int] = set()
    iterations = 0
    while nc not in seen and iterations < _MAX_ITERATIONS:
        seen.add(nc)
        iterations += 1
        result = run(nc)
        diff = discrepancy(result)
        if best is None or abs(diff) < abs(best[1]):
            best = (nc, diff, result)
        if diff == 0:
            break
        nc = min(max(nc + diff, 0), upper)
    assert best is not None
    return best[0], best[2], best[1], iterations


def _rate_guess(censored: int, r_t: list[float], start: float, end: float, n_start: int) -> int:
    """Censorings in the last interval at the earlier intervals' rate per unit time."""
    span = r_t[-1] - r_t[0]
    if len(r_t) < 2 or span <= 0:
        return 0
    return min(round(censored / span * (end - start)), n_start)


def reconstruct(
    time: np.ndarray,
    survival: np.ndarray,
    risk_time: list[float],
    risk_n: list[int],
    *,
    total_events: int | None = None,
) -> Reconstruction:
    """Rebuild individual event/censoring times for one arm (Guyot et al. 2012).

    ``time``/``survival`` are cleaned curve points (sorted, non-increasing, starting at (0, 1));
    ``risk_time``/``risk_n`` the printed numbers at risk, starting at time 0.
    """
    log: list[dict[str, object]] = []
    t = np.asarray(time, dtype=float)
    s = np.asarray(survival, dtype=float)
    t_last = float(t[-1])
    r_t = list(risk_time)
    r_n = list(risk_n)
    keep = [0] + [i for i in range(1, len(r_t)) if r_t[i] < t_last]
    for i in range(1, len(r_t)):
        if i not in keep:
            log.append(
                {
                    "action": "ignored_at_risk",
                    "time": r_t[i],
                    "n": r_n[i],
                    "reason": f"at or after the last digitised point ({t_last:g})",
                }
            )
    r_t = [r_t[i] for i in keep]
    r_n = [r_n[i] for i in keep]
    if 0 in r_n:
        first_zero = r_n.index(0)
        for i in range(first_zero + 1, len(r_n)):
            log.append(
                {
                    "action": "ignored_at_risk",
                    "time": r_t[i],
                    "n": 0,
                    "reason": "nobody left at risk earlier",
                }
            )
        r_t, r_n = r_t[: first_zero + 1], r_n[: first_zero + 1]
    # A point at every at-risk time (the step function's value there), so each interval starts
    # with a point and the ratio S(t_{i+1}) / S(t_i) of the first guess is read at the right times.
    for rt in r_t:
        if not np.any(t == rt):
            k = int(np.searchsorted(t, rt, side="right")) - 1
            t = np.insert(t, k + 1, rt)
            s = np.insert(s, k + 1, s[k])
            log.append(
                {
                    "action": "added_point",
                    "time": rt,
                    "survival": float(s[k]),
                    "reason": "at-risk time: the curve's value there",
                }
            )
    lower = [int(np.searchsorted(t, rt, side="left")) for rt in r_t]
    m = len(r_t)
    upper = [lower[i + 1] - 1 for i in range(m - 1)] + [len(t) - 1]

    d_all = np.zeros(len(t), dtype=int)
    km_all = np.ones(len(t))
    censor_times: list[float] = []
    intervals: list[dict[str, object]] = []
    n_start = r_n[0]
    km_prev = 1.0
    events_so_far = 0
    censored_so_far = 0
    for i in range(m):
        lo, hi = lower[i], upper[i]
        last = i == m - 1
        start = r_t[i]
        end = t_last if last else r_t[i + 1]

        def run(nc: int, lo=lo, hi=hi, start=start, end=end, n0=n_start, km0=km_prev) -> _Pass:
            return _one_pass(t, s, lo, hi, start, end, n0, km0, nc)

        record: dict[str, object] = {"start": start, "end": end, "n_start": n_start}
        if not last:
            target = r_n[i + 1]
            ratio = s[lower[i + 1]] / s[lo] if s[lo] > 0 else 0.0
            guess = round(n_start * ratio - target)
            nc, res, diff, its = _fit_censoring(
                run, guess, n_start, lambda r, target=target: r.n_end - target
            )
            record.update({"n_end_printed": target, "n_end_rebuilt": res.n_end})
            if diff:
                log.append(
                    {
                        "action": "unmatched_at_risk",
                        "time": end,
                        "printed": target,
                        "rebuilt": res.n_end,
                        "reason": "no number censored in the interval "
                        "reproduces the printed number at risk; the closest is kept",
                    }
                )
        elif total_events is not None:
            remaining = total_events - events_so_far
            rate_guess = _rate_guess(censored_so_far, r_t, start, end, n_start)
            nc, res, diff, its = _fit_censoring(
                run, rate_guess, n_start, lambda r, remaining=remaining: r.events - remaining
            )
            record["rule"] = "fitted to the reported total events"
            if diff:
                log.append(
                    {
                        "action": "unmatched_total_events",
                        "printed": total_events,
                        "rebuilt": total_events + diff,
                        "reason": "no number censored in "
                        "the last interval reproduces the total events; the closest is kept",
                    }
                )
        else:
            nc = _rate_guess(censored_so_far, r_t, start, end, n_start)
            record["rule"] = (
                "censoring rate of the earlier intervals"
                if m > 1
                else "no earlier interval and no total events: none censored before the last point"
            )
            res, its = run(nc), 1
        record.update({"censored": nc, "events": res.events, "iterations": its})
        intervals.append(record)
        d_all[lo : hi + 1] = res.d
        km_all[lo : hi + 1] = res.km
        censor_times.extend(res.censor_times)
        events_so_far += res.events
        censored_so_far += len(res.censor_times)
        km_prev = float(res.km[-1])
        n_start = res.n_end
    tail = n_start  # still at risk after the last point: censored at its time
    event_times = np.repeat(t, d_all)
    times = np.concatenate([event_times, np.array(censor_times), np.full(tail, t_last)])
    events = np.concatenate(
        [np.ones(len(event_times), dtype=int), np.zeros(len(censor_times) + tail, dtype=int)]
    )
    order = np.lexsort((1 - events, times))
    if tail:
        log.append(
            {
                "action": "censored_at_end",
                "n": int(tail),
                "time": t_last,
                "reason": "still at risk after the last digitised point",
            }
        )
    return Reconstruction(times[order], events[order], t, km_all, intervals, log)
