"""Risk-of-bias tools: items, domains and limits (data only).

Newcastle-Ottawa Scale, cohort version (Wells et al., Ottawa Hospital Research Institute): eight
items in three domains, at most one star each except comparability (two), nine in total. QUIPS
(Hayden et al. 2013, Ann Intern Med 158:280): six domains judged low, moderate or high, without a
summary score.
"""

from __future__ import annotations

__all__ = ["NOS_ITEMS", "QUIPS_DOMAINS", "TOOL_ITEMS"]

# item -> (domain, maximum stars)
NOS_ITEMS: dict[str, tuple[str, int]] = {
    "representativeness": ("selection", 1),
    "selection_non_exposed": ("selection", 1),
    "ascertainment_of_exposure": ("selection", 1),
    "outcome_absent_at_start": ("selection", 1),
    "comparability": ("comparability", 2),
    "assessment_of_outcome": ("outcome", 1),
    "follow_up_long_enough": ("outcome", 1),
    "adequacy_of_follow_up": ("outcome", 1),
}

QUIPS_DOMAINS: tuple[str, ...] = (
    "study_participation",
    "study_attrition",
    "prognostic_factor_measurement",
    "outcome_measurement",
    "study_confounding",
    "statistical_analysis_and_reporting",
)

TOOL_ITEMS: dict[str, tuple[str, ...]] = {"NOS": tuple(NOS_ITEMS), "QUIPS": QUIPS_DOMAINS}
