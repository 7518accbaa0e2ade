# Rules of the pooling stage: one JSON per configured meta-analysis (both models, the review's
# rule, bias and sensitivity analyses) and summary.tsv (contracts in docs/architecture.md).

import json
import shlex


def pooling_analysis_ids():
    """Ids of the analyses to pool: extraction's meta_analyses() when defined, else from config."""
    if "meta_analyses" in globals():
        return meta_analyses()
    return [a["id"] for a in config.get("analyses", []) if a.get("synthesis") == "meta_analysis"]


def pooling_settings(wildcards):
    """The analysis entry and the pooling section as canonical JSON: a change re-runs the rule."""
    analysis = next(a for a in config.get("analyses", []) if a["id"] == wildcards.analysis)
    return json.dumps({"analysis": analysis, "pooling": config.get("pooling", {})}, sort_keys=True)


def pooling_runs_option():
    """`--runs` with the configured search runs, oldest first (none configured: no option)."""
    runs = [str(run["id"]) for run in (config.get("search") or {}).get("runs") or []]
    return "--runs " + " ".join(shlex.quote(r) for r in runs) if runs else ""


def pooling_outputs():
    """What pooling contributes to `rule all`."""
    return [f"results/pooling/{a}.json" for a in pooling_analysis_ids()] + [
        "results/pooling/summary.tsv"
    ]


rule pooling_analysis:
    input:
        table="results/extraction/analyses/{analysis}.tsv",
    output:
        json="results/pooling/{analysis}.json",
    log:
        "logs/pooling/{analysis}.log",
    params:
        settings=pooling_settings,
        # the cumulative meta-analysis by search run (by_search_run) follows the config's run order
        runs=pooling_runs_option(),
    threads: 1
    resources:
        mem_mb=500,
    wildcard_constraints:
        analysis="[a-z0-9_]+",
    shell:
        "evsynth pool-analysis {input.table} --settings {params.settings:q} "
        "--analysis {wildcards.analysis} {params.runs} --out {output.json} 2> {log}"


rule pooling_summary:
    input:
        analyses=expand("results/pooling/{analysis}.json", analysis=pooling_analysis_ids()),
    output:
        summary="results/pooling/summary.tsv",
    log:
        "logs/pooling/pooling_summary.log",
    threads: 1
    resources:
        mem_mb=200,
    shell:
        "evsynth pool-summary {input.analyses} --out {output.summary} 2> {log}"
