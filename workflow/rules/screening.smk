# Rules of the screening stage: one rule per stage (title/abstract, full text) and one that combines
# the stages' agreement and enforces screening.require_complete (PRISMA counts: prisma.smk).
# The stage rules never fail for missing decisions: they always write the queue files a reviewer
# fills next, and their tables to results/screening/unchecked/. screening_agreement stops the run
# when require_complete is true and records await a decision; otherwise it publishes the tables to
# their contract paths (results/screening/{stage}.tsv), so nothing downstream runs on an incomplete
# screening unless the protocol allows it (docs/screening.md).


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
        runtime=15,
    conda:
        "../envs/evsynth.yaml"
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
        runtime=15,
    conda:
        "../envs/evsynth.yaml"
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
        runtime=5,
    conda:
        "../envs/evsynth.yaml"
    shell:
        "evsynth screen-agreement {input.title_abstract_agreement} {input.full_text_agreement}"
        " --out {output.agreement} {params.require_complete}"
        " --publish {input.title_abstract_table} {output.title_abstract}"
        " --publish {input.full_text_table} {output.full_text} 2> {log}"
        " || (cat {log} >&2; exit 1)"
