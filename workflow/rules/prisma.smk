# Rules of the PRISMA 2020 stage: the flow counts (results/prisma/) from the dedup, screening, search
# and extraction contracts, and the flow diagram drawn from them (results/figures/prisma.*).
# The rule names are those of the releases when these rules lived in screening.smk and figures.smk,
# so `snakemake prisma_counts` and `--forcerun figures_prisma` keep working.


rule prisma_counts:
    input:
        summary="results/dedup/summary.json",
        records="results/dedup/unique.tsv",
        search_records=all_records_tsvs(),
        title_abstract="results/screening/title_abstract.tsv",
        full_text="results/screening/full_text.tsv",
        agreement="results/screening/agreement.json",
        search_logs=[
            f"results/search/{run}/{source}.log.json"
            for run in search_runs()
            for source in run_sources(run)
        ],
        studies=[config["screening"].get("prisma", {}).get("studies")]
        if config["screening"].get("prisma", {}).get("studies")
        else [],
    output:
        counts=report(
            "results/prisma/counts.json",
            caption="../report/table_prisma_counts.rst",
            category="Result tables",
            labels={"table": "PRISMA 2020 counts (counts.json)"},
        ),
        runs="results/prisma/study_record_runs.tsv",
    log:
        "logs/prisma/counts.log",
    params:
        studies=lambda wildcards, input: f"--studies {input.studies}" if input.studies else "",
        previous=" ".join(
            f"--{key.replace('_', '-')} {value}"
            for key, value in sorted(config["screening"].get("prisma", {}).items())
            if key.startswith("previous_") and value is not None
        ),
        # run order for the PRISMA 2020 updated-review counts (several runs)
        runs="--runs " + " ".join(shlex.quote(run) for run in search_runs()),
    threads: 1
    resources:
        mem_mb=1000,
        runtime=15,
    conda:
        "../envs/evsynth.yaml"
    shell:
        "evsynth prisma counts --dedup-summary {input.summary}"
        " --title-abstract {input.title_abstract} --full-text {input.full_text}"
        " --search-logs {input.search_logs} --records {input.records}"
        " --search-records {input.search_records} {params.studies} {params.previous} {params.runs}"
        " --out {output.counts} --study-record-runs {output.runs} 2> {log}"


rule figures_prisma:
    input:
        counts="results/prisma/counts.json",
    output:
        svg=report(
            "results/figures/prisma.svg",
            caption="../report/figure_prisma.rst",
            category="PRISMA flow diagram",
            labels={"figure": "PRISMA 2020 flow diagram", "format": "SVG"},
        ),
        png=report(
            "results/figures/prisma.png",
            caption="../report/figure_prisma.rst",
            category="PRISMA flow diagram",
            labels={"figure": "PRISMA 2020 flow diagram", "format": "PNG"},
        ),
    log:
        "logs/prisma/diagram.log",
    params:
        database_labels=figures_database_labels(),
        dpi=figures_settings().get("dpi", 300),
    threads: 1
    resources:
        mem_mb=400,
        runtime=5,
    conda:
        "../envs/evsynth.yaml"
    shell:
        "evsynth prisma diagram --counts {input.counts} {params.database_labels} --dpi {params.dpi} "
        "--svg {output.svg} --png {output.png} 2> {log}"
