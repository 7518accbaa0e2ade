"""Lookup tables for the figures: sizes, colours, labels. Data only, no logic."""

from __future__ import annotations

__all__ = [
    "COLOURS",
    "DATABASE_LABELS",
    "FONT_FAMILY",
    "FONT_SIZE",
    "MODEL_LABELS",
    "PNG_DPI",
    "RC_PARAMS",
    "ROB_COLOURS",
    "ROB_DOMAIN_LABELS",
    "ROB_JUDGEMENTS",
    "ROB_SYMBOLS",
    "ROW_HEIGHT_IN",
    "SVG_HASH_SALT",
]

# Resolution of the raster copy; 300 dpi is what journals ask for line art with text.
PNG_DPI = 300

# Fixed salt so the ids matplotlib writes into SVG (clip paths, hatches) are the same on every run.
SVG_HASH_SALT = "evsynth"

# Bundled with matplotlib, so widths measured for layout are the same on every machine.
FONT_FAMILY = ["DejaVu Sans"]
FONT_SIZE = 8.0

# Height of one table row of the forest / leave-one-out / cumulative plots, in inches.
ROW_HEIGHT_IN = 0.2

RC_PARAMS: dict[str, object] = {
    "svg.fonttype": "none",  # keep text as text: editable in a journal's workflow and greppable
    "svg.hashsalt": SVG_HASH_SALT,
    "svg.id": None,
    "font.family": "sans-serif",
    "font.size": FONT_SIZE,
    "axes.linewidth": 0.8,
    "xtick.major.width": 0.8,
    "xtick.minor.width": 0.5,
    "xtick.labelsize": FONT_SIZE,
    "ytick.labelsize": FONT_SIZE,
    "lines.solid_capstyle": "butt",
    "path.simplify": False,
    "figure.dpi": 100,
}

COLOURS: dict[str, str] = {
    "study": "#1f3a5f",  # study squares and whiskers
    "chosen": "#1f3a5f",  # diamond of the model the rule chose
    "other": "#9aa5b1",  # diamond of the other model
    "prediction": "#b03a2e",  # prediction interval bar
    "subtotal": "#4a6fa5",
    "null_line": "#000000",
    "summary_line": "#7f8c8d",
    "filled": "#b03a2e",  # trim-and-fill imputed studies
    "contour_1": "#ffffff",
    "contour_2": "#d9d9d9",
    "contour_3": "#a6a6a6",
    "band": "#dbe4ee",
    "box_edge": "#333333",
    "box_fill": "#ffffff",
    "box_header": "#dbe4ee",
}

MODEL_LABELS: dict[str, str] = {
    "fixed": "Fixed-effect model",
    "random": "Random-effects model",
}

# Risk-of-bias judgements (Cochrane RoB 2 / ROBINS-I wording, lower-cased) and how robvis-style
# traffic lights show them: a colour and a symbol, so the figure also reads in greyscale.
ROB_JUDGEMENTS: dict[str, str] = {
    "low": "Low",
    "some concerns": "Some concerns",
    "moderate": "Moderate",
    "serious": "Serious",
    "high": "High",
    "critical": "Critical",
    "unclear": "Unclear",
    "no information": "No information",
}
ROB_COLOURS: dict[str, str] = {
    "low": "#02c100",
    "some concerns": "#e2df07",
    "moderate": "#e2df07",
    "serious": "#ff6d00",
    "high": "#bf0000",
    "critical": "#820000",
    "unclear": "#4ea1f7",
    "no information": "#bcbcbc",
}
ROB_SYMBOLS: dict[str, str] = {
    "low": "+",
    "some concerns": "!",
    "moderate": "!",
    "serious": "x",
    "high": "\u2212",
    "critical": "!!",
    "unclear": "?",
    "no information": "?",
}

# Display names of the risk-of-bias items the extraction sheet uses (Newcastle-Ottawa Scale, cohort
# version; QUIPS domains), for figure legends. Unknown names are shown with spaces for underscores.
ROB_DOMAIN_LABELS: dict[str, str] = {
    "representativeness": "Representativeness of the exposed cohort",
    "selection_non_exposed": "Selection of the non-exposed cohort",
    "ascertainment_of_exposure": "Ascertainment of exposure",
    "outcome_absent_at_start": "Outcome not present at start of study",
    "comparability": "Comparability of cohorts",
    "assessment_of_outcome": "Assessment of outcome",
    "follow_up_long_enough": "Follow-up long enough for outcomes",
    "adequacy_of_follow_up": "Adequacy of follow-up",
    "study_participation": "Study participation",
    "study_attrition": "Study attrition",
    "prognostic_factor_measurement": "Prognostic factor measurement",
    "outcome_measurement": "Outcome measurement",
    "study_confounding": "Study confounding",
    "statistical_analysis_and_reporting": "Statistical analysis and reporting",
}

# Display names of common search source keys, used when counts.json names databases by source key
# and no --database-label is given.
DATABASE_LABELS: dict[str, str] = {
    "pubmed": "PubMed",
    "medline": "MEDLINE",
    "embase": "Embase",
    "wos": "Web of Science",
    "web_of_science": "Web of Science",
    "cochrane": "Cochrane CENTRAL",
    "central": "Cochrane CENTRAL",
    "scopus": "Scopus",
    "cinahl": "CINAHL",
}
