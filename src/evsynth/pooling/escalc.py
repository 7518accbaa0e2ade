"""Study effect sizes from 2x2 counts or group means, as R's metafor ``escalc()`` computes them.

A review extracts raw counts or means; the models need an estimate ``yi`` and its sampling variance
``vi``. Doing the conversion here (rather than in a spreadsheet) makes the zero-cell rule and the
small-sample correction explicit, logged and identical to metafor's defaults, so that pooled
results can be checked against R.

Measures and their sources
--------------------------
- ``OR`` log odds ratio, vi = 1/a + 1/b + 1/c + 1/d (Woolf 1955; Borenstein et al. 2009 ch. 5;
  Cochrane Handbook v6.5 ch. 10.3.1 / RevMan statistical methods).
- ``RR`` log risk ratio, vi = 1/a - 1/n1 + 1/c - 1/n2 (Katz et al. 1978; Borenstein 2009 ch. 5).
- ``RD`` risk difference, vi = p1(1-p1)/n1 + p2(1-p2)/n2 (large-sample variance, metafor's
  ``vtype="LS"``; Borenstein 2009 ch. 5).
- ``MD`` raw mean difference, vi = sd1^2/n1 + sd2^2/n2 (unequal variances, metafor's default
  ``vtype="LS"``; Borenstein 2009 ch. 4).
- ``SMD`` Hedges' g: d = (m1 - m2)/s_pooled times the exact bias correction
  J(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)), m = n1 + n2 - 2 (Hedges 1981, J Educ Stat 6:107,
  eq. 6e), vi = 1/n1 + 1/n2 + g^2/(2(n1 + n2)) (metafor's ``vtype="LS"``; Hedges & Olkin 1985).
- ``ROM`` log ratio of means, vi = sd1^2/(n1 m1^2) + sd2^2/(n2 m2^2) (Hedges, Gurevitch & Curtis
  1999, Ecology 80:1150).

Zero cells (binary measures): metafor's defaults ``add=1/2, to="only0"``: 1/2 is added to every
cell of a table that has a zero cell (Cochrane Handbook v6.5 10.4.4.2); ``drop00`` (default off in
``escalc()``, on in ``rma.mh()``/``rma.peto()``) leaves a table with no events, or only events, in
both groups without an estimate.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evsynth.errors import InputError

__all__ = [
    "BINARY_MEASURES",
    "CONTINUOUS_MEASURES",
    "MEASURES",
    "TO_RULES",
    "BinaryStudy",
    "ContinuousStudy",
    "EffectSize",
    "binary_effect",
    "continuous_effect",
    "hedges_correction",
    "read_binary",
    "read_continuous",
    "zero_cell_adjust",
]

BINARY_MEASURES: tuple[str, ...] = ("OR", "RR", "RD")
CONTINUOUS_MEASURES: tuple[str, ...] = ("MD", "SMD", "ROM")
MEASURES: tuple[str, ...] = BINARY_MEASURES + CONTINUOUS_MEASURES
TO_RULES: tuple[str, ...] = ("only0", "all", "if0all", "none")
RATIO_MEASURES = frozenset({"OR", "RR", "ROM", "PETO", "HR"})


@dataclass(frozen=True)
class BinaryStudy:
    """One 2x2 table: events ``ai``/``ci`` and non-events ``bi``/``di`` in groups 1 and 2."""

    study: str
    line: int | None
    ai: float
    bi: float
    ci: float
    di: float

    @property
    def n1i(self) -> float:
        return self.ai + self.bi

    @property
    def n2i(self) -> float:
        return self.ci + self.di

    @property
    def has_zero(self) -> bool:
        return 0 in (self.ai, self.bi, self.ci, self.di)

    @property
    def double_zero(self) -> bool:
        """No events in both groups, or only events in both groups."""
        return (self.ai == 0 and self.ci == 0) or (self.bi == 0 and self.di == 0)


@dataclass(frozen=True)
class ContinuousStudy:
    """Means, standard deviations and sizes of two groups."""

    study: str
    line: int | None
    m1i: float
    sd1i: float
    n1i: float
    m2i: float
    sd2i: float
    n2i: float


@dataclass(frozen=True)
class EffectSize:
    """``yi``/``vi`` of one study (None when the study has no estimate, e.g. dropped by drop00)."""

    yi: float | None
    vi: float | None
    rule: str | None = None


def zero_cell_adjust(
    tables: Sequence[BinaryStudy], *, add: float = 0.5, to: str = "only0", drop00: bool = False
) -> list[tuple[BinaryStudy | None, str | None]]:
    """The tables after metafor's zero-cell rule, each with the rule applied (None: unchanged).

    ``to="only0"`` adds ``add`` to the cells of tables with a zero cell, ``"all"`` to every
    table, ``"if0all"`` to every table when any has a zero cell, ``"none"`` never. With ``drop00``
    a table without events (or non-events) in both groups gets no estimate (None), as metafor.
    """
    if to not in TO_RULES:
        raise InputError(f"unknown zero-cell rule to={to!r}; valid: {', '.join(TO_RULES)}")
    if not (math.isfinite(add) and add >= 0):
        raise InputError(f"add={add!r} must be a finite number >= 0 (metafor's default 0.5)")
    any_zero = any(t.has_zero for t in tables if not (drop00 and t.double_zero))
    out: list[tuple[BinaryStudy | None, str | None]] = []
    for t in tables:
        if drop00 and t.double_zero:
            out.append((None, "no events (or only events) in both groups: no estimate (drop00)"))
            continue
        apply = (
            (to == "all") or (to == "only0" and t.has_zero) or (to == "if0all" and any_zero)
        ) and add > 0
        if not apply:
            out.append((t, None))
            continue
        why = {
            "all": "added to every table (to='all')",
            "only0": "the table has a zero cell (to='only0')",
            "if0all": "some table has a zero cell (to='if0all')",
        }[to]
        adjusted = BinaryStudy(t.study, t.line, t.ai + add, t.bi + add, t.ci + add, t.di + add)
        out.append((adjusted, f"added {add:g} to each cell: {why}"))
    return out


def binary_effect(measure: str, t: BinaryStudy, source: str | None = None) -> tuple[float, float]:
    """``(yi, vi)`` of an (already zero-cell adjusted) 2x2 table for OR, RR or RD.

    Sources: Woolf (1955) for the log OR variance, Katz et al. (1978) for the log RR variance, the
    binomial large-sample variance for RD (Borenstein et al. 2009 ch. 5; Cochrane Handbook 10.3).
    A ratio with a zero cell left (``to="none"``) is infinite: an :class:`InputError`.
    """
    a, b, c, d = t.ai, t.bi, t.ci, t.di
    n1, n2 = a + b, c + d
    p1, p2 = a / n1, c / n2
    if measure == "RD":
        return p1 - p2, p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    if min(a, c) == 0 or (measure == "OR" and min(b, d) == 0):
        raise InputError(
            f"a zero cell makes the log {measure} infinite; use the zero-cell correction "
            f"(to={'/'.join(TO_RULES)}, add >= 0) or measure RD",
            path=source,
            line=t.line,
            record=t.study,
        )
    if measure == "OR":
        return math.log(a * d / (b * c)), 1 / a + 1 / b + 1 / c + 1 / d
    if measure == "RR":
        return math.log(p1 / p2), 1 / a - 1 / n1 + 1 / c - 1 / n2
    raise InputError(f"unknown binary measure {measure!r}; valid: {', '.join(BINARY_MEASURES)}")


def hedges_correction(m: float) -> float:
    """Hedges' exact small-sample correction J(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)).

    Hedges (1981) J Educ Stat 6:107, eq. 6e; computed through log-gamma so that it stays finite
    for large m (it tends to 1 - 3/(4m - 1), the usual approximation, which is not used).
    """
    if m <= 1:
        raise InputError(f"Hedges' correction needs n1 + n2 - 2 > 1, got {m:g}")
    return math.exp(math.lgamma(m / 2) - math.log(math.sqrt(m / 2)) - math.lgamma((m - 1) / 2))


def continuous_effect(
    measure: str, s: ContinuousStudy, source: str | None = None
) -> tuple[float, float]:
    """``(yi, vi)`` for MD, SMD (Hedges' g) or ROM, with metafor's default variances (``LS``).

    Sources: Borenstein et al. (2009) ch. 4 (MD), Hedges (1981) and Hedges & Olkin (1985) (SMD),
    Hedges, Gurevitch & Curtis (1999) (ROM).
    """
    m1, sd1, n1, m2, sd2, n2 = s.m1i, s.sd1i, s.n1i, s.m2i, s.sd2i, s.n2i
    if measure == "MD":
        return m1 - m2, sd1 * sd1 / n1 + sd2 * sd2 / n2
    if measure == "SMD":
        m = n1 + n2 - 2
        if m <= 1:
            raise InputError(
                f"SMD needs n1i + n2i > 3 (got {n1:g} + {n2:g}) for Hedges' correction",
                path=source,
                line=s.line,
                record=s.study,
            )
        sp = math.sqrt(((n1 - 1) * sd1 * sd1 + (n2 - 1) * sd2 * sd2) / m)
        g = hedges_correction(m) * (m1 - m2) / sp
        return g, 1 / n1 + 1 / n2 + g * g / (2 * (n1 + n2))
    if measure == "ROM":
        if m1 == 0 or m2 == 0 or (m1 > 0) != (m2 > 0):
            raise InputError(
                f"ROM needs two non-zero means of the same sign (m1i = {m1:g}, m2i = {m2:g}): "
                "a ratio of means is defined only on a ratio scale",
                path=source,
                line=s.line,
                record=s.study,
            )
        return (
            math.log(m1 / m2),
            sd1 * sd1 / (n1 * m1 * m1) + sd2 * sd2 / (n2 * m2 * m2),
        )
    raise InputError(
        f"unknown continuous measure {measure!r}; valid: {', '.join(CONTINUOUS_MEASURES)}"
    )


# --- Reading input rows --------------------------------------------------------------------------


def _value(row: dict[str, str], name: str, where: dict) -> float:
    raw = (row.get(name) or "").strip()
    if raw == "":
        raise InputError(f"{name} is missing; give a number", field=name, **where)
    try:
        value = float(raw)
    except ValueError:
        raise InputError(
            f"{name} is {raw!r}, not a number; give a finite number such as 12 or 3.5",
            field=name,
            **where,
        ) from None
    if not math.isfinite(value):
        raise InputError(f"{name} is {raw!r}; it must be finite", field=name, **where)
    return value


def _label(row: dict[str, str], lineno: int) -> str:
    label = (row.get("study") or "").strip()
    return label or f"line {lineno}"


def _records(
    rows: Sequence[tuple[int, dict[str, str]]], source: str | None
) -> Iterator[tuple[int, dict[str, str], str, dict[str, Any]]]:
    """``(line, row, study label, error location)`` per row, shared by the 2x2 and means readers."""
    for lineno, row in rows:
        label = _label(row, lineno)
        yield lineno, row, label, dict(path=source, line=lineno, record=label)


def _require(
    v: dict[str, float],
    names: Sequence[str],
    bad: Callable[[float], bool],
    reason: str,
    where: dict[str, Any],
) -> None:
    """Raise naming the first column in ``names`` whose value is ``bad``; ``reason`` says why."""
    for name in names:
        if bad(v[name]):
            raise InputError(f"{name} is {v[name]:g}; {reason}", field=name, **where)


def read_binary(
    rows: Sequence[tuple[int, dict[str, str]]], header: Sequence[str], source: str | None = None
) -> list[BinaryStudy]:
    """2x2 tables from rows with columns ``ai bi ci di`` or ``ai n1i ci n2i`` (metafor's names).

    When both forms are given they must agree. Counts must be finite and >= 0, events no more than
    the group size, and each group non-empty; each error names the file, line and study.
    """
    cols = set(header)
    full = {"ai", "bi", "ci", "di"} <= cols
    sized = {"ai", "n1i", "ci", "n2i"} <= cols
    if not (full or sized):
        raise InputError(
            "2x2 counts need columns ai,bi,ci,di or ai,n1i,ci,n2i (metafor's names); the header "
            f"has {', '.join(header)}",
            path=source,
            line=1,
        )
    out = []
    for lineno, row, label, where in _records(rows, source):
        names = ["ai", "ci"] + (["bi", "di"] if full else []) + (["n1i", "n2i"] if sized else [])
        v = {name: _value(row, name, where) for name in names}
        _require(v, names, lambda x: x < 0, "counts cannot be negative", where)
        if sized:
            for ev, n, group in (("ai", "n1i", 1), ("ci", "n2i", 2)):
                if v[ev] > v[n]:
                    raise InputError(
                        f"{ev} = {v[ev]:g} events exceed {n} = {v[n]:g} in group {group}; "
                        f"events must lie between 0 and {n}",
                        field=ev,
                        **where,
                    )
            if full:
                for ev, non, n in (("ai", "bi", "n1i"), ("ci", "di", "n2i")):
                    if v[ev] + v[non] != v[n]:
                        raise InputError(
                            f"{ev} + {non} = {v[ev] + v[non]:g} but {n} = {v[n]:g}; give "
                            "consistent counts",
                            field=n,
                            **where,
                        )
            bi, di = v["n1i"] - v["ai"], v["n2i"] - v["ci"]
        else:
            bi, di = v["bi"], v["di"]
        for n, group in ((v["ai"] + bi, 1), (v["ci"] + di, 2)):
            if n == 0:
                raise InputError(
                    f"group {group} has no participants; a 2x2 table needs both groups",
                    field="n1i" if group == 1 else "n2i",
                    **where,
                )
        out.append(BinaryStudy(label, lineno, v["ai"], bi, v["ci"], di))
    return out


CONTINUOUS_COLUMNS = ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")


def read_continuous(
    rows: Sequence[tuple[int, dict[str, str]]], header: Sequence[str], source: str | None = None
) -> list[ContinuousStudy]:
    """Group summaries from rows with columns ``m1i sd1i n1i m2i sd2i n2i`` (metafor's names).

    SDs must be > 0 and group sizes >= 1 (a variance needs both); each error names the row.
    """
    missing = [c for c in CONTINUOUS_COLUMNS if c not in header]
    if missing:
        raise InputError(
            f"means need columns {','.join(CONTINUOUS_COLUMNS)}; missing {', '.join(missing)} "
            f"(the header has {', '.join(header)})",
            path=source,
            line=1,
        )
    out = []
    for lineno, row, label, where in _records(rows, source):
        v = {name: _value(row, name, where) for name in CONTINUOUS_COLUMNS}
        _require(v, ("sd1i", "sd2i"), lambda x: x <= 0, "a standard deviation must be > 0", where)
        _require(
            v, ("n1i", "n2i"), lambda x: x < 1, "a group needs at least one participant", where
        )
        out.append(ContinuousStudy(label, lineno, **v))
    return out


def compute(
    measure: str,
    rows: Sequence[tuple[int, dict[str, str]]],
    header: Sequence[str],
    *,
    source: str | Path | None = None,
    add: float = 0.5,
    to: str = "only0",
    drop00: bool = False,
) -> list[tuple[str, int | None, EffectSize]]:
    """``(study, line, EffectSize)`` for every input row, in order (metafor ``escalc()``)."""
    src = str(source) if source is not None else None
    measure = measure.upper()
    if measure in BINARY_MEASURES:
        tables = read_binary(rows, header, src)
        result = []
        for original, (t, rule) in zip(
            tables, zero_cell_adjust(tables, add=add, to=to, drop00=drop00), strict=True
        ):
            if t is None:
                result.append((original.study, original.line, EffectSize(None, None, rule)))
                continue
            yi, vi = binary_effect(measure, t, src)
            result.append((t.study, t.line, EffectSize(yi, vi, rule)))
        return result
    if measure in CONTINUOUS_MEASURES:
        out = []
        for s in read_continuous(rows, header, src):
            yi, vi = continuous_effect(measure, s, src)
            out.append((s.study, s.line, EffectSize(yi, vi)))
        return out
    raise InputError(f"unknown measure {measure!r}; valid: {', '.join(MEASURES)}", field="measure")
