# Input functions and helpers of the pooling rules (workflow/rules/pooling.smk).

import json
import shlex


def pooling_runs_option():
    """`--runs` with the configured search runs, oldest first (none configured: no option)."""
    runs = [str(run["id"]) for run in (config.get("search") or {}).get("runs") or []]
    return "--runs " + " ".join(shlex.quote(r) for r in runs) if runs else ""


def pooling_outputs():
    """What pooling contributes to `rule all`."""
    return [f"results/pooling/{a}.json" for a in meta_analyses()] + [
        "results/pooling/summary.tsv"
    ]
