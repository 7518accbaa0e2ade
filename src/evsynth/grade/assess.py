"""GRADE one analysis: read the pooling result, the RoB table and the studies, apply the rules.

The JSON written per analysis (``results/grade/{analysis}.json``) holds the start level and why,
each domain's rating, reason, data and any override, the certainty, and what the Summary of
Findings table shows (participants, studies, the relative effect with its CI).
"""

from __future__ import annotations

import copy
from typing import Any

from evsynth.contracts.pooling_result import PoolingResult
from evsynth.errors import InputError
from evsynth.grade import rules

__all__ = ["assess", "merge_settings"]


def merge_settings(grade: dict[str, Any] | None) -> dict[str, Any]:
    """The config's ``grade`` section over the defaults (one level deep)."""
    out = copy.deepcopy(rules.DEFAULTS)
    for key, value in (grade or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    if out["start"]["level"] not in rules.LEVELS:
        raise InputError(
            f"grade.start.level {out['start']['level']!r}: expected one of "
            f"{', '.join(rules.LEVELS)}",
            field="grade.start.level",
        )
    return out


def _overrides(settings: dict[str, Any], analysis: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for i, o in enumerate(settings.get("overrides") or []):
        if o.get("analysis") not in (None, analysis):
            continue
        domain = o.get("domain")
        if domain not in rules.DOMAINS:
            raise InputError(
                f"grade.overrides[{i}].domain {domain!r}: expected one of "
                f"{', '.join(rules.DOMAINS)}",
                field="grade.overrides",
            )
        if o.get("rating") not in rules.DOWNGRADE:
            raise InputError(
                f"grade.overrides[{i}].rating {o.get('rating')!r}: expected one of "
                f"{', '.join(rules.DOWNGRADE)}",
                field="grade.overrides",
            )
        if not str(o.get("reason") or "").strip():
            raise InputError(f"grade.overrides[{i}] needs a reason", field="grade.overrides")
        # an analysis-specific override beats one for every analysis
        if domain not in found or o.get("analysis") == analysis:
            found[domain] = o
    return found


def _rob_by_study(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    """One row per study: extraction's wide risk_of_bias.tsv as is, or the long item table
    (``item`` with ``stars`` or ``judgement``) folded into it (NOS total = sum of the stars)."""
    if not rows or "item" not in rows[0]:
        return {r["study_id"]: r for r in rows}
    wide: dict[str, dict[str, str]] = {}
    for r in rows:
        row = wide.setdefault(r["study_id"], {"study_id": r["study_id"], "tool": r["tool"]})
        key = f"{r.get('domain', '')}.{r['item']}".strip(".")
        if r["tool"].upper() == "NOS":
            stars = r.get("stars", "")
            row[key] = stars
            if stars == "" or row.get("total") == "":
                row["total"] = ""
            else:
                row["total"] = str(int(row.get("total", "0") or 0) + int(stars))
        else:
            row[key] = r.get("judgement", "")
    return wide


def assess(
    result: PoolingResult,
    *,
    analysis: str,
    settings: dict[str, Any],
    risk_of_bias: list[dict[str, str]] | None,
    studies: list[dict[str, str]] | None,
    label: str | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """The GRADE assessment of one pooled analysis (see :mod:`evsynth.grade.rules`).

    ``result`` is the typed pooling result (:func:`evsynth.contracts.pooling_result.
    read_pooling_result`), so GRADE reads the file the way every other stage does. ``source`` is
    its path, named in errors about its study list (default: the file the result was read from).
    """
    source = source or result.source or None
    status = result.status
    chosen = result.chosen or "random"
    model = result.model(chosen)  # the chosen model only: no fallback to the other one
    k = int((model.k if model is not None else None) or result.k or 0)
    study_ids = list(result.study_ids)
    by_study = {r["study_id"]: r for r in studies or []}
    labels = model.studies if model is not None else ()
    if not study_ids and labels:
        # an older pooling result names studies by label only: resolve them via studies.tsv
        by_label = {r.get("label"): r["study_id"] for r in studies or []}
        missing = [lab for lab in labels if lab not in by_label]
        if missing:
            raise InputError(
                f"studies {', '.join(missing)} have no study_id (no "
                "study_ids in the pooling result, label not in studies.tsv)",
                path=source,
                record=analysis,
                field="studies",
            )
        study_ids = [by_label[lab] for lab in labels]
    weights = list(model.weights) if model is not None else []
    if k and len(study_ids) != k:
        raise InputError(
            f"{len(study_ids)} study_ids for k = {k}; expected one study_id per pooled study",
            path=source,
            record=analysis,
            field="study_ids",
        )
    if len(weights) != len(study_ids):
        weights = [1.0] * len(study_ids)  # single study: all the weight
    rob = _rob_by_study(risk_of_bias) if risk_of_bias is not None else None
    counts = [rules.parse_participants(by_study.get(s, {}).get("n_total")) for s in study_ids]
    known = [c for c in counts if c is not None]
    participants = sum(known) if known and len(known) == len(counts) else None
    declared_indirect = settings.get("indirectness")
    domains = {
        "risk_of_bias": rules.risk_of_bias(study_ids, weights, rob, settings["risk_of_bias"]),
        "inconsistency": rules.inconsistency(model, k, settings["inconsistency"]),
        "indirectness": rules.indirectness(declared_indirect),
        "imprecision": rules.imprecision(model, participants, settings["imprecision"]),
        "publication_bias": rules.publication_bias(
            k,
            settings["publication_bias"],
            egger=result.egger,
            begg=result.begg,
            trim_and_fill=result.trim_and_fill,
        ),
    }
    for name, o in _overrides(settings, analysis).items():
        domains[name] = rules.apply_override(domains[name], o)
    ordered = [domains[n] for n in rules.DOMAINS]
    start = settings["start"]
    out: dict[str, Any] = {
        "analysis": analysis,
        "label": label or result.label or analysis,
        "factor": result.factor,
        "outcome": result.outcome,
        "status": status,
        "k": k,
        "studies": study_ids,
        "participants": participants,
        "participants_known": len(known),
        "start": {"level": start["level"], "reason": start.get("reason", "")},
        "domains": {d.name: d.to_dict() for d in ordered},
        "relative_effect": {
            "measure": "HR",
            "model": chosen,
            "hr": model.exp_estimate if model is not None else None,
            "ci_low": model.exp_ci_low if model is not None else None,
            "ci_high": model.exp_ci_high if model is not None else None,
            "level": model.level if model is not None else None,
        },
        "references": [
            "GRADE Handbook (Schünemann et al., eds., 2013)",
            "Guyatt et al. 2011, J Clin Epidemiol 64:401-1311 (GRADE guidelines 3-9)",
            "Iorio et al. 2015, BMJ 350:h870 (GRADE for prognosis)",
        ],
    }
    if k == 0 or status == "empty":
        out["certainty"] = None
        out["note"] = "no poolable estimate: certainty not rated"
    else:
        out["certainty"] = rules.certainty(start["level"], ordered)
        out["downgrades"] = sum(d.downgrade for d in ordered)
    return out
