# The data every job reads: the resolved config, IMAGES.mat, the patch set, CelebA.

# IMAGES.mat is fetched by a job of its own, run where Snakemake runs (see localrules), and
# only when data.download asks for it and the file is not there yet.
IMAGES_MAT_INPUT = {}
if CFG.data.source == "images_mat" and CFG.data.download and CFG.data.path:
    IMAGES_MAT_INPUT = {"images": ancient(CFG.data.path)}

    localrules:
        download_images,

    rule download_images:
        """Download IMAGES.mat and verify its checksum before it is used."""
        output:
            CFG.data.path,
        log:
            f"{LOGS}/download_images.log",
        conda:
            ENV
        params:
            vsc=VSC,
            url=CFG.data.url,
            checksum=CFG.data.checksum,
        shell:
            "{params.vsc} download-images --url {params.url:q} --checksum {params.checksum:q}"
            " --out {output:q}"
            " > {log:q} 2>&1"


# CelebA cannot be downloaded: when the DNN outputs are asked for, this job checks that it is
# there and readable before any DNN job starts (Table 1 alone never needs it).
CELEBA_INPUT = {}
if CFG.dnn.dataset == "celeba":
    CELEBA_INPUT = {"celeba": ancient(f"{RESULTS}/data/celeba.json")}

    localrules:
        celeba,

    rule celeba:
        """Check data.celeba.root (both splits open, one image of each decodes)."""
        input:
            config=ancient(RESOLVED_CONFIG),
        output:
            f"{RESULTS}/data/celeba.json",
        log:
            f"{LOGS}/celeba.log",
        priority: 100
        conda:
            ENV
        params:
            vsc=VSC,
        shell:
            "{params.vsc} celeba --config {input.config:q} --out {output:q} > {log:q} 2>&1"


rule resolved_config:
    """The validated config with every default filled in: what every job reads. This rule
    only creates it; onstart refreshes an existing one. As a job with a params trigger it
    would make Snakemake put off the params check of every job downstream (their digests)
    to the next invocation, so a changed setting would need two runs to take effect."""
    output:
        RESOLVED_CONFIG,
    log:
        f"{LOGS}/resolved_config.log",
    conda:
        ENV
    # A shell command, not a run: block: Snakemake runs a run: block in a subprocess whose
    # command line carries --config values in Python's repr, which a shell reads inside
    # double quotes when a value holds a quote (a $ in results_dir would then be expanded).
    # The text comes from the environment this Snakemake process set (RESOLVED_TEXT in
    # common.smk), not from a param: no params trigger (above). An expanded variable is
    # not evaluated again by the shell.
    shell:
        'printf "%s" "$VSC_RESOLVED_CONFIG" > {output:q}.tmp && mv -f {output:q}.tmp {output:q}'
        " && echo written from the validated config > {log:q}"


rule patches:
    """Extract (or find in data.cache_dir) the patch set once, before any training job."""
    input:
        **IMAGES_MAT_INPUT,
        config=ancient(RESOLVED_CONFIG),
    output:
        PATCHES,
    log:
        f"{LOGS}/patches.log",
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        vsc=VSC,
    shell:
        "{params.vsc} patches --config {input.config:q} --out {output:q} > {log:q} 2>&1"
