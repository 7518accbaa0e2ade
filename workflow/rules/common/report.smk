# Input functions and helpers of the report rules (workflow/rules/report.smk).

import glob
import os


def _report_stage_outputs():
    """Files other stages declare, so optional report inputs are listed only when produced."""
    stages = (dedup_outputs, screening_outputs, extraction_outputs, pooling_outputs, figures_outputs)
    return {str(path) for stage_outputs in stages for path in stage_outputs()}


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
    meta = meta_analyses()
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
    # extraction warnings, shown beside their rows (warnings.tsv comes with effects.tsv)
    checks = [
        path
        for path in ("results/extraction/effects.tsv", "results/extraction/warnings.tsv")
        if "results/extraction/effects.tsv" in produced or os.path.exists(path)
    ]
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
        "extraction_checks": checks,
        "figures": figures,
    }
    if meta:
        inputs["summary"] = "results/pooling/summary.tsv"
        inputs["pooling"] = [f"results/pooling/{analysis}.json" for analysis in meta]
        # graded when pooled (grade_analysis reads the pooling JSON), or already there
        inputs["grade"] = [
            f"results/grade/{analysis}.json"
            for analysis in meta
            if f"results/pooling/{analysis}.json" in produced
            or os.path.exists(f"results/grade/{analysis}.json")
        ]
    return inputs


def report_outputs():
    """What the report stage adds to `rule all`."""
    return ["results/report/index.html"]
