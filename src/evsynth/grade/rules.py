"""The five GRADE domains proposed from the data, the declared start level and the overrides.

Each rule returns a :class:`Domain` with a rating (``not_serious``, ``serious``,
``very_serious``, or ``not_assessed`` / ``not_applicable`` when the data cannot support a
judgement, which never rates down and is said so), the number of levels it rates down, the
reason in words and the numbers it used. Thresholds are declared in config (``grade``), never
hidden; a reviewer's judgement wins over any proposal through ``grade.overrides`` with a reason.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from evsynth.contracts.pooling_result import BeggTest, EggerTest, PooledModel, TrimAndFill

__all__ = [
    "DEFAULTS",
    "LEVELS",
    "Domain",
    "certainty",
    "imprecision",
    "inconsistency",
    "indirectness",
    "publication_bias",
    "risk_of_bias",
    "study_risk",
]

# GRADE's four levels, highest first (Guyatt et al. 2011, J Clin Epidemiol 64:401, Table 2).
LEVELS = ("high", "moderate", "low", "very_low")
DOWNGRADE = {
    "not_serious": 0,
    "serious": 1,
    "very_serious": 2,
    "not_assessed": 0,
    "not_applicable": 0,
}
DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")

DEFAULTS: dict[str, Any] = {
    "start": {"level": "low", "reason": "observational studies start at low certainty (GRADE)"},
    "risk_of_bias": {
        "nos_low_min": 7,
        "nos_high_max": 4,
        "serious_share": 0.5,
        "very_serious_share": 0.5,
        "max_unassessed_share": 0.5,
    },
    "inconsistency": {"i2_serious": 50.0, "i2_very_serious": 75.0, "use_prediction_interval": True},
    "imprecision": {"benefit": 0.8, "harm": 1.25, "min_participants": None},
    "publication_bias": {"min_k": 10, "p_threshold": 0.10},
    "indirectness": None,
    "overrides": [],
}


@dataclass
class Domain:
    """One domain's rating, why, and what it was computed from."""

    name: str
    rating: str
    reason: str
    data: dict[str, Any] = field(default_factory=dict)
    proposed: str | None = None
    proposed_reason: str | None = None
    overridden: bool = False

    @property
    def downgrade(self) -> int:
        return DOWNGRADE[self.rating]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["downgrade"] = self.downgrade
        return out


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def study_risk(row: dict[str, str], settings: dict[str, Any]) -> str | None:
    """A study's overall risk of bias from its RoB table row, or None when not assessed.

    NOS: total stars >= ``nos_low_min`` low, <= ``nos_high_max`` high, else moderate (declared
    cut-offs; the scale has no official ones). QUIPS (Hayden et al. 2013): high if any domain is
    high, low if every domain is low, else moderate; a domain left empty makes the study not
    assessed, never guessed.
    """
    tool = (row.get("tool") or "").upper()
    if tool == "NOS":
        total = row.get("total", "")
        if total in ("", None):
            return None
        stars = float(total)
        if stars >= settings["nos_low_min"]:
            return "low"
        if stars <= settings["nos_high_max"]:
            return "high"
        return "moderate"
    if tool == "QUIPS":
        # Every column but the ids is a QUIPS domain (extraction's wide risk_of_bias.tsv).
        judgements = [
            (v or "").strip().lower() for c, v in row.items() if c not in ("study_id", "tool")
        ]
        if any(j == "" for j in judgements):
            return None
        if "high" in judgements:
            return "high"
        if all(j == "low" for j in judgements):
            return "low"
        return "moderate"
    return None


def risk_of_bias(
    study_ids: list[str],
    weights: list[float],
    rob: dict[str, dict[str, str]] | None,
    settings: dict[str, Any],
) -> Domain:
    """Risk of bias, weighted by each study's share of the pooled weight (Guyatt 2011, 64:407).

    GRADE rates down when the studies that carry most of the weight have important limitations:
    very serious when more than ``very_serious_share`` of the weight comes from studies at high
    risk, serious when more than ``serious_share`` comes from studies at moderate or high risk.
    Studies without an assessment are counted as such; when they carry more than
    ``max_unassessed_share`` of the weight the domain is ``not_assessed``.
    """
    total = float(sum(weights)) or 1.0
    share = {"low": 0.0, "moderate": 0.0, "high": 0.0, "not_assessed": 0.0}
    per_study = {}
    for sid, w in zip(study_ids, weights, strict=True):
        level = study_risk(rob[sid], settings) if rob and sid in rob else None
        key = level or "not_assessed"
        per_study[sid] = key
        share[key] += w / total
    data = {"studies": per_study, "weight_share": share, "thresholds": dict(settings)}
    if rob is None:
        return Domain(
            "risk_of_bias",
            "not_assessed",
            "no risk-of-bias table",
            data,
        )
    if share["not_assessed"] > settings["max_unassessed_share"]:
        n = sum(1 for v in per_study.values() if v == "not_assessed")
        return Domain(
            "risk_of_bias",
            "not_assessed",
            f"{n} of {len(study_ids)} studies ({_pct(share['not_assessed'])} of the "
            "weight) have no risk-of-bias assessment",
            data,
        )
    desc = (
        f"weight from studies at high risk {_pct(share['high'])}, moderate "
        f"{_pct(share['moderate'])}, low {_pct(share['low'])}"
    )
    if share["not_assessed"] > 0:
        desc += f", not assessed {_pct(share['not_assessed'])}"
    if share["high"] > settings["very_serious_share"]:
        return Domain(
            "risk_of_bias", "very_serious", f"most weight at high risk of bias ({desc})", data
        )
    if share["high"] + share["moderate"] > settings["serious_share"]:
        return Domain(
            "risk_of_bias",
            "serious",
            f"most weight at moderate or high risk of bias ({desc})",
            data,
        )
    return Domain("risk_of_bias", "not_serious", f"most weight at low risk of bias ({desc})", data)


def inconsistency(model: PooledModel | None, k: int, settings: dict[str, Any]) -> Domain:
    """Inconsistency from I² and the prediction interval (Guyatt 2011, 64:1294).

    Serious when I² >= ``i2_serious`` or (``use_prediction_interval``) the 95% prediction interval
    includes HR 1 while the confidence interval does not (a new setting's effect could go the
    other way); very serious when I² >= ``i2_very_serious`` and the prediction interval also
    includes 1. A single study cannot be inconsistent with itself (not applicable); nor can a
    result without the chosen model (``model`` None).
    """
    i2, pi_low, pi_high, lo, hi = (
        (model.i2, model.exp_pi_low, model.exp_pi_high, model.exp_ci_low, model.exp_ci_high)
        if model is not None
        else (None,) * 5
    )
    data = {"k": k, "i2": i2, "pi_low": pi_low, "pi_high": pi_high, "thresholds": dict(settings)}
    if k < 2 or i2 is None:
        return Domain("inconsistency", "not_applicable", "a single study", data)
    use_pi = bool(settings.get("use_prediction_interval", True))
    pi_null = use_pi and pi_low is not None and pi_high is not None and pi_low < 1 < pi_high
    ci_null = lo is not None and hi is not None and lo < 1 < hi
    text = f"I² = {i2:.0f}%"
    if pi_low is not None and pi_high is not None:
        text += f", prediction interval {pi_low:.2f} to {pi_high:.2f}"
    if i2 >= settings["i2_very_serious"] and pi_null:
        return Domain(
            "inconsistency",
            "very_serious",
            f"considerable heterogeneity ({text}, including HR 1)",
            data,
        )
    if i2 >= settings["i2_serious"]:
        return Domain("inconsistency", "serious", f"substantial heterogeneity ({text})", data)
    if pi_null and not ci_null:
        return Domain(
            "inconsistency",
            "serious",
            f"the prediction interval includes HR 1 although the CI does not ({text})",
            data,
        )
    return Domain("inconsistency", "not_serious", f"no important heterogeneity ({text})", data)


def imprecision(
    model: PooledModel | None, participants: int | None, settings: dict[str, Any]
) -> Domain:
    """Imprecision of the pooled HR against declared thresholds (Guyatt 2011, 64:1283).

    ``benefit`` (< 1) and ``harm`` (> 1) are the HRs the review declares appreciable. Very serious
    when the CI includes both an appreciable benefit and an appreciable harm; serious when it
    includes HR 1 and one appreciable effect, or the total participants fall short of a declared
    optimal information size (``min_participants``); not serious otherwise. Without the chosen
    model (``model`` None) there is no interval: not assessed.
    """
    lo, hi = (model.exp_ci_low, model.exp_ci_high) if model is not None else (None, None)
    benefit, harm = settings["benefit"], settings["harm"]
    ois = settings.get("min_participants")
    data = {
        "ci_low": lo,
        "ci_high": hi,
        "benefit": benefit,
        "harm": harm,
        "participants": participants,
        "min_participants": ois,
    }
    if lo is None or hi is None:
        return Domain("imprecision", "not_assessed", "no confidence interval", data)
    text = f"95% CI {lo:.2f} to {hi:.2f}; appreciable effects HR {benefit:g} and {harm:g}"
    if lo < benefit and hi > harm:
        return Domain(
            "imprecision",
            "very_serious",
            f"the CI includes appreciable benefit and appreciable harm ({text})",
            data,
        )
    if lo < 1 < hi and (lo < benefit or hi > harm):
        return Domain(
            "imprecision",
            "serious",
            f"the CI includes no effect and an appreciable effect ({text})",
            data,
        )
    if ois is not None and participants is not None and participants < ois:
        return Domain(
            "imprecision",
            "serious",
            f"{participants} participants, fewer than the "
            f"optimal information size of {ois} ({text})",
            data,
        )
    if ois is not None and participants is None:
        return Domain(
            "imprecision",
            "not_serious",
            f"CI does not cross the thresholds ({text}); "
            "participants not reported, information size not checked",
            data,
        )
    return Domain(
        "imprecision", "not_serious", f"the CI does not cross the thresholds ({text})", data
    )


def publication_bias(
    k: int,
    settings: dict[str, Any],
    *,
    egger: EggerTest | None = None,
    begg: BeggTest | None = None,
    trim_and_fill: TrimAndFill | None = None,
) -> Domain:
    """Publication bias from the funnel-plot tests when k >= ``min_k`` (Guyatt 2011, 64:1277).

    With fewer studies the tests have too little power (Cochrane Handbook 13.3.5.4) and the domain
    is ``not_assessed`` ("not assessable"); otherwise serious ("strongly suspected") when Egger's
    test (or Begg's when Egger's is missing) gives p < ``p_threshold``, with trim-and-fill's
    number of filled studies in the reason.
    """
    min_k = int(settings["min_k"])
    data: dict[str, Any] = {"k": k, "min_k": min_k, "p_threshold": settings["p_threshold"]}
    if k < min_k:
        return Domain(
            "publication_bias",
            "not_assessed",
            f"{k} stud{'y' if k == 1 else 'ies'}; funnel-plot tests need at least {min_k}",
            data,
        )
    test: EggerTest | BeggTest | None
    test, name = (egger, "Egger") if egger is not None and egger.p is not None else (begg, "Begg")
    if test is None or test.p is None:
        return Domain(
            "publication_bias",
            "not_assessed",
            f"{k} studies but no funnel-plot test in the pooling result",
            data,
        )
    p = float(test.p)
    data.update({"test": name, "p": p})
    extra = ""
    if trim_and_fill is not None:  # the contract reads an absent k0 as 0
        data["trim_and_fill_k0"] = trim_and_fill.k0
        extra = f"; trim-and-fill adds {trim_and_fill.k0} studies"
    if p < settings["p_threshold"]:
        return Domain(
            "publication_bias",
            "serious",
            f"strongly suspected: {name}'s test p = {p:.3f}{extra}",
            data,
        )
    return Domain(
        "publication_bias", "not_serious", f"undetected: {name}'s test p = {p:.3f}{extra}", data
    )


def indirectness(declared: dict[str, Any] | None) -> Domain:
    """Indirectness is a judgement about population, factor and outcome (Guyatt 2011, 64:1303):
    declared in config (``grade.indirectness`` or an override), else stated as not assessed."""
    if not declared:
        return Domain("indirectness", "not_assessed", "not declared in config (grade.indirectness)")
    return Domain("indirectness", str(declared["rating"]), str(declared["reason"]))


def apply_override(domain: Domain, override: dict[str, Any]) -> Domain:
    """The reviewer's rating replaces the proposal; both are kept, with the reviewer's reason."""
    return Domain(
        domain.name,
        str(override["rating"]),
        str(override["reason"]),
        domain.data,
        proposed=domain.rating,
        proposed_reason=domain.reason,
        overridden=True,
    )


def certainty(start: str, domains: list[Domain]) -> str:
    """Start level minus the levels rated down, never below very low (Guyatt 2011, 64:401)."""
    index = LEVELS.index(start) + sum(d.downgrade for d in domains)
    return LEVELS[min(index, len(LEVELS) - 1)]


def parse_participants(text: str | None) -> int | None:
    """Participants from a studies-sheet ``n_total`` as printed (leading whole number) or None."""
    if not text:
        return None
    digits = ""
    for ch in str(text).strip().replace(",", ""):
        if ch.isdigit():
            digits += ch
        else:
            break
    return int(digits) if digits and not math.isnan(float(digits)) else None
