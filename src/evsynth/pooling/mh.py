"""Mantel-Haenszel and Peto fixed-effect pooling of 2x2 tables, as R's metafor ``rma.mh()``/
``rma.peto()``.

For sparse binary data these estimators work on the counts, not on per-study log ratios, so a
zero cell needs no correction for the pooled estimate itself (Cochrane Handbook v6.5 10.4.4.2;
RevMan's default for dichotomous outcomes is MH). The continuity correction (metafor's defaults
``add=1/2, to="only0", drop00=TRUE``) enters only the per-study ``yi``/``vi`` from which the
heterogeneity statistic Q = sum (yi - theta_MH)^2 / vi is computed, as metafor does.

Sources
-------
- MH odds ratio: Mantel & Haenszel (1959) J Natl Cancer Inst 22:719; variance of its log:
  Robins, Breslow & Greenland (1986) Biometrics 42:311.
- MH risk ratio and the variance of its log: Greenland & Robins (1985) Biometrics 41:55
  (Rothman, Greenland & Lash 2008, Modern Epidemiology ch. 15).
- MH risk difference and its variance: Greenland & Robins (1985) with Sato, Greenland & Robins
  (1989) Biometrics 45:1323 (the form in RevMan's statistical methods document).
- Cochran-Mantel-Haenszel test (with continuity correction): Mantel & Haenszel (1959).
- Peto's one-step odds ratio: Yusuf, Peto, Lewis, Collins & Sleight (1985) Prog Cardiovasc Dis
  27:335 (Cochrane Handbook v6.5 10.4.4.2).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from scipy import stats

from evsynth import __version__
from evsynth.errors import InputError
from evsynth.pooling.escalc import BinaryStudy, zero_cell_adjust

__all__ = ["MH_MEASURES", "TableResult", "mantel_haenszel", "peto"]

MH_MEASURES: tuple[str, ...] = ("OR", "RR", "RD")


@dataclass(frozen=True)
class TableResult:
    """A Mantel-Haenszel or Peto fit: the same figures and JSON names as ``PoolResult``.

    ``estimate``/``ci_*`` are on the log scale for OR and RR (``exp_*`` in :meth:`to_dict`).
    ``q``/``i2``/``h2`` use the per-study corrected ``yi``/``vi`` around the pooled estimate;
    ``q_df`` is the number of studies with an estimate minus one.
    """

    method: str
    measure: str
    level: float
    k: int
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    stat: float | None
    p: float | None
    q: float | None
    q_df: int
    q_p: float | None
    i2: float | None
    h2: float | None
    weights: tuple[float, ...]
    studies: tuple[str, ...]
    yi: tuple[float | None, ...]
    vi: tuple[float | None, ...]
    cmh: float | None = None
    cmh_p: float | None = None
    notes: tuple[str, ...] = ()
    version: str = __version__
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> bool:
        return self.measure in ("OR", "RR")

    def to_dict(self) -> dict[str, Any]:
        """The JSON names of ``PoolResult.to_dict()``; what MH/Peto lack (tau^2 CI, PI) is null."""
        out: dict[str, Any] = {
            "k": self.k,
            "estimate": _clean(self.estimate),
            "se": _clean(self.se),
            "ci_low": _clean(self.ci_low),
            "ci_high": _clean(self.ci_high),
            "stat": _clean(self.stat),
            "p": _clean(self.p),
            "df": None,
            "tau2": 0.0,
            "tau2_ci_low": None,
            "tau2_ci_high": None,
            "i2": _clean(self.i2),
            "i2_ci_low": None,
            "i2_ci_high": None,
            "h2": _clean(self.h2),
            "h2_ci_low": None,
            "h2_ci_high": None,
            "q": _clean(self.q),
            "q_df": self.q_df,
            "q_p": _clean(self.q_p),
            "pi_low": None,
            "pi_high": None,
            "pi_type": None,
            "method": self.method,
            "measure": self.measure,
            "test": "z",
            "level": self.level,
            "status": "pooled" if self.estimate is not None else "not_estimable",
            "weights": [_clean(w) for w in self.weights],
            "studies": list(self.studies),
            "yi": [_clean(y) for y in self.yi],
            "vi": [_clean(v) for v in self.vi],
            "converged": True,
            "algorithm": "closed form",
            "iterations": 0,
            "notes": list(self.notes),
            "version": self.version,
        }
        if self.method == "MH" and self.measure == "OR":
            out["cmh"] = _clean(self.cmh)
            out["cmh_p"] = _clean(self.cmh_p)
        if self.ratio:
            for name in ("estimate", "ci_low", "ci_high"):
                value = getattr(self, name)
                out[f"exp_{name}"] = _clean(math.exp(value)) if value is not None else None
            out["exp_pi_low"] = out["exp_pi_high"] = None
        out.update(self.extra)
        return out


def _clean(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _check(tables: Sequence[BinaryStudy], level: float) -> None:
    if not tables:
        raise InputError("no studies to pool")
    if not 0 < level < 1:
        raise InputError(f"level {level!r} must lie strictly between 0 and 1", field="level")


def _heterogeneity(
    tables: Sequence[BinaryStudy],
    measure: str,
    beta: float | None,
    add: float,
    to: str,
    drop00: bool,
) -> tuple[
    list[float | None],
    list[float | None],
    float | None,
    int,
    float | None,
    float | None,
    float | None,
    list[str],
]:
    """Per-study corrected yi/vi and Q, df, p, I^2, H^2 around ``beta`` (metafor rma.mh/peto)."""
    ys: list[float | None] = []
    vs: list[float | None] = []
    notes = []
    for original, (t, rule) in zip(
        tables, zero_cell_adjust(tables, add=add, to=to, drop00=drop00), strict=True
    ):
        if rule:
            notes.append(f"{original.study}: {rule}")
        if t is None:
            ys.append(None)
            vs.append(None)
            continue
        y, v = _study_effect(measure, t)
        ys.append(y)
        vs.append(v)
    used = [(y, v) for y, v in zip(ys, vs, strict=True) if y is not None and v is not None]
    k_yi = len(used)
    df = k_yi - 1
    if beta is None or k_yi == 0:
        return ys, vs, None, max(df, 0), None, None, None, notes
    q = max(0.0, sum((y - beta) ** 2 / v for y, v in used)) if k_yi > 1 else 0.0
    if k_yi > 1:
        q_p = float(stats.chi2.sf(q, df))
        i2 = max(0.0, 100 * (q - df) / q) if q > 0 else 0.0
        h2 = q / df
    else:
        q_p, i2, h2 = 1.0, 0.0, 1.0
    return ys, vs, q, df, q_p, i2, h2, notes


def _study_effect(measure: str, t: BinaryStudy) -> tuple[float | None, float | None]:
    """Per-study yi/vi for Q; a value left infinite by an uncorrected zero is no estimate."""
    a, b, c, d = t.ai, t.bi, t.ci, t.di
    n1, n2 = a + b, c + d
    try:
        if measure == "PETO":
            n = n1 + n2
            xt, yt = a + c, b + d
            var = xt * yt * (n1 / n) * (n2 / n) / (n - 1)
            return (a - xt * n1 / n) / var, 1 / var
        if measure == "OR":
            return math.log(a * d / (b * c)), 1 / a + 1 / b + 1 / c + 1 / d
        if measure == "RR":
            return math.log((a / n1) / (c / n2)), 1 / a - 1 / n1 + 1 / c - 1 / n2
        p1, p2 = a / n1, c / n2
        v = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
        return (p1 - p2, v) if v > 0 else (None, None)
    except (ZeroDivisionError, ValueError):
        return None, None


def mantel_haenszel(
    tables: Sequence[BinaryStudy],
    measure: str = "OR",
    *,
    level: float = 0.95,
    add: float = 0.5,
    to: str = "only0",
    drop00: bool = True,
    correct: bool = True,
) -> TableResult:
    """Mantel-Haenszel pooled OR, RR or RD (metafor ``rma.mh()``), from uncorrected counts.

    Variances: Robins-Breslow-Greenland (OR), Greenland-Robins (RR), Sato-Greenland-Robins (RD).
    For OR also the Cochran-Mantel-Haenszel test (``correct``: with continuity correction).
    """
    measure = measure.upper()
    if measure not in MH_MEASURES:
        raise InputError(
            f"Mantel-Haenszel pools {', '.join(MH_MEASURES)}, not {measure!r}", field="measure"
        )
    _check(tables, level)
    a = [t.ai for t in tables]
    b = [t.bi for t in tables]
    c = [t.ci for t in tables]
    d = [t.di for t in tables]
    n1 = [t.n1i for t in tables]
    n2 = [t.n2i for t in tables]
    n = [x + y for x, y in zip(n1, n2, strict=True)]
    k = len(tables)
    beta: float | None = None
    se: float | None = None
    notes: list[str] = []
    cmh = cmh_p = None
    if measure == "OR":
        r_i = [a[i] * d[i] / n[i] for i in range(k)]
        s_i = [b[i] * c[i] / n[i] for i in range(k)]
        p_i = [(a[i] + d[i]) / n[i] for i in range(k)]
        q_i = [(b[i] + c[i]) / n[i] for i in range(k)]
        r, s = sum(r_i), sum(s_i)
        weights_raw = s_i
        if r > 0 and s > 0:
            beta = math.log(r / s)
            se = math.sqrt(
                0.5
                * (
                    sum(p * x for p, x in zip(p_i, r_i, strict=True)) / r**2
                    + sum(p_i[i] * s_i[i] + q_i[i] * r_i[i] for i in range(k)) / (r * s)
                    + sum(q * x for q, x in zip(q_i, s_i, strict=True)) / s**2
                )
            )
        else:
            notes.append("the MH odds ratio is not estimable (sum of a*d/n or b*c/n is 0)")
        xt = [a[i] + c[i] for i in range(k)]
        yt = [b[i] + d[i] for i in range(k)]
        if sum(xt) > 0 and sum(yt) > 0:
            observed = sum(a)
            expected = sum(xt[i] * n1[i] / n[i] for i in range(k))
            # Hypergeometric variance of a_i given the margins: n1 n2 m1 m0 / (N^2 (N - 1)).
            variance = sum(
                (n1[i] / n[i]) * (n2[i] / n[i]) * xt[i] * yt[i] / (n[i] - 1)
                for i in range(k)
                if n[i] > 1
            )
            if variance > 0:
                cmh = (abs(observed - expected) - (0.5 if correct else 0.0)) ** 2 / variance
                cmh_p = float(stats.chi2.sf(cmh, 1))
    elif measure == "RR":
        r_i = [a[i] * n2[i] / n[i] for i in range(k)]
        s_i = [c[i] * n1[i] / n[i] for i in range(k)]
        r, s = sum(r_i), sum(s_i)
        weights_raw = s_i
        if r > 0 and s > 0:
            beta = math.log(r / s)
            se = math.sqrt(
                sum(
                    (n1[i] / n[i]) * (n2[i] / n[i]) * (a[i] + c[i]) - (a[i] / n[i]) * c[i]
                    for i in range(k)
                )
                / (r * s)
            )
        else:
            notes.append("the MH risk ratio is not estimable (no events in one group overall)")
    else:
        w_i = [n1[i] * n2[i] / n[i] for i in range(k)]
        weights_raw = w_i
        sw = sum(w_i)
        beta = sum(a[i] * (n2[i] / n[i]) - c[i] * (n1[i] / n[i]) for i in range(k)) / sw
        p_sum = sum(
            c[i] * (n1[i] / n[i]) ** 2
            - a[i] * (n2[i] / n[i]) ** 2
            + (n1[i] / n[i]) * (n2[i] / n[i]) * (n2[i] - n1[i]) / 2
            for i in range(k)
        )
        q_sum = sum(a[i] * (n2[i] - c[i]) / n[i] + c[i] * (n1[i] - a[i]) / n[i] for i in range(k))
        var = (beta * p_sum + q_sum / 2) / sw**2
        se = math.sqrt(var) if var >= 0 else None
    return _finish(
        "MH", measure, tables, beta, se, weights_raw, level, add, to, drop00, notes, cmh, cmh_p
    )


def peto(
    tables: Sequence[BinaryStudy],
    *,
    level: float = 0.95,
    add: float = 0.5,
    to: str = "only0",
    drop00: bool = True,
) -> TableResult:
    """Peto's one-step pooled log odds ratio (metafor ``rma.peto()``): sum(O - E) / sum(V).

    Yusuf et al. (1985); O - E and the hypergeometric variance V per table, se = 1/sqrt(sum V).
    """
    _check(tables, level)
    o_e = []
    v_i = []
    for t in tables:
        n1, n2 = t.n1i, t.n2i
        n = n1 + n2
        xt, yt = t.ai + t.ci, t.bi + t.di
        o_e.append(t.ai - xt * n1 / n)
        v_i.append(xt * yt * (n1 / n) * (n2 / n) / (n - 1) if n > 1 else 0.0)
    total = sum(v_i)
    beta = se = None
    notes = []
    if total > 0:
        beta = sum(o_e) / total
        se = math.sqrt(1 / total)
    else:
        notes.append("Peto's odds ratio is not estimable (no table has both events and non-events)")
    result = _finish("PETO", "OR", tables, beta, se, v_i, level, add, to, drop00, notes, None, None)
    if beta is None:
        return result
    # metafor's rma.peto() computes Q on the uncorrected tables with V > 0:
    # sum (O - E)^2 / V - (sum (O - E))^2 / sum V, with df from the tables that have an estimate.
    pos = [i for i, v in enumerate(v_i) if v > 0]
    q = max(0.0, sum(o_e[i] ** 2 / v_i[i] for i in pos) - sum(o_e) ** 2 / total)
    df = sum(1 for y in result.yi if y is not None) - 1
    if len(pos) > 1:
        q_p = float(stats.chi2.sf(q, df))
        i2 = max(0.0, 100 * (q - df) / q) if q > 0 else 0.0
        h2 = q / df
    else:
        q_p, i2, h2 = 1.0, 0.0, 1.0
    return replace(result, q=q, q_df=max(df, 0), q_p=q_p, i2=i2, h2=h2)


def _finish(
    method: str,
    measure: str,
    tables: Sequence[BinaryStudy],
    beta: float | None,
    se: float | None,
    weights_raw: Sequence[float],
    level: float,
    add: float,
    to: str,
    drop00: bool,
    notes: list[str],
    cmh: float | None,
    cmh_p: float | None,
) -> TableResult:
    ys, vs, q, df, q_p, i2, h2, rule_notes = _heterogeneity(
        tables, "PETO" if method == "PETO" else measure, beta, add, to, drop00
    )
    ci_low = ci_high = stat = p = None
    if beta is not None and se is not None and se > 0:
        crit = float(stats.norm.isf((1 - level) / 2))
        ci_low, ci_high = beta - crit * se, beta + crit * se
        stat = beta / se
        p = float(2 * stats.norm.sf(abs(stat)))
    total = sum(weights_raw)
    weights = tuple(100 * w / total for w in weights_raw) if total > 0 else ()
    notes = notes + [f"heterogeneity Q: {n}" for n in rule_notes]
    return TableResult(
        method=method,
        measure=measure,
        level=level,
        k=len(tables),
        estimate=beta,
        se=se,
        ci_low=ci_low,
        ci_high=ci_high,
        stat=stat,
        p=p,
        q=q,
        q_df=df,
        q_p=q_p,
        i2=i2,
        h2=h2,
        weights=weights,
        studies=tuple(t.study for t in tables),
        yi=tuple(ys),
        vi=tuple(vs),
        cmh=cmh,
        cmh_p=cmh_p,
        notes=tuple(notes),
    )
