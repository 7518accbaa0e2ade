# Rules of the search stage: PubMed through NCBI E-utilities (sources with mode offline/online).
# Imported exports (mode import) are handled by import.smk; the `source` wildcard of each rule is
# constrained to the names of its own kind, so the two never compete for an output.


rule search_pubmed:
    input:
        unpack(search_pubmed_input),
    output:
        records="results/search/{run}/{source}.records.tsv",
        log_json="results/search/{run}/{source}.log.json",
    log:
        "logs/search/{run}/{source}.log",
    params:
        mode=lambda w: source_config(w.run, w.source)["mode"],
        mode_args=search_pubmed_mode_args,
        query=lambda w: " ".join(source_config(w.run, w.source)["query"].split()),
        date_from=lambda w: search_window(w)[0],
        date_to=lambda w: search_window(w)[1],
        datetype=lambda w: source_config(w.run, w.source).get("datetype", "pdat"),
        database=lambda w: source_config(w.run, w.source).get("database", "PubMed"),
        platform=lambda w: source_config(w.run, w.source).get(
            "platform", "PubMed (NCBI E-utilities)"
        ),
    threads: 1
    resources:
        # Online retrievals share NCBI's per-user rate limit: run with --resources ncbi_eutils=1
        # (the profiles under workflow/profiles/ set it).
        ncbi_eutils=lambda w: int(source_config(w.run, w.source)["mode"] == "online"),
        mem_mb=1000,
        runtime=lambda w: 120 if source_config(w.run, w.source)["mode"] == "online" else 10,
    wildcard_constraints:
        run=alternation(search_runs()),
        source=alternation(eutils_sources()),
    conda:
        "../envs/evsynth.yaml"
    shell:
        "evsynth search pubmed {params.mode_args:q}"
        " --query {params.query:q} --from {params.date_from:q} --to {params.date_to:q}"
        " --datetype {params.datetype:q} --database {params.database:q}"
        " --platform {params.platform:q} --run {wildcards.run:q} --source {wildcards.source:q}"
        " --records {output.records:q} --log {output.log_json:q} > {log:q} 2>&1"
