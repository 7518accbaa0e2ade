# Input functions and helpers of the screening rules (workflow/rules/screening.smk).

import os
import shlex


def _screening_stage(stage):
    return config["screening"]["stages"][stage]


def _screening_entries(stage):
    """(path, reviewer or None, list or None) of every decision file of a stage; folders
    expanded, sorted. `list` declares the list of a Covidence / EPPI-Reviewer list export."""
    entries = []
    for entry in _screening_stage(stage).get("decisions") or []:
        if isinstance(entry, str):
            path, reviewer, listed = entry, None, None
        else:
            path, reviewer, listed = entry["file"], entry.get("reviewer"), entry.get("list")
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                full = os.path.join(path, name)
                if os.path.isfile(full) and not name.lower().startswith(("readme", ".")):
                    entries.append((full, reviewer, listed))
        elif path.endswith("/") and not os.path.exists(path):
            continue  # a decisions folder not created yet is an empty one
        else:
            entries.append((path, reviewer, listed))
    return entries


def screening_decision_files(stage):
    """Decision files of a stage (inputs, so adding or editing one reruns the stage)."""
    return [path for path, _, _ in _screening_entries(stage)]


def screening_adjudication_files(stage):
    path = _screening_stage(stage).get("adjudication")
    return [path] if path else []


def _screening_required(stage):
    return _screening_stage(stage).get("required_reviewers") or config["screening"][
        "required_reviewers"
    ]


def _screening_args(stage):
    """Command-line options of `evsynth screen` for one stage, from config."""
    entries = _screening_entries(stage)
    specs = [f"{r}={p}" if r else p for p, r, _ in entries]
    args = ["--decisions", *specs]
    for path, _, listed in entries:
        if listed:
            args += ["--list", f"{path}={listed}"]
    for tool_reason, reason in sorted((config["screening"].get("reason_aliases") or {}).items()):
        args += ["--reason-alias", f"{tool_reason}={reason}"]
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
