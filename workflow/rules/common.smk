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


# Keys of an analysis entry that extraction does not read (evsynth.extraction.settings).
EXTRACTION_IGNORES = ("label", "published")


def _analysis_entry(analysis):
    return next((a for a in config.get("analyses") or [] if a.get("id") == analysis), None)


def config_snapshot_names():
    """Every snapshot: the stage ones, and per meta-analysis `pooling/{id}` and `figures/{id}`
    (so that editing one analysis's entry reruns that analysis's pooling and figures only)."""
    per_analysis = [f"{kind}/{a}" for a in meta_analyses() for kind in ("pooling", "figures")]
    return [*CONFIG_SNAPSHOTS, *per_analysis]


def config_snapshot_content(name):
    """The sections as JSON (which is YAML too): sorted keys, so equal content is equal text.

    `pooling/{id}` holds that analysis's entry and the pooling section (a config file that
    `evsynth pool-analysis --config` reads); `figures/{id}` what its figures are drawn with.
    """
    kind, _, analysis = name.partition("/")
    if analysis and kind == "pooling":
        sections = {"analyses": [_analysis_entry(analysis)], "pooling": config.get("pooling", {})}
    elif analysis and kind == "figures":
        entry = _analysis_entry(analysis) or {}
        factors = (config.get("extraction") or {}).get("factors") or {}
        sections = {
            "analysis": entry,
            "factor": factors.get(entry.get("factor")),
            "figures": config.get("figures"),
        }
    else:
        sections = {key: config.get(key) for key in CONFIG_SNAPSHOTS[name]}
    if name == "extraction":
        # extraction reads which rows enter each analysis, never its label or published estimate:
        # editing those reruns that analysis's pooling and figures only, not every analysis
        sections["analyses"] = [
            {k: v for k, v in entry.items() if k not in EXTRACTION_IGNORES}
            for entry in sections.get("analyses") or []
        ]
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


def _snapshot_reader_output(name):
    """A file built from a snapshot: when it exists and the snapshot does not (results from
    before the snapshot existed), the snapshot is written so that what it describes reruns."""
    kind, _, analysis = name.partition("/")
    if kind == "pooling" and analysis:
        return f"results/pooling/{analysis}.json"
    if kind == "figures" and analysis:
        return f"results/figures/{analysis}.forest.svg"
    return {
        "extraction": "results/extraction/summary.json",
        "report": "results/report/index.html",
    }.get(name, "results/pooling/summary.tsv")


def refresh_config_snapshots():
    """Write each results/config/{name}.yaml that is missing or whose content is not the config's.

    Snakemake reruns config_snapshot when its params (the sections' content) change only while
    .snakemake/ keeps the metadata of the last run; without it (a fresh clone with results/ kept,
    a deleted .snakemake/), only file times count and a stale snapshot would look up to date.
    Nor does it remake a missing snapshot whose readers' outputs exist (a missing intermediate
    file is not a reason to rerun), so such a snapshot is written too; one that nothing was built
    from yet is left to the config_snapshot rule. Snapshots are compared by content and written
    here (exactly what config_snapshot writes) before the DAG is built; a rewritten one is newer
    than what was built from it, which therefore reruns, in a dry run too. Equal content is never
    rewritten, so nothing reruns while the config is unchanged.
    """
    for name in config_snapshot_names():
        path = f"results/config/{name}.yaml"
        content = config_snapshot_content(name)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                if handle.read() == content:
                    continue
        elif not os.path.exists(_snapshot_reader_output(name)):
            continue  # nothing built from it yet: config_snapshot makes it in the run
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(content)
        os.replace(tmp, path)


refresh_config_snapshots()
