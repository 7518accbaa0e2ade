"""Data only: the model-selection rules a review can declare in ``config["pooling"]["rule"]``.

``heterogeneity`` is the seed review's rule (random effects when I^2 > 50% or the Q test's p < 0.10,
else fixed effect); ``cochrane`` is the Cochrane Statistical Methods Group's current advice, adopted
by RevMan in January 2025: REML for tau^2, Hartung-Knapp-Sidik-Jonkman for the summary effect, and a
prediction interval, always random effects (Cochrane Handbook v6.5, ch. 10.10.4).
"""

from __future__ import annotations

from typing import Any

__all__ = ["DEFAULTS", "RULES"]

# Defaults of config["pooling"]; workflow/schemas/config/pooling.schema.yaml documents each.
DEFAULTS: dict[str, Any] = {
    "rule": "heterogeneity",
    "random_method": "REML",
    "test": "z",
    "level": 0.95,
    "prediction_interval": "default",
    "i2_threshold": 50.0,
    "q_p_threshold": 0.10,
    "ratio": True,
    "small_study": {"min_k_compute": 3, "min_k_report": 10},
    "sensitivity": {"leave_one_out": True, "cumulative": True, "subgroups": True},
}

# What each rule fixes (overriding the corresponding settings) and how it chooses the model.
RULES: dict[str, dict[str, Any]] = {
    "heterogeneity": {
        "description": (
            "random effects when I2 > {i2_threshold:g}% or Q p < {q_p_threshold:g}, "
            "else fixed effect"
        ),
        "fixes": {},
    },
    "cochrane": {
        "description": (
            "random effects always: REML tau2, Hartung-Knapp-Sidik-Jonkman CI, prediction interval"
        ),
        "fixes": {"random_method": "REML", "test": "knha"},
    },
}
