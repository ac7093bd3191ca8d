for study, prefix, runs, inputs, digest in study_rules():

    rule:
        """One (family, J, seed) variational run of a study; resumes from its checkpoint."""
        name:
            f"{prefix}linear"
        input:
            **inputs,
        output:
            **run_outputs(f"{runs}/{{family}}_J{{samples}}_seed{{seed}}"),
        params:
            vsc=VSC,
            digest=digest,
            study=study,
            out=lambda wc, output: os.path.dirname(output.final),
        log:
            f"{LOGS}/{study}/{{family}}_J{{samples}}_seed{{seed}}.log",
        benchmark:
            f"{runs}/{{family}}_J{{samples}}_seed{{seed}}/{BENCHMARK}"
        threads: CFG.workflow.threads
        resources:
            **training_resources(CFG.workflow.runtime_linear),
        conda:
            ENV
        shell:
            "{params.vsc} linear --config {input.config} --study {params.study}"
            " --family {wildcards.family} --samples {wildcards.samples}"
            " --seed {wildcards.seed} --out {params.out} --replace-stale"
            " > {log} 2>&1"
