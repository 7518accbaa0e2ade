# Rules of the search stage: PubMed through NCBI E-utilities (sources with mode offline/online).
# Imported exports (mode import) are handled by import.smk; the `source` wildcard of each rule is
# constrained to the names of its own kind, so the two never compete for an output.

import glob
import re

EUTILS_MODES = ("offline", "online")


def eutils_sources():
    """Names of the sources retrieved through E-utilities in any run (sorted)."""
    kinds = {}
    for run in config["search"]["runs"]:
        for name, source in run["sources"].items():
            kind = "eutils" if source.get("mode") in EUTILS_MODES else "import"
            if kinds.setdefault(name, kind) != kind:
                raise ValueError(
                    f"config search.runs: source {name!r} is an E-utilities source in one run "
                    "and an imported export in another; give the two different names"
                )
    return sorted(name for name, kind in kinds.items() if kind == "eutils")


def _alternation(names):
    """A regex matching exactly these names (nothing at all when there are none)."""
    return "|".join(re.escape(n) for n in names) if names else "(?!)"


def search_window(wildcards):
    """The source's date window: its own from/to when set, else the run's."""
    run = run_config(wildcards.run)
    source = source_config(wildcards.run, wildcards.source)
    return (source.get("from") or run.get("from"), source.get("to") or run.get("to"))


def search_pubmed_input(wildcards):
    """Offline: the archived run (its log and raw answers) is the input. Online: nothing."""
    source = source_config(wildcards.run, wildcards.source)
    if source["mode"] == "offline":
        raw = sorted(glob.glob(os.path.join(source["archive"], "raw", "*.xml")))
        return {"archive_log": os.path.join(source["archive"], "log.json"), "archive_raw": raw}
    return {}


def search_pubmed_mode_args(wildcards):
    """Command-line arguments of the chosen mode.

    Online client settings (email, rates, URL, ...) are read by the command from the config files
    rather than passed as parameters: they say how to fetch, not what was searched, so changing
    them must not rerun a finished search and everything after it.
    """
    source = source_config(wildcards.run, wildcards.source)
    if source["mode"] == "offline":
        return ["--offline-cache", source["archive"]]
    args = ["--out", source["archive"]]
    for path in workflow.configfiles:
        args += ["--client-config", str(path)]
    return args + ["--no-progress"]


def search_outputs():
    """Records tables and search logs of every E-utilities source in every run."""
    names = set(eutils_sources())
    return [
        f"results/search/{run}/{source}.{kind}"
        for run in search_runs()
        for source in run_sources(run)
        if source in names
        for kind in ("records.tsv", "log.json")
    ]


rule search_pubmed:
    input:
        unpack(search_pubmed_input),
    output:
        records="results/search/{run}/{source}.records.tsv",
        log_json="results/search/{run}/{source}.log.json",
    log:
        "logs/search/{run}/{source}.log",
    params:
        mode=lambda w: source_config(w.run, w.source)["mode"],
        mode_args=search_pubmed_mode_args,
        query=lambda w: " ".join(source_config(w.run, w.source)["query"].split()),
        date_from=lambda w: search_window(w)[0],
        date_to=lambda w: search_window(w)[1],
        datetype=lambda w: source_config(w.run, w.source).get("datetype", "pdat"),
        database=lambda w: source_config(w.run, w.source).get("database", "PubMed"),
        platform=lambda w: source_config(w.run, w.source).get(
            "platform", "PubMed (NCBI E-utilities)"
        ),
    threads: 1
    resources:
        # Online retrievals share NCBI's per-user rate limit: run with --resources ncbi_eutils=1.
        ncbi_eutils=lambda w: int(source_config(w.run, w.source)["mode"] == "online"),
    wildcard_constraints:
        run=_alternation(search_runs()),
        source=_alternation(eutils_sources()),
    shell:
        "evsynth search pubmed {params.mode_args:q}"
        " --query {params.query:q} --from {params.date_from:q} --to {params.date_to:q}"
        " --datetype {params.datetype:q} --database {params.database:q}"
        " --platform {params.platform:q} --run {wildcards.run:q} --source {wildcards.source:q}"
        " --records {output.records:q} --log {output.log_json:q} > {log:q} 2>&1"
