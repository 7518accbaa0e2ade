"""View models of the closing sections: narrative synthesis, extraction warnings, provenance."""

from __future__ import annotations

import importlib.metadata
import platform
from typing import Any

from evsynth import __version__
from evsynth.report.inputs import ReportInputs
from evsynth.report.labels import VERSION_PACKAGES
from evsynth.report.views.analysis import warning_view
from evsynth.report.views.common import DASH, label_of

__all__ = ["narrative_view", "provenance_view", "warnings_view"]


def narrative_view(inputs: ReportInputs) -> list[dict[str, Any]]:
    """Findings without a poolable HR and CI, each with the warnings on its sheet row."""
    extraction = inputs.config.get("extraction") or {}
    factors = extraction.get("factors") or {}
    outcomes = extraction.get("outcomes") or {}
    labels = {s.get("study_id"): s.get("label") for s in inputs.studies}
    rows = []
    for r in sorted(
        inputs.narrative, key=lambda r: (r.get("factor", ""), r.get("outcome", ""), r["study_id"])
    ):
        effect = r.get("effect_id")
        rows.append(
            {
                "label": labels.get(r["study_id"]) or r["study_id"],
                "cells": [
                    (label_of(factors, r.get("factor")), False),
                    (label_of(outcomes, r.get("outcome")), False),
                    (r.get("comparison", "") or DASH, False),
                    (r.get("analysis_type", "") or DASH, False),
                    (r.get("hr", "") or DASH, True),
                    (r.get("p", "") or DASH, True),
                    (r.get("direction", "") or DASH, False),
                    (r.get("reason", "") or DASH, False),
                ],
                "warnings": [
                    warning_view(w)
                    for w in inputs.warnings or []
                    if effect and w.get("effect_id") == effect
                ],
            }
        )
    return rows


def warnings_view(inputs: ReportInputs) -> list[dict[str, str]] | None:
    """Every extraction warning (asymmetric CI, p-value vs CI, ...), with where its row is."""
    if inputs.warnings is None:
        return None
    labels = {s.get("study_id"): s.get("label") for s in inputs.studies}
    rows = []
    for w in inputs.warnings:
        enters = (inputs.effect_analyses or {}).get(w.get("effect_id", "")) or []
        rows.append(
            {
                "effect": w.get("effect_id", ""),
                "study": labels.get(w.get("study_id")) or w.get("study_id", ""),
                "effect_text": w.get("effect_id", "") or DASH,
                "sheet": w.get("sheet", ""),
                "line": w.get("line", ""),
                "check": w.get("check", "") or DASH,
                "message": w.get("message", ""),
                "enters": ", ".join(enters) or "none (narrative)",
            }
        )
    return rows


def _version(name: str) -> str:
    if name == "evsynth":
        return __version__
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def provenance_view(inputs: ReportInputs) -> dict[str, Any]:
    """Software versions and the SHA-256 of every input file (what makes the page reproducible)."""
    packages = list((inputs.config.get("report") or {}).get("packages") or VERSION_PACKAGES)
    versions = [("Python", platform.python_version())]
    versions += [(p, _version(p)) for p in packages if p != "python"]
    return {
        "version": __version__,
        "versions": versions,
        "files": [(f.path, f.sha256) for f in inputs.files],
    }
