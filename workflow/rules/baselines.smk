for study, prefix, runs, inputs, digest in study_rules():

    rule:
        """FISTA codes with a dictionary learned by the same SGD rule (the paper's baseline)."""
        name:
            f"{prefix}fista"
        input:
            **inputs,
        output:
            **run_outputs(f"{runs}/fista_seed{{seed}}"),
        params:
            vsc=VSC,
            digest=digest,
            study=study,
            out=lambda wc, output: os.path.dirname(output.final),
        log:
            f"{LOGS}/{study}/fista_seed{{seed}}.log",
        benchmark:
            f"{runs}/fista_seed{{seed}}/{BENCHMARK}"
        threads: CFG.workflow.threads
        resources:
            **training_resources(CFG.workflow.runtime_fista),
        conda:
            ENV
        shell:
            "{params.vsc} fista --config {input.config} --study {params.study}"
            " --seed {wildcards.seed} --out {params.out} --replace-stale"
            " > {log} 2>&1"

    rule:
        """scikit-learn's MiniBatchDictionaryLearning, scored with the Table 1 metric (CPU)."""
        name:
            f"{prefix}sklearn"
        input:
            **inputs,
        output:
            **run_outputs(f"{runs}/sklearn_seed{{seed}}", snapshots=False),
        params:
            vsc=VSC,
            digest=digest,
            study=study,
            out=lambda wc, output: os.path.dirname(output.final),
        log:
            f"{LOGS}/{study}/sklearn_seed{{seed}}.log",
        benchmark:
            f"{runs}/sklearn_seed{{seed}}/{BENCHMARK}"
        threads: CFG.workflow.threads
        resources:
            mem_mb=CFG.workflow.mem_mb,
            runtime=CFG.workflow.runtime_fista,
        conda:
            ENV
        shell:
            "{params.vsc} sklearn --config {input.config} --study {params.study}"
            " --seed {wildcards.seed} --out {params.out} --replace-stale > {log} 2>&1"
