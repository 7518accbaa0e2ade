# Rules of the GRADE stage: the certainty of each pooled analysis (docs/grade.md).


rule grade_analysis:
    input:
        unpack(grade_inputs),
    output:
        json="results/grade/{analysis}.json",
    log:
        "logs/grade/{analysis}.log",
    params:
        settings=grade_settings,
        rob=grade_rob_option,
    threads: 1
    resources:
        mem_mb=200,
        runtime=5,
    wildcard_constraints:
        analysis="[a-z0-9_]+",
    conda:
        "../envs/evsynth.yaml"
    shell:
        "evsynth grade --pooling {input.pooling} --studies {input.studies} {params.rob} "
        "--settings {params.settings:q} --analysis {wildcards.analysis} --out {output.json} "
        "2> {log}"
