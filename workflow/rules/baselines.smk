rule fista:
    """FISTA codes with a dictionary learned by the same SGD rule (the paper's baseline)."""
    input:
        config=ancient(RESOLVED_CONFIG),
        patches=ancient(PATCHES),
    output:
        **run_outputs(f"{RUNS}/fista_seed{{seed}}"),
    params:
        vsc=VSC,
        digest=DIGEST,
        out=lambda wc: f"{RUNS}/fista_seed{wc.seed}",
    log:
        f"{LOGS}/linear/fista_seed{{seed}}.log",
    threads: CFG.workflow.threads
    resources:
        **training_resources(CFG.workflow.runtime_fista),
    conda:
        ENV
    shell:
        "{params.vsc} fista --config {input.config} --seed {wildcards.seed} --out {params.out}"
        " --replace-stale --no-progress > {log} 2>&1"


rule sklearn:
    """scikit-learn's MiniBatchDictionaryLearning, scored with the Table 1 metric (CPU)."""
    input:
        config=ancient(RESOLVED_CONFIG),
        patches=ancient(PATCHES),
    output:
        **run_outputs(f"{RUNS}/sklearn_seed{{seed}}"),
    params:
        vsc=VSC,
        digest=DIGEST,
        out=lambda wc: f"{RUNS}/sklearn_seed{wc.seed}",
    log:
        f"{LOGS}/linear/sklearn_seed{{seed}}.log",
    threads: CFG.workflow.threads
    resources:
        mem_mb=CFG.workflow.mem_mb,
        runtime=CFG.workflow.runtime_fista,
    conda:
        ENV
    shell:
        "{params.vsc} sklearn --config {input.config} --seed {wildcards.seed} --out {params.out}"
        " --replace-stale > {log} 2>&1"
