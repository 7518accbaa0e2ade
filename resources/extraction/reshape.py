"""Build the review's extraction sheets from the verified facts, deterministically.

Inputs (copied into the repository so a clone is self-contained):
  resources/data/studies.csv             31 candidate studies (bibliographic facts, design, notes)
  resources/data/records.csv             records; those included at full text that are not among
                                         the 31 become studies without effect rows
  resources/extraction/source/effects.csv  39 effect rows exactly as reported
Outputs (the sheets `evsynth extract` reads; format in docs/extraction.md):
  resources/extraction/studies.csv, resources/extraction/effects.csv

Every number is copied as printed. What this script adds is the structured reading of each row's
`comparison_as_reported` (which group the HR is for, which group did better) and the analysis type;
each reading is justified in DIRECTIONS below, from the row's own words. Where the source does not
say, the reading is `unknown`.
Run from the repository root: `python resources/extraction/reshape.py`.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STUDIES_IN = ROOT / "resources" / "data" / "studies.csv"
RECORDS_IN = ROOT / "resources" / "data" / "records.csv"
EFFECTS_IN = ROOT / "resources" / "extraction" / "source" / "effects.csv"
OUT = ROOT / "resources" / "extraction"

# Per source row, in file order: (study_id, start of comparison_as_reported,
#  exposure_as_reported, reference_as_reported, better_group, subset, why).
# Levels are those of config extraction.factors; "" = not applicable (factor `other`).
DIRECTIONS: list[tuple[str, str, str, str, str, str, str]] = [
    (
        "Choi2014",
        "nodule unilaterality",
        "unilateral",
        "bilateral",
        "",
        "",
        "printed as unilateral vs bilateral (HR < 1)",
    ),
    (
        "Leary2013",
        "unilateral vs bilateral",
        "unilateral",
        "bilateral",
        "unilateral",
        "lung-only relapse",
        "abstract: unilateral relapse favourable",
    ),
    (
        "PMID25598115_ND",
        "bilateral pulmonary",
        "bilateral",
        "unilateral",
        "unknown",
        "",
        "bilateral is the factor named (reference implied); which did better is not printed",
    ),
    (
        "COSS_PMID15659502",
        "with vs without a second",
        "complete",
        "incomplete",
        "complete",
        "",
        "5-year OS 0.39 with vs 0.00 without a second surgical CR",
    ),
    (
        "Glogowski2024",
        "radical vs nonradical",
        "unknown",
        "unknown",
        "complete",
        "",
        "HR direction not stated; 5-year PFS 11% radical vs 0% nonradical",
    ),
    (
        "Glogowski2024",
        "radical vs nonradical",
        "unknown",
        "unknown",
        "complete",
        "",
        "HR direction not stated; 5-year OS 35% radical vs 0% nonradical",
    ),
    (
        "Kager2003",
        "macroscopically incomplete",
        "incomplete",
        "complete",
        "",
        "",
        "incomplete resection is the factor named, reference complete",
    ),
    (
        "Leary2013",
        "achieved second complete",
        "complete",
        "incomplete",
        "complete",
        "",
        "abstract: CR2 favourable",
    ),
    (
        "UnknownAuthor_AnnSurgOncol2015",
        "Incomplete surgical",
        "incomplete",
        "complete",
        "",
        "",
        "printed as incomplete vs complete (reference complete)",
    ),
    (
        "Aljubran2009",
        "lung resection",
        "metastasectomy",
        "no_metastasectomy",
        "metastasectomy",
        "",
        "3-year PLMS 38% vs 16% (resected vs not)",
    ),
    (
        "GokDurnali2016",
        "presence of pulmonary",
        "metastasectomy",
        "no_metastasectomy",
        "unknown",
        "",
        "metastasectomy named as a factor; which did better is not printed",
    ),
    (
        "Gusho_ND",
        "pulmonary metastasectomy (PM)",
        "metastasectomy",
        "no_metastasectomy",
        "",
        "",
        "PM vs no PM",
    ),
    (
        "Huang_ND",
        "patients who underwent",
        "metastasectomy",
        "no_metastasectomy",
        "unknown",
        "",
        "p-value only; which did better is not printed in the row",
    ),
    (
        "ICVTS2013_PMID23599187",
        "Group A",
        "metastasectomy",
        "no_metastasectomy",
        "metastasectomy",
        "osteosarcoma subanalysis",
        "median OS 34.0 vs 12.4 months (group A vs B)",
    ),
    (
        "ICVTS2013_PMID23599187",
        "Group A",
        "metastasectomy",
        "no_metastasectomy",
        "unknown",
        "osteosarcoma subanalysis",
        "PFS medians not printed in the row",
    ),
    (
        "Leary2013",
        "surgery at first relapse",
        "metastasectomy",
        "no_metastasectomy",
        "metastasectomy",
        "",
        "abstract: surgery at first relapse favourable",
    ),
    (
        "PMID29409122_2018",
        "no metastasectomy",
        "no_metastasectomy",
        "metastasectomy",
        "metastasectomy",
        "",
        "no metastasectomy printed as a poor prognostic factor",
    ),
    (
        "Smolle2023",
        "metastasectomy vs no",
        "metastasectomy",
        "no_metastasectomy",
        "",
        "",
        "printed with reference no metastasectomy",
    ),
    (
        "Smolle2023",
        "metastasectomy vs no",
        "metastasectomy",
        "no_metastasectomy",
        "",
        "",
        "printed with reference no metastasectomy",
    ),
    (
        "Aljubran2009",
        "fewer than four",
        "fewer",
        "more",
        "fewer",
        "",
        "fewer lesions printed as better PLMS",
    ),
    (
        "GokDurnali2016",
        "number of metastatic",
        "unknown",
        "unknown",
        "unknown",
        "",
        "categories not stated",
    ),
    (
        "Kager2003",
        "multiple metastases",
        "more",
        "fewer",
        "",
        "",
        "multiple vs single metastases (any site)",
    ),
    (
        "Leary2013",
        "<=3 nodules",
        "fewer",
        "more",
        "fewer",
        "lung-only relapse",
        "abstract: <=3 nodules favourable",
    ),
    (
        "PMID25598115_ND",
        ">4 nodules",
        "more",
        "fewer",
        "unknown",
        "",
        ">4 nodules named (reference implied); which did better is not printed",
    ),
    (
        "UnknownAuthor_AnnSurgOncol2015",
        "More than three",
        "more",
        "fewer",
        "",
        "",
        "printed as >3 vs <=3 (reference <=3)",
    ),
    ("Briccoli_ND", "DFI1", "", "", "", "", "continuous per-month estimate (factor other)"),
    ("Briccoli_ND", "DFI2", "", "", "", "", "continuous per-month estimate (factor other)"),
    ("Choi2014", "disease-free interval", "", "", "", "", "factor other"),
    (
        "Kager2003",
        "Multiple metastases",
        "",
        "",
        "",
        "",
        "factor other; same RHR 2.3 as the nodules row of this study",
    ),
    ("Salah2014", "chondroblastic", "", "", "", "", "factor other"),
    ("Salah2014b", "extrapulmonary", "", "", "", "", "factor other"),
    ("Salah2014b", "osteoblastic", "", "", "", "", "factor other"),
    ("UnknownAuthor_AnnSurgOncol2015", "Less than 1-year", "", "", "", "", "factor other"),
    ("UnknownAuthor_AnnSurgOncol2015", "Total size", "", "", "", "", "factor other"),
    (
        "Kuo2023",
        "thoracotomy vs thoracoscopy",
        "unknown",
        "unknown",
        "none",
        "",
        "three approaches, no estimate; authors report no survival difference",
    ),
    (
        "Lautz2021",
        "thoracoscopic approach",
        "VATS",
        "thoracotomy",
        "",
        "",
        "printed with reference thoracotomy",
    ),
    (
        "Lautz2021",
        "thoracoscopy vs thoracotomy",
        "VATS",
        "thoracotomy",
        "",
        "oligometastatic disease",
        "printed as thoracoscopy vs thoracotomy, oligometastatic subset",
    ),
    (
        "Lautz2021",
        "thoracoscopic approach",
        "VATS",
        "thoracotomy",
        "",
        "",
        "printed with reference thoracotomy",
    ),
    (
        "Liu2022",
        "pulmonary metastasectomy combined with chemotherapy",
        "metastasectomy",
        "no_metastasectomy",
        "metastasectomy",
        "",
        "metastasectomy plus chemotherapy vs chemotherapy alone, reference implied by HR < 1 with "
        "better survival after metastasectomy (2-year PRS 68.4% vs 25.0%)",
    ),
]

# The source's `analysis` text -> the sheet's analysis_type.
ANALYSIS_TYPES = {
    "multivariable (Cox)": "multivariable",
    "multivariable": "multivariable",
    "multivariable (Cox), subgroup": "multivariable",
    "multivariable (Cox; 'independently associated')": "multivariable",
    "univariable (exact log-rank)": "univariable",
    "univariable (log-rank)": "univariable",
    "univariable": "univariable",
    "univariable (naive/unweighted Cox)": "univariable",
    "propensity": "propensity",
    "propensity (IPTW-weighted Cox)": "propensity",
    "unknown": "unknown",
    "unknown (likely univariable log-rank)": "unknown",
}

# Histology of each study's cohort, from the notes of resources/data/studies.csv: `mixed` = not
# osteosarcoma-only (Smolle: bone sarcoma, 37/47 osteosarcoma; Gusho and the EJCTS 2013 series:
# bone and soft-tissue sarcoma). ICVTS 2013 is a mixed series whose estimates are from its
# osteosarcoma subanalysis, so its rows are osteosarcoma.
MIXED = {"Smolle2023", "Gusho_ND", "UnknownAuthor_EJCTS2013"}

EFFECT_COLUMNS = [
    "effect_id",
    "study_id",
    "factor",
    "outcome",
    "outcome_as_reported",
    "comparison_as_reported",
    "exposure_as_reported",
    "reference_as_reported",
    "better_group",
    "analysis_type",
    "analysis_as_reported",
    "subset",
    "hr",
    "ci_low",
    "ci_high",
    "ci_level",
    "p",
    "n",
    "events",
    "n_exposure",
    "n_reference",
    "observed_minus_expected",
    "variance",
    "select",
    "source",
    "note",
]
STUDY_COLUMNS = [
    "study_id",
    "label",
    "study_record_ids",
    "pmid",
    "doi",
    "first_author",
    "authors",
    "year",
    "title",
    "journal",
    "volume",
    "issue",
    "pages",
    "country",
    "design",
    "period",
    "population",
    "histology",
    "n_total",
    "n_with_factor",
    "follow_up",
    "source",
    "notes",
]

# Group sizes printed in a row's comparison or notes (n_exposure, n_reference), by source row.
GROUP_SIZES = {
    9: ("47", ""),  # Aljubran2009: lung resection n=47
    11: ("59", "202"),  # Gusho: 59 PM matched to 202 non-PM
    12: ("24", "28"),  # Huang: 24 PM vs 28 no PM
    38: ("59", "66"),  # Liu2022: metastasectomy + chemotherapy 59 vs chemotherapy alone 66
}


def build_effects() -> list[dict[str, str]]:
    with EFFECTS_IN.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if len(rows) != len(DIRECTIONS):
        sys.exit(f"{EFFECTS_IN}: {len(rows)} rows but DIRECTIONS has {len(DIRECTIONS)}")
    counters: dict[str, int] = {}
    out = []
    for index, (row, reading) in enumerate(zip(rows, DIRECTIONS, strict=True)):
        study, start, exposure, reference, better, subset, why = reading
        if row["study_id"] != study or not row["comparison_as_reported"].startswith(start):
            sys.exit(
                f"DIRECTIONS[{index}] ({study}, {start!r}) does not match source row {index + 2}"
            )
        counters[study] = counters.get(study, 0) + 1
        n_exposure, n_reference = GROUP_SIZES.get(index, ("", ""))
        note = row["notes"].strip()
        out.append(
            {
                "effect_id": f"{study}.{counters[study]}",
                "study_id": study,
                "factor": row["factor"],
                "outcome": row["outcome"],
                "outcome_as_reported": row["outcome_as_reported"],
                "comparison_as_reported": row["comparison_as_reported"],
                "exposure_as_reported": exposure,
                "reference_as_reported": reference,
                "better_group": better,
                "analysis_type": ANALYSIS_TYPES[row["analysis"]],
                "analysis_as_reported": row["analysis"],
                "subset": subset,
                "hr": row["hr"],
                "ci_low": row["ci_low"],
                "ci_high": row["ci_high"],
                "ci_level": row["ci_level"],
                "p": row["p_value"],
                "n": row["n_in_analysis"],
                "events": "",
                "n_exposure": n_exposure,
                "n_reference": n_reference,
                "observed_minus_expected": "",
                "variance": "",
                "select": "",
                "source": row["source_url"],
                "note": f"{note} [Direction reading: {why}.]"
                if note
                else f"[Direction reading: {why}.]",
            }
        )
    return out


def build_studies() -> list[dict[str, str]]:
    with STUDIES_IN.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = []
    for row in rows:
        out.append(
            {
                "study_id": row["study_id"],
                "label": "",
                "study_record_ids": "",
                "pmid": row["pmid"],
                "doi": row["doi"],
                "first_author": row["first_author"],
                "authors": row["authors"],
                "year": row["year"],
                "title": row["title"],
                "journal": row["journal"],
                "volume": row["volume"],
                "issue": row["issue"],
                "pages": row["pages"],
                "country": row["country"],
                "design": row["design"],
                "period": row["period"],
                "population": "",
                "histology": "mixed" if row["study_id"] in MIXED else "osteosarcoma",
                "n_total": row["n_total"],
                "n_with_factor": row["n_metastasectomy"],
                "follow_up": "",
                "source": row["source_url"],
                "notes": row["notes"],
            }
        )
    out += _included_records_without_study(rows)
    return out


def _fold(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _included_records_without_study(studies: list[dict[str, str]]) -> list[dict[str, str]]:
    """Records included at full text that no candidate study describes: included studies whose
    abstract gave no data, listed so the characteristics table hides nothing."""
    known = set()
    for s in studies:
        known |= {("pmid", s["pmid"]), ("doi", s["doi"].lower()), ("title", _fold(s["title"]))}
    with RECORDS_IN.open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    out = []
    for r in records:
        keys = {("pmid", r["pmid"]), ("doi", r["doi"].lower()), ("title", _fold(r["title"]))}
        if r["decision"] != "include" or r["stage"] != "full_text":
            continue
        if any(k[1] and k in known for k in keys):
            continue
        family = r["first_author"].split()[0] if r["first_author"] else "Unknown"
        out.append(
            {
                "study_id": f"{family}{r['year']}",
                "label": "",
                "study_record_ids": "",
                "pmid": r["pmid"],
                "doi": r["doi"],
                "first_author": r["first_author"],
                "authors": r["authors"],
                "year": r["year"],
                "title": r["title"],
                "journal": r["journal"] or r["journal_abbrev"],
                "volume": r["volume"],
                "issue": r["issue"],
                "pages": r["pages"],
                "country": "",
                "design": "",
                "period": "",
                "population": "",
                "histology": "osteosarcoma",
                "n_total": "",
                "n_with_factor": "",
                "follow_up": "",
                "source": r["source_url"],
                "notes": "Included at full text (resources/data/records.csv); no effect data "
                f"were read. {r['notes']}",
            }
        )
    return sorted(out, key=lambda s: s["study_id"])


def write(path: Path, rows: list[dict[str, str]], columns: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> int:
    write(OUT / "effects.csv", build_effects(), EFFECT_COLUMNS)
    write(OUT / "studies.csv", build_studies(), STUDY_COLUMNS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
