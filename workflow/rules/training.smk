# Training: every job that trains runs into its run folder (resumed from its checkpoint when
# interrupted). The linear, FISTA and scikit-learn rules exist once per study (defined in a
# loop, so the job list names the study: linear, groundtruth_linear, ...).

for study, (sets, digest, inputs) in STUDIES.items():
    prefix = "" if study == "linear" else f"{study}_"

    rule:
        """One (family, J, seed) variational run of a study."""
        name:
            f"{prefix}linear"
        input:
            **inputs,
        output:
            **run_outputs(run_dir(study, "{family}", "{seed}", "{samples}")),
        log:
            f"{LOGS}/{study}/{{family}}_J{{samples}}_seed{{seed}}.log",
        benchmark:
            f"{run_dir(study, '{family}', '{seed}', '{samples}')}/{BENCHMARK}"
        retries: CFG.workflow.retries
        conda:
            ENV
        threads: CFG.workflow.threads
        resources:
            **training_resources(CFG.workflow.runtime_linear),
        params:
            vsc=VSC,
            digest=digest,
            sets=sets,
            run=lambda wc, output: os.path.dirname(output.final),
        shell:
            "{params.vsc} linear --config {input.config:q} {params.sets}"
            " --family {wildcards.family:q} --samples {wildcards.samples:q}"
            " --seed {wildcards.seed:q} --run {params.run:q} --replace-stale > {log:q} 2>&1"

    rule:
        """FISTA codes with a dictionary learned by the same SGD rule (the paper's baseline)."""
        name:
            f"{prefix}fista"
        input:
            **inputs,
        output:
            **run_outputs(run_dir(study, "fista", "{seed}")),
        log:
            f"{LOGS}/{study}/fista_seed{{seed}}.log",
        benchmark:
            f"{run_dir(study, 'fista', '{seed}')}/{BENCHMARK}"
        retries: CFG.workflow.retries
        conda:
            ENV
        threads: CFG.workflow.threads
        resources:
            **training_resources(CFG.workflow.runtime_fista),
        params:
            vsc=VSC,
            digest=digest,
            sets=sets,
            run=lambda wc, output: os.path.dirname(output.final),
        shell:
            "{params.vsc} fista --config {input.config:q} {params.sets}"
            " --seed {wildcards.seed:q} --run {params.run:q} --replace-stale > {log:q} 2>&1"

    rule:
        """scikit-learn's MiniBatchDictionaryLearning, scored with the Table 1 metric (CPU)."""
        name:
            f"{prefix}sklearn"
        input:
            **inputs,
        output:
            **run_outputs(run_dir(study, "sklearn", "{seed}"), snapshots=False),
        log:
            f"{LOGS}/{study}/sklearn_seed{{seed}}.log",
        benchmark:
            f"{run_dir(study, 'sklearn', '{seed}')}/{BENCHMARK}"
        conda:
            ENV
        threads: CFG.workflow.threads
        resources:
            mem_mb=CFG.workflow.mem_mb,
            runtime=CFG.workflow.runtime_fista,
        params:
            vsc=VSC,
            digest=digest,
            sets=sets,
            run=lambda wc, output: os.path.dirname(output.final),
        shell:
            "{params.vsc} sklearn --config {input.config:q} {params.sets}"
            " --seed {wildcards.seed:q} --run {params.run:q} --replace-stale > {log:q} 2>&1"


for bundle, j, members in linear_bundles():

    rule:
        """Table 1 runs of one J trained together (vsc linear-bundle); a rerun trains only the
        unfinished ones (Snakemake clears the declared files, each finished run rewrites them
        from its kept checkpoint without training)."""
        name:
            bundle
        input:
            **STUDIES["linear"].inputs,
        output:
            [f for _, _, run in members for f in run_outputs(run).values()],
        log:
            f"{LOGS}/linear/{bundle}.log",
        benchmark:
            f"{RESULTS}/runs/linear/bundles/{bundle}.tsv"
        retries: CFG.workflow.retries
        conda:
            ENV
        threads: CFG.workflow.threads
        resources:
            **training_resources(CFG.workflow.runtime_linear),
        params:
            vsc=VSC,
            digest=DIGEST,
            runs=[
                str(token)
                for family, seed, run in members
                for token in ("--run", family, seed, run)
            ],
            samples=j,
        shell:
            "{params.vsc} linear-bundle --config {input.config:q} --samples {params.samples:q}"
            " {params.runs:q} --replace-stale > {log:q} 2>&1"

    workflow.ruleorder(
        bundle, "linear"
    )  # the bundle, not the one-run rule, makes its runs


rule linear_estimator:
    """A linear run trained with another estimator than max (the max against avg study)."""
    input:
        **STUDIES["linear"].inputs,
    output:
        **run_outputs(
            run_dir("linear", "{family}", "{seed}", "{samples}", "{estimator}")
        ),
    log:
        f"{LOGS}/linear/{{family}}_J{{samples}}_{{estimator}}_seed{{seed}}.log",
    benchmark:
        f"{run_dir('linear', '{family}', '{seed}', '{samples}', '{estimator}')}/{BENCHMARK}"
    wildcard_constraints:
        estimator="avg|iwae",
    retries: CFG.workflow.retries
    conda:
        ENV
    threads: CFG.workflow.threads
    resources:
        **training_resources(CFG.workflow.runtime_linear),
    params:
        vsc=VSC,
        digest=DIGEST,
        run=lambda wc, output: os.path.dirname(output.final),
    shell:
        "{params.vsc} linear --config {input.config:q} --set linear.estimator={wildcards.estimator:q}"
        " --family {wildcards.family:q} --samples {wildcards.samples:q} --seed {wildcards.seed:q}"
        " --run {params.run:q} --replace-stale > {log:q} 2>&1"


rule dnn:
    """One (family, J, seed) DNN-generator run."""
    input:
        **CELEBA_INPUT,
        config=ancient(RESOLVED_CONFIG),
    output:
        **run_outputs(
            run_dir("dnn", "{family}", "{seed}", "{samples}"),
            dictionary=False,
            snapshots=False,
        ),
    log:
        f"{LOGS}/dnn/{{family}}_J{{samples}}_seed{{seed}}.log",
    benchmark:
        f"{run_dir('dnn', '{family}', '{seed}', '{samples}')}/{BENCHMARK}"
    retries: CFG.workflow.retries
    conda:
        ENV
    threads: CFG.workflow.threads
    resources:
        **training_resources(CFG.workflow.runtime_dnn),
    params:
        vsc=VSC,
        digest=DIGEST_DNN,
        run=lambda wc, output: os.path.dirname(output.final),
    shell:
        "{params.vsc} dnn --config {input.config:q} --family {wildcards.family:q}"
        " --samples {wildcards.samples:q} --seed {wildcards.seed:q} --run {params.run:q}"
        " --replace-stale > {log:q} 2>&1"


# A sweep point equal to the main grid's setting (dnn.latents, the dnn target sparsity,
# J = dnn.samples[0], a seed of dnn.seeds) reuses that run instead of training it twice.
rule dnn_sweep:
    """One DNN run at another code size or target sparsity than the main grid's."""
    input:
        **CELEBA_INPUT,
        config=ancient(RESOLVED_CONFIG),
    output:
        **run_outputs(
            run_dir(
                "dnn",
                "{family}",
                "{seed}",
                "{samples}",
                point=("{latents}", "{sparsity}"),
            ),
            dictionary=False,
            snapshots=False,
        ),
    log:
        f"{LOGS}/dnn/{{family}}_J{{samples}}_seed{{seed}}_latents{{latents}}"
        f"_sparsity{{sparsity}}.log",
    benchmark:
        os.path.join(
            run_dir(
                "dnn",
                "{family}",
                "{seed}",
                "{samples}",
                point=("{latents}", "{sparsity}"),
            ),
            BENCHMARK,
        )
    wildcard_constraints:
        latents=r"\d+",
        sparsity=r"0?\.\d+|\d+(\.\d+)?e-\d+",
    retries: CFG.workflow.retries
    conda:
        ENV
    threads: CFG.workflow.threads
    resources:
        **training_resources(CFG.workflow.runtime_dnn),
    params:
        vsc=VSC,
        digest=DIGEST_DNN,
        run=lambda wc, output: os.path.dirname(output.final),
        sets=lambda wc: as_set_flags(
            sweep_point_overrides(CFG, int(wc.latents), float(wc.sparsity))
        ),
    shell:
        "{params.vsc} dnn --config {input.config:q} {params.sets} --family {wildcards.family:q}"
        " --samples {wildcards.samples:q} --seed {wildcards.seed:q} --run {params.run:q}"
        " --replace-stale > {log:q} 2>&1"
