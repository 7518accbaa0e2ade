# Rules of the import stage: database exports read from files (sources with mode: import).
# E-utilities sources are handled by search.smk; the `source` wildcard of each rule is constrained
# to the names of its own kind, so the two never compete for an output. common.smk already puts
# every records table in `rule all`, so this stage needs no import_outputs().

import re


def import_sources():
    """Names of the sources read from exported files in any run (sorted)."""
    return sorted(
        {
            name
            for run in config["search"]["runs"]
            for name, source in run["sources"].items()
            if source.get("mode") == "import"
        }
    )


def _import_alternation(names):
    """A regex matching exactly these names (nothing at all when there are none)."""
    return "|".join(re.escape(n) for n in names) if names else "(?!)"


def import_export_files(wildcards):
    """The export files of one source in one run, as listed in the config."""
    return source_config(wildcards.run, wildcards.source)["files"]


def import_export_options(wildcards):
    """evsynth import options from the source's config (run's date window when it has none)."""
    run = run_config(wildcards.run)
    source = source_config(wildcards.run, wildcards.source)
    options = ["--format", source.get("format", "auto")]
    values = (
        ("--database", source.get("database")),
        ("--platform", source.get("platform")),
        ("--query", " ".join(source["query"].split()) if source.get("query") else None),
        ("--from", source.get("from") or run.get("from")),
        ("--to", source.get("to") or run.get("to")),
    )
    for option, value in values:
        if value:
            options += [option, str(value)]
    return options


rule import_export:
    input:
        files=import_export_files,
    output:
        records="results/search/{run}/{source}.records.tsv",
        log_json="results/search/{run}/{source}.log.json",
        raw=directory("results/search/{run}/raw/{source}"),
    log:
        "logs/import/{run}/{source}.log",
    params:
        options=import_export_options,
    threads: 1
    resources:
        mem_mb=2000,
    wildcard_constraints:
        run=_import_alternation(search_runs()),
        source=_import_alternation(import_sources()),
    shell:
        "evsynth import {input.files:q} {params.options:q} --source {wildcards.source:q}"
        " --run {wildcards.run:q} --out {output.records:q} --log {output.log_json:q}"
        " --raw-dir {output.raw:q} > {log:q} 2>&1"
