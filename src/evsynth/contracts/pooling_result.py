"""The contract ``results/pooling/{analysis}.json``: one typed reader and one writer.

Written by `evsynth pool-analysis` (:func:`write_pooling_result`), read by the figures, the
report, GRADE and `pool-summary` (:func:`read_pooling_result`), so the file is decoded one way.
Names are those of docs/architecture.md ("Pooling"); estimates are on the analysis scale (log for
ratio measures), with ``exp_*`` values when the measure is a ratio.

Reading: a key of the wrong type is an InputError naming the file and the key; optional keys
absent are None (sections) or empty (lists). A model object needs ``estimate``, ``ci_low`` and
``ci_high``; ``status: pooled`` needs a model. The reader also accepts the layout that R's
metafor fixtures use (``rule`` as a name, subgroups as ``{fixed, random}``, trim-and-fill
``filled: [{yi, se}]``, leave-one-out rows labelled ``omitted``), so results from another tool
can be drawn. Writing a file that was read gives the same bytes back (tested on the default
review's results).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from evsynth.contracts.jsonfile import Fields, read_json
from evsynth.contracts.pooling_model import (
    MODEL_KEYS,
    MODELS,
    RUN_MODEL_KEYS,
    STATUSES,
    SUBGROUP_KEYS,
    PooledModel,
    check_chosen,
    check_status,
    parse_model,
)
from evsynth.contracts.pooling_sections import (
    SECTIONS,
    BeggTest,
    EggerTest,
    SearchRunEstimate,
    SensitivityRow,
    SubgroupFit,
    SubgroupTest,
    TrimAndFill,
    parse_sections,
)
from evsynth.tables import write_json

__all__ = [
    "MODELS",
    "MODEL_KEYS",
    "RUN_MODEL_KEYS",
    "SECTIONS",
    "STATUSES",
    "SUBGROUP_KEYS",
    "BeggTest",
    "EggerTest",
    "PooledModel",
    "PoolingResult",
    "PoolingSettings",
    "Rule",
    "SearchRunEstimate",
    "SensitivityRow",
    "SubgroupFit",
    "SubgroupTest",
    "TrimAndFill",
    "parse_pooling_result",
    "parse_sections",
    "read_pooling_result",
    "write_pooling_result",
]


@dataclass(frozen=True)
class Rule:
    """The model-selection rule pooling applied, its thresholds and the reason for the choice."""

    name: str | None
    description: str | None = None
    i2_threshold: float | None = None
    q_p_threshold: float | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PoolingSettings:
    """The pooling settings the result was computed with (``settings``)."""

    random_method: str | None = None
    test: str | None = None
    level: float | None = None
    prediction_interval: str | None = None
    min_k_compute: int | None = None
    min_k_report: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PoolingResult:
    """One analysis' pooling result: both models, the rule's choice, bias and sensitivity."""

    analysis: str | None
    status: str
    k: int
    chosen: str | None
    fixed: PooledModel | None
    random: PooledModel | None
    label: str | None = None
    factor: str | None = None
    outcome: str | None = None
    published: Mapping[str, Any] | None = None  # the config's `published` entry, as given
    subgroup: str | None = None
    sensitivity_of: str | None = None
    measure: str | None = None
    rule: str | None = None  # the rule's name (``rule.name``; older files give only the name)
    rule_info: Rule | None = None  # the ``rule`` object: name, description, thresholds, reason
    settings: PoolingSettings | None = None
    studies: tuple[str, ...] = ()
    study_ids: tuple[str, ...] = ()
    input_checksum: str | None = None
    notes: tuple[str, ...] = ()
    version: str | None = None
    egger: EggerTest | None = None
    begg: BeggTest | None = None
    trim_and_fill: TrimAndFill | None = None
    leave_one_out: tuple[SensitivityRow, ...] = ()
    cumulative: tuple[SensitivityRow, ...] = ()
    subgroups: tuple[SubgroupFit, ...] = ()
    subgroup_test: SubgroupTest | None = None  # the rest of ``subgroups`` (None: no subgroups)
    by_search_run: tuple[SearchRunEstimate, ...] = ()
    source: str = field(default="", compare=False)  # the file read (for error messages)

    def model(self, name: str | None = None) -> PooledModel | None:
        """The named model, or the chosen one (falling back to random, then fixed)."""
        name = name or self.chosen
        if name in MODELS:
            return self.fixed if name == "fixed" else self.random
        return self.random or self.fixed

    @property
    def rule_reason(self) -> str | None:
        """Why the rule chose the model (its description when no choice was made)."""
        info = self.rule_info
        return (info.reason or info.description) if info is not None else None

    def weights(self) -> dict[str, float]:
        """Percent weights of the chosen model by study label (empty when not pooled)."""
        model = self.model()
        return model.weight_by_study if model is not None else {}

    def study_labels(self) -> tuple[str, ...]:
        """The pooled studies' labels: a model's list, else the top-level ``studies``."""
        for model in (self.random, self.fixed):
            if model is not None and model.studies:
                return model.studies
        return self.studies

    def to_dict(self) -> dict[str, Any]:
        """The file's object (docs/architecture.md, "Pooling")."""
        out: dict[str, Any] = {
            "analysis": self.analysis,
            "label": self.label,
            "factor": self.factor,
            "outcome": self.outcome,
            "published": dict(self.published) if self.published is not None else None,
            "subgroup": self.subgroup,
            "sensitivity_of": self.sensitivity_of,
            **({"measure": self.measure} if self.measure is not None else {}),
            "k": self.k,
            "status": self.status,
            "chosen": self.chosen,
            "rule": self.rule_info.to_dict() if self.rule_info else self.rule,
            "fixed": self.fixed.to_dict() if self.fixed else None,
            "random": self.random.to_dict() if self.random else None,
            "settings": self.settings.to_dict() if self.settings else None,
            "studies": list(self.studies),
            "study_ids": list(self.study_ids),
            "input_checksum": self.input_checksum,
            "notes": list(self.notes),
            "version": self.version,
        }
        for name in ("egger", "begg", "trim_and_fill"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value.to_dict()
        if self.subgroup_test is not None:
            out["subgroups"] = self.subgroup_test.to_dict(self.subgroups)
        for name in ("leave_one_out", "cumulative"):  # computed with k >= 2: never empty
            rows = getattr(self, name)
            if rows:
                out[name] = [r.to_dict(with_year=name == "cumulative") for r in rows]
        if self.by_search_run:
            out["by_search_run"] = [e.to_dict() for e in self.by_search_run]
        return out


def parse_pooling_result(data: Any, path: str = "") -> PoolingResult:
    """The typed result of one decoded pooling JSON object (see the module docstring)."""
    w = Fields(data, path)
    chosen = check_chosen(w)
    fixed, random = parse_model(w.sub("fixed"), "fixed"), parse_model(w.sub("random"), "random")
    studies = w.texts("studies")
    k = w.integer("k")
    if k is None:
        k = len(next((m.studies for m in (random, fixed) if m and m.studies), studies))
    derived = "pooled" if k >= 2 else "single_study" if k == 1 else "empty"
    status = check_status(w, w.text("status") or derived)
    if status == "pooled" and fixed is None and random is None:
        w.fail("status is 'pooled' but neither 'fixed' nor 'random' has an estimate")
    rule = w.data.get("rule")
    r = None if rule is None or isinstance(rule, str) else Fields(rule, path, "rule")
    s = w.sub("settings")
    published = w.data.get("published")
    if published is not None and not isinstance(published, Mapping):
        w.fail(f"expected an object, found {published!r}", "published")
    return w.build(
        PoolingResult,
        analysis=w.text("analysis") or (Path(path).stem if path else None),
        status=status,
        k=k,
        chosen=chosen,
        fixed=fixed,
        random=random,
        published=published,
        rule=rule if r is None else r.text("name"),
        rule_info=None if r is None else r.build(Rule),
        settings=None if s is None else s.build(PoolingSettings),
        studies=studies,
        **parse_sections(data, path, chosen),
        source=path,
    )


def read_pooling_result(path: str | Path) -> PoolingResult:
    """Read ``results/pooling/{analysis}.json``; errors name the file and the key."""
    return parse_pooling_result(read_json(path), str(path))


def write_pooling_result(path: str | Path, result: PoolingResult) -> None:
    """Write the result as strict JSON (sorted keys, non-finite numbers as null)."""
    write_json(path, _json_safe(result.to_dict()))


def _json_safe(value: Any) -> Any:
    """Replace non-finite floats by None so the JSON is strict."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value
