"""Sensitivity analyses: leave-one-out, cumulative meta-analysis by year, subgroups.

Each refits the same model (method, test, level) as metafor's ``leave1out()`` and ``cumul()`` do.
Subgroup differences are tested with Q between subgroups: a fixed-effect Q test on the subgroup
estimates and their standard errors, each subgroup with its own tau^2 (Borenstein et al. 2009,
Introduction to Meta-Analysis ch. 19; Cochrane Handbook 10.11.3.1; RevMan's test for subgroup
differences).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from evsynth.errors import InputError
from evsynth.pooling.bias import require_studies
from evsynth.pooling.effects import EffectTable
from evsynth.pooling.models import PoolResult, TooFewStudiesError, pool

__all__ = [
    "CumulativeResult",
    "LeaveOneOutResult",
    "SubgroupResult",
    "cumulative",
    "leave_one_out",
    "subgroups",
]


def _row(study: str, fit: PoolResult) -> dict[str, Any]:
    out = {
        "study": study,
        "k": fit.k,
        "estimate": fit.estimate,
        "se": fit.se,
        "ci_low": fit.ci_low,
        "ci_high": fit.ci_high,
        "p": fit.p,
        "tau2": fit.tau2,
        "i2": fit.i2,
        "q": fit.q,
        "q_p": fit.q_p,
    }
    if fit.effects.ratio:
        for name in ("estimate", "ci_low", "ci_high"):
            value = getattr(fit, name)
            out[f"exp_{name}"] = math.exp(value) if value is not None else None
    return out


def _need_every(
    table: EffectTable, values: Sequence[object | None], analysis: str, column: str
) -> None:
    """Refuse an analysis when a study lacks the ``column`` it orders or splits by, naming the
    rows that lack it."""
    if values and all(v is not None for v in values):
        return
    missing = [i for i in range(table.k) if not values or values[i] is None]
    raise InputError(
        f"{analysis} needs a {column} for every study; missing for "
        + ", ".join(table.row_of(i) for i in missing),
        path=table.source,
        field=column,
    )


@dataclass(frozen=True)
class LeaveOneOutResult:
    """One refit per study, omitting that study, in input order."""

    method: str
    test: str
    studies: tuple[str, ...]
    fits: tuple[PoolResult, ...]

    def to_list(self) -> list[dict[str, Any]]:
        return [_row(s, f) for s, f in zip(self.studies, self.fits, strict=True)]


def leave_one_out(
    table: EffectTable,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    min_k: int = 3,
) -> LeaveOneOutResult:
    """Refit the model k times, each time without one study (metafor ``leave1out()``)."""
    require_studies(table, min_k, "leave-one-out", 3)
    fits = tuple(
        pool(
            table.subset([j for j in range(table.k) if j != i]),
            method=method,
            test=test,
            level=level,
        )
        for i in range(table.k)
    )
    return LeaveOneOutResult(method=method, test=test, studies=table.study, fits=fits)


@dataclass(frozen=True)
class CumulativeResult:
    """Fits of the first 1, 2, ..., k studies in year order (ties keep input order)."""

    method: str
    test: str
    studies: tuple[str, ...]
    years: tuple[int, ...]
    fits: tuple[PoolResult, ...]

    def to_list(self) -> list[dict[str, Any]]:
        rows = []
        for study, year, fit in zip(self.studies, self.years, self.fits, strict=True):
            row = _row(study, fit)
            row["year"] = year
            rows.append(row)
        return rows


def cumulative(
    table: EffectTable,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    min_k: int = 2,
) -> CumulativeResult:
    """Cumulative meta-analysis by publication year (metafor ``cumul(order=year)``).

    The first step is the earliest study alone (not pooled); each later step adds one study.
    """
    require_studies(table, min_k, "cumulative meta-analysis", 2)
    _need_every(table, table.year, "cumulative meta-analysis", "year")
    order = sorted(range(table.k), key=lambda i: table.year[i])  # type: ignore[return-value]
    fits = tuple(
        pool(table.subset(order[: j + 1]), method=method, test=test, level=level)
        for j in range(table.k)
    )
    return CumulativeResult(
        method=method,
        test=test,
        studies=tuple(table.study[i] for i in order),
        years=tuple(int(table.year[i]) for i in order),  # type: ignore[arg-type]
        fits=fits,
    )


@dataclass(frozen=True)
class SubgroupResult:
    """One model per subgroup and the test for subgroup differences (Q between)."""

    method: str
    test: str
    groups: dict[str, PoolResult]
    q_between: float | None
    df: int
    p: float | None

    def to_dict(self) -> dict[str, Any]:
        groups = {}
        for name, fit in self.groups.items():
            row = _row(name, fit)
            row.pop("study")
            row["studies"] = list(fit.effects.study)
            row["status"] = fit.status
            groups[name] = row
        return {
            "method": self.method,
            "test": self.test,
            "groups": groups,
            "q_between": self.q_between,
            "df": self.df,
            "p": self.p,
        }


def subgroups(
    table: EffectTable,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
) -> SubgroupResult:
    """Fit the model within each subgroup and test the differences between subgroup estimates.

    Q between = sum_g w_g (b_g - b_bar)^2 with w_g = 1/se_g^2, chi-square on G - 1 df.
    """
    _need_every(table, table.subgroup, "subgroup analysis", "subgroup")
    names = sorted({g for g in table.subgroup if g is not None})
    if len(names) < 2:
        raise TooFewStudiesError(
            f"subgroup analysis needs at least 2 subgroups; found {len(names)}",
            path=table.source,
        )
    groups = {
        name: pool(
            table.subset([i for i in range(table.k) if table.subgroup[i] == name]),
            method=method,
            test=test,
            level=level,
        )
        for name in names
    }
    est = np.array([groups[n].estimate for n in names])
    se = np.array([groups[n].se for n in names])
    df = len(names) - 1
    if np.all(se > 0) and np.all(np.isfinite(se)):
        w = 1.0 / se**2
        mean = float(np.sum(w * est) / np.sum(w))
        q_between: float | None = float(np.sum(w * (est - mean) ** 2))
        p: float | None = float(stats.chi2.sf(q_between, df))
    else:
        q_between = p = None
    return SubgroupResult(method=method, test=test, groups=groups, q_between=q_between, df=df, p=p)
