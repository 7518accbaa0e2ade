# Validation first, then small input functions; get_final_output() decides what "done" means.

import os

from snakemake.utils import validate


validate(config, schema="../schemas/config.schema.yaml")
for _section in ("review", "search", "dedup", "screening", "extraction", "analyses", "pooling", "report"):
    _schema = os.path.join(workflow.basedir, "workflow", "schemas", "config", f"{_section}.schema.yaml")
    if _section in config and os.path.exists(_schema):
        validate(config[_section], schema=_schema)


def search_runs():
    """Ids of the dated search runs, oldest first."""
    return [run["id"] for run in config["search"]["runs"]]


def run_config(run):
    for entry in config["search"]["runs"]:
        if entry["id"] == run:
            return entry
    raise ValueError(f"config search.runs has no run {run!r}; it has {', '.join(search_runs())}")


def run_sources(run):
    """Source names (databases) searched in one run."""
    return list(run_config(run)["sources"])


def source_config(run, source):
    return run_config(run)["sources"][source]


def all_records_tsvs():
    """Every run's records table for every source: the input of deduplication."""
    return [
        f"results/search/{run}/{source}.records.tsv"
        for run in search_runs()
        for source in run_sources(run)
    ]


def get_final_output():
    """What a complete run of the review produces: each stage's rule file defines <stage>_outputs()."""
    outputs = list(all_records_tsvs())
    for stage in ("dedup", "screening", "extraction", "pooling", "figures", "report"):
        stage_outputs = globals().get(f"{stage}_outputs")
        if stage_outputs is not None:
            outputs.extend(stage_outputs())
    return outputs


# Config snapshots: a stage that needs part of the protocol reads results/config/{name}.yaml, not
# config/config.yaml. The snapshot rule's params hold the sections' content, so it (and what reads
# it) reruns only when those sections change; editing a pooling setting does not rerun extraction.
CONFIG_SNAPSHOTS = {
    "extraction": ("extraction", "analyses"),
    "pooling": ("pooling", "analyses", "extraction"),
    "report": tuple(config),
}


def config_snapshot_content(name):
    import yaml

    sections = {key: config.get(key) for key in CONFIG_SNAPSHOTS[name]}
    return yaml.safe_dump(sections, sort_keys=True, allow_unicode=True)


rule config_snapshot:
    output:
        "results/config/{name}.yaml",
    log:
        "logs/config/{name}.log",
    params:
        content=lambda wildcards: config_snapshot_content(wildcards.name),
    wildcard_constraints:
        name="|".join(CONFIG_SNAPSHOTS),
    run:
        with open(output[0], "w", encoding="utf-8") as handle:
            handle.write(params.content)
