"""Pooling speed: REML with k = 10,000, and everything `evsynth pool --all` computes on k = 60.

Run: python benchmarks/pooling_speed.py  (prints seconds; no assertions, see tests for accuracy)
"""

from __future__ import annotations

import time

import numpy as np

from evsynth.pooling import effects, pool
from evsynth.pooling.bias import begg, egger, trim_and_fill
from evsynth.pooling.sensitivity import cumulative, leave_one_out


def synthetic(k: int, seed: int):
    rng = np.random.default_rng(seed)
    se = rng.uniform(0.05, 0.6, size=k)
    yi = rng.normal(-0.4, 0.25, size=k) + rng.normal(0, se)
    years = rng.integers(1980, 2025, size=k)
    return effects(list(yi), se=list(se), study=[f"S{i:05d}" for i in range(k)], year=list(years))


def timed(label: str, func) -> None:
    start = time.perf_counter()
    func()
    print(f"{label:<46} {time.perf_counter() - start:8.3f} s")


def main() -> None:
    big = synthetic(10_000, 1)
    for method in ("REML", "DL", "PM"):
        timed(f"pool {method}, k = 10,000 (Q-profile CIs)", lambda m=method: pool(big, method=m))
    timed("pool REML knha, k = 10,000", lambda: pool(big, method="REML", test="knha"))
    timed("Egger + Begg (normal approx.), k = 10,000", lambda: (egger(big), begg(big)))
    mid = synthetic(60, 2)

    def everything() -> None:
        pool(mid, method="REML")
        egger(mid)
        begg(mid)
        trim_and_fill(mid, method="REML")
        leave_one_out(mid, method="REML")
        cumulative(mid, method="REML")

    timed("--all (pool, Egger, Begg exact, trim-and-fill, L1O, cumulative), k = 60", everything)


if __name__ == "__main__":
    main()
