# Rules of the report stage: one self-contained HTML page from every stage's outputs.
# Every file `evsynth report` reads is an input here, so editing any of them re-runs the report.

import glob
import os


def report_analysis_ids():
    """Ids of the configured meta-analyses (fallback while extraction.smk lacks meta_analyses())."""
    return [
        entry["id"]
        for entry in config.get("analyses") or []
        if entry.get("synthesis", "meta_analysis") == "meta_analysis"
    ]


def _report_meta_ids():
    meta = globals().get("meta_analyses")
    if meta is None:
        return report_analysis_ids()
    return [entry["id"] if isinstance(entry, dict) else str(entry) for entry in meta()]


def _report_stage_outputs():
    """Files other stages declare, so optional report inputs are listed only when produced."""
    produced = set()
    for stage in ("dedup", "screening", "extraction", "pooling", "figures"):
        stage_outputs = globals().get(f"{stage}_outputs")
        if stage_outputs is not None:
            produced.update(str(path) for path in stage_outputs())
    return produced


def _report_will_exist(path, produced):
    """An optional input is listed when a stage produces it or it is already there (the CLI reads
    whatever exists, so listing existing files keeps every file it reads tracked)."""
    return path in produced or os.path.exists(path)


def _report_figure(name, produced):
    """The file the report embeds for one figure: the configured format first, then the other."""
    preferred = (config.get("report") or {}).get("figure_format", "svg")
    for ext in (preferred, "png" if preferred == "svg" else "svg"):
        path = f"results/figures/{name}.{ext}"
        if _report_will_exist(path, produced):
            return [path]
    return []


def report_inputs(wildcards):
    """Named inputs of report_html: required contracts plus the optional files that will exist."""
    produced = _report_stage_outputs()
    meta = _report_meta_ids()
    searches = [
        f"results/search/{run}/{source}.log.json"
        for run in search_runs()
        for source in run_sources(run)
    ]
    screening = [
        path
        for path in (
            "results/screening/agreement.json",
            "results/screening/title_abstract.tsv",
            "results/screening/full_text.tsv",
        )
        if _report_will_exist(path, produced)
    ]
    rob = ["results/extraction/risk_of_bias.tsv"]
    rob = [path for path in rob if _report_will_exist(path, produced)]
    # each study record's first search run: the "what changed" section lists the update's records
    record_runs = ["results/prisma/study_record_runs.tsv"]
    record_runs = [path for path in record_runs if _report_will_exist(path, produced)]
    figures = _report_figure("prisma", produced)
    for analysis in meta:
        for kind in ("forest", "funnel", "leave_one_out", "cumulative"):
            figures += _report_figure(f"{analysis}.{kind}", produced)
    candidates = set(produced) | set(glob.glob("results/figures/rob_*.*"))
    rob_names = sorted(
        {
            os.path.splitext(os.path.basename(path))[0]
            for path in candidates
            if path.startswith("results/figures/rob_") and path.endswith((".svg", ".png"))
        }
    )
    for name in rob_names:
        figures += _report_figure(name, produced)
    inputs = {
        "config": "results/config/report.yaml",
        "searches": searches,
        "dedup": "results/dedup/summary.json",
        "prisma": "results/prisma/counts.json",
        "studies": "results/extraction/studies.tsv",
        "narrative": "results/extraction/narrative.tsv",
        "screening": screening,
        "record_runs": record_runs,
        "risk_of_bias": rob,
        "figures": figures,
    }
    if meta:
        inputs["summary"] = "results/pooling/summary.tsv"
        inputs["pooling"] = [f"results/pooling/{analysis}.json" for analysis in meta]
    return inputs


rule report_html:
    input:
        unpack(report_inputs),
    output:
        html=report(
            "results/report/index.html",
            caption="../report/report_html.rst",
            category="Report",
        ),
    log:
        "logs/report/report_html.log",
    params:
        results="results",
        root=".",
    shell:
        "evsynth report --config {input.config} --results {params.results} "
        "--root {params.root} --out {output.html} > {log} 2>&1"


def report_outputs():
    """What the report stage adds to `rule all`."""
    return ["results/report/index.html"]
