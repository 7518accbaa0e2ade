# The configured analyses, shared by extraction, pooling, figures and report.

import os


def meta_analyses():
    """Ids of the configured analyses with `synthesis: meta_analysis` (pooled by the pooling stage)."""
    return [
        a["id"] for a in config.get("analyses", []) if a.get("synthesis", "meta_analysis") == "meta_analysis"
    ]


def extraction_analysis_table(wildcards):
    """results/extraction/analyses/{analysis}.tsv, once the extraction checkpoint is done.

    The tables are written by the extraction_tables checkpoint but are not its declared outputs
    (Snakemake would delete and rewrite every one): extraction rewrites only those whose rows
    changed, and after the checkpoint Snakemake compares their times afresh, so editing one study's
    row reruns the pooling and figures of the analyses it enters, not all of them.
    """
    table = f"results/extraction/analyses/{wildcards.analysis}.tsv"
    # A results folder holding the tables without extraction's own outputs (figures or pooling
    # run on their own) reads them as they are.
    done = os.path.exists("results/extraction/summary.json")
    if hasattr(checkpoints, "extraction_tables") and (done or not os.path.exists(table)):
        checkpoints.extraction_tables.get()
    return table
