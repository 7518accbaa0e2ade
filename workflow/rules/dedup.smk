# Rules of the dedup stage: the records of every search run in, one deduplicated set of study
# records out (contracts in docs/architecture.md, "Dedup").
#
# dedup.partitions = 1 (default): dedup_records is one `evsynth dedup` job. N > 1: dedup_prepare
# (read, normalise, block once), N dedup_score jobs (partition K of N of the candidate pairs) and
# dedup_records as `evsynth dedup-merge`, which writes the same files byte for byte
# (docs/scaling.md, "A 1M-record deduplication").

rule dedup_records:
    input:
        records=all_records_tsvs(),
        decisions=dedup_decisions_input(),
        work=dedup_partition_inputs,
    output:
        pairs="results/dedup/pairs.tsv",
        clusters="results/dedup/clusters.tsv",
        unique="results/dedup/unique.tsv",
        possible="results/dedup/possible.csv",
        summary="results/dedup/summary.json",
    log:
        "logs/dedup/dedup_records.log",
    params:
        command=dedup_command,
    threads: config.get("dedup", {}).get("threads", 1)
    resources:
        # One job: 1.7 GB for 1M records (315 MB of TSV, benchmarks/dedup_accuracy.py); the merge
        # of a partitioned run holds the same state. 15x the input size plus Snakemake's share.
        mem_mb=lambda wildcards, input: max(4000, 1000 + 15 * int(input.size_mb)),
        runtime=60,
    conda:
        "../envs/evsynth.yaml"
    shell:
        "{params.command} 2> {log}"


rule dedup_prepare:
    input:
        records=all_records_tsvs(),
    output:
        records=f"{DEDUP_WORK}/records.pkl",
        norms=f"{DEDUP_WORK}/norms.pkl",
    log:
        "logs/dedup/dedup_prepare.log",
    params:
        work=lambda wildcards, output: os.path.dirname(output.records),
    threads: 1
    resources:
        # Reads and blocks every record once: about the one job's peak (benchmarks/).
        mem_mb=lambda wildcards, input: max(4000, 1000 + 15 * int(input.size_mb)),
        runtime=60,
    conda:
        "../envs/evsynth.yaml"
    shell:
        "evsynth dedup-prepare {input.records} --work {params.work} 2> {log}"


rule dedup_score:
    input:
        norms=f"{DEDUP_WORK}/norms.pkl",
    output:
        f"{DEDUP_WORK}/scored-{{k}}-of-{{n}}.pkl",
    wildcard_constraints:
        k=r"\d+",
        n=r"\d+",
    log:
        "logs/dedup/dedup_score-{k}-of-{n}.log",
    params:
        work=lambda wildcards, input: os.path.dirname(input.norms),
    threads: config.get("dedup", {}).get("threads", 1)
    resources:
        # Loads the normalised records (about a quarter of the one job's peak) and scores 1/N.
        mem_mb=lambda wildcards, input: max(2000, 1000 + 6 * int(input.size_mb)),
        runtime=60,
    conda:
        "../envs/evsynth.yaml"
    shell:
        "evsynth dedup-score --work {params.work} --partition {wildcards.k}/{wildcards.n} "
        "--threads {threads} 2> {log}"
