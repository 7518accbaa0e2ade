# Rules of the pooling stage: one JSON per configured meta-analysis (both models, the review's
# rule, bias and sensitivity analyses) and summary.tsv (contracts in docs/architecture.md).


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
        runtime=15,
    wildcard_constraints:
        analysis="[a-z0-9_]+",
    conda:
        "../envs/evsynth.yaml"
    shell:
        "evsynth pool-analysis {input.table} --settings {params.settings:q} "
        "--analysis {wildcards.analysis} {params.runs} --out {output.json} 2> {log}"


rule pooling_summary:
    input:
        analyses=expand("results/pooling/{analysis}.json", analysis=meta_analyses()),
    output:
        summary="results/pooling/summary.tsv",
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
