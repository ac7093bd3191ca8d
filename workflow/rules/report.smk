# The reproduction report: Table 1 and every summary with a report section
# (vsc/summaries.py), next to the paper's numbers.

REPORT = f"{RESULTS}/REPORT.md"


rule reproduction_report:
    """results/REPORT.md: our numbers next to the paper's, orderings and claims."""
    input:
        table=f"{RESULTS}/table1.csv",
        ordering=f"{RESULTS}/ordering.csv",
        sections=[f"{RESULTS}/{s.table}" for s in REPORTED],
        config=ancient(RESOLVED_CONFIG),
        finals=finals(TABLE1_RUNS),
    output:
        report(
            REPORT,
            caption="../report/reproduction.rst",
            category="Reproduction report",
        ),
    log:
        f"{LOGS}/reproduction_report.log",
    conda:
        ENV
    params:
        vsc=VSC,
        runs=TABLE1_RUNS,
        sections=section_flags(REPORTED),
    shell:
        "{params.vsc} report --table {input.table:q} --ordering-table {input.ordering:q}"
        " {params.sections} --runs {params.runs:q} --config {input.config:q}"
        " --out {output:q} > {log:q} 2>&1"


rule dnn_report:
    """results/DNN_REPORT.md: the DNN experiment alone (its table with the mean-image and PCA
    baselines, costs, provenance), for runs of the DNN rules without Table 1:
    `snakemake --cores 2 ... dnn_report` builds the DNN grid, its recovered dictionaries and
    their figure, and this."""
    input:
        dnn=f"{RESULTS}/dnn_metrics.csv",
        figure=summary_files(BY_NAME["recovered_dictionaries"]),
        config=ancient(RESOLVED_CONFIG),
        finals=finals(DNN_RUNS),
    output:
        f"{RESULTS}/DNN_REPORT.md",
    log:
        f"{LOGS}/dnn_report.log",
    conda:
        ENV
    params:
        vsc=VSC,
        runs=DNN_RUNS,
        sections=section_flags([BY_NAME["dnn_metrics"]]),
    shell:
        "{params.vsc} report {params.sections} --runs {params.runs:q}"
        " --config {input.config:q} --out {output:q} > {log:q} 2>&1"
