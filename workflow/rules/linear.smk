rule linear:
    """One (family, J, seed) variational run; resumes from its checkpoint if interrupted."""
    input:
        config=ancient(RESOLVED_CONFIG),
        patches=ancient(PATCHES),
    output:
        **run_outputs(f"{RUNS}/{{family}}_J{{samples}}_seed{{seed}}"),
    params:
        vsc=VSC,
        digest=DIGEST,
        out=lambda wc: f"{RUNS}/{wc.family}_J{wc.samples}_seed{wc.seed}",
    log:
        f"{LOGS}/linear/{{family}}_J{{samples}}_seed{{seed}}.log",
    threads: CFG.workflow.threads
    resources:
        **training_resources(CFG.workflow.runtime_linear),
    conda:
        ENV
    shell:
        "{params.vsc} linear --config {input.config} --family {wildcards.family}"
        " --samples {wildcards.samples} --seed {wildcards.seed} --out {params.out}"
        " --replace-stale --no-progress > {log} 2>&1"
