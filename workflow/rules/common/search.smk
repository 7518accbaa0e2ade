# Input functions and helpers of the search rules (workflow/rules/search.smk).

import glob

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
