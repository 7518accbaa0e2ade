# Rules of the extraction stage: validated sheets -> effects, studies, narrative and one pooling
# input per configured meta-analysis (contract in docs/architecture.md).


rule extraction_tables:
    input:
        unpack(extraction_inputs),
    output:
        effects="results/extraction/effects.tsv",
        studies="results/extraction/studies.tsv",
        narrative="results/extraction/narrative.tsv",
        members="results/extraction/analysis_members.tsv",
        warnings="results/extraction/warnings.tsv",
        summary="results/extraction/summary.json",
        analyses=[f"results/extraction/analyses/{a}.tsv" for a in meta_analyses()],
        risk_of_bias=(
            ["results/extraction/risk_of_bias.tsv", "results/extraction/risk_of_bias_items.tsv"]
            if config["extraction"].get("risk_of_bias")
            else []
        ),
    log:
        "logs/extraction/extraction_tables.log",
    params:
        screening=lambda wildcards, input: (
            f"--screening {input.screening} --records {input.records}" if "screening" in input.keys() else ""
        ),
        risk_of_bias=lambda wildcards, input: (
            f"--risk-of-bias {input.risk_of_bias}" if "risk_of_bias" in input.keys() else ""
        ),
        search_runs=lambda wildcards, input: (
            f"--search-records {input.search_records} --runs {' '.join(search_runs())}"
            if "search_records" in input.keys()
            else ""
        ),
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    conda:
        "../envs/evsynth.yaml"
    shell:
        "evsynth extract --studies {input.studies} --effects {input.effects} "
        "--config {input.settings} {params.screening} {params.risk_of_bias} {params.search_runs} "
        "--out results/extraction 2> {log}"
