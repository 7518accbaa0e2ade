# Config snapshots (see common.smk): results/config/{name}.yaml, rerun only when their sections change.


rule config_snapshot:
    output:
        "results/config/{name}.yaml",
    log:
        "logs/config/{name}.log",
    params:
        content=lambda wildcards: config_snapshot_content(wildcards.name),
    wildcard_constraints:
        name="|".join(CONFIG_SNAPSHOTS),
    threads: 1
    resources:
        mem_mb=200,
        runtime=5,
    conda:
        "../envs/evsynth.yaml"
    shell:
        "printf '%s' {params.content:q} > {output:q} 2> {log:q}"
