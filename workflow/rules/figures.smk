# Rules of the figures stage: `evsynth plot` writes each figure as SVG and 300-dpi PNG under
# results/figures/, attached to `snakemake --report` with a caption.


# One job per analysis draws its four figures (one matplotlib start-up instead of four).
rule figures_analysis:
    input:
        pooling="results/pooling/{analysis}.json",
        effects=extraction_analysis_table,
        # what the figures are drawn with (favours labels, dpi, contours), compared by content
        settings="results/config/figures/{analysis}.yaml",
    output:
        forest_svg=report(
            "results/figures/{analysis}.forest.svg",
            caption="../report/figure_forest.rst",
            category="Forest plots",
            labels={"analysis": "{analysis}", "figure": "forest plot", "format": "SVG"},
        ),
        forest_png=report(
            "results/figures/{analysis}.forest.png",
            caption="../report/figure_forest.rst",
            category="Forest plots",
            labels={"analysis": "{analysis}", "figure": "forest plot", "format": "PNG"},
        ),
        funnel_svg=report(
            "results/figures/{analysis}.funnel.svg",
            caption="../report/figure_funnel.rst",
            category="Funnel plots",
            labels={"analysis": "{analysis}", "figure": "funnel plot", "format": "SVG"},
        ),
        funnel_png=report(
            "results/figures/{analysis}.funnel.png",
            caption="../report/figure_funnel.rst",
            category="Funnel plots",
            labels={"analysis": "{analysis}", "figure": "funnel plot", "format": "PNG"},
        ),
        leave_one_out_svg=report(
            "results/figures/{analysis}.leave_one_out.svg",
            caption="../report/figure_leave_one_out.rst",
            category="Sensitivity analyses",
            labels={"analysis": "{analysis}", "figure": "leave-one-out", "format": "SVG"},
        ),
        leave_one_out_png=report(
            "results/figures/{analysis}.leave_one_out.png",
            caption="../report/figure_leave_one_out.rst",
            category="Sensitivity analyses",
            labels={"analysis": "{analysis}", "figure": "leave-one-out", "format": "PNG"},
        ),
        cumulative_svg=report(
            "results/figures/{analysis}.cumulative.svg",
            caption="../report/figure_cumulative.rst",
            category="Sensitivity analyses",
            labels={"analysis": "{analysis}", "figure": "cumulative", "format": "SVG"},
        ),
        cumulative_png=report(
            "results/figures/{analysis}.cumulative.png",
            caption="../report/figure_cumulative.rst",
            category="Sensitivity analyses",
            labels={"analysis": "{analysis}", "figure": "cumulative", "format": "PNG"},
        ),
    log:
        "logs/figures/{analysis}.log",
    params:
        favours_exposure=lambda wildcards: figures_favours(wildcards.analysis)[0],
        favours_reference=lambda wildcards: figures_favours(wildcards.analysis)[1],
        contours="--contours" if figures_settings().get("funnel_contours", True) else "",
        dpi=figures_settings().get("dpi", 300),
        prefix=lambda wildcards, output: output.forest_svg[: -len(".forest.svg")],
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    conda:
        "../envs/evsynth.yaml"
    shell:
        "evsynth plot analysis --pooling {input.pooling:q} --effects {input.effects:q} "
        "--favours-exposure {params.favours_exposure:q} "
        "--favours-reference {params.favours_reference:q} {params.contours} "
        "--dpi {params.dpi} --out-prefix {params.prefix:q} 2> {log:q}"


if figures_rob_enabled():

    rule figures_rob:
        input:
            rob="results/extraction/risk_of_bias.tsv",
            studies="results/extraction/studies.tsv",
        output:
            traffic_light_svg=report(
                "results/figures/rob_traffic_light.svg",
                caption="../report/figure_rob.rst",
                category="Risk of bias",
                labels={"figure": "traffic-light plot", "format": "SVG"},
            ),
            traffic_light_png=report(
                "results/figures/rob_traffic_light.png",
                caption="../report/figure_rob.rst",
                category="Risk of bias",
                labels={"figure": "traffic-light plot", "format": "PNG"},
            ),
            summary_svg=report(
                "results/figures/rob_summary.svg",
                caption="../report/figure_rob.rst",
                category="Risk of bias",
                labels={"figure": "summary plot", "format": "SVG"},
            ),
            summary_png=report(
                "results/figures/rob_summary.png",
                caption="../report/figure_rob.rst",
                category="Risk of bias",
                labels={"figure": "summary plot", "format": "PNG"},
            ),
        log:
            "logs/figures/rob.log",
        params:
            dpi=figures_settings().get("dpi", 300),
        threads: 1
        resources:
            mem_mb=400,
            runtime=5,
        conda:
            "../envs/evsynth.yaml"
        shell:
            "(evsynth plot rob --risk-of-bias {input.rob} --studies {input.studies} --style traffic-light "
            "--dpi {params.dpi} --svg {output.traffic_light_svg} --png {output.traffic_light_png} && "
            "evsynth plot rob --risk-of-bias {input.rob} --studies {input.studies} --style summary "
            "--dpi {params.dpi} --svg {output.summary_svg} --png {output.summary_png}) 2> {log}"
