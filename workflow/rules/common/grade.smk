# Input functions and helpers of the GRADE rules (workflow/rules/grade.smk).

import json
import shlex


def grade_inputs(wildcards):
    """The analysis's pooling result, the studies (participants) and the RoB table if configured."""
    inputs = {
        "pooling": f"results/pooling/{wildcards.analysis}.json",
        "studies": "results/extraction/studies.tsv",
    }
    if (config.get("extraction") or {}).get("risk_of_bias"):
        inputs["risk_of_bias"] = "results/extraction/risk_of_bias.tsv"
    return inputs


def grade_rob_option(wildcards, input):
    """`--risk-of-bias` when the review has a risk-of-bias sheet (else the domain is not assessed)."""
    if "risk_of_bias" not in input.keys():
        return ""
    return f"--risk-of-bias {shlex.quote(str(input.risk_of_bias))}"


def grade_settings(wildcards):
    """The grade section as canonical JSON: a change re-runs the rule."""
    return json.dumps({"grade": config.get("grade")}, sort_keys=True)


def grade_outputs():
    """What GRADE contributes to `rule all`."""
    return [f"results/grade/{a}.json" for a in meta_analyses()]


def _check_grade_overrides():
    """An override naming no pooled analysis is a typo that would silently do nothing: stop."""
    ids = set(meta_analyses())
    for i, entry in enumerate((config.get("grade") or {}).get("overrides") or []):
        if entry.get("analysis") not in (None, *ids):
            raise ValueError(
                f"config grade.overrides[{i}].analysis {entry['analysis']!r} is not a pooled "
                f"analysis; the pooled analyses are {', '.join(sorted(ids))}"
            )


_check_grade_overrides()
