# evsynth: a systematic review and meta-analysis as a Snakemake workflow.
# Table of contents only: the logic lives in workflow/rules/*.smk and in the evsynth package.

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"


rule all:
    input:
        get_final_output(),
    default_target: True
