localrules:
    resolved_config,


rule resolved_config:
    """The validated config with every default filled in: what every job reads. This rule
    only creates it; onstart refreshes an existing one. As a job with a params trigger it
    would make Snakemake put off the params check of every job downstream (their digests)
    to the next invocation, so a changed setting would need two runs to take effect."""
    output:
        RESOLVED_CONFIG,
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
