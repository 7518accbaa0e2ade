# Rules of the screening stage: one rule per stage (title/abstract, full text), one that combines the
# stages' agreement and enforces screening.require_complete, and the PRISMA 2020 counts.
# The stage rules never fail for missing decisions: they always write the queue files a reviewer
# fills next, and their tables to results/screening/unchecked/. screening_agreement stops the run
# when require_complete is true and records await a decision; otherwise it publishes the tables to
# their contract paths (results/screening/{stage}.tsv), so nothing downstream runs on an incomplete
# screening unless the protocol allows it (docs/screening.md).

import os
import shlex


def _screening_stage(stage):
    return config["screening"]["stages"][stage]


def _screening_entries(stage):
    """(path, reviewer or None) of every decision file of a stage; folders expanded, sorted."""
    entries = []
    for entry in _screening_stage(stage).get("decisions") or []:
        if isinstance(entry, str):
            path, reviewer = entry, None
        else:
            path, reviewer = entry["file"], entry.get("reviewer")
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                full = os.path.join(path, name)
                if os.path.isfile(full) and not name.lower().startswith(("readme", ".")):
                    entries.append((full, reviewer))
        elif path.endswith("/") and not os.path.exists(path):
            continue  # a decisions folder not created yet is an empty one
        else:
            entries.append((path, reviewer))
    return entries


def screening_decision_files(stage):
    """Decision files of a stage (inputs, so adding or editing one reruns the stage)."""
    return [path for path, _ in _screening_entries(stage)]


def screening_adjudication_files(stage):
    path = _screening_stage(stage).get("adjudication")
    return [path] if path else []


def _screening_required(stage):
    return _screening_stage(stage).get("required_reviewers") or config["screening"][
        "required_reviewers"
    ]


def _screening_args(stage):
    """Command-line options of `evsynth screen` for one stage, from config."""
    specs = [f"{r}={p}" if r else p for p, r in _screening_entries(stage)]
    args = ["--decisions", *specs]
    adjudication = screening_adjudication_files(stage)
    if adjudication:
        args += ["--adjudication", *adjudication]
    reviewers = config["screening"].get("reviewers") or []
    if reviewers:
        args += ["--reviewers", ",".join(reviewers)]
    args += ["--required-reviewers", str(_screening_required(stage))]
    for reason in _screening_stage(stage).get("exclusion_reasons") or []:
        args += ["--reason", reason]
    return " ".join(shlex.quote(a) for a in args)


def screening_outputs():
    """Files the screening stage contributes to `rule all`."""
    stages = ("title_abstract", "full_text")
    return (
        [f"results/screening/{s}.tsv" for s in stages]
        + [f"results/screening/queue_{s}.{ext}" for s in stages for ext in ("csv", "ris")]
        + [
            "results/screening/agreement.json",
            "results/prisma/counts.json",
            "results/prisma/study_record_runs.tsv",
        ]
    )


rule screening_title_abstract:
    input:
        records="results/dedup/unique.tsv",
        decisions=screening_decision_files("title_abstract"),
        adjudication=screening_adjudication_files("title_abstract"),
    output:
        table="results/screening/unchecked/title_abstract.tsv",
        queue_csv="results/screening/queue_title_abstract.csv",
        queue_ris="results/screening/queue_title_abstract.ris",
        agreement="results/screening/agreement_title_abstract.json",
    log:
        "logs/screening/title_abstract.log",
    params:
        args=_screening_args("title_abstract"),
        outdir=lambda wildcards, output: os.path.dirname(output.queue_csv),
    threads: 1
    resources:
        mem_mb=1000,
    shell:
        "evsynth screen --records {input.records} --stage title_abstract --out {params.outdir}"
        " --table {output.table} {params.args} --no-require-complete 2> {log}"


rule screening_full_text:
    input:
        records="results/dedup/unique.tsv",
        previous="results/screening/unchecked/title_abstract.tsv",
        decisions=screening_decision_files("full_text"),
        adjudication=screening_adjudication_files("full_text"),
    output:
        table="results/screening/unchecked/full_text.tsv",
        queue_csv="results/screening/queue_full_text.csv",
        queue_ris="results/screening/queue_full_text.ris",
        agreement="results/screening/agreement_full_text.json",
    log:
        "logs/screening/full_text.log",
    params:
        args=_screening_args("full_text"),
        outdir=lambda wildcards, output: os.path.dirname(output.queue_csv),
    threads: 1
    resources:
        mem_mb=1000,
    shell:
        "evsynth screen --records {input.records} --stage full_text --out {params.outdir}"
        " --table {output.table} --previous-stage {input.previous} {params.args}"
        " --no-require-complete 2> {log}"


rule screening_agreement:
    input:
        title_abstract_agreement="results/screening/agreement_title_abstract.json",
        full_text_agreement="results/screening/agreement_full_text.json",
        title_abstract_table="results/screening/unchecked/title_abstract.tsv",
        full_text_table="results/screening/unchecked/full_text.tsv",
    output:
        agreement="results/screening/agreement.json",
        title_abstract="results/screening/title_abstract.tsv",
        full_text="results/screening/full_text.tsv",
    log:
        "logs/screening/agreement.log",
    params:
        require_complete=(
            "--require-complete"
            if config["screening"]["require_complete"]
            else "--no-require-complete"
        ),
    threads: 1
    resources:
        mem_mb=500,
    shell:
        "evsynth screen-agreement {input.title_abstract_agreement} {input.full_text_agreement}"
        " --out {output.agreement} {params.require_complete}"
        " --publish {input.title_abstract_table} {output.title_abstract}"
        " --publish {input.full_text_table} {output.full_text} 2> {log}"
        " || (cat {log} >&2; exit 1)"


rule prisma_counts:
    input:
        summary="results/dedup/summary.json",
        records="results/dedup/unique.tsv",
        search_records=all_records_tsvs(),
        title_abstract="results/screening/title_abstract.tsv",
        full_text="results/screening/full_text.tsv",
        agreement="results/screening/agreement.json",
        search_logs=[
            f"results/search/{run}/{source}.log.json"
            for run in search_runs()
            for source in run_sources(run)
        ],
        studies=[config["screening"].get("prisma", {}).get("studies")]
        if config["screening"].get("prisma", {}).get("studies")
        else [],
    output:
        counts="results/prisma/counts.json",
        runs="results/prisma/study_record_runs.tsv",
    log:
        "logs/screening/prisma_counts.log",
    params:
        studies=lambda wildcards, input: f"--studies {input.studies}" if input.studies else "",
        previous=" ".join(
            f"--{key.replace('_', '-')} {value}"
            for key, value in sorted(config["screening"].get("prisma", {}).items())
            if key.startswith("previous_") and value is not None
        ),
        # run order for the PRISMA 2020 updated-review counts (several runs)
        runs="--runs " + " ".join(shlex.quote(run) for run in search_runs()),
    threads: 1
    resources:
        mem_mb=500,
    shell:
        "evsynth prisma-counts --dedup-summary {input.summary}"
        " --title-abstract {input.title_abstract} --full-text {input.full_text}"
        " --search-logs {input.search_logs} --records {input.records}"
        " --search-records {input.search_records} {params.studies} {params.previous} {params.runs}"
        " --out {output.counts} --study-record-runs {output.runs} 2> {log}"
