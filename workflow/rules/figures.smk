FIGURE_STEMS = ["dictionaries", "table1", "val_loss", "dictionary_learning", "snapshots"]
FIGURE_FILES = [f"{FIGURES}/{stem}.{ext}" for stem in FIGURE_STEMS for ext in ("png", "pdf")]


rule figures:
    """Figures from the aggregated CSVs and the saved dictionaries."""
    input:
        table=f"{RESULTS}/table1.csv",
        curves=f"{RESULTS}/linear_curves.csv",
        config=ancient(RESOLVED_CONFIG),
        dictionaries=[f"{run}/dictionary.npy" for run in ALL_RUNS],
        snapshots=[f"{run}/snapshots.npz" for run in LINEAR_RUNS + FISTA_RUNS],
    output:
        dictionaries=report(f"{FIGURES}/dictionaries.png", caption="../report/dictionaries.rst",
                            category="Figures"),
        table=report(f"{FIGURES}/table1.png", caption="../report/table1_plot.rst",
                     category="Figures"),
        curves=report(f"{FIGURES}/val_loss.png", caption="../report/val_loss.rst",
                      category="Figures"),
        learning=report(f"{FIGURES}/dictionary_learning.png",
                        caption="../report/dictionary_learning.rst", category="Figures"),
        snapshots=report(f"{FIGURES}/snapshots.png", caption="../report/snapshots.rst",
                         category="Figures"),
        pdfs=[f"{FIGURES}/{stem}.pdf" for stem in FIGURE_STEMS],
    params:
        vsc=VSC,
        out_dir=lambda wildcards, output: os.path.dirname(output.dictionaries),
        runs=ALL_RUNS,
    log:
        f"{LOGS}/figures.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        ENV
    shell:
        "{params.vsc} figures --runs {params.runs} --table {input.table}"
        " --curves {input.curves} --config {input.config} --out-dir {params.out_dir}"
        " > {log} 2>&1"
