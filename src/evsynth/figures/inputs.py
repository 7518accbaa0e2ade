"""Readers of the contract files the figures are drawn from, returning value objects.

The pooling JSON (``results/pooling/{analysis}.json``), the analysis input
(``results/extraction/analyses/{analysis}.tsv``) and the optional risk-of-bias sheet are
described in docs/architecture.md (the PRISMA counts: :mod:`evsynth.contracts.prisma_counts`).
Optional keys may be absent (a pooling run with k < 3 has no Egger test, an analysis without
subgroups has no ``subgroups``); required ones missing are an
:class:`~evsynth.errors.InputError` naming file and key.
Every estimate in the pooling JSON is on the log scale; the figures exponentiate for display.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evsynth.contracts.jsonfile import read_json as _load_json
from evsynth.errors import InputError
from evsynth.figures.style import ROB_JUDGEMENTS
from evsynth.tables import read_tsv

__all__ = [
    "ANALYSIS_COLUMNS",
    "EggerTest",
    "ModelSummary",
    "PoolingResult",
    "RiskOfBiasTable",
    "SensitivityRow",
    "StudyEffect",
    "SubgroupSummary",
    "SubgroupTest",
    "TrimAndFill",
    "read_analysis_effects",
    "read_pooling",
    "read_risk_of_bias",
]

ANALYSIS_COLUMNS = ("study", "yi", "se", "study_id", "year", "label", "subgroup")
_MODELS = ("fixed", "random")


@dataclass(frozen=True)
class StudyEffect:
    """One row of an analysis input: a study's log hazard ratio and its standard error."""

    study: str
    yi: float
    se: float
    study_id: str = ""
    year: str = ""
    label: str = ""
    subgroup: str = ""
    derivation: str = ""  # how extraction derived yi/se (e.g. km_reconstruction)


@dataclass(frozen=True)
class ModelSummary:
    """One fitted model (fixed or random) as the pooling stage wrote it; estimates on log scale."""

    name: str
    estimate: float
    ci_low: float
    ci_high: float
    k: int | None = None
    pi_low: float | None = None
    pi_high: float | None = None
    tau2: float | None = None
    i2: float | None = None
    q: float | None = None
    q_df: float | None = None
    q_p: float | None = None
    p: float | None = None
    method: str | None = None
    test: str | None = None
    weights: dict[str, float] = field(default_factory=dict)
    # the test statistic of the pooled estimate (z, or t on `df` degrees of freedom with HKSJ)
    stat: float | None = None
    df: float | None = None


@dataclass(frozen=True)
class SensitivityRow:
    """One row of a leave-one-out or cumulative analysis (log scale)."""

    study: str
    estimate: float
    ci_low: float
    ci_high: float
    tau2: float | None = None
    i2: float | None = None
    k: int | None = None


@dataclass(frozen=True)
class TrimAndFill:
    """Duval and Tweedie's trim-and-fill result: imputed studies and the adjusted estimate."""

    k0: int
    side: str | None
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    filled: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class EggerTest:
    """Egger's regression test for funnel-plot asymmetry."""

    intercept: float | None
    se: float | None
    t: float | None
    df: float | None
    p: float | None


@dataclass(frozen=True)
class SubgroupSummary:
    """Pooled estimate within one subgroup, when the pooling stage provides it."""

    name: str
    fixed: ModelSummary | None
    random: ModelSummary | None


@dataclass(frozen=True)
class SubgroupTest:
    """Test for subgroup differences (Q between subgroups, chi-square on G - 1 df)."""

    q: float
    df: float | None
    p: float | None


@dataclass(frozen=True)
class PoolingResult:
    """Everything the figures need from ``results/pooling/{analysis}.json``."""

    analysis: str
    label: str
    status: str
    k: int
    chosen: str | None
    rule: str | None
    fixed: ModelSummary | None
    random: ModelSummary | None
    studies: tuple[str, ...] = ()
    leave_one_out: tuple[SensitivityRow, ...] = ()
    cumulative: tuple[SensitivityRow, ...] = ()
    trim_and_fill: TrimAndFill | None = None
    egger: EggerTest | None = None
    subgroups: tuple[SubgroupSummary, ...] = ()
    subgroup_test: SubgroupTest | None = None
    rule_reason: str | None = None
    path: str = ""
    measure: str = "HR"  # the analysis's declared measure (pooling JSON `measure`), default HR

    def model(self, name: str | None = None) -> ModelSummary | None:
        """The named model, or the chosen one (falling back to random, then fixed)."""
        name = name or self.chosen
        if name == "fixed":
            return self.fixed
        if name == "random":
            return self.random
        return self.random or self.fixed

    def weights(self) -> dict[str, float]:
        """Percent weights of the chosen model by study label (empty when not pooled)."""
        model = self.model()
        return dict(model.weights) if model is not None else {}


@dataclass(frozen=True)
class RiskOfBiasTable:
    """A risk-of-bias table: one row per study, one judgement (or NOS star count) per domain."""

    studies: tuple[str, ...]
    labels: tuple[str, ...]
    domains: tuple[str, ...]
    judgements: tuple[tuple[str, ...], ...]  # [study][domain], lower-cased judgement or star count
    overall: tuple[str, ...] | None
    total: tuple[str, ...] | None
    kind: str  # "judgement" or "stars"
    path: str = ""


def _number(value: Any, *, path: str, key: str) -> float | None:
    """A finite float, or None for null/absent/NaN; anything else is an error naming the key."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InputError(f"expected a number, found {value!r}", path=path, field=key)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"expected a number, found {value!r}", path=path, field=key) from None
    return number if math.isfinite(number) else None


def _required(value: Any, *, path: str, key: str) -> float:
    number = _number(value, path=path, key=key)
    if number is None:
        raise InputError("a number is required here, found null or nothing", path=path, field=key)
    return number


def _model(data: Any, where: str, *, path: str, name: str | None = None) -> ModelSummary | None:
    if not isinstance(data, dict) or not data:
        return None
    name = name or where
    if data.get("estimate") is None:
        return None
    weights_raw = data.get("weights") or []
    studies = data.get("studies") or []
    weights: dict[str, float] = {}
    if isinstance(weights_raw, dict):
        weights = {
            str(s): _required(w, path=path, key=f"{where}.weights") for s, w in weights_raw.items()
        }
    elif weights_raw:
        if len(studies) != len(weights_raw):
            raise InputError(
                f"{len(weights_raw)} weights but {len(studies)} studies; they must pair up in "
                "input order",
                path=path,
                field=f"{where}.weights",
            )
        weights = {
            str(s): _required(w, path=path, key=f"{where}.weights")
            for s, w in zip(studies, weights_raw, strict=True)
        }
    k = data.get("k")
    return ModelSummary(
        name=name,
        estimate=_required(data.get("estimate"), path=path, key=f"{where}.estimate"),
        ci_low=_required(data.get("ci_low"), path=path, key=f"{where}.ci_low"),
        ci_high=_required(data.get("ci_high"), path=path, key=f"{where}.ci_high"),
        k=int(k) if isinstance(k, int | float) else None,
        pi_low=_number(data.get("pi_low"), path=path, key=f"{where}.pi_low"),
        pi_high=_number(data.get("pi_high"), path=path, key=f"{where}.pi_high"),
        tau2=_number(data.get("tau2"), path=path, key=f"{where}.tau2"),
        i2=_number(data.get("i2"), path=path, key=f"{where}.i2"),
        q=_number(data.get("q"), path=path, key=f"{where}.q"),
        q_df=_number(data.get("q_df"), path=path, key=f"{where}.q_df"),
        q_p=_number(data.get("q_p"), path=path, key=f"{where}.q_p"),
        p=_number(data.get("p"), path=path, key=f"{where}.p"),
        method=str(data["method"]) if data.get("method") else None,
        test=str(data["test"]) if data.get("test") else None,
        weights=weights,
        stat=_number(data.get("stat"), path=path, key=f"{where}.stat"),
        df=_number(data.get("df"), path=path, key=f"{where}.df"),
    )


def _sensitivity(rows: Any, *, path: str, key: str) -> tuple[SensitivityRow, ...]:
    if not rows:
        return ()
    if not isinstance(rows, list):
        raise InputError(f"expected a list, found {type(rows).__name__}", path=path, field=key)
    out = []
    for i, row in enumerate(rows):
        where = f"{key}[{i}]"
        if not isinstance(row, dict):
            raise InputError("expected an object", path=path, field=where)
        label = row.get("study") or row.get("omitted") or row.get("label") or row.get("added")
        if label is None:
            raise InputError("needs a 'study' label", path=path, field=where)
        estimate = _number(row.get("estimate"), path=path, key=f"{where}.estimate")
        if estimate is None:
            continue  # a refit that could not be computed (e.g. k = 1 after omission) draws no row
        k = row.get("k")
        out.append(
            SensitivityRow(
                study=str(label),
                estimate=estimate,
                ci_low=_required(row.get("ci_low"), path=path, key=f"{where}.ci_low"),
                ci_high=_required(row.get("ci_high"), path=path, key=f"{where}.ci_high"),
                tau2=_number(row.get("tau2"), path=path, key=f"{where}.tau2"),
                i2=_number(row.get("i2"), path=path, key=f"{where}.i2"),
                k=int(k) if isinstance(k, int | float) else None,
            )
        )
    return tuple(out)


def _subgroups(
    data: Any, chosen: str | None, *, path: str
) -> tuple[tuple[SubgroupSummary, ...], SubgroupTest | None]:
    """Subgroup fits and the test for subgroup differences.

    The pooling stage writes ``{"column", "method", "test", "groups": {name: <one flat model>},
    "q_between", "df", "p"}`` (each group fitted with the chosen model); ``{name: {"fixed",
    "random"}}`` and lists of ``{"subgroup", "fixed", "random"}`` are read too.
    """
    if not data:
        return (), None
    test = None
    items: list[tuple[str, dict]] = []
    entries: Any = data
    if isinstance(data, dict):
        entries = data.get("groups", data)
        q = _number(data.get("q_between"), path=path, key="subgroups.q_between")
        if q is not None:
            test = SubgroupTest(
                q=q,
                df=_number(data.get("df"), path=path, key="subgroups.df"),
                p=_number(data.get("p"), path=path, key="subgroups.p"),
            )
    if isinstance(entries, dict):
        items = [(str(k), v) for k, v in entries.items() if isinstance(v, dict)]
    elif isinstance(entries, list):
        for entry in entries:
            if isinstance(entry, dict):
                name = entry.get("subgroup", entry.get("name", entry.get("level")))
                items.append((str(name), entry))
    out = []
    for name, entry in items:
        if "estimate" in entry:
            # One flat model per group, fitted with the analysis' chosen model.
            if entry.get("estimate") is None:
                continue
            which = chosen if chosen in _MODELS else "random"
            model = _model(entry, f"subgroups.{name}", path=path, name=which)
            fixed, random = (model, None) if which == "fixed" else (None, model)
        else:
            fixed = _model(entry.get("fixed"), f"subgroups.{name}.fixed", path=path, name="fixed")
            random = _model(
                entry.get("random"), f"subgroups.{name}.random", path=path, name="random"
            )
        if fixed is not None or random is not None:
            out.append(SubgroupSummary(name=name, fixed=fixed, random=random))
    return tuple(out), test


def read_pooling(path: str | Path) -> PoolingResult:
    """Read one analysis' pooling JSON; tolerant of optional keys being absent."""
    where = str(path)
    data = _load_json(path)
    if not isinstance(data, dict):
        raise InputError("expected a JSON object at the top level", path=where)
    fixed = _model(data.get("fixed"), "fixed", path=where, name="fixed")
    random = _model(data.get("random"), "random", path=where, name="random")
    chosen = data.get("chosen")
    if chosen is not None and chosen not in _MODELS:
        raise InputError(
            f"{chosen!r} is not a model; valid: fixed, random", path=where, field="chosen"
        )
    studies: list[str] = []
    for model in (data.get("random"), data.get("fixed")):
        if isinstance(model, dict) and model.get("studies"):
            studies = [str(s) for s in model["studies"]]
            break
    if not studies and isinstance(data.get("studies"), list):
        studies = [str(s) for s in data["studies"]]
    k_raw = data.get("k")
    k = int(k_raw) if isinstance(k_raw, int | float) else len(studies)
    status = data.get("status") or ("pooled" if k >= 2 else "single_study" if k == 1 else "empty")
    if status not in ("pooled", "single_study", "empty"):
        raise InputError(
            f"unknown status {status!r}; valid: pooled, single_study, empty",
            path=where,
            field="status",
        )
    if status == "pooled" and fixed is None and random is None:
        raise InputError(
            "status is 'pooled' but neither 'fixed' nor 'random' has an estimate", path=where
        )
    tf = data.get("trim_and_fill")
    trim = None
    if isinstance(tf, dict) and tf:
        filled = []
        for i, point in enumerate(tf.get("filled") or []):
            key = f"trim_and_fill.filled[{i}]"
            filled.append(
                (
                    _required(point.get("yi"), path=where, key=f"{key}.yi"),
                    _required(point.get("se"), path=where, key=f"{key}.se"),
                )
            )
        # The pooling stage's own layout: parallel lists of imputed yi and sampling variances.
        yis, vis = tf.get("filled_yi") or [], tf.get("filled_vi") or []
        if len(yis) != len(vis):
            raise InputError(
                f"{len(yis)} filled_yi but {len(vis)} filled_vi", path=where, field="trim_and_fill"
            )
        for i, (y, v) in enumerate(zip(yis, vis, strict=True)):
            var = _required(v, path=where, key=f"trim_and_fill.filled_vi[{i}]")
            filled.append(
                (_required(y, path=where, key=f"trim_and_fill.filled_yi[{i}]"), math.sqrt(var))
            )
        trim = TrimAndFill(
            k0=int(tf.get("k0") or 0),
            side=tf.get("side"),
            estimate=_number(tf.get("estimate"), path=where, key="trim_and_fill.estimate"),
            ci_low=_number(tf.get("ci_low"), path=where, key="trim_and_fill.ci_low"),
            ci_high=_number(tf.get("ci_high"), path=where, key="trim_and_fill.ci_high"),
            filled=tuple(filled),
        )
    eg = data.get("egger")
    egger = None
    if isinstance(eg, dict) and eg:
        egger = EggerTest(
            intercept=_number(eg.get("intercept"), path=where, key="egger.intercept"),
            se=_number(eg.get("se"), path=where, key="egger.se"),
            t=_number(eg.get("t", eg.get("stat")), path=where, key="egger.t"),
            df=_number(eg.get("df"), path=where, key="egger.df"),
            p=_number(eg.get("p"), path=where, key="egger.p"),
        )
    rule = data.get("rule")
    rule_name, rule_reason = (
        (rule, None)
        if not isinstance(rule, dict)
        else (rule.get("name"), rule.get("reason") or rule.get("description"))
    )
    subgroups, subgroup_test = _subgroups(data.get("subgroups"), chosen, path=where)
    return PoolingResult(
        analysis=str(data.get("analysis") or Path(path).stem),
        label=str(data.get("label") or data.get("analysis") or Path(path).stem),
        status=status,
        k=k,
        chosen=chosen,
        rule=str(rule_name) if rule_name else None,
        rule_reason=str(rule_reason) if rule_reason else None,
        fixed=fixed,
        random=random,
        studies=tuple(studies),
        leave_one_out=_sensitivity(data.get("leave_one_out"), path=where, key="leave_one_out"),
        cumulative=_sensitivity(data.get("cumulative"), path=where, key="cumulative"),
        trim_and_fill=trim,
        egger=egger,
        subgroups=subgroups,
        subgroup_test=subgroup_test,
        path=where,
        measure=str(data.get("measure") or "HR").upper(),
    )


def read_analysis_effects(path: str | Path) -> tuple[StudyEffect, ...]:
    """Read ``results/extraction/analyses/{analysis}.tsv`` (header only = no studies)."""
    where = str(path)
    if not Path(path).exists():
        raise InputError("file not found", path=where)
    rows = read_tsv(path, required=("study", "yi", "se"))
    out = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        study = row["study"].strip()
        if not study:
            raise InputError("empty study label", path=where, line=line, field="study")
        if study in seen:
            raise InputError(
                f"study label {study!r} appears twice; labels must be unique",
                path=where,
                line=line,
                field="study",
            )
        seen.add(study)
        values = {}
        for key in ("yi", "se"):
            try:
                values[key] = float(row[key])
            except ValueError:
                raise InputError(
                    f"expected a number, found {row[key]!r}", path=where, line=line, field=key
                ) from None
            if not math.isfinite(values[key]):
                raise InputError(
                    f"expected a finite number, found {row[key]!r}",
                    path=where,
                    line=line,
                    field=key,
                )
        if values["se"] <= 0:
            raise InputError(
                f"standard error must be > 0, found {row['se']!r}",
                path=where,
                line=line,
                field="se",
            )
        out.append(
            StudyEffect(
                study=study,
                yi=values["yi"],
                se=values["se"],
                study_id=row.get("study_id", "").strip(),
                year=row.get("year", "").strip(),
                label=row.get("label", "").strip(),
                subgroup=row.get("subgroup", "").strip(),
                derivation=row.get("derivation", "").strip(),
            )
        )
    return tuple(out)


_ROB_META = {
    "study_id",
    "study",
    "label",
    "tool",
    "notes",
    "note",
    "comment",
    "comments",
    "total",
    "overall",
    "reviewer",
    "reviewers",
}
_ROB_ALIASES = {
    "low risk": "low",
    "l": "low",
    "+": "low",
    "some": "some concerns",
    "some concern": "some concerns",
    "moderate risk": "moderate",
    "high risk": "high",
    "h": "high",
    "-": "high",
    "unclear risk": "unclear",
    "?": "unclear",
    "u": "unclear",
    "serious risk": "serious",
    "critical risk": "critical",
    "ni": "no information",
    "no info": "no information",
}


def _stars(value: str) -> int | None:
    text = value.strip()
    if text and set(text) <= {"*", "\u2605"}:
        return len(text)
    if text.isdigit():
        return int(text)
    return None


def read_risk_of_bias(path: str | Path, *, labels: dict[str, str] | None = None) -> RiskOfBiasTable:
    """Read a risk-of-bias sheet (TSV or CSV): ``study_id``, one column per domain, ``total``.

    Cells hold judgements (low / some concerns / high / unclear, and the ROBINS-I grades) or
    Newcastle-Ottawa stars (``*``, ``**`` or a digit); one table uses one kind throughout.
    """
    where = str(path)
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", path=where)
    if p.suffix.lower() == ".csv":
        with p.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            rows = [{k: (v or "") for k, v in r.items() if k is not None} for r in reader]
        if "study_id" not in header:
            raise InputError(
                f"missing column study_id; the header has {', '.join(header)}", path=where, line=1
            )
    else:
        rows = read_tsv(p, required=("study_id",))
        header = list(rows[0]) if rows else []
        if not rows:
            with p.open(encoding="utf-8-sig") as handle:
                header = handle.readline().rstrip("\n").split("\t")
    domains = tuple(c for c in header if c.strip().lower() not in _ROB_META)
    if not domains:
        raise InputError("no domain columns besides study_id/total/overall", path=where, line=1)
    has_overall = "overall" in header
    has_total = "total" in header
    star_cells = 0
    judgement_cells = 0
    table: list[tuple[str, ...]] = []
    for line, row in enumerate(rows, start=2):
        cells = []
        for domain in (*domains, *(("overall",) if has_overall else ())):
            raw = row.get(domain, "").strip()
            text = raw.lower()
            text = _ROB_ALIASES.get(text, text)
            if not text:
                cells.append("")
                continue
            if _stars(raw) is not None:
                star_cells += 1
                cells.append(str(_stars(raw)))
                continue
            if text not in ROB_JUDGEMENTS:
                raise InputError(
                    f"unknown judgement {raw!r}; valid: {', '.join(ROB_JUDGEMENTS)} or "
                    "Newcastle-Ottawa stars (*, **, or a digit)",
                    path=where,
                    line=line,
                    field=domain,
                )
            judgement_cells += 1
            cells.append(text)
        table.append(tuple(cells))
    if star_cells and judgement_cells:
        raise InputError("mixes judgements and star counts; use one tool per table", path=where)
    ids = tuple(r["study_id"].strip() for r in rows)
    labels = labels or {}
    return RiskOfBiasTable(
        studies=ids,
        labels=tuple(
            labels.get(i)
            or rows[n].get("label", "").strip()
            or rows[n].get("study", "").strip()
            or i
            for n, i in enumerate(ids)
        ),
        domains=domains,
        judgements=tuple(t[: len(domains)] for t in table),
        overall=tuple(t[len(domains)] for t in table) if has_overall else None,
        total=tuple(r.get("total", "").strip() for r in rows) if has_total else None,
        kind="stars" if star_cells else "judgement",
        path=where,
    )
