# Summaries and figures: tables (CSV) and figures (PNG, PDF) from finished runs and analyses.
# All are light jobs that run where Snakemake runs (localrules, in the Snakefile).

TABLE1_FILES = [f"{RESULTS}/table1.{ext}" for ext in ("csv", "md", "tex")] + [
    f"{RESULTS}/linear_curves.csv",
    f"{RESULTS}/ordering.csv",
]
FIGURE_STEMS = [
    "dictionaries",
    "table1",
    "val_loss",
    "dictionary_learning",
    "snapshots",
]
FIGURE_FILES = [
    f"{FIGURES}/{stem}.{ext}" for stem in FIGURE_STEMS for ext in ("png", "pdf")
]


rule table1:
    """Table 1 with bootstrap intervals, Kendall's tau against the paper, and the tidy
    per-epoch curves of every run."""
    input:
        finals=finals(TABLE1_RUNS),
        metrics=[f"{run}/metrics.csv" for run in TABLE1_RUNS],
        patch_losses=[f"{run}/val_losses.npz" for run in TABLE1_RUNS],
    output:
        csv=report(
            f"{RESULTS}/table1.csv", caption="../report/table1.rst", category="Table 1"
        ),
        md=f"{RESULTS}/table1.md",
        tex=f"{RESULTS}/table1.tex",
        curves=report(
            f"{RESULTS}/linear_curves.csv",
            caption="../report/curves_csv.rst",
            category="Curves",
        ),
        ordering=f"{RESULTS}/ordering.csv",
    log:
        f"{LOGS}/table1.log",
    conda:
        ENV
    params:
        vsc=VSC,
        out_dir=lambda wildcards, output: os.path.dirname(output.csv),
        runs=TABLE1_RUNS,
    shell:
        "{params.vsc} aggregate --runs {params.runs:q} --out-dir {params.out_dir:q} > {log:q} 2>&1"


rule figures:
    """Figures from the aggregated CSVs and the saved dictionaries."""
    input:
        table=f"{RESULTS}/table1.csv",
        curves=f"{RESULTS}/linear_curves.csv",
        config=ancient(RESOLVED_CONFIG),
        dictionaries=[f"{run}/dictionary.npy" for run in TABLE1_RUNS],
        snapshots=[f"{run}/snapshots.npz" for run in LINEAR_RUNS + FISTA_RUNS],
    output:
        dictionaries=report(
            f"{FIGURES}/dictionaries.png",
            caption="../report/dictionaries.rst",
            category="Figures",
        ),
        table=report(
            f"{FIGURES}/table1.png",
            caption="../report/table1_plot.rst",
            category="Figures",
        ),
        curves=report(
            f"{FIGURES}/val_loss.png",
            caption="../report/val_loss.rst",
            category="Figures",
        ),
        learning=report(
            f"{FIGURES}/dictionary_learning.png",
            caption="../report/dictionary_learning.rst",
            category="Figures",
        ),
        snapshots=report(
            f"{FIGURES}/snapshots.png",
            caption="../report/snapshots.rst",
            category="Figures",
        ),
        pdfs=[f"{FIGURES}/{stem}.pdf" for stem in FIGURE_STEMS],
    log:
        f"{LOGS}/figures.log",
    conda:
        ENV
    params:
        vsc=VSC,
        out_dir=lambda wildcards, output: os.path.dirname(output.dictionaries),
        runs=TABLE1_RUNS,
    shell:
        "{params.vsc} figures --runs {params.runs:q} --table {input.table:q}"
        " --curves {input.curves:q} --config {input.config:q} --out-dir {params.out_dir:q}"
        " > {log:q} 2>&1"


rule snr_summary:
    """results/snr.csv and the bar figure with the reference values."""
    input:
        SNR_FILES,
    output:
        **summary_outputs("snr", "../report/snr.rst", "Analyses"),
    log:
        f"{LOGS}/snr_summary.log",
    conda:
        ENV
    params:
        vsc=VSC,
        stem=figure_stem,
    shell:
        "{params.vsc} snr-summary --inputs {input:q} --out {output.csv:q} --figure {params.stem:q}"
        " > {log:q} 2>&1"


rule sampling_summary:
    """results/sampling.csv and the figure of both sampling studies."""
    input:
        finals=finals(SAMPLING_RUNS),
        consistency=CONSISTENCY_FILES,
    output:
        **summary_outputs("sampling", "../report/sampling.rst", "Analyses"),
    log:
        f"{LOGS}/sampling_summary.log",
    conda:
        ENV
    params:
        vsc=VSC,
        runs=SAMPLING_RUNS,
        stem=figure_stem,
    shell:
        "{params.vsc} sampling-summary --runs {params.runs:q} --consistency {input.consistency:q}"
        " --out {output.csv:q} --figure {params.stem:q} > {log:q} 2>&1"


rule groundtruth_summary:
    """results/groundtruth.csv and the figure of recovered atoms and supports per method."""
    input:
        finals=finals(GROUNDTRUTH_RUNS),
    output:
        **summary_outputs(
            "groundtruth", "../report/groundtruth.rst", "Ground-truth benchmark"
        ),
    log:
        f"{LOGS}/groundtruth_summary.log",
    conda:
        ENV
    params:
        vsc=VSC,
        runs=GROUNDTRUTH_RUNS,
        stem=figure_stem,
    shell:
        "{params.vsc} groundtruth-summary --runs {params.runs:q} --out {output.csv:q}"
        " --figure {params.stem:q} > {log:q} 2>&1"


rule dnn_metrics:
    """Per-pixel MSE, sparsity and recovered-dictionary scores per method, next to the
    paper's MSE and the mean-image and PCA baselines."""
    input:
        finals=finals(DNN_RUNS),
        recovered=[f"{folder}/recovered.json" for folder in RECOVERED_DIRS],
        baselines=f"{RESULTS}/dnn_baselines.json",
    output:
        report(
            f"{RESULTS}/dnn_metrics.csv",
            caption="../report/dnn_metrics.rst",
            category="DNN generator",
        ),
    log:
        f"{LOGS}/dnn_metrics.log",
    conda:
        ENV
    params:
        vsc=VSC,
        runs=DNN_RUNS,
        recovered=RECOVERED_DIRS,
    shell:
        "{params.vsc} aggregate-dnn --runs {params.runs:q} --recovered {params.recovered:q}"
        " --baselines {input.baselines:q} --out {output:q} > {log:q} 2>&1"


rule recovered_figure:
    """Recovered dictionaries side by side (Gaussian vs Thresholded Gaussian+Gamma)."""
    input:
        atoms=[f"{folder}/recovered.npy" for folder in FIGURE_RECOVERED],
        jsons=[f"{folder}/recovered.json" for folder in FIGURE_RECOVERED],
    output:
        **figure_outputs(
            "recovered_dictionaries",
            "../report/recovered_dictionaries.rst",
            "DNN generator",
        ),
    log:
        f"{LOGS}/recovered_figure.log",
    conda:
        ENV
    params:
        vsc=VSC,
        recovered=FIGURE_RECOVERED,
        stem=figure_stem,
    shell:
        "{params.vsc} recovered-figure --recovered {params.recovered:q} --figure {params.stem:q}"
        " > {log:q} 2>&1"


rule dnn_sweep_summary:
    """results/dnn_sweep.csv and the figure: MSE and multi-information against code size
    and against target sparsity, with the paper's values where the setting is the paper's.
    """
    input:
        config=ancient(RESOLVED_CONFIG),
        finals=finals(SWEEP_RUNS),
    output:
        **summary_outputs("dnn_sweep", "../report/dnn_sweep.rst", "DNN generator"),
    log:
        f"{LOGS}/dnn_sweep_summary.log",
    conda:
        ENV
    params:
        vsc=VSC,
        runs=SWEEP_RUNS,
        stem=figure_stem,
    shell:
        "{params.vsc} dnn-sweep-summary --config {input.config:q} --runs {params.runs:q}"
        " --out {output.csv:q} --figure {params.stem:q} > {log:q} 2>&1"
