# Input functions and helpers of the import rules (workflow/rules/import.smk).



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
        # Exactly as written (PRISMA-S: strategies as run); CENTRAL's are numbered lines.
        ("--query", source["query"].strip() if source.get("query") else None),
        ("--from", source.get("from") or run.get("from")),
        ("--to", source.get("to") or run.get("to")),
    )
    for option, value in values:
        if value:
            options += [option, str(value)]
    return options
