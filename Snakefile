# evsynth: a systematic review and meta-analysis as a Snakemake workflow.
# Table of contents only: the logic lives in workflow/rules/*.smk and in the evsynth package.

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/config.smk"
include: "workflow/rules/import.smk"
include: "workflow/rules/search.smk"
include: "workflow/rules/dedup.smk"
include: "workflow/rules/screening.smk"
include: "workflow/rules/extraction.smk"
include: "workflow/rules/pooling.smk"
include: "workflow/rules/grade.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/prisma.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        get_final_output(),
    default_target: True


# What the terminal shows: a failed rule's own error (read from its log), the extraction warnings
# and, last, where the report is (evsynth/scaffold/terminal.py).
from evsynth.scaffold import on_error, on_success


onsuccess:
    on_success(log)


onerror:
    on_error(log)
