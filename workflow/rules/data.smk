localrules:
    resolved_config,


rule resolved_config:
    """The validated config with every default filled in: what every job reads."""
    output:
        RESOLVED_CONFIG,
    params:
        settings=json.dumps(CFG.to_dict(), sort_keys=True),
    log:
        f"{LOGS}/resolved_config.log",
    run:
        write_resolved_config(output[0], log[0])


rule patches:
    """Extract (or find in data.cache_dir) the patch set once, before any training job."""
    input:
        config=ancient(RESOLVED_CONFIG),
    output:
        PATCHES,
    params:
        vsc=VSC,
        digest=DIGEST,
    log:
        f"{LOGS}/patches.log",
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        ENV
    shell:
        "{params.vsc} patches --config {input.config} --out {output} > {log} 2>&1"
