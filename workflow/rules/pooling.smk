# Rules of the pooling stage: one JSON per configured meta-analysis (both models, the review's
# rule, bias and sensitivity analyses) and summary.tsv (contracts in docs/architecture.md).


rule pooling_analysis:
    input:
        table=extraction_analysis_table,
        # this analysis's entry and the pooling section (a config snapshot, compared by content)
        settings="results/config/pooling/{analysis}.yaml",
    output:
        json="results/pooling/{analysis}.json",
    log:
        "logs/pooling/{analysis}.log",
    params:
        # the cumulative meta-analysis by search run (by_search_run) follows the config's run order
        runs=pooling_runs_option(),
    threads: 1
    resources:
        mem_mb=500,
        runtime=15,
    wildcard_constraints:
        analysis="[a-z0-9_]+",
    conda:
        "../envs/evsynth.yaml"
    shell:
        "evsynth pool-analysis {input.table} --config {input.settings:q} "
        "--analysis {wildcards.analysis} {params.runs} --out {output.json} 2> {log}"


rule pooling_summary:
    input:
        analyses=expand("results/pooling/{analysis}.json", analysis=meta_analyses()),
    output:
        summary=report(
            "results/pooling/summary.tsv",
            caption="../report/table_summary.rst",
            category="Result tables",
            labels={"table": "pooled estimates (summary.tsv)"},
        ),
    log:
        "logs/pooling/pooling_summary.log",
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../envs/evsynth.yaml"
    shell:
        "evsynth pool-summary {input.analyses} --out {output.summary} 2> {log}"
