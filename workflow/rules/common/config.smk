# Config snapshots and their helpers (rules in workflow/rules/config.smk; no rules here).

import json
import os
import re

# Config snapshots: a stage that needs part of the protocol reads results/config/{name}.yaml, not
# config/config.yaml. The snapshot rule's params hold the sections' content, so it (and what reads
# it) reruns only when those sections change; editing a pooling setting does not rerun extraction.
CONFIG_SNAPSHOTS = {
    "extraction": ("extraction", "analyses"),
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
