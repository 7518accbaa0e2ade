# Validation first, then small input functions; get_final_output() decides what "done" means.

import json
import os
import re

import jsonschema
import yaml
from snakemake.utils import validate


def validate_section(section):
    """Validate config[section] against workflow/schemas/config/{section}.schema.yaml.

    Mappings go through snakemake's validate (which also fills schema defaults); a list section
    such as `analyses` is validated with jsonschema directly, because snakemake's validate skips
    data that is not a mapping or a data frame without a word.
    """
    schema_path = os.path.join(workflow.basedir, "workflow", "schemas", "config", f"{section}.schema.yaml")
    if section not in config or not os.path.exists(schema_path):
        return
    if isinstance(config[section], dict):
        validate(config[section], schema=schema_path)
        return
    with open(schema_path, encoding="utf-8") as handle:
        schema = yaml.safe_load(handle)
    try:
        jsonschema.Draft202012Validator(schema).validate(config[section])
    except jsonschema.ValidationError as error:
        where = "/".join(str(p) for p in error.absolute_path)
        raise ValueError(f"config/config.yaml: {section}/{where}: {error.message}") from None


validate(config, schema="../schemas/config.schema.yaml")
for _section in ("review", "search", "dedup", "screening", "extraction", "analyses", "pooling", "report"):
    validate_section(_section)


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


def alternation(names):
    """A wildcard regex matching exactly these names (nothing at all when there are none)."""
    return "|".join(re.escape(n) for n in names) if names else "(?!)"


def all_records_tsvs():
    """Every run's records table for every source: the input of deduplication."""
    return [
        f"results/search/{run}/{source}.records.tsv"
        for run in search_runs()
        for source in run_sources(run)
    ]


def get_final_output():
    """What a complete run of the review produces: each stage's <stage>_outputs() (common/)."""
    return [
        *all_records_tsvs(),
        *search_outputs(),
        *dedup_outputs(),
        *screening_outputs(),
        *extraction_outputs(),
        *pooling_outputs(),
        *figures_outputs(),
        *report_outputs(),
    ]


# Config snapshots: a stage that needs part of the protocol reads results/config/{name}.yaml, not
# config/config.yaml. The snapshot rule's params hold the sections' content, so it (and what reads
# it) reruns only when those sections change; editing a pooling setting does not rerun extraction.
CONFIG_SNAPSHOTS = {
    "extraction": ("extraction", "analyses"),
    "pooling": ("pooling", "analyses", "extraction"),
    "report": tuple(config),
}


def config_snapshot_content(name):
    """The sections as JSON (which is YAML too): sorted keys, so equal content is equal text."""
    sections = {key: config.get(key) for key in CONFIG_SNAPSHOTS[name]}
    return json.dumps(sections, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


# Each stage's input functions live beside this file, so rule files hold rules only.
include: "common/analyses.smk"
include: "common/import.smk"
include: "common/search.smk"
include: "common/dedup.smk"
include: "common/screening.smk"
include: "common/extraction.smk"
include: "common/pooling.smk"
include: "common/figures.smk"
include: "common/report.smk"
