TABLE1_FILES = [f"{RESULTS}/table1.{ext}" for ext in ("csv", "md", "tex")] + [
    f"{RESULTS}/linear_curves.csv"
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
