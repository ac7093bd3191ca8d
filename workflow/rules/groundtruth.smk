# The ground-truth recovery benchmark: every method learns a dictionary from synthetic
# patches with a known generator (the linear, fista and sklearn rules, study 'groundtruth').

GT = CFG.groundtruth
GT_RUN_DIRS = [
    f"{RESULTS}/runs/groundtruth/{method}_J{j}_seed{seed}"
    for method in GT.methods if method in FAMILY_NAMES for j in GT.samples for seed in GT.seeds
] + [
    f"{RESULTS}/runs/groundtruth/{method}_seed{seed}"
    for method in ("fista", "sklearn") if method in GT.methods for seed in GT.seeds
]
GROUNDTRUTH_OUTPUTS = [f"{RESULTS}/recovery.csv"] + [
    f"{FIGURES}/recovery.{ext}" for ext in ("png", "pdf")
]


rule recovery_summary:
    """results/recovery.csv and the figure of recovered atoms and supports per method."""
    input:
        finals=[f"{run}/final.json" for run in GT_RUN_DIRS],
    output:
        csv=report(f"{RESULTS}/recovery.csv", caption="../report/recovery.rst",
                   category="Ground-truth recovery"),
        png=report(f"{FIGURES}/recovery.png", caption="../report/recovery.rst",
                   category="Ground-truth recovery"),
        pdf=f"{FIGURES}/recovery.pdf",
    params:
        vsc=VSC,
        runs=GT_RUN_DIRS,
        stem=lambda wildcards, output: os.path.splitext(output.png)[0],
    log:
        f"{LOGS}/recovery_summary.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        ENV
    shell:
        "{params.vsc} recovery-summary --runs {params.runs} --csv {output.csv}"
        " --figure {params.stem} > {log} 2>&1"
