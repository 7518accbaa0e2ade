# Validation first, then small input functions; get_final_output() decides what "done" means.

import json
import os
import re

import jsonschema
import yaml


def _with_defaults(validator_class):
    """A validator that also fills in each property's schema `default` (as snakemake's does)."""
    check_properties = validator_class.VALIDATORS["properties"]

    def properties(validator, props, instance, schema):
        if isinstance(instance, dict):
            for name, sub in props.items():
                if isinstance(sub, dict) and "default" in sub:
                    instance.setdefault(name, sub["default"])
        yield from check_properties(validator, props, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": properties})


_VALIDATOR = _with_defaults(jsonschema.Draft202012Validator)

# The workflow's own folder (workflow/), found from this file rather than from the main Snakefile:
# when a review uses the installed workflow as a Snakemake module, workflow.basedir is the review's
# folder, which has no schemas.
WORKFLOW_DIR = os.path.dirname(str(workflow.current_basedir))


def validate_section(section, schema_path=None):
    """Validate config[section] (or the whole config) against its schema, filling defaults.

    Schemas are read with libyaml and checked with jsonschema directly: the same checks as
    snakemake's validate, which also covers list sections such as `analyses` (snakemake's skips
    data that is not a mapping without a word) and costs a third of a second less on every
    `snakemake` call, no-op reruns included.
    """
    if schema_path is None:
        schema_path = os.path.join(WORKFLOW_DIR, "schemas", "config", f"{section}.schema.yaml")
    data = config if section is None else config.get(section)
    if data is None or not os.path.exists(schema_path):
        return
    with open(schema_path, encoding="utf-8") as handle:
        schema = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    error = jsonschema.exceptions.best_match(_VALIDATOR(schema).iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path)
        prefix = f"{section}/" if section else ""
        raise ValueError(f"config/config.yaml: {prefix}{where}: {error.message}")


validate_section(None, os.path.join(WORKFLOW_DIR, "schemas", "config.schema.yaml"))
for _section in ("review", "search", "dedup", "screening", "extraction", "analyses", "pooling", "report", "grade"):
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
        *grade_outputs(),
        *figures_outputs(),
        *report_outputs(),
    ]


# Each stage's input functions live beside this file, so rule files hold rules only.
include: "common/analyses.smk"
include: "common/config.smk"
include: "common/import.smk"
include: "common/search.smk"
include: "common/dedup.smk"
include: "common/screening.smk"
include: "common/extraction.smk"
include: "common/pooling.smk"
include: "common/grade.smk"
include: "common/figures.smk"
include: "common/report.smk"


refresh_config_snapshots()
