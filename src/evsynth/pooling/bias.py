"""Small-study effects: Egger's regression test, Begg's rank correlation, trim-and-fill.

Each test refuses below its minimum number of studies (``min_k``, default 3: the least with which
it can be computed; the workflow additionally marks results with k < 10 as not for reporting, as the
Cochrane Handbook advises, ch. 13.3.5.4).

Choices, matching metafor 3.8:
- Egger: the classical test (Egger et al. 1997 BMJ 315:629): weighted least squares of yi on its
  standard error with weights 1/vi, which is metafor's ``regtest(model="lm", predictor="sei")``;
  the coefficient of the SE equals the intercept of Egger's regression of yi/sei on 1/sei, so it
  is reported as ``intercept`` with its t test on k - 2 df. The limit estimate (the fitted effect
  at SE = 0) is reported too. (metafor's default ``model="rma"`` is a mixed-effects version.)
- Begg: Kendall's tau between standardised deviates (yi - theta_FE)/sqrt(vi - 1/sum(1/vi)) and
  vi (Begg & Mazumdar 1994 Biometrics 50:1088), metafor's ``ranktest()``; exact p-value (as R's
  ``cor.test(exact=TRUE)``) unless there are ties or k > 500, then the normal approximation with
  tie correction, as R does for ties.
- Trim-and-fill: Duval & Tweedie (2000) Biometrics 56:455 and JASA 95:89, L0 estimator, side
  chosen as metafor does (the sign of the slope of yi on sqrt(vi) in a meta-regression fitted with
  the model's method), iterated on the model's method; the filled data are refitted with that
  method and a z test (metafor refits without the Hartung-Knapp adjustment).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from evsynth.errors import InputError
from evsynth.pooling.effects import EffectTable
from evsynth.pooling.models import (
    PoolResult,
    TooFewStudiesError,
    _Weighted,
    estimate_tau2,
    pool,
)

__all__ = [
    "BeggResult",
    "EggerResult",
    "TrimFillResult",
    "begg",
    "egger",
    "kendall_exact_cdf",
    "require_studies",
    "trim_and_fill",
]

EXACT_KENDALL_MAX_K = 500


def require_studies(table: EffectTable, min_k: int, what: str, least: int) -> None:
    """Refuse an analysis (``what``) the table has too few studies for: it needs ``least``, or
    the configured ``min_k`` when that is more (shared by the bias and sensitivity analyses)."""
    need = max(min_k, least)
    if table.k < need:
        raise TooFewStudiesError(
            f"{what} needs at least {need} studies; this analysis has {table.k}",
            path=table.source,
        )


@dataclass(frozen=True)
class EggerResult:
    """Egger's test: bias coefficient (``intercept``), SE, t, df, p; and the limit estimate."""

    k: int
    intercept: float
    se: float
    t: float
    df: int
    p: float
    limit_estimate: float
    limit_ci_low: float
    limit_ci_high: float
    level: float

    def to_dict(self) -> dict[str, float | int | str]:
        return {
            "k": self.k,
            "intercept": self.intercept,
            "se": self.se,
            "t": self.t,
            "df": self.df,
            "p": self.p,
            "limit_estimate": self.limit_estimate,
            "limit_ci_low": self.limit_ci_low,
            "limit_ci_high": self.limit_ci_high,
            "model": "weighted least squares of yi on sei, weights 1/vi (metafor regtest lm)",
        }


def egger(table: EffectTable, *, min_k: int = 3, level: float = 0.95) -> EggerResult:
    """Egger's regression test for funnel-plot asymmetry (see the module docstring)."""
    require_studies(table, min_k, "Egger's test", 3)
    y = np.asarray(table.yi, dtype=float)
    v = np.asarray(table.vi, dtype=float)
    X = np.column_stack([np.ones(len(y)), np.sqrt(v)])
    wls = _Weighted(y, X, 1.0 / v)
    df = table.k - 2
    sigma2 = wls.rss / df
    cov = sigma2 * wls.Ainv
    slope, slope_se = float(wls.beta[1]), math.sqrt(cov[1, 1])
    t = slope / slope_se
    crit = float(stats.t.isf((1 - level) / 2, df))
    limit, limit_se = float(wls.beta[0]), math.sqrt(cov[0, 0])
    return EggerResult(
        k=table.k,
        intercept=slope,
        se=slope_se,
        t=t,
        df=df,
        p=float(2 * stats.t.sf(abs(t), df)),
        limit_estimate=limit,
        limit_ci_low=limit - crit * limit_se,
        limit_ci_high=limit + crit * limit_se,
        level=level,
    )


@dataclass(frozen=True)
class BeggResult:
    """Begg's rank correlation: Kendall's tau and its p-value (exact or normal approximation)."""

    k: int
    tau: float
    p: float
    exact: bool

    def to_dict(self) -> dict[str, float | int | bool]:
        return {"k": self.k, "tau": self.tau, "p": self.p, "exact": self.exact}


def kendall_exact_cdf(q: int, n: int) -> float:
    """P(T <= q) for T the number of concordant pairs among n untied pairs (Mahonian numbers).

    The same distribution R's ``cor.test`` uses for its exact Kendall test (Kendall 1938).
    """
    if q < 0:
        return 0.0
    total = n * (n - 1) // 2
    if q >= total:
        return 1.0
    dist = np.array([1.0])
    for m in range(2, n + 1):
        # Inserting element m adds 0..m-1 inversions, each equally likely.
        cum = np.concatenate([[0.0], np.cumsum(dist)])
        size = len(dist) + m - 1
        idx = np.arange(size)
        hi = np.minimum(idx, len(dist) - 1) + 1
        lo = np.maximum(idx - (m - 1), 0)
        dist = (cum[hi] - cum[lo]) / m
    return float(np.sum(dist[: q + 1]))


def _kendall(x: np.ndarray, y: np.ndarray) -> tuple[float, float, bool]:
    """Kendall's tau-b and two-sided p as R's ``cor.test(method="kendall", exact=TRUE)``."""
    n = len(x)
    t0 = n * (n - 1) / 2
    _, xc = np.unique(x, return_counts=True)
    _, yc = np.unique(y, return_counts=True)
    t1 = float(np.sum(xc * (xc - 1)) / 2)
    t2 = float(np.sum(yc * (yc - 1)) / 2)
    # tau-b (as R's cor(method="kendall")) in O(n log n); S recovered from it.
    tau = float(stats.kendalltau(x, y, variant="b").statistic)
    s = tau * math.sqrt((t0 - t1) * (t0 - t2))
    ties = t1 > 0 or t2 > 0
    if not ties and n <= EXACT_KENDALL_MAX_K:
        q = round((tau + 1) * n * (n - 1) / 4)
        if q > n * (n - 1) / 4:
            p = 1 - kendall_exact_cdf(q - 1, n)
        else:
            p = kendall_exact_cdf(q, n)
        return tau, min(2 * p, 1.0), True
    v0 = n * (n - 1) * (2 * n + 5)
    vt = float(np.sum(xc * (xc - 1) * (2 * xc + 5)))
    vu = float(np.sum(yc * (yc - 1) * (2 * yc + 5)))
    v1 = float(np.sum(xc * (xc - 1))) * float(np.sum(yc * (yc - 1)))
    v2 = float(np.sum(xc * (xc - 1) * (xc - 2))) * float(np.sum(yc * (yc - 1) * (yc - 2)))
    var_s = (v0 - vt - vu) / 18 + v1 / (2 * n * (n - 1)) + v2 / (9 * n * (n - 1) * (n - 2))
    z = s / math.sqrt(var_s)
    return tau, float(2 * min(stats.norm.cdf(z), stats.norm.sf(z))), False


def begg(table: EffectTable, *, min_k: int = 3) -> BeggResult:
    """Begg and Mazumdar's rank correlation test (see the module docstring)."""
    require_studies(table, min_k, "Begg's test", 3)
    y = np.asarray(table.yi, dtype=float)
    v = np.asarray(table.vi, dtype=float)
    w = 1.0 / v
    theta = float(np.sum(w * y) / np.sum(w))
    y_star = (y - theta) / np.sqrt(v - 1.0 / np.sum(w))
    tau, p, exact = _kendall(y_star, v)
    return BeggResult(k=table.k, tau=tau, p=p, exact=exact)


@dataclass(frozen=True)
class TrimFillResult:
    """Trim-and-fill: k0 imputed studies on ``side``, and the model refitted with them."""

    k0: int
    side: str
    estimator: str
    method: str
    fitted: PoolResult
    filled_yi: tuple[float, ...]
    filled_vi: tuple[float, ...]

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "k0": self.k0,
            "side": self.side,
            "estimator": self.estimator,
            "method": self.method,
            "k": self.fitted.k,
            "estimate": self.fitted.estimate,
            "se": self.fitted.se,
            "ci_low": self.fitted.ci_low,
            "ci_high": self.fitted.ci_high,
            "tau2": self.fitted.tau2,
            "filled_yi": list(self.filled_yi),
            "filled_vi": list(self.filled_vi),
        }
        if self.fitted.effects.ratio:
            for name in ("estimate", "ci_low", "ci_high"):
                value = getattr(self.fitted, name)
                out[f"exp_{name}"] = math.exp(value) if value is not None else None
        return out


def _intercept_only(y: np.ndarray, v: np.ndarray, method: str) -> float:
    if len(y) == 1:
        return float(y[0])
    tau2, _ = estimate_tau2(y, v, method=method)
    w = 1.0 / (v + tau2)
    return float(np.sum(w * y) / np.sum(w))


def trim_and_fill(
    table: EffectTable,
    *,
    method: str = "REML",
    side: str | None = None,
    level: float = 0.95,
    min_k: int = 3,
    maxiter: int = 100,
) -> TrimFillResult:
    """Duval and Tweedie's trim-and-fill with the L0 estimator (see the module docstring)."""
    require_studies(table, min_k, "trim-and-fill", 3)
    y0 = np.asarray(table.yi, dtype=float)
    v0 = np.asarray(table.vi, dtype=float)
    k = len(y0)
    if side is None:
        X = np.column_stack([np.ones(k), np.sqrt(v0)])
        tau2, _ = estimate_tau2(y0, v0, method=method, X=X)
        slope = float(_Weighted(y0, X, 1.0 / (v0 + tau2)).beta[1])
        side = "right" if slope < 0 else "left"
    elif side not in ("left", "right"):
        raise InputError(f"side {side!r} must be 'left', 'right' or None (chosen)", field="side")
    flip = -1.0 if side == "right" else 1.0
    order = np.argsort(flip * y0, kind="stable")
    y = (flip * y0)[order]
    v = v0[order]
    k0, previous, iterations = 0, -1, 0
    beta = 0.0
    while k0 != previous:
        previous = k0
        iterations += 1
        if iterations > maxiter:
            raise ArithmeticError("trim-and-fill did not converge")
        beta = _intercept_only(y[: k - k0], v[: k - k0], method)
        centred = y - beta
        ranks = np.empty(k)
        ranks[np.argsort(np.abs(centred), kind="stable")] = np.arange(1, k + 1)
        signed = np.sign(centred) * ranks
        sr = float(np.sum(signed[signed > 0]))
        l0 = (4 * sr - k * (k + 1)) / (2 * k - 1)
        k0 = max(0, round(l0))
    filled_yi: tuple[float, ...] = ()
    filled_vi: tuple[float, ...] = ()
    if k0 > 0:
        mirrored = flip * (2 * beta - y[k - k0 :])
        filled_yi = tuple(float(m) for m in mirrored)
        filled_vi = tuple(float(x) for x in v[k - k0 :])
        augmented = table.extend([f"Filled {i + 1}" for i in range(k0)], filled_yi, filled_vi)
    else:
        augmented = table
    fitted = pool(augmented, method=method, test="z", level=level)
    return TrimFillResult(
        k0=k0,
        side=side,
        estimator="L0",
        method=method,
        fitted=fitted,
        filled_yi=filled_yi,
        filled_vi=filled_vi,
    )
