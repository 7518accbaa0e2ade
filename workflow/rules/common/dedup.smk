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
