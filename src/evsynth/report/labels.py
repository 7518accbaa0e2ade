"""Lookup tables of the report (data only): method names, PRISMA field labels, page style.

Kept apart from the rendering logic so a reviewer can reword a label without reading code.
"""

from __future__ import annotations

from importlib import resources

__all__ = [
    "CSS",
    "ELIGIBILITY_ORDER",
    "ESTIMATORS",
    "PRISMA_EXTRA_LABELS",
    "PRISMA_FIELDS",
    "SCREENING_STAGE_LABELS",
    "STUDY_COLUMNS",
    "TESTS",
    "VERSION_PACKAGES",
]

# τ² estimators and fixed-effect methods by the names metafor uses (FORMATS.md).
ESTIMATORS: dict[str, str] = {
    "FE": "inverse-variance fixed-effect (common-effect) model",
    "EE": "equal-effects (inverse-variance) model",
    "IV": "inverse-variance fixed-effect (common-effect) model",
    "DL": "DerSimonian-Laird estimator of τ²",
    "HE": "Hedges estimator of τ²",
    "HS": "Hunter-Schmidt estimator of τ²",
    "HSK": "Hunter-Schmidt estimator of τ² (small-sample corrected)",
    "SJ": "Sidik-Jonkman estimator of τ²",
    "ML": "maximum-likelihood estimator of τ²",
    "REML": "restricted maximum-likelihood (REML) estimator of τ²",
    "EB": "empirical Bayes estimator of τ²",
    "PM": "Paule-Mandel estimator of τ²",
    "GENQ": "generalised Q-statistic estimator of τ²",
    "PMM": "median-unbiased Paule-Mandel estimator of τ²",
}

# Tests of the summary effect (metafor's `test` argument).
TESTS: dict[str, str] = {
    "z": "Wald-type z-test and normal-based confidence intervals",
    "t": "t-test with k - 1 degrees of freedom",
    "knha": "Hartung-Knapp-Sidik-Jonkman (HKSJ) adjustment",
    "hksj": "Hartung-Knapp-Sidik-Jonkman (HKSJ) adjustment",
    "adhoc": "HKSJ adjustment truncated so it never narrows the interval (ad hoc)",
}

# PRISMA2020 package field names (FORMATS.md), in the order of the flow diagram, with labels.
PRISMA_FIELDS: tuple[tuple[str, str], ...] = (
    ("previous_studies", "Studies included in the previous version of the review"),
    ("previous_reports", "Reports of studies included in the previous version"),
    ("database_results", "Records identified from databases"),
    ("database_specific_results", "Records identified, per database"),
    ("register_results", "Records identified from registers"),
    ("website_results", "Records identified from websites"),
    ("organisation_results", "Records identified from organisations"),
    ("citations_results", "Records identified from citation searching"),
    ("duplicates", "Duplicate records removed"),
    ("excluded_automatic", "Records marked ineligible by automation tools"),
    ("excluded_other", "Records removed for other reasons"),
    ("records_screened", "Records screened (title and abstract)"),
    ("records_excluded", "Records excluded at title and abstract"),
    ("dbr_sought_reports", "Reports sought for retrieval"),
    ("dbr_notretrieved_reports", "Reports not retrieved"),
    ("other_sought_reports", "Reports sought for retrieval (other methods)"),
    ("other_notretrieved_reports", "Reports not retrieved (other methods)"),
    ("dbr_assessed", "Reports assessed for eligibility"),
    ("dbr_excluded", "Reports excluded, with reasons"),
    ("other_assessed", "Reports assessed for eligibility (other methods)"),
    ("other_excluded", "Reports excluded, with reasons (other methods)"),
    ("new_studies", "New studies included in review"),
    ("new_reports", "Reports of new included studies"),
    ("total_studies", "Total studies included in review"),
    ("total_reports", "Reports of total included studies"),
)

# Eligibility criteria in the order PICO readers expect (the config snapshot sorts keys).
ELIGIBILITY_ORDER: tuple[str, ...] = (
    "population",
    "exposure",
    "comparator",
    "outcomes",
    "study_designs",
    "setting",
    "languages",
    "publication_types",
    "exclusions",
    "other",
)

# Labels of counts the PRISMA step adds beyond the PRISMA2020 package's fields.
PRISMA_EXTRA_LABELS: dict[str, str] = {
    "awaiting_screening": "Records awaiting screening",
    "awaiting_assessment": "Reports awaiting assessment",
    "database_results_per_run": "Records identified, per search run",
    "screening_complete": "Screening complete",
}

SCREENING_STAGE_LABELS: dict[str, str] = {
    "title_abstract": "Title and abstract",
    "full_text": "Full text",
}

# Columns of studies.tsv shown, with headings (report.study_columns and analysis subgroups add
# more); the rest of studies.tsv stays in the file, which is linked in the provenance table.
STUDY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("label", "Study"),
    ("year", "Year"),
    ("country", "Country"),
    ("design", "Design"),
    ("period", "Period"),
    ("n_total", "Patients (n)"),
    ("population", "Population"),
    ("follow_up", "Follow-up"),
    ("risk_of_bias", "Risk of bias"),
)

# Distributions whose versions the provenance section lists (the pinned runtime set).
VERSION_PACKAGES: tuple[str, ...] = (
    "evsynth",
    "snakemake",
    "numpy",
    "scipy",
    "statsmodels",
    "matplotlib",
    "rapidfuzz",
    "rispy",
    "bibtexparser",
    "pylatexenc",
    "requests",
    "tenacity",
    "defusedxml",
    "tqdm",
    "jsonschema",
    "pyyaml",
    "openpyxl",
)

# The page style: system fonts only (opens offline), readable tables, and a print layout.
CSS = (resources.files("evsynth.report") / "templates" / "report.css").read_text(encoding="utf-8")
