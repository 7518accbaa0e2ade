"""The optional analyses of ``results/pooling/{analysis}.json``, typed: small-study tests,
leave-one-out and cumulative rows, subgroups, the estimate by search run. Part of
:mod:`evsynth.contracts.pooling_result`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from evsynth.contracts.jsonfile import Fields
from evsynth.contracts.pooling_model import (
    EXP,
    MODELS,
    ROW_KEYS,
    RUN_MODEL_KEYS,
    SUBGROUP_KEYS,
    PooledModel,
    check_chosen,
    check_status,
    parse_model,
)

__all__ = [
    "SECTIONS",
    "BeggTest",
    "EggerTest",
    "SearchRunEstimate",
    "SensitivityRow",
    "SubgroupFit",
    "SubgroupTest",
    "TrimAndFill",
    "parse_sections",
]

#: The keys of the optional analyses; absent when pooling did not compute them (read as None,
#: or () for the lists and subgroups).
SECTIONS = (
    "egger",
    "begg",
    "trim_and_fill",
    "leave_one_out",
    "cumulative",
    "subgroups",
    "by_search_run",
)


@dataclass(frozen=True)
class SensitivityRow:
    """One leave-one-out refit (without ``study``) or cumulative step (adding it); log scale."""

    study: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    k: int | None = None
    se: float | None = None
    p: float | None = None
    tau2: float | None = None
    i2: float | None = None
    q: float | None = None
    q_p: float | None = None
    year: int | str | None = None
    ratio: bool = False
    exp_estimate: float | None = None
    exp_ci_low: float | None = None
    exp_ci_high: float | None = None

    def to_dict(self, *, with_year: bool) -> dict[str, Any]:
        out = {key: getattr(self, key) for key in ROW_KEYS}
        if self.ratio:
            out.update({f"exp_{n}": getattr(self, f"exp_{n}") for n in EXP})
        if with_year:
            out["year"] = self.year
        return out


def _rows(w: Fields, key: str) -> tuple[SensitivityRow, ...]:
    rows = w.items(key) or []
    out = []
    for i, raw in enumerate(rows):
        r = Fields(raw, w.path, f"{key}[{i}]")
        names = ("study", "omitted", "label", "added")
        label = next((r.data[n] for n in names if n in r.data), None)
        if label is None:
            r.fail("needs a 'study' label")
        year = r.data.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int | str)):
            r.fail(f"expected a year, found {year!r}", "year")
        if r.number("estimate") is not None:  # a refit with an estimate has its interval
            r.number("ci_low", required=True)
            r.number("ci_high", required=True)
        out.append(r.build(SensitivityRow, study=str(label), year=year))
    return tuple(out)


@dataclass(frozen=True)
class EggerTest:
    """Egger's regression test for funnel-plot asymmetry (``egger``)."""

    intercept: float | None
    se: float | None
    t: float | None
    df: int | None
    p: float | None
    k: int | None = None
    limit_estimate: float | None = None
    limit_ci_low: float | None = None
    limit_ci_high: float | None = None
    model: str | None = None
    reportable: bool | None = None
    reason: str | None = None  # why it was not computed (another tool's note; pooling: notes)

    def to_dict(self) -> dict[str, Any]:
        out = {n: getattr(self, n) for n in EggerTest.__dataclass_fields__ if n not in _OPTIONAL}
        return _with_optional(out, self.reportable, self.reason)


@dataclass(frozen=True)
class BeggTest:
    """Begg's rank correlation test (``begg``)."""

    tau: float | None
    p: float | None
    k: int | None = None
    exact: bool | None = None
    reportable: bool | None = None
    reason: str | None = None  # why it was not computed (another tool's note; pooling: notes)

    def to_dict(self) -> dict[str, Any]:
        out = {"k": self.k, "tau": self.tau, "p": self.p, "exact": self.exact}
        return _with_optional(out, self.reportable, self.reason)


@dataclass(frozen=True)
class TrimAndFill:
    """Duval and Tweedie's trim-and-fill: the imputed studies ``(yi, se)`` and the new estimate."""

    k0: int
    side: str | None
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    filled: tuple[tuple[float, float], ...] = ()
    estimator: str | None = None
    method: str | None = None
    k: int | None = None
    se: float | None = None
    tau2: float | None = None
    filled_yi: tuple[float, ...] = ()
    filled_vi: tuple[float, ...] = ()
    ratio: bool = False
    exp_estimate: float | None = None
    exp_ci_low: float | None = None
    exp_ci_high: float | None = None
    reportable: bool | None = None
    reason: str | None = None  # why it was not computed (another tool's note; pooling: notes)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            n: getattr(self, n)
            for n in "k0 side estimator method k estimate se ci_low ci_high tau2".split()
        }
        out.update(filled_yi=list(self.filled_yi), filled_vi=list(self.filled_vi))
        if self.ratio:
            out.update({f"exp_{n}": getattr(self, f"exp_{n}") for n in EXP})
        return _with_optional(out, self.reportable, self.reason)


#: Keys of a small-study test written only when the file has them (pooling writes no reason).
_OPTIONAL = ("reportable", "reason")


def _with_optional(
    out: dict[str, Any], reportable: bool | None, reason: str | None
) -> dict[str, Any]:
    if reportable is not None:
        out["reportable"] = reportable
    if reason is not None:
        out["reason"] = reason
    return out


def _trim_and_fill(w: Fields | None) -> TrimAndFill | None:
    if w is None or not w.data:
        return None
    filled = []
    for i, point in enumerate(w.items("filled") or []):
        p = Fields(point, w.path, w.at(f"filled[{i}]"))
        filled.append((p.number("yi", required=True), p.number("se", required=True)))
    yis, vis = w.numbers("filled_yi"), w.numbers("filled_vi")
    if len(yis) != len(vis):
        w.fail(f"{len(yis)} filled_yi but {len(vis)} filled_vi")
    filled += [(y, math.sqrt(v)) for y, v in zip(yis, vis, strict=True)]
    return w.build(
        TrimAndFill,
        k0=w.integer("k0") or 0,
        filled=tuple(filled),
        filled_yi=yis,
        filled_vi=vis,
    )


@dataclass(frozen=True)
class SubgroupFit:
    """One subgroup's estimate (``subgroups.groups.{name}``), fitted with the chosen model."""

    name: str
    model: PooledModel


@dataclass(frozen=True)
class SubgroupTest:
    """The rest of ``subgroups``: the test for subgroup differences and how the fits were made.

    ``q`` is Q between subgroups (``q_between``), chi-square on ``df`` = G - 1 degrees of freedom.
    """

    q: float | None
    df: int | None = None
    p: float | None = None
    column: str | None = None
    method: str | None = None
    test: str | None = None
    left_out: tuple[str, ...] = ()
    reportable: bool | None = None

    def to_dict(self, groups: tuple[SubgroupFit, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "column": self.column,
            "left_out": list(self.left_out),
            "method": self.method,
            "test": self.test,
            "groups": {g.name: g.model.to_dict(SUBGROUP_KEYS) for g in groups},
            "q_between": self.q,
            "df": self.df,
            "p": self.p,
        }
        return _with_optional(out, self.reportable, None)


def _subgroups(
    w: Fields | None, chosen: str | None
) -> tuple[tuple[SubgroupFit, ...], SubgroupTest | None]:
    """The pooling layout (one flat model per group, fitted with the chosen model) or R's."""
    if w is None:
        return (), None
    entries: Any = w.data.get("groups", w.data)
    items: list[tuple[str, Any]] = []
    if isinstance(entries, Mapping):
        items = [(str(k), v) for k, v in entries.items() if isinstance(v, Mapping)]
    elif isinstance(entries, list):
        items = [
            (str(e.get("subgroup", e.get("name", e.get("level")))), e)
            for e in entries
            if isinstance(e, Mapping)
        ]
    fits = []
    which = chosen if chosen in MODELS else "random"
    for name, entry in items:
        g = Fields(entry, w.path, w.at(f"groups.{name}"))
        if "estimate" in entry:
            model = parse_model(g, which) if entry.get("estimate") is not None else None
        else:  # {fixed, random}: the chosen one, else whichever is there
            both = {m: parse_model(g.sub(m), m) for m in MODELS}
            model = both[which] or both["random"] or both["fixed"]
        if model is not None:
            fits.append(SubgroupFit(name, model))
    test = w.build(SubgroupTest, q=w.number("q_between"))
    return tuple(fits), test


@dataclass(frozen=True)
class SearchRunEstimate:
    """One entry of ``by_search_run``: the pooled estimate of the studies found up to ``run``."""

    run: str
    k: int
    studies: tuple[str, ...]
    new_studies: tuple[str, ...]
    status: str
    chosen: str | None
    reason: str | None
    fixed: PooledModel | None
    random: PooledModel | None
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    ratio: bool = False
    exp_estimate: float | None = None
    exp_ci_low: float | None = None
    exp_ci_high: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "run": self.run,
            "k": self.k,
            "studies": list(self.studies),
            "new_studies": list(self.new_studies),
            "status": self.status,
            "chosen": self.chosen,
            "reason": self.reason,
            "fixed": self.fixed.to_dict(RUN_MODEL_KEYS) if self.fixed else None,
            "random": self.random.to_dict(RUN_MODEL_KEYS) if self.random else None,
            "estimate": self.estimate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
        }
        if self.ratio:
            out.update({f"exp_{n}": getattr(self, f"exp_{n}") for n in EXP})
        return out


def _by_search_run(w: Fields) -> tuple[SearchRunEstimate, ...]:
    entries = w.items("by_search_run") or []
    out = []
    for i, raw in enumerate(entries):
        e = Fields(raw, w.path, f"by_search_run[{i}]")
        run = e.text("run")
        if run is None:
            e.fail("needs the search run id", "run")
        out.append(
            e.build(
                SearchRunEstimate,
                run=str(run),
                k=e.integer("k") or 0,
                status=check_status(e, e.text("status") or "empty"),
                chosen=check_chosen(e),
                fixed=parse_model(e.sub("fixed"), "fixed"),
                random=parse_model(e.sub("random"), "random"),
            )
        )
    return tuple(out)


def parse_sections(
    data: Mapping[str, Any], path: str = "", chosen: str | None = None
) -> dict[str, Any]:
    """The typed optional analyses (:data:`SECTIONS`) of a decoded result, by key."""
    w = Fields(data, path)
    eg, bg = w.sub("egger"), w.sub("begg")
    subgroups, subgroup_test = _subgroups(w.sub("subgroups"), chosen)
    return dict(
        egger=None
        if not eg or not eg.data
        else eg.build(EggerTest, t=eg.number("t" if "t" in eg.data else "stat")),
        begg=None if not bg or not bg.data else bg.build(BeggTest),
        trim_and_fill=_trim_and_fill(w.sub("trim_and_fill")),
        leave_one_out=_rows(w, "leave_one_out"),
        cumulative=_rows(w, "cumulative"),
        subgroups=subgroups,
        subgroup_test=subgroup_test,
        by_search_run=_by_search_run(w),
    )
