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


def linear_bundles():
    """The Table 1 runs grouped into bundles of workflow.bundle_size runs of one J (families
    and seeds mixed): [(name, J, [(family, seed, run folder)])]. Empty when runs train alone."""
    size = CFG.workflow.bundle_size
    if size == 1:
        return []
    bundles = []
    for j in CFG.linear.samples:
        runs = [(family, seed, f"{RUNS}/{family}_J{j}_seed{seed}")
                for family in CFG.linear.families for seed in CFG.linear.seeds]
        for i in range(0, len(runs), size):
            bundles.append((f"linear_bundle_J{j}_{i // size}", j, runs[i:i + size]))
    return bundles


for bundle, j, members in linear_bundles():

    rule:
        """Table 1 runs of one J trained together (vsc linear-bundle); a rerun trains only the
        unfinished ones (Snakemake clears the declared files, each finished run rewrites them
        from its kept checkpoint without training)."""
        name:
            bundle
        input:
            config=ancient(RESOLVED_CONFIG),
            patches=ancient(PATCHES),
        output:
            [f for _, _, out in members for f in run_outputs(out).values()],
        params:
            vsc=VSC,
            digest=DIGEST,
            runs=" ".join(f"--run {family} {seed} {out}" for family, seed, out in members),
            samples=j,
        log:
            f"{LOGS}/linear/{bundle}.log",
        benchmark:
            f"{RUNS}/bundles/{bundle}.tsv"
        threads: CFG.workflow.threads
        resources:
            **training_resources(CFG.workflow.runtime_linear),
        conda:
            ENV
        shell:
            "{params.vsc} linear-bundle --config {input.config} --samples {params.samples}"
            " {params.runs} --replace-stale > {log} 2>&1"

    workflow.ruleorder(bundle, "linear")  # the bundle, not the one-run rule, makes its runs
