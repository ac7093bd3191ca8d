# The DNN generator: training per (family, J, seed), dictionary recovery, metrics, figure.

DNN_RUNS = f"{RESULTS}/runs/dnn"
RECOVERIES = f"{RESULTS}/recovery"
DNN_GRID = [(family, j, seed) for family in CFG.dnn.families for j in CFG.dnn.samples
            for seed in CFG.dnn.seeds]
DNN_RUN_DIRS = [f"{DNN_RUNS}/{f}_J{j}_seed{s}" for f, j, s in DNN_GRID]
RECOVERY_DIRS = [f"{RECOVERIES}/{f}_J{j}_seed{s}" for f, j, s in DNN_GRID]
# the figure shows the first J and seed of each family named in dnn.recovery_families
FIGURE_RECOVERIES = [f"{RECOVERIES}/{f}_J{CFG.dnn.samples[0]}_seed{CFG.dnn.seeds[0]}"
                     for f in CFG.dnn.recovery_families if f in CFG.dnn.families]
DNN_FILES = [f"{RESULTS}/dnn_metrics.csv"] + [
    f"{FIGURES}/recovered_dictionaries.{ext}" for ext in ("png", "pdf")
]


rule dnn:
    """One (family, J, seed) DNN-generator run; resumes from its checkpoint if interrupted."""
    input:
        config=ancient(RESOLVED_CONFIG),
        **CELEBA_INPUT,
    output:
        **{name.split(".")[0]: f"{DNN_RUNS}/{{family}}_J{{samples}}_seed{{seed}}/{name}"
           for name in DNN_RUN_FILES},
    params:
        vsc=VSC,
        digest=DIGEST_DNN,
        out=lambda wc: f"{DNN_RUNS}/{wc.family}_J{wc.samples}_seed{wc.seed}",
    log:
        f"{LOGS}/dnn/{{family}}_J{{samples}}_seed{{seed}}.log",
    benchmark:
        f"{DNN_RUNS}/{{family}}_J{{samples}}_seed{{seed}}/{BENCHMARK}"
    threads: CFG.workflow.threads
    resources:
        **training_resources(CFG.workflow.runtime_dnn),
    conda:
        ENV
    shell:
        "{params.vsc} dnn --config {input.config} --family {wildcards.family}"
        " --samples {wildcards.samples} --seed {wildcards.seed} --out {params.out}"
        " --replace-stale > {log} 2>&1"


rule recover:
    """Least-squares dictionary from the run's codes (J = dnn.recovery_samples)."""
    input:
        **CELEBA_INPUT,
        final=f"{DNN_RUNS}/{{family}}_J{{samples}}_seed{{seed}}/final.json",
    output:
        json=f"{RECOVERIES}/{{family}}_J{{samples}}_seed{{seed}}/recovery.json",
        atoms=f"{RECOVERIES}/{{family}}_J{{samples}}_seed{{seed}}/recovered.npy",
    params:
        vsc=VSC,
        run=lambda wildcards, input: os.path.dirname(input.final),
        out=lambda wildcards, output: os.path.dirname(output.json),
    log:
        f"{LOGS}/recover/{{family}}_J{{samples}}_seed{{seed}}.log",
    threads: CFG.workflow.threads
    resources:
        **training_resources(CFG.workflow.runtime_dnn),
    conda:
        ENV
    shell:
        "{params.vsc} recover --run {params.run} --out {params.out}"
        " > {log} 2>&1"


rule dnn_metrics:
    """Per-pixel MSE, sparsity and recovery scores per method, next to the paper's MSE."""
    input:
        finals=[f"{run}/final.json" for run in DNN_RUN_DIRS],
        recoveries=[f"{rec}/recovery.json" for rec in RECOVERY_DIRS],
    output:
        report(f"{RESULTS}/dnn_metrics.csv", caption="../report/dnn_metrics.rst",
               category="DNN generator"),
    params:
        vsc=VSC,
        runs=DNN_RUN_DIRS,
        recoveries=RECOVERY_DIRS,
    log:
        f"{LOGS}/dnn_metrics.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        ENV
    shell:
        "{params.vsc} aggregate-dnn --runs {params.runs} --recoveries {params.recoveries}"
        " --out {output} > {log} 2>&1"


rule recovery_figure:
    """Recovered dictionaries side by side (Gaussian vs Thresholded Gaussian+Gamma)."""
    input:
        atoms=[f"{rec}/recovered.npy" for rec in FIGURE_RECOVERIES],
        jsons=[f"{rec}/recovery.json" for rec in FIGURE_RECOVERIES],
    output:
        png=report(f"{FIGURES}/recovered_dictionaries.png",
                   caption="../report/recovered_dictionaries.rst", category="DNN generator"),
        pdf=f"{FIGURES}/recovered_dictionaries.pdf",
    params:
        vsc=VSC,
        recoveries=FIGURE_RECOVERIES,
        stem=lambda wildcards, output: os.path.splitext(output.png)[0],
    log:
        f"{LOGS}/recovery_figure.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        ENV
    shell:
        "{params.vsc} recovery-figure --recoveries {params.recoveries} --out {params.stem}"
        " > {log} 2>&1"


# Sweeps over code size and target sparsity; a point equal to the main grid's setting
# (dnn.latents, the dnn target sparsity, J = dnn.samples[0], a seed of dnn.seeds) reuses
# that run instead of training it twice.
SWEEP = CFG.dnn_sweep
MAIN_SPARSITY = CFG.dnn.family.threshold.target_sparsity
SWEEP_RUN_DIRS = list(dict.fromkeys(
    [sweep_run_dir(f, n, MAIN_SPARSITY, s) for f in SWEEP.families for n in SWEEP.latents
     for s in SWEEP.seeds]
    + [sweep_run_dir(f, CFG.dnn.latents, p, s) for f in SWEEP.families
       if f not in SPARSITY_FREE_FAMILIES for p in SWEEP.target_sparsity for s in SWEEP.seeds]
))
DNN_SWEEP_OUTPUTS = [f"{RESULTS}/dnn_sweep.csv"] + [
    f"{FIGURES}/dnn_sweep.{ext}" for ext in ("png", "pdf")
]


rule dnn_sweep:
    """One DNN run at another code size or target sparsity than the main grid's."""
    input:
        config=ancient(RESOLVED_CONFIG),
        **CELEBA_INPUT,
    output:
        **{name.split(".")[0]: f"{DNN_RUNS}/{{family}}_J{{samples}}_seed{{seed}}"
           f"_latents{{latents}}_sparsity{{sparsity}}/{name}" for name in DNN_RUN_FILES},
    wildcard_constraints:
        latents=r"\d+",
        sparsity=r"0?\.\d+|\d+(\.\d+)?e-\d+",
    params:
        vsc=VSC,
        digest=DIGEST_DNN,
        out=lambda wc, output: os.path.dirname(output.final),
    log:
        f"{LOGS}/dnn/{{family}}_J{{samples}}_seed{{seed}}_latents{{latents}}"
        f"_sparsity{{sparsity}}.log",
    benchmark:
        f"{DNN_RUNS}/{{family}}_J{{samples}}_seed{{seed}}_latents{{latents}}"
        f"_sparsity{{sparsity}}/{BENCHMARK}"
    threads: CFG.workflow.threads
    resources:
        **training_resources(CFG.workflow.runtime_dnn),
    conda:
        ENV
    shell:
        "{params.vsc} dnn --config {input.config} --family {wildcards.family}"
        " --samples {wildcards.samples} --seed {wildcards.seed} --out {params.out}"
        " --latents {wildcards.latents} --target-sparsity {wildcards.sparsity}"
        " --replace-stale > {log} 2>&1"


rule dnn_sweep_summary:
    """results/dnn_sweep.csv and the figure: MSE and multi-information against code size
    and against target sparsity, with the paper's values where the setting is the paper's."""
    input:
        config=ancient(RESOLVED_CONFIG),
        finals=[f"{run}/final.json" for run in SWEEP_RUN_DIRS],
    output:
        csv=report(f"{RESULTS}/dnn_sweep.csv", caption="../report/dnn_sweep.rst",
                   category="DNN generator"),
        png=report(f"{FIGURES}/dnn_sweep.png", caption="../report/dnn_sweep.rst",
                   category="DNN generator"),
        pdf=f"{FIGURES}/dnn_sweep.pdf",
    params:
        vsc=VSC,
        runs=SWEEP_RUN_DIRS,
        stem=lambda wildcards, output: os.path.splitext(output.png)[0],
    log:
        f"{LOGS}/dnn_sweep_summary.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        ENV
    shell:
        "{params.vsc} dnn-sweep-summary --config {input.config} --runs {params.runs}"
        " --csv {output.csv} --figure {params.stem} > {log} 2>&1"
