# Rules of the import stage: database exports read from files (sources with mode: import).
# E-utilities sources are handled by search.smk; the `source` wildcard of each rule is constrained
# to the names of its own kind, so the two never compete for an output. common.smk already puts
# every records table in `rule all`, so this stage needs no import_outputs().


rule import_export:
    input:
        files=import_export_files,
    output:
        records="results/search/{run}/{source}.records.tsv",
        log_json="results/search/{run}/{source}.log.json",
        raw=directory("results/search/{run}/raw/{source}"),
    log:
        "logs/import/{run}/{source}.log",
    params:
        options=import_export_options,
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    wildcard_constraints:
        run=alternation(search_runs()),
        source=alternation(import_sources()),
    conda:
        "../envs/evsynth.yaml"
    shell:
        "evsynth import {input.files:q} {params.options:q} --source {wildcards.source:q}"
        " --run {wildcards.run:q} --out {output.records:q} --log {output.log_json:q}"
        " --raw-dir {output.raw:q} > {log:q} 2>&1"
