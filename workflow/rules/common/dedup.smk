# Input functions and helpers of the dedup rules (workflow/rules/dedup.smk).

def dedup_decisions_input():
    """The person's pair decisions file, when it exists (it is optional and always wins)."""
    path = config.get("dedup", {}).get("decisions")
    return [path] if path and os.path.exists(path) else []


def dedup_outputs():
    """What deduplication contributes to `rule all`."""
    return [
        f"results/dedup/{name}"
        for name in ("pairs.tsv", "clusters.tsv", "unique.tsv", "possible.csv", "summary.json")
    ]


# The partitioned dedup (dedup.partitions > 1; rules in ../dedup.smk).
DEDUP_WORK = "results/dedup-partitions"


def dedup_partitions():
    """How many scoring jobs the dedup is split into (config dedup.partitions, default 1)."""
    return int(config.get("dedup", {}).get("partitions", 1))


def dedup_partition_inputs(wildcards):
    """The partitioned run's work files that dedup_records merges (none for one job)."""
    n = dedup_partitions()
    if n == 1:
        return []
    return [
        f"{DEDUP_WORK}/records.pkl",
        f"{DEDUP_WORK}/norms.pkl",
        *(f"{DEDUP_WORK}/scored-{k}-of-{n}.pkl" for k in range(1, n + 1)),
    ]


def dedup_command(wildcards, input, output, threads):
    """`evsynth dedup` (one job) or `evsynth dedup-merge` of the partitions."""
    decisions = f" --decisions {input.decisions}" if input.decisions else ""
    out = os.path.dirname(output.summary)
    if dedup_partitions() == 1:
        records = " ".join(input.records)
        return f"evsynth dedup {records} --out {out}{decisions} --threads {threads}"
    scored = " ".join(input.work[2:])
    work = os.path.dirname(input.work[0])
    return f"evsynth dedup-merge {scored} --work {work} --out {out}{decisions}"
