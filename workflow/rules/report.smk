# Rules of the report stage: one self-contained HTML page from every stage's outputs.
# Every file `evsynth report` reads is an input here, so editing any of them re-runs the report.


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
        # The results folder, derived from the output so that no path is hard-coded.
        results=lambda wildcards, output: os.path.dirname(os.path.dirname(output[0])),
        root=".",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../envs/evsynth.yaml"
    shell:
        "evsynth report --config {input.config} --results {params.results} "
        "--root {params.root} --out {output.html} > {log} 2>&1"
