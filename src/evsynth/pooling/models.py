"""Fixed- and random-effects models: tau^2 estimators, tests, heterogeneity, prediction intervals.

Everything here follows the definitions in metafor's ``rma.uni()``, ``confint()`` and ``predict()``
(Viechtbauer 2010, J Stat Softw 36(3)) so that results agree with it to 1e-6; the reference numbers
and how they were made are in ``tests/reference/``. The estimators are written for a general model
matrix ``X`` (the intercept-only model of a meta-analysis is ``X = 1``; trim-and-fill needs a
one-moderator meta-regression to choose its side) using only O(k) vector algebra, so k = 10,000 is
fast and no k x k matrix is formed.

Sources of the formulas
-----------------------
- Inverse-variance fixed effect, Cochran's Q: Cochran (1954); Hedges & Olkin (1985).
- DL: DerSimonian & Laird (1986) Control Clin Trials 7:177.
- HE: Hedges (1983) Psychol Bull 93:388 (unweighted method of moments).
- HS: Hunter & Schmidt (2004), as in Viechtbauer (2005) J Educ Behav Stat 30:261.
- SJ: Sidik & Jonkman (2005) J Biopharm Stat 15:823 (metafor's initial value var(y)(k-1)/k).
- PM: Paule & Mandel (1982) J Res Natl Bur Stand 87:377; EB: Morris (1983) JASA 78:47 (for the
  intercept-only model its estimating equation is PM's generalised Q = k - p).
- ML, REML: Fisher scoring as in Viechtbauer (2005), with step halving at the boundary, a bracketed
  root-finder fallback and metafor's check of the likelihood at tau^2 = 0.
- Hartung-Knapp-Sidik-Jonkman ("knha"): Hartung & Knapp (2001) Stat Med 20:3875; Sidik & Jonkman
  (2002) Stat Med 21:3153; t on k - p df, variance scaled by the weighted residual mean square.
- I^2, H^2: Higgins & Thompson (2002) Stat Med 21:1539 (with metafor's typical within-study variance
  for random-effects models).
- Q-profile CI for tau^2 (and I^2, H^2 through it): Viechtbauer (2007) Stat Med 26:37.
- Prediction interval: metafor's predict() (normal or t with the test's df); the ``k-2`` variant:
  Higgins, Thompson & Spiegelhalter (2009) J R Stat Soc A 172:137 (t on k - 2 df).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize, stats

from evsynth import __version__
from evsynth.contracts.pooling_model import PooledModel
from evsynth.errors import InputError
from evsynth.pooling.effects import EffectTable

__all__ = [
    "METHODS",
    "PI_TYPES",
    "TESTS",
    "Convergence",
    "PoolResult",
    "TooFewStudiesError",
    "estimate_tau2",
    "pool",
    "q_profile",
]

METHODS: tuple[str, ...] = ("FE", "DL", "REML", "PM", "ML", "SJ", "HE", "EB", "HS")
TESTS: tuple[str, ...] = ("z", "knha")
PI_TYPES: tuple[str, ...] = ("default", "k-2")

# Fisher scoring stops when tau^2 changes by less than this; tighter than metafor's 1e-5 default.
THRESHOLD = 1e-12
MAXITER = 1000
ROOT_XTOL = 1e-15
ROOT_RTOL = 4 * np.finfo(float).eps


class TooFewStudiesError(InputError):
    """A method was asked for with fewer studies than it needs."""


@dataclass(frozen=True)
class Convergence:
    """How tau^2 was found: the algorithm, iterations and whether it converged."""

    algorithm: str
    converged: bool = True
    iterations: int = 0
    note: str | None = None


def _as_design(k: int, X: np.ndarray | None) -> np.ndarray:
    return np.ones((k, 1)) if X is None else np.asarray(X, dtype=float).reshape(k, -1)


class _Weighted:
    """Weighted least squares pieces for weights w: beta, residual RSS = y'Py, tr(P), y'PPy, tr(PP).

    P = W - W X (X'WX)^-1 X'W; all quantities are computed from k x p arrays (Viechtbauer 2005).
    """

    def __init__(self, y: np.ndarray, X: np.ndarray, w: np.ndarray) -> None:
        self.w = w
        if X.shape[1] == 1 and np.all(X == 1.0):
            self._intercept_only(y, w)
            return
        A = X.T @ (w[:, None] * X)
        self.Ainv = np.linalg.inv(A)
        self.beta = self.Ainv @ (X.T @ (w * y))
        resid = y - X @ self.beta
        self.Py = w * resid
        self.rss = float(np.sum(w * resid * resid))
        B = X.T @ ((w * w)[:, None] * X)  # X'W^2X
        C = X.T @ ((w * w * w)[:, None] * X)  # X'W^3X
        AinvB = self.Ainv @ B
        self.trP = float(np.sum(w) - np.trace(AinvB))
        self.yPPy = float(np.sum(self.Py * self.Py))
        self.trPP = float(np.sum(w * w) - 2 * np.trace(self.Ainv @ C) + np.trace(AinvB @ AinvB))
        self.logdetA = float(np.linalg.slogdet(A)[1])

    def _intercept_only(self, y: np.ndarray, w: np.ndarray) -> None:
        # The same quantities for X = 1 in scalar form (sums only), which is most of the work.
        sw = float(np.sum(w))
        sw2 = float(np.dot(w, w))
        sw3 = float(np.dot(w, w * w))
        self.Ainv = np.array([[1.0 / sw]])
        self.beta = np.array([float(np.dot(w, y)) / sw])
        resid = y - self.beta[0]
        self.Py = w * resid
        self.rss = float(np.dot(self.Py, resid))
        self.trP = sw - sw2 / sw
        self.yPPy = float(np.dot(self.Py, self.Py))
        self.trPP = sw2 - 2 * sw3 / sw + (sw2 / sw) ** 2
        self.logdetA = math.log(sw)


def _generalised_q(tau2: float, y: np.ndarray, v: np.ndarray, X: np.ndarray) -> float:
    """Q(tau^2) = y'P(tau^2)y, the statistic that PM and the Q-profile CI invert."""
    if X.shape[1] == 1 and np.all(X == 1.0):  # intercept only: O(k) without matrix algebra
        w = 1.0 / (v + tau2)
        mu = np.dot(w, y) / np.sum(w)
        r = y - mu
        return float(np.dot(w, r * r))
    return _Weighted(y, X, 1.0 / (v + tau2)).rss


def _upper_bracket(fun, start: float) -> float:
    """Double ``start`` until ``fun`` (decreasing in tau^2) is negative there."""
    upper = max(start, 1.0)
    for _ in range(200):
        if fun(upper) < 0:
            return upper
        upper *= 2.0
    raise ArithmeticError("no upper bracket for tau^2 below 1e60")


def _root_generalised_q(
    y: np.ndarray, v: np.ndarray, X: np.ndarray, target: float, upper: float
) -> float:
    """tau^2 where the generalised Q equals ``target`` (0 if Q(0) is already below it)."""

    def fun(t: float) -> float:
        return _generalised_q(t, y, v, X) - target

    if fun(0.0) < 0:
        return 0.0
    hi = _upper_bracket(fun, upper)
    return float(optimize.brentq(fun, 0.0, hi, xtol=ROOT_XTOL, rtol=ROOT_RTOL, maxiter=1000))


def _loglik(tau2: float, y: np.ndarray, v: np.ndarray, X: np.ndarray, reml: bool) -> float:
    k, p = X.shape
    wls = _Weighted(y, X, 1.0 / (v + tau2))
    if reml:
        return -0.5 * (
            (k - p) * math.log(2 * math.pi)
            + float(np.sum(np.log(v + tau2)))
            + wls.logdetA
            + wls.rss
        )
    return -0.5 * (k * math.log(2 * math.pi) + float(np.sum(np.log(v + tau2))) + wls.rss)


def _score(tau2: float, y: np.ndarray, v: np.ndarray, X: np.ndarray, method: str) -> float:
    wls = _Weighted(y, X, 1.0 / (v + tau2))
    if method == "ML":
        return wls.yPPy - float(np.sum(wls.w))
    return wls.yPPy - wls.trP


def _fisher_scoring(
    y: np.ndarray, v: np.ndarray, X: np.ndarray, method: str, start: float
) -> tuple[float, Convergence]:
    """ML/REML by Fisher scoring (Viechtbauer 2005), step-halved to stay >= 0, with fallbacks."""
    tau2 = max(0.0, start)
    converged = False
    iterations = 0
    for iterations in range(1, MAXITER + 1):  # noqa: B007 - iterations reported below
        wls = _Weighted(y, X, 1.0 / (v + tau2))
        if method == "ML":
            adj = (wls.yPPy - float(np.sum(wls.w))) / float(np.sum(wls.w**2))
        else:
            adj = (wls.yPPy - wls.trP) / wls.trPP
        if not math.isfinite(adj):
            break
        if tau2 == 0.0 and adj < 0:
            adj = 0.0  # already on the boundary with the score pointing below it
        while tau2 + adj < 0:
            adj /= 2.0
        old = tau2
        tau2 = tau2 + adj
        if abs(tau2 - old) < THRESHOLD:
            converged = True
            break
    algorithm = "Fisher scoring"
    note = None
    if not converged:
        # Safeguard: the score's root by a bracketed root finder, or the boundary.
        algorithm = "Fisher scoring did not converge; Brent root of the score"
        if _score(0.0, y, v, X, method) <= 0:
            tau2 = 0.0
        else:
            hi = _upper_bracket(lambda t: _score(t, y, v, X, method), max(1.0, tau2))
            tau2 = float(
                optimize.brentq(
                    lambda t: _score(t, y, v, X, method), 0.0, hi, xtol=ROOT_XTOL, rtol=ROOT_RTOL
                )
            )
        converged = True
    # The boundary: scoring approaches 0 geometrically; report it exactly when the score says so.
    if tau2 < 1e3 * THRESHOLD and _score(0.0, y, v, X, method) <= 0:
        tau2 = 0.0
    # metafor's ll0check: a local maximum worse than tau^2 = 0 is replaced by 0.
    reml = method == "REML"
    if tau2 > 0 and _loglik(0.0, y, v, X, reml) - _loglik(tau2, y, v, X, reml) > 1e-10:
        note = "likelihood higher at tau^2 = 0 than at the scoring solution; tau^2 set to 0"
        tau2 = 0.0
    return tau2, Convergence(algorithm, converged, iterations, note)


def estimate_tau2(
    yi: np.ndarray, vi: np.ndarray, *, method: str, X: np.ndarray | None = None
) -> tuple[float, Convergence]:
    """Estimate the between-study variance tau^2 by ``method`` (see the module docstring).

    Non-iterative estimators are truncated at 0 as in metafor. Returns tau^2 and how it was found.
    """
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    k = len(y)
    X = _as_design(k, X)
    p = X.shape[1]
    if method == "FE":
        return 0.0, Convergence("none (fixed effect)")
    if k - p < 1:
        raise TooFewStudiesError(f"{method} needs at least {p + 1} studies; there are {k}")
    if method == "DL":
        fe = _Weighted(y, X, 1.0 / v)
        return max(0.0, (fe.rss - (k - p)) / fe.trP), Convergence("closed form")
    if method == "HS":
        fe = _Weighted(y, X, 1.0 / v)
        return max(0.0, (fe.rss - k) / float(np.sum(1.0 / v))), Convergence("closed form")
    if method in ("HE", "ML", "REML"):
        ols = _Weighted(y, X, np.ones(k))
        tr_pv = float(np.sum(v) - np.trace(ols.Ainv @ (X.T @ (v[:, None] * X))))
        he = (ols.rss - tr_pv) / (k - p)
        if method == "HE":
            return max(0.0, he), Convergence("closed form")
        return _fisher_scoring(y, v, X, method, start=max(0.0, he))
    if method == "SJ":
        centred = y - y.mean()
        tau0 = float(np.sum(centred * centred)) / k
        if tau0 == 0:
            return 0.0, Convergence("closed form")
        rss = _Weighted(y, X, 1.0 / (v + tau0)).rss
        return max(0.0, tau0 * rss / (k - p)), Convergence("closed form")
    if method in ("PM", "EB"):
        tau2 = _root_generalised_q(y, v, X, float(k - p), 100.0)
        return tau2, Convergence("Brent root of the generalised Q statistic")
    raise InputError(f"unknown method {method!r}; valid: {', '.join(METHODS)}", field="method")


def q_profile(
    yi: np.ndarray, vi: np.ndarray, *, tau2: float, level: float = 0.95
) -> tuple[float, float, str | None]:
    """Q-profile confidence interval for tau^2 (Viechtbauer 2007), as metafor's ``confint()``.

    The search runs on [0, max(100, 10 tau^2)] like metafor; a bound at the end of that range is
    returned with a note. Returns (lower, upper, note).
    """
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    k = len(y)
    X = np.ones((k, 1))
    df = k - 1
    alpha = 1 - level
    crit_u = float(stats.chi2.isf(alpha / 2, df))
    crit_l = float(stats.chi2.ppf(alpha / 2, df))
    tau2_max = max(100.0, 10 * tau2)
    q_min = _generalised_q(0.0, y, v, X)
    q_max = _generalised_q(tau2_max, y, v, X)
    note = None

    def root(target: float) -> float:
        return float(
            optimize.brentq(
                lambda t: _generalised_q(t, y, v, X) - target,
                0.0,
                tau2_max,
                xtol=ROOT_XTOL,
                rtol=ROOT_RTOL,
                maxiter=1000,
            )
        )

    if q_min < crit_l:
        lower = upper = 0.0
        note = "the CI for tau^2 is the null set {0} (Q below its lower critical value)"
    else:
        if q_max > crit_l:
            upper = tau2_max
            note = f"upper bound of tau^2 CI is > {tau2_max:g} (end of search range)"
        else:
            upper = root(crit_l)
        if q_max > crit_u:
            lower = upper = tau2_max
            note = f"tau^2 CI lies above {tau2_max:g} (end of search range)"
        elif q_min < crit_u:
            lower = 0.0
        else:
            lower = root(crit_u)
    return lower, upper, note


@dataclass(frozen=True)
class PoolResult:
    """Every figure of one fitted model, with its inputs, settings, version and input checksum.

    ``estimate`` etc. are on the analysis scale (log for ratio measures); :meth:`to_dict` adds
    ``exp_*`` values for ratio measures. ``status`` is ``pooled`` or ``single_study`` (k = 1: the
    study's own estimate, not pooled).
    """

    effects: EffectTable
    method: str
    test: str
    level: float
    pi_type: str
    status: str
    k: int
    estimate: float
    se: float
    ci_low: float | None
    ci_high: float | None
    stat: float | None
    p: float | None
    df: int | None
    tau2: float | None
    tau2_ci_low: float | None
    tau2_ci_high: float | None
    i2: float | None
    i2_ci_low: float | None
    i2_ci_high: float | None
    h2: float | None
    h2_ci_low: float | None
    h2_ci_high: float | None
    q: float | None
    q_df: int | None
    q_p: float | None
    pi_low: float | None
    pi_high: float | None
    weights: tuple[float, ...]
    convergence: Convergence
    notes: tuple[str, ...] = ()
    version: str = __version__
    checksum: str = field(default="")

    @property
    def pooled(self) -> bool:
        return self.status == "pooled"

    def to_model(self, name: str = "") -> PooledModel:
        """The contract's typed model (contracts.pooling_model), ``exp_*`` added for ratios."""
        exp: dict[str, Any] = {}
        if self.effects.ratio:
            for key in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high"):
                value = getattr(self, key)
                exp[f"exp_{key}"] = _clean(math.exp(value)) if value is not None else None
        return PooledModel(
            name=name,
            **{key: _clean(getattr(self, key)) for key in _MODEL_FIELDS},
            weights=tuple(_clean(w) for w in self.weights),
            studies=tuple(self.effects.study),
            converged=self.convergence.converged,
            algorithm=self.convergence.algorithm,
            iterations=self.convergence.iterations,
            notes=self.notes + ((self.convergence.note,) if self.convergence.note else ()),
            input_checksum=self.checksum,
            version=self.version,
            ratio=self.effects.ratio,
            **exp,
        )

    def to_dict(self) -> dict[str, Any]:
        """The flat JSON form with the names of docs/architecture.md (plus exp_* for ratios)."""
        return self.to_model().to_dict()


_MODEL_FIELDS = (
    "k estimate se ci_low ci_high stat p df tau2 tau2_ci_low tau2_ci_high i2 i2_ci_low i2_ci_high "
    "h2 h2_ci_low h2_ci_high q q_df q_p pi_low pi_high method test level pi_type status"
).split()


def _clean(value: Any) -> Any:
    """JSON-safe: NaN/inf become None; numpy scalars become Python numbers."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def _check_settings(method: str, test: str, level: float, pi_type: str) -> None:
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; valid: {', '.join(METHODS)}", field="method")
    if test not in TESTS:
        raise InputError(f"unknown test {test!r}; valid: {', '.join(TESTS)}", field="test")
    if not 0 < level < 1:
        raise InputError(f"level {level!r} must lie strictly between 0 and 1", field="level")
    if pi_type not in PI_TYPES:
        raise InputError(
            f"unknown prediction interval {pi_type!r}; valid: {', '.join(PI_TYPES)}", field="pi"
        )


def _single_study(
    table: EffectTable, method: str, test: str, level: float, pi_type: str
) -> PoolResult:
    # As metafor: one study has no residual variance to scale, so the test is z whatever was asked.
    y, v = table.yi[0], table.vi[0]
    se = math.sqrt(v)
    crit = float(stats.norm.isf((1 - level) / 2))
    z = y / se
    p = float(2 * stats.norm.sf(abs(z)))
    return PoolResult(
        effects=table,
        method=method,
        test="z",
        level=level,
        pi_type=pi_type,
        status="single_study",
        k=1,
        estimate=y,
        se=se,
        ci_low=y - crit * se,
        ci_high=y + crit * se,
        stat=z,
        p=p,
        df=None,
        tau2=0.0,
        tau2_ci_low=None,
        tau2_ci_high=None,
        i2=0.0,
        i2_ci_low=None,
        i2_ci_high=None,
        h2=1.0,
        h2_ci_low=None,
        h2_ci_high=None,
        q=0.0,
        q_df=0,
        q_p=1.0,
        pi_low=None,
        pi_high=None,
        weights=(100.0,),
        convergence=Convergence("none (single study)"),
        notes=("not pooled: a single study; its own estimate is shown",),
        checksum=table.checksum,
    )


def pool(
    table: EffectTable,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    pi_type: str = "default",
) -> PoolResult:
    """Fit a fixed-effect (``FE``) or random-effects model to ``table``, as metafor's ``rma()``.

    Parameters
    ----------
    method
        ``FE`` or a tau^2 estimator: DL, REML, PM, ML, SJ, HE, EB, HS.
    test
        ``z`` (normal) or ``knha`` (Hartung-Knapp-Sidik-Jonkman: t on k - 1 df, scaled variance).
    level
        Confidence level of the CI, the tau^2/I^2 CIs and the prediction interval.
    pi_type
        ``default``: metafor's predict() interval; ``k-2``: Higgins et al. (2009), t on k - 2 df
        (random-effects models with k >= 3 only).

    Raises
    ------
    TooFewStudiesError
        When the table is empty. With k = 1 the result is the study's own estimate, marked
        ``single_study`` ("not pooled").
    """
    _check_settings(method, test, level, pi_type)
    k = table.k
    if k == 0:
        raise TooFewStudiesError("no studies to pool (the analysis is empty)", path=table.source)
    if k == 1:
        return _single_study(table, method, test, level, pi_type)
    y = np.asarray(table.yi, dtype=float)
    v = np.asarray(table.vi, dtype=float)
    notes: list[str] = []
    tau2, convergence = estimate_tau2(y, v, method=method)
    w = 1.0 / (v + tau2)
    sw = float(np.sum(w))
    estimate = float(np.sum(w * y) / sw)
    variance = 1.0 / sw
    df: int | None = None
    if test == "knha":
        rss = float(np.sum(w * (y - estimate) ** 2))
        s2w = 0.0 if rss <= np.finfo(float).eps else rss / (k - 1)
        variance *= s2w
        df = k - 1
        if method == "FE":
            notes.append("Hartung-Knapp adjustment applied to a fixed-effect model")
    se = math.sqrt(variance)
    alpha = 1 - level
    if df is None:
        crit = float(stats.norm.isf(alpha / 2))
        stat = estimate / se if se > 0 else math.nan
        p_value = float(2 * stats.norm.sf(abs(stat)))
    else:
        crit = float(stats.t.isf(alpha / 2, df))
        stat = estimate / se if se > 0 else math.nan
        p_value = float(2 * stats.t.sf(abs(stat), df))
    ci_low, ci_high = estimate - crit * se, estimate + crit * se

    # Heterogeneity: Cochran's Q from the fixed-effect weights.
    fe = _Weighted(y, np.ones((k, 1)), 1.0 / v)
    q = max(0.0, fe.rss)
    q_df = k - 1
    q_p = float(stats.chi2.sf(q, q_df))
    vt = q_df / fe.trP  # the "typical" within-study variance (Higgins & Thompson 2002)
    if method == "FE":
        i2 = max(0.0, 100 * (q - q_df) / q) if q > 0 else 0.0
        h2 = q / q_df
        tau2_ci: tuple[float | None, float | None] = (None, None)
        i2_ci: tuple[float | None, float | None] = (None, None)
        h2_ci: tuple[float | None, float | None] = (None, None)
    else:
        i2 = 100 * tau2 / (vt + tau2)
        h2 = tau2 / vt + 1
        lo, hi, note = q_profile(y, v, tau2=tau2, level=level)
        if note:
            notes.append(note)
        tau2_ci = (lo, hi)
        i2_ci = (100 * lo / (vt + lo), 100 * hi / (vt + hi))
        h2_ci = (lo / vt + 1, hi / vt + 1)

    # Prediction interval.
    pi_low: float | None
    pi_high: float | None
    if method == "FE":
        # As metafor's predict(): a fixed-effect model has no distribution of true effects.
        pi_low = pi_high = None
    elif pi_type == "default":
        spread = crit * math.sqrt(variance + tau2)
        pi_low, pi_high = estimate - spread, estimate + spread
    elif k < 3:
        pi_low = pi_high = None
        notes.append("the k-2 prediction interval needs at least 3 studies")
    else:
        spread = float(stats.t.isf(alpha / 2, k - 2)) * math.sqrt(variance + tau2)
        pi_low, pi_high = estimate - spread, estimate + spread

    return PoolResult(
        effects=table,
        method=method,
        test=test,
        level=level,
        pi_type=pi_type,
        status="pooled",
        k=k,
        estimate=estimate,
        se=se,
        ci_low=ci_low,
        ci_high=ci_high,
        stat=stat,
        p=p_value,
        df=df,
        tau2=tau2,
        tau2_ci_low=tau2_ci[0],
        tau2_ci_high=tau2_ci[1],
        i2=i2,
        i2_ci_low=i2_ci[0],
        i2_ci_high=i2_ci[1],
        h2=h2,
        h2_ci_low=h2_ci[0],
        h2_ci_high=h2_ci[1],
        q=q,
        q_df=q_df,
        q_p=q_p,
        pi_low=pi_low,
        pi_high=pi_high,
        weights=tuple(float(x) for x in 100 * w / sw),
        convergence=convergence,
        notes=tuple(notes),
        checksum=table.checksum,
    )
