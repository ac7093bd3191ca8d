TABLE1_FILES = [f"{RESULTS}/table1.{ext}" for ext in ("csv", "md", "tex")] + [
    f"{RESULTS}/linear_curves.csv",
    f"{RESULTS}/REPORT.md",
]


rule aggregate:
    """Table 1 and the tidy per-epoch curves of every run."""
    input:
        finals=[f"{run}/final.json" for run in ALL_RUNS],
        metrics=[f"{run}/metrics.csv" for run in ALL_RUNS],
    output:
        csv=report(f"{RESULTS}/table1.csv", caption="../report/table1.rst",
                   category="Table 1"),
        md=f"{RESULTS}/table1.md",
        tex=f"{RESULTS}/table1.tex",
        curves=report(f"{RESULTS}/linear_curves.csv", caption="../report/curves_csv.rst",
                      category="Curves"),
    params:
        vsc=VSC,
        out_dir=lambda wildcards, output: os.path.dirname(output.csv),
        runs=ALL_RUNS,
    log:
        f"{LOGS}/aggregate.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        ENV
    shell:
        "{params.vsc} aggregate --runs {params.runs} --out-dir {params.out_dir} > {log} 2>&1"


rule reproduction_report:
    """results/REPORT.md: our numbers next to the paper's, orderings and claims."""
    input:
        table=f"{RESULTS}/table1.csv",
        dnn=f"{RESULTS}/dnn_metrics.csv",
        config=ancient(RESOLVED_CONFIG),
        finals=[f"{run}/final.json" for run in ALL_RUNS],
    output:
        report(f"{RESULTS}/REPORT.md", caption="../report/reproduction.rst",
               category="Reproduction report"),
    params:
        vsc=VSC,
        runs=ALL_RUNS,
    log:
        f"{LOGS}/reproduction_report.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        ENV
    shell:
        "{params.vsc} report --table {input.table} --dnn-table {input.dnn} --runs {params.runs}"
        " --config {input.config} --out {output} > {log} 2>&1"
