"""One fitted model of ``results/pooling/{analysis}.json`` (``fixed``, ``random``, and the
models of subgroups and search runs), typed; part of :mod:`evsynth.contracts.pooling_result`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evsynth.contracts.jsonfile import Fields

__all__ = [
    "MODELS",
    "MODEL_KEYS",
    "RUN_MODEL_KEYS",
    "STATUSES",
    "SUBGROUP_KEYS",
    "PooledModel",
    "check_chosen",
    "check_status",
    "parse_model",
]

MODELS = ("fixed", "random")
STATUSES = ("pooled", "single_study", "empty")
#: A fitted model's keys in the file (``exp_estimate ci_low ci_high pi_low pi_high`` for ratios).
MODEL_KEYS = tuple(
    "k estimate se ci_low ci_high stat p df tau2 tau2_ci_low tau2_ci_high i2 i2_ci_low i2_ci_high "
    "h2 h2_ci_low h2_ci_high q q_df q_p pi_low pi_high method test level pi_type status weights "
    "studies converged algorithm iterations notes input_checksum version".split()
)
#: The models of a ``by_search_run`` entry carry these (``exp_estimate ci_low ci_high``).
RUN_MODEL_KEYS = tuple("k estimate se ci_low ci_high p tau2 i2 q q_p method test".split())
#: One subgroup's fit (``subgroups.groups``) carries these (``exp_estimate ci_low ci_high``).
SUBGROUP_KEYS = tuple("k estimate se ci_low ci_high p tau2 i2 q q_p status studies".split())
EXP_FULL = ("estimate", "ci_low", "ci_high", "pi_low", "pi_high")
EXP = ("estimate", "ci_low", "ci_high")
ROW_KEYS = tuple("study k estimate se ci_low ci_high p tau2 i2 q q_p".split())


@dataclass(frozen=True)
class PooledModel:
    """One fitted model (``fixed`` or ``random``) as pooling wrote it; estimates on log scale.

    ``name`` is the key the model sits under (fixed or random), not a key of the object.
    ``ratio`` says whether the object carries ``exp_*`` values (ratio measures).
    """

    name: str
    estimate: float
    ci_low: float | None
    ci_high: float | None
    k: int | None = None
    se: float | None = None
    stat: float | None = None
    p: float | None = None
    df: int | None = None
    tau2: float | None = None
    tau2_ci_low: float | None = None
    tau2_ci_high: float | None = None
    i2: float | None = None
    i2_ci_low: float | None = None
    i2_ci_high: float | None = None
    h2: float | None = None
    h2_ci_low: float | None = None
    h2_ci_high: float | None = None
    q: float | None = None
    q_df: int | None = None
    q_p: float | None = None
    pi_low: float | None = None
    pi_high: float | None = None
    method: str | None = None
    test: str | None = None
    level: float | None = None
    pi_type: str | None = None
    status: str | None = None
    weights: tuple[float, ...] = ()
    studies: tuple[str, ...] = ()
    converged: bool | None = None
    algorithm: str | None = None
    iterations: int | None = None
    notes: tuple[str, ...] = ()
    input_checksum: str | None = None
    version: str | None = None
    ratio: bool = False
    exp_estimate: float | None = None
    exp_ci_low: float | None = None
    exp_ci_high: float | None = None
    exp_pi_low: float | None = None
    exp_pi_high: float | None = None

    @property
    def weight_by_study(self) -> dict[str, float]:
        """Percent weights by study label (weights and studies pair up in input order)."""
        return dict(zip(self.studies, self.weights, strict=True))

    def to_dict(self, keys: tuple[str, ...] = MODEL_KEYS) -> dict[str, Any]:
        """The object of the file: ``keys`` plus ``exp_*`` for ratios (the layout's own set)."""
        out: dict[str, Any] = {}
        for key in keys:
            value = getattr(self, key)
            out[key] = list(value) if isinstance(value, tuple) else value
        if self.ratio:
            for name in EXP_FULL if keys == MODEL_KEYS else EXP:
                out[f"exp_{name}"] = getattr(self, f"exp_{name}")
        return out


def parse_model(w: Fields | None, name: str) -> PooledModel | None:
    if w is None:
        return None
    estimate = w.number("estimate", required=True)
    assert estimate is not None
    studies, weights = w.texts("studies"), w.numbers("weights")
    if weights and len(weights) != len(studies):
        w.fail(
            f"{len(weights)} weights but {len(studies)} studies; they must pair up in input order",
            "weights",
        )
    return w.build(
        PooledModel,
        name=name,
        estimate=estimate,
        ci_low=w.number("ci_low", required=True),
        ci_high=w.number("ci_high", required=True),
        weights=weights,
        studies=studies,
    )


def check_status(w: Fields, status: str) -> str:
    if status not in STATUSES:
        w.fail(f"unknown status {status!r}; valid: {', '.join(STATUSES)}", "status")
    return status


def check_chosen(w: Fields) -> str | None:
    chosen = w.data.get("chosen")
    if chosen is not None and chosen not in MODELS:
        w.fail(f"{chosen!r} is not a model; valid: fixed, random", "chosen")
    return chosen
