# Rules of the dedup stage: the records of every search run in, one deduplicated set of study
# records out (contracts in docs/architecture.md, "Dedup").


rule dedup_records:
    input:
        records=all_records_tsvs(),
        decisions=dedup_decisions_input(),
    output:
        pairs="results/dedup/pairs.tsv",
        clusters="results/dedup/clusters.tsv",
        unique="results/dedup/unique.tsv",
        possible="results/dedup/possible.csv",
        summary="results/dedup/summary.json",
    log:
        "logs/dedup/dedup_records.log",
    params:
        out=lambda wildcards, output: os.path.dirname(output.summary),
        decisions=lambda wildcards, input: (
            f"--decisions {input.decisions}" if input.decisions else ""
        ),
    threads: config.get("dedup", {}).get("threads", 1)
    resources:
        # Peak memory grows with the records tables: 482 MB for 100,000 records (32 MB of TSV),
        # 3.9 GB for 1M (benchmarks/dedup_accuracy.py); 15x the input size plus Snakemake's share.
        mem_mb=lambda wildcards, input: max(4000, 1000 + 15 * int(input.size_mb)),
        runtime=60,
    conda:
        "../envs/evsynth.yaml"
    shell:
        "evsynth dedup {input.records} --out {params.out} {params.decisions} "
        "--threads {threads} 2> {log}"
