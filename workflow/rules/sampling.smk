# Sampling studies: validation loss against J, max against avg selection, support consistency.

SEED0 = CFG.linear.seeds[0]
J_STUDY_RUNS = [f"{RUNS}/{f}_J{j}_seed{SEED0}" for f in CFG.sampling.j_families
                if f in CFG.linear.families for j in CFG.sampling.j_values]
ESTIMATOR_RUNS = {
    (j, est): f"{RUNS}/{CFG.sampling.estimator_family}_J{j}"
    + ("" if est == "max" else f"_{est}") + f"_seed{SEED0}"
    for j in CFG.sampling.estimator_j for est in ("max", "avg")
}
SAMPLING_RUNS = list(dict.fromkeys(J_STUDY_RUNS + list(ESTIMATOR_RUNS.values())))
CONSISTENCY_FILES = [f"{RESULTS}/consistency/{os.path.basename(run)}.json"
                     for run in ESTIMATOR_RUNS.values()]
SAMPLING_OUTPUTS = [f"{RESULTS}/sampling.csv"] + [
    f"{FIGURES}/sampling.{ext}" for ext in ("png", "pdf")
]


rule linear_estimator:
    """A linear run trained with another estimator than max (the max against avg study)."""
    input:
        config=ancient(RESOLVED_CONFIG),
        patches=ancient(PATCHES),
    output:
        **run_outputs(f"{RUNS}/{{family}}_J{{samples}}_{{estimator}}_seed{{seed}}"),
    wildcard_constraints:
        estimator="avg|iwae",
    params:
        vsc=VSC,
        digest=DIGEST,
        out=lambda wc: f"{RUNS}/{wc.family}_J{wc.samples}_{wc.estimator}_seed{wc.seed}",
    log:
        f"{LOGS}/linear/{{family}}_J{{samples}}_{{estimator}}_seed{{seed}}.log",
    benchmark:
        f"{RUNS}/{{family}}_J{{samples}}_{{estimator}}_seed{{seed}}/{BENCHMARK}"
    threads: CFG.workflow.threads
    resources:
        **training_resources(CFG.workflow.runtime_linear),
    conda:
        ENV
    shell:
        "{params.vsc} linear --config {input.config} --family {wildcards.family}"
        " --samples {wildcards.samples} --seed {wildcards.seed} --out {params.out}"
        " --estimator {wildcards.estimator} --replace-stale > {log} 2>&1"


rule consistency:
    """Support consistency (Jaccard) across the J samples of each validation input."""
    input:
        final=f"{RUNS}/{{run}}/final.json",
    output:
        f"{RESULTS}/consistency/{{run}}.json",
    params:
        vsc=VSC,
        run=lambda wildcards, input: os.path.dirname(input.final),
        inputs=CFG.sampling.consistency_inputs,
    log:
        f"{LOGS}/consistency/{{run}}.log",
    resources:
        mem_mb=CFG.workflow.mem_mb,
        runtime=10,
    conda:
        ENV
    shell:
        "{params.vsc} consistency --run {params.run} --inputs {params.inputs}"
        " --out {output} > {log} 2>&1"


rule sampling_summary:
    """results/sampling.csv and the figure of both studies."""
    input:
        finals=[f"{run}/final.json" for run in SAMPLING_RUNS],
        consistency=CONSISTENCY_FILES,
    output:
        csv=report(f"{RESULTS}/sampling.csv", caption="../report/sampling.rst",
                   category="Analyses"),
        png=report(f"{FIGURES}/sampling.png", caption="../report/sampling.rst",
                   category="Analyses"),
        pdf=f"{FIGURES}/sampling.pdf",
    params:
        vsc=VSC,
        runs=SAMPLING_RUNS,
        stem=lambda wildcards, output: os.path.splitext(output.png)[0],
    log:
        f"{LOGS}/sampling_summary.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        ENV
    shell:
        "{params.vsc} sampling-summary --runs {params.runs} --consistency {input.consistency}"
        " --csv {output.csv} --figure {params.stem} > {log} 2>&1"
