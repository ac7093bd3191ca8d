# Analyses of finished runs: each reads one run folder (--run) and writes one result.


rule snr:
    """Gradient SNR of a trained run (its first seed), at the run's own J."""
    input:
        final=f"{run_dir('linear', '{family}', SEED0, '{samples}')}/final.json",
    output:
        f"{RESULTS}/snr/{{family}}_J{{samples}}.json",
    log:
        f"{LOGS}/snr/{{family}}_J{{samples}}.log",
    retries: CFG.workflow.retries
    group:
        GPU_ANALYSES
    conda:
        ENV
    threads: CFG.workflow.threads
    resources:
        **training_resources(CFG.workflow.runtime_analysis),
    params:
        vsc=VSC,
        run=lambda wildcards, input: os.path.dirname(input.final),
        passes=CFG.snr.passes,
        batches=CFG.snr.batches,
    shell:
        "{params.vsc} snr --run {params.run:q} --passes {params.passes:q}"
        " --batches {params.batches:q} --out {output:q} > {log:q} 2>&1"


rule consistency:
    """Support consistency (Jaccard) across the J samples of each validation input."""
    input:
        final=f"{RESULTS}/runs/linear/{{run}}/final.json",
    output:
        f"{RESULTS}/consistency/{{run}}.json",
    log:
        f"{LOGS}/consistency/{{run}}.log",
    conda:
        ENV
    resources:
        mem_mb=CFG.workflow.mem_mb,
        runtime=10,
    params:
        vsc=VSC,
        run=lambda wildcards, input: os.path.dirname(input.final),
        inputs=CFG.sampling.consistency_inputs,
    shell:
        "{params.vsc} consistency --run {params.run:q} --inputs {params.inputs:q}"
        " --out {output:q} > {log:q} 2>&1"


rule dnn_baselines:
    """The DNN table's floor and linear reference: MSE of the mean training image and of PCA
    with dnn.latents components on the DNN experiment's test images."""
    input:
        **CELEBA_INPUT,
        config=ancient(RESOLVED_CONFIG),
    output:
        f"{RESULTS}/dnn_baselines.json",
    log:
        f"{LOGS}/dnn_baselines.log",
    conda:
        ENV
    threads: CFG.workflow.threads
    resources:
        mem_mb=CFG.workflow.mem_mb,
        runtime=CFG.workflow.runtime_dnn,
    params:
        vsc=VSC,
        digest=DIGEST_DNN,
    shell:
        "{params.vsc} dnn-baselines --config {input.config:q} --out {output:q} > {log:q} 2>&1"


rule recover:
    """Least-squares dictionary from a DNN run's codes (J = dnn.recovery_samples)."""
    input:
        **CELEBA_INPUT,
        final=f"{run_dir('dnn', '{family}', '{seed}', '{samples}')}/final.json",
    output:
        json=f"{recovered_dir(run_dir('dnn', '{family}', '{seed}', '{samples}'))}/recovered.json",
        atoms=f"{recovered_dir(run_dir('dnn', '{family}', '{seed}', '{samples}'))}/recovered.npy",
    log:
        f"{LOGS}/recover/{{family}}_J{{samples}}_seed{{seed}}.log",
    retries: CFG.workflow.retries
    group:
        GPU_ANALYSES
    conda:
        ENV
    threads: CFG.workflow.threads
    resources:
        **training_resources(CFG.workflow.runtime_analysis),
    params:
        vsc=VSC,
        run=lambda wildcards, input: os.path.dirname(input.final),
        out_dir=lambda wildcards, output: os.path.dirname(output.json),
    shell:
        "{params.vsc} recover --run {params.run:q} --out-dir {params.out_dir:q} > {log:q} 2>&1"
